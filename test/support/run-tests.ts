// `npm test`: every suite, with the integration suite beside the others. It mostly waits on the
// lab (guests booting, live migrations, sshd restarted on purpose), so running it alone after the
// unit suite and before the browser suite left both cores idle for minutes; side by side the whole
// run takes about the integration suite's time plus the browser suite's (issue 15: CI under 20 min).
// Its output is kept in memory and printed whole when it ends, so the two reporters never
// interleave, and written to test-results/integration.log at the very end (Playwright empties
// test-results when it starts). Exits 1 if any suite failed.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { APP_BUILD, buildCli, builtSince, repoRoot } from './built-cli'

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

/** One suite after another; each runs whatever the one before found, so a run reports every failure. */
async function inSequence(steps: [string, string[]][]): Promise<Outcome[]> {
  const outcomes: Outcome[] = []
  for (const [suite, argv] of steps) outcomes.push(await run(suite, argv))
  return outcomes
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

const integrationLog = join(repoRoot, 'test-results', 'integration.log')
const integrationOutput: Buffer[] = []

// Built once before the suites start: both vitest runs would otherwise build the CLI at the same time.
await buildCli()
// The browser suite serves the app as `npm run build` makes it; .ci/run has just built it.
const build = builtSince(APP_BUILD.outputs, APP_BUILD.sources) ? { suite: 'build (current)', code: 0, seconds: 0 } : await run('build', ['npx', 'electron-vite', 'build'])
if (build.code !== 0) process.exit(1)

console.log(`integration suite started beside the others; its output: ${integrationLog} (printed when it ends)`)
const integration = run('integration', ['npx', 'vitest', 'run', '--project', 'integration'], integrationOutput).then((outcome) => {
  console.log(`\n===== integration suite (${outcome.seconds} s, exit ${outcome.code}) =====\n${Buffer.concat(integrationOutput).toString()}===== end of the integration suite =====\n`)
  return outcome
})
const others = inSequence([
  ['unit + renderer', ['npx', 'vitest', 'run', '--project', 'unit', '--project', 'renderer']],
  ['e2e (Chromium)', ['npx', 'playwright', 'test']],
])
const outcomes = [build, ...(await others), await integration]
mkdirSync(join(repoRoot, 'test-results'), { recursive: true })
writeFileSync(integrationLog, Buffer.concat(integrationOutput))

console.log('suite            result   time')
for (const o of outcomes) console.log(`${o.suite.padEnd(16)} ${(o.code === 0 ? 'passed' : `FAILED (${o.code})`).padEnd(8)} ${o.seconds} s`)
process.exit(outcomes.every((o) => o.code === 0) ? 0 : 1)
