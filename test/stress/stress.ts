// `npm run test:stress`: the integration and e2e projects, three times in a row, while stress-ng
// keeps every core busy: a suite that only passes on an idle machine fails here. Also checks that
// no run changes a tracked file. Starts the lab: with VIRTPILOT_LAB_LOCK=<file> each integration run
// takes that flock(1) lock for itself only, so a shared machine's other lab users get turns between runs.
// Prints a table (and stress-results/summary.json, with each run's log beside it: not under test-results/,
// which Playwright empties when it starts); exits 1 if any run failed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const out = join(root, 'stress-results')
const RUNS = Number(process.env.VIRTPILOT_STRESS_RUNS ?? 3)
/** stress-ng CPU workers: two, as the issue's CI machine has two cores. */
const WORKERS = Number(process.env.VIRTPILOT_STRESS_CPU ?? 2)

interface Step {
  name: string
  argv: string[]
}
const LAB_LOCK = process.env.VIRTPILOT_LAB_LOCK
const STEPS: Step[] = [
  { name: 'integration', argv: [...(LAB_LOCK ? ['flock', LAB_LOCK] : []), 'npx', 'vitest', 'run', '--project', 'integration'] },
  { name: 'e2e', argv: ['npx', 'playwright', 'test'] },
]

interface Outcome {
  run: number
  step: string
  passed: boolean
  seconds: number
  /** Test lines the runner marked failed (vitest ×/FAIL, playwright ✘). */
  failures: string[]
  log: string
}

function tracked(): string {
  return spawnSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: root, encoding: 'utf8' }).stdout
}

function run(argv: string[], logFile: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: root, env: { ...process.env, VIRTPILOT_REQUIRE_LAB: '1', FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    const take = (chunk: Buffer) => {
      output += chunk.toString()
      process.stderr.write(chunk)
    }
    child.stdout.on('data', take)
    child.stderr.on('data', take)
    child.on('exit', (code) => {
      writeFileSync(logFile, output)
      resolve({ code, output })
    })
  })
}

function failuresIn(output: string): string[] {
  // Colour codes stripped: vitest colours its lines even with FORCE_COLOR=0 when its reporter decides so.
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '')
  return [...new Set(plain.split('\n').filter((l) => /^\s*(×|✘|FAIL\s)/.test(l)).map((l) => l.trim().slice(0, 200)))]
}

function startStress(): ChildProcess {
  // Its own process group, so it and its workers stop together whatever happens here.
  const child = spawn('stress-ng', ['--cpu', String(WORKERS), '--timeout', '0', '--quiet'], { stdio: 'ignore', detached: true })
  child.on('error', (error) => {
    console.error(`stress-ng could not start (${error.message}): install the Debian package stress-ng`)
    process.exit(2)
  })
  return child
}

function stopStress(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL')
  } catch {
    // gone already
  }
}

async function main(): Promise<number> {
  mkdirSync(out, { recursive: true })
  // What the e2e tests serve: built once, before the load starts.
  const built = spawnSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: 'inherit' })
  if (built.status !== 0) return 1
  const before = tracked()
  const stress = startStress()
  const stop = () => stopStress(stress)
  process.on('exit', stop)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130))
  const outcomes: Outcome[] = []
  const dirty: { run: number; files: string }[] = []
  const load = [loadavg()[0]!]
  try {
    for (let n = 1; n <= RUNS; n++) {
      for (const step of STEPS) {
        const started = performance.now()
        const log = join(out, `run-${n}-${step.name}.log`)
        const { code, output } = await run(step.argv, log)
        outcomes.push({ run: n, step: step.name, passed: code === 0, seconds: Math.round((performance.now() - started) / 1000), failures: failuresIn(output), log })
        load.push(loadavg()[0]!)
      }
      const now = tracked()
      if (now !== before) dirty.push({ run: n, files: now })
    }
  } finally {
    stop()
  }
  const rows = outcomes.map((o) => `| ${o.run} | ${o.step.padEnd(11)} | ${o.passed ? 'pass' : 'FAIL'} | ${String(o.seconds).padStart(5)} s | ${o.failures.length ? o.failures.join('; ') : ''}`)
  console.log(`\nstress-ng --cpu ${WORKERS}; load average (1 min) ${load.map((l) => l.toFixed(1)).join(' → ')}`)
  console.log(['| run | project     | result | time | failed tests', '|---|---|---|---|---', ...rows].join('\n'))
  console.log(dirty.length === 0 ? 'git status: no tracked or new file changed by any run' : `git status changed:\n${dirty.map((d) => `run ${d.run}:\n${d.files}`).join('\n')}`)
  writeFileSync(join(out, 'summary.json'), JSON.stringify({ workers: WORKERS, load, outcomes, dirty }, null, 2))
  return outcomes.every((o) => o.passed) && dirty.length === 0 ? 0 : 1
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error)
  process.exit(1)
})
