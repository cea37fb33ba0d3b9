import { execFile } from 'node:child_process'

export interface RunResult {
  stdout: string
  stderr: string
}

export interface RunOptions {
  timeoutMs?: number
  input?: string
  env?: NodeJS.ProcessEnv
  cwd?: string
}

/** A command of the lab that failed: the message names the argv, the exit and stderr. */
export class CommandError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly code: number | string | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`\`${argv.join(' ')}\` failed (exit ${code ?? 'signal'}): ${stderr.trim() || stdout.trim() || 'no output'}`)
    this.name = 'CommandError'
  }
}

/** Runs argv (never through a shell) and resolves with its output; rejects with CommandError. */
export function run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const [file, ...args] = argv
  if (file === undefined) throw new Error('run: empty argv')
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, env: options.env, cwd: options.cwd },
      (error, stdout, stderr) => {
        if (error) {
          const code = typeof error.code === 'number' || typeof error.code === 'string' ? error.code : null
          reject(new CommandError(argv, error.killed ? 'timeout' : code, stdout, stderr))
        } else resolve({ stdout, stderr })
      },
    )
    if (options.input !== undefined) child.stdin?.end(options.input)
  })
}

/** Like run, but resolves with undefined instead of rejecting (for best-effort teardown steps). */
export async function tryRun(argv: readonly string[], options: RunOptions = {}): Promise<RunResult | undefined> {
  try {
    return await run(argv, options)
  } catch {
    return undefined
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `check` every `intervalMs` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(intervalMs)
  }
}
