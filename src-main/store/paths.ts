import { homedir } from 'node:os'
import { join } from 'node:path'

/**
 * The folder Electron calls `userData` for an app named VirtPilot, so the desktop app, the CLI
 * and serve mode share one data file by default.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'VirtPilot')
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'VirtPilot')
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'VirtPilot')
}

/** `--data FILE` wins, then VIRTPILOT_DATA, then the user-data folder. */
export function resolveDataFile(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env.VIRTPILOT_DATA ?? join(defaultDataDir(env), 'virtpilot.db')
}
