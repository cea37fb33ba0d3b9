// The `virtpilot` command as `npm run build` makes it (out/main/cli.js is what bin/virtpilot.js
// runs), built once per test run into out/test-cli: a test that runs the CLI many times starts a
// bundle, not TypeScript compiled anew by tsx in every process (several times the CPU, which a
// busy machine turns into seconds per run).
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
export const BUILT_CLI = join(repoRoot, 'out', 'test-cli', 'cli.js')

/** Newest modification time of the files a build is made of. */
function newestSource(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs)
  }
  return newest
}

/** Builds the CLI (and the what-if worker it starts) unless the build is newer than every source. */
export async function buildCli(): Promise<void> {
  const sources = Math.max(newestSource(join(repoRoot, 'src-main')), newestSource(join(repoRoot, 'shared')), statSync(join(repoRoot, 'package.json')).mtimeMs)
  if (existsSync(BUILT_CLI) && statSync(BUILT_CLI).mtimeMs > sources) return
  const { build } = await import('electron-vite')
  await build({ configFile: join(repoRoot, 'test', 'support', 'cli.vite.config.ts'), root: repoRoot, logLevel: 'error' })
}

/** argv that runs `virtpilot ARGS` from the built CLI. */
export function cliArgv(args: readonly string[]): string[] {
  return [BUILT_CLI, ...args]
}
