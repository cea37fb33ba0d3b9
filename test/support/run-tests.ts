// `npm test`: every suite at once. The integration suite mostly waits on the lab (guests booting,
// live migrations, sshd restarted on purpose) and the browser suite on Chromium and the demo's
// server; one after another they left a core idle for most of the run (CI took 28 min, issue 15
// wants under 20). The browser suite streams its output; the two vitest suites keep theirs in
// memory and print it whole when they end, so reporters never interleave line by line. Their logs
// go to test-results/ at the very end (Playwright empties test-results when it starts). Every suite
// runs even when another fails, so one run reports every failure; exits 1 if any failed.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildCli, repoRoot } from './built-cli'

interface Outcome {
  suite: string
  code: number
  seconds: number
}

const children = new Set<ChildProcess>()

/** `log`: collects the suite's output instead of passing it through. */
function run(suite: string, argv: string[], log?: Buffer[]): Promise<Outcome> {
  const started = Date.now()
  return new Promise((resolve) => {
    // Its own process group: stopping the run stops the suite's browsers, servers and lab too.
    const child = spawn(argv[0]!, argv.slice(1), { cwd: repoRoot, stdio: log ? ['ignore', 'pipe', 'pipe'] : 'inherit', detached: true })
    children.add(child)
    if (log) {
      child.stdout!.on('data', (chunk: Buffer) => log.push(chunk))
      child.stderr!.on('data', (chunk: Buffer) => log.push(chunk))
    }
    let settled = false
    const done = (code: number) => {
      if (settled) return
      settled = true
      children.delete(child)
      resolve({ suite, code, seconds: Math.round((Date.now() - started) / 1000) })
    }
    child.on('error', (error) => {
      console.error(`${suite}: could not start ${argv[0]}: ${error.message}`)
      done(127)
    })
    // The rest of its output arrives with 'close'; a process it left behind holding the pipe must not hold this up.
    child.on('exit', (code, signal) => {
      const timer = setTimeout(() => done(code ?? (signal ? 128 : 1)), 2_000)
      child.on('close', () => {
        clearTimeout(timer)
        done(code ?? (signal ? 128 : 1))
      })
    })
  })
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    for (const child of children) {
      try {
        process.kill(-child.pid!, 'SIGTERM')
      } catch {
        // gone already
      }
    }
    process.exit(130)
  })
}

// Built once before the suites start: both vitest runs would otherwise build the CLI at the same time.
await buildCli()
const build = await run('build', ['npx', 'electron-vite', 'build'])
if (build.code !== 0) process.exit(1)

/** A suite whose output is held and printed whole when it ends, then written to test-results/<log>. */
function buffered(suite: string, argv: string[], log: string): Promise<{ outcome: Outcome; output: Buffer[]; log: string }> {
  const output: Buffer[] = []
  console.log(`${suite} started beside the others; its output is printed when it ends and kept in test-results/${log}`)
  return run(suite, argv, output).then((outcome) => {
    console.log(`\n===== ${suite} (${outcome.seconds} s, exit ${outcome.code}) =====\n${Buffer.concat(output).toString()}===== end of ${suite} =====\n`)
    return { outcome, output, log }
  })
}

const held = [
  buffered('integration', ['npx', 'vitest', 'run', '--project', 'integration'], 'integration.log'),
  buffered('unit + renderer', ['npx', 'vitest', 'run', '--project', 'unit', '--project', 'renderer'], 'unit.log'),
]
const e2e = await run('e2e (Chromium)', ['npx', 'playwright', 'test'])
const ended = await Promise.all(held)
mkdirSync(join(repoRoot, 'test-results'), { recursive: true })
for (const { output, log } of ended) writeFileSync(join(repoRoot, 'test-results', log), Buffer.concat(output))
const outcomes = [build, ...ended.map((e) => e.outcome), e2e]

console.log('suite            result   time')
for (const o of outcomes) console.log(`${o.suite.padEnd(16)} ${(o.code === 0 ? 'passed' : `FAILED (${o.code})`).padEnd(8)} ${o.seconds} s`)
process.exit(outcomes.every((o) => o.code === 0) ? 0 : 1)
