import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type Browser, type Page } from '@playwright/test'
import { analysed, cookieName, firstDrawnData, median, spawnServer, startServe } from './support/overview-start'

/**
 * The Overview's first render for a large fleet read from Prometheus (WEEK_FLEET, default 200
 * hosts x 5,000 VMs: prometheus-fleet-server.ts) against the demo cluster's (the baseline, same
 * process, same browser): navigation to the first chart drawn with data, cold (fresh context),
 * median of 5 each, the load average beside each. Asserts nothing.
 */

const RUNS = 5
const TARGET_MS = 1000

async function startFleet(): Promise<{ child: ChildProcess; origin: string; token: string; fleet: string }> {
  const { output, ...server } = await spawnServer(['--import', 'tsx', 'test/bench/prometheus-fleet-server.ts'], 'the fleet server')
  return { ...server, fleet: /BENCH (\{.*\})/.exec(output)?.[1] ?? '{}' }
}

async function coldStarts(browser: Browser, origin: string, token: string): Promise<{ drawn: number[]; cpu: number[]; load: number }> {
  const drawn: number[] = []
  const cpu: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
    await context.addCookies([{ name: cookieName(origin), value: token, url: origin }])
    const page: Page = await context.newPage()
    const start = await firstDrawnData(page, `${origin}/#/overview`)
    drawn.push(start.drawn)
    cpu.push(start.cpu)
    await context.close()
  }
  return { drawn, cpu, load: loadavg()[0]! }
}

async function stopChild(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
}

test('Overview first render: a 200-host fleet from Prometheus vs the demo cluster', async ({ browser }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'virtpilot-bench-fleet-'))
  const demo = await startServe(dataDir)
  let baseline: { drawn: number[]; cpu: number[]; load: number }
  try {
    await analysed(demo.origin, demo.token)
    baseline = await coldStarts(browser, demo.origin, demo.token)
  } finally {
    await stopChild(demo.child)
    rmSync(dataDir, { recursive: true, force: true })
  }
  const fleet = await startFleet()
  try {
    const measured = await coldStarts(browser, fleet.origin, fleet.token)
    const row = (name: string, r: { drawn: number[]; cpu: number[]; load: number }) =>
      `| ${name.padEnd(44)} | ${median(r.drawn).toFixed(0).padStart(6)} ms | ${r.drawn.map((t) => t.toFixed(0)).join(' / ')} | main-thread CPU ${median(r.cpu).toFixed(0)} ms | load ${r.load.toFixed(1)}`
    console.log(
      [
        '',
        `Overview first render, cold (virtpilot serve, Chromium, median of ${RUNS}; ${availableParallelism()} CPUs; target < ${TARGET_MS} ms)`,
        row(`fleet from Prometheus ${fleet.fleet}`, measured),
        row('demo cluster (baseline)', baseline),
        `| fleet / demo: ${(median(measured.drawn) / median(baseline.drawn)).toFixed(2)}; fleet / target: ${(median(measured.drawn) / TARGET_MS).toFixed(2)}`,
        '',
      ].join('\n'),
    )
  } finally {
    await stopChild(fleet.child)
  }
})
