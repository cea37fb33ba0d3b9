// `virtpilot ARGS` through the command's own main() inside the test's process: what it prints
// (console and the standard streams) and its exit code, as a run of the built command gives them,
// without starting Node and loading the bundle for each run (most of a short command's CPU, which
// a busy machine turns into seconds; issue 15: CI time). Tests that are about the process itself
// (exit status, the two streams, the environment a shell passes) run the built command instead
// (built-cli.ts). Runs must not overlap: the console and the streams are taken over for each.
import { format } from 'node:util'
import { main } from '../../src-main/cli/main'

export interface CliRun {
  status: number
  stdout: string
  stderr: string
}

/** `env`: variables set (or, when undefined, removed) for the run only. */
export async function runCli(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]))
  const setEnv = (values: Record<string, string | undefined>) => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
  }
  const stdout: string[] = []
  const stderr: string[] = []
  const streams = { out: process.stdout.write, err: process.stderr.write }
  const consoles = { log: console.log, info: console.info, error: console.error, warn: console.warn }
  const into = (sink: string[]) => (chunk: string | Uint8Array) => {
    sink.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString())
    return true
  }
  setEnv(env)
  process.stdout.write = into(stdout) as typeof process.stdout.write
  process.stderr.write = into(stderr) as typeof process.stderr.write
  console.log = console.info = (...values: unknown[]) => void stdout.push(`${format(...values)}\n`)
  console.error = console.warn = (...values: unknown[]) => void stderr.push(`${format(...values)}\n`)
  try {
    const status = await main([...args])
    return { status, stdout: stdout.join(''), stderr: stderr.join('') }
  } finally {
    process.stdout.write = streams.out
    process.stderr.write = streams.err
    Object.assign(console, consoles)
    setEnv(saved)
  }
}
