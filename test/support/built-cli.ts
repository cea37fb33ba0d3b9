// The `virtpilot` command as `npm run build` makes it (out/main/cli.js is what bin/virtpilot.js
// runs), built once per test run into out/test-cli: a test that runs the CLI many times starts a
// bundle, not TypeScript compiled anew by tsx in every process (several times the CPU, which a
// busy machine turns into seconds per run).
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const TEST_CLI = 'out/test-cli/cli.js'
export const BUILT_CLI = join(repoRoot, TEST_CLI)

/** Newest modification time of the files a build is made of. */
function newestSource(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs)
  }
  return newest
}

/** Newest modification time of the given files and folders of the repository. */
function newestOf(paths: readonly string[]): number {
  return Math.max(...paths.map((path) => join(repoRoot, path)).map((path) => (statSync(path).isDirectory() ? newestSource(path) : statSync(path).mtimeMs)))
}

/** Whether every one of `outputs` exists and was written after every one of `sources` changed. */
export function builtSince(outputs: readonly string[], sources: readonly string[]): boolean {
  const newest = newestOf(sources)
  return outputs.every((output) => existsSync(join(repoRoot, output)) && statSync(join(repoRoot, output)).mtimeMs > newest)
}

/** What `npm run build` (electron-vite build) makes, and what it is made of. */
export const APP_BUILD = {
  outputs: ['out/main/index.js', 'out/main/cli.js', 'out/preload/index.cjs', 'out/renderer/index.html'],
  sources: ['src-main', 'shared', 'src-renderer', 'package.json', 'package-lock.json', 'electron.vite.config.ts'],
}

/** Builds the CLI (and the what-if worker it starts) unless the build is newer than every source. */
export async function buildCli(): Promise<void> {
  if (builtSince([TEST_CLI], ['src-main', 'shared', 'package.json'])) return
  const { build } = await import('electron-vite')
  await build({ configFile: join(repoRoot, 'test', 'support', 'cli.vite.config.ts'), root: repoRoot, logLevel: 'error' })
}

/** argv that runs `virtpilot ARGS` from the built CLI. */
export function cliArgv(args: readonly string[]): string[] {
  return [BUILT_CLI, ...args]
}
