import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { test, type Page } from '@playwright/test'

/**
 * Dashboard benchmark: 8 hosts, 500 VMs, 24 h of 10 s samples served by
 * dashboard-bench-server.ts (seeded through the Store, demo off, a live snapshot every second);
 * measures the renderer in Chromium and prints a table next to the targets. Asserts nothing.
 *   npm run build && npx playwright test -c test/bench/playwright.perf.config.ts
 */

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const HOSTS = 8

interface Timing {
  first: number
  median: number
}

interface BenchInfo {
  rows: number
  seedMs: number
  seedCached?: boolean
  /** Server-side, 24 h: first (cold) run and median of five. */
  vmSeriesMs: Timing
  hostHistoryMs: Timing
  vmStackMs: Timing
  overviewQueryMs: number
  hosts: number
  vms: number
}

async function startBenchServer(): Promise<{ child: ChildProcess; url: string; info: BenchInfo }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/bench/dashboard-bench-server.ts'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const url = /VirtPilot is serving at (\S+)/.exec(output)?.[1]
      const info = /BENCH (\{.*\})/.exec(output)?.[1]
      if (url && info) resolve({ child, url, info: JSON.parse(info) as BenchInfo })
    })
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}:\n${output}`)))
  })
}

/**
 * Installed before the app loads: long tasks, the arrival of the first cluster data, and when
 * the answers to series.query calls arrive (to split VM detail into waiting and drawing).
 */
const INIT_SCRIPT = `
  window.__longTasks = []
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration }) }).observe({ type: 'longtask', buffered: true })
  window.__seriesAnswers = []
  const seriesCalls = new Set()
  const NativeWebSocket = window.WebSocket
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args)
      this.addEventListener('message', (e) => {
        if (typeof e.data !== 'string') return
        if (window.__firstData === undefined && e.data.includes('"hostSamples"')) window.__firstData = performance.now()
        const id = /^{"type":"result","id":(\\d+)/.exec(e.data)?.[1]
        if (id && seriesCalls.delete(Number(id))) window.__seriesAnswers.push(performance.now())
      })
    }
    send(data) {
      const call = /^{"type":"call","id":(\\d+),"channel":"series.query"/.exec(String(data))
      if (call) seriesCalls.add(Number(call[1]))
      return super.send(data)
    }
  }
`

type BenchWindow = { __longTasks: { start: number; duration: number }[]; __firstData?: number; __seriesAnswers: number[]; document: { querySelectorAll(s: string): { length: number } }; location: { hash: string } }

async function heapMiB(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('HeapProfiler.collectGarbage')
  const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number }
  await cdp.detach()
  return usedSize / 1024 / 1024
}

async function longTasksDuring(page: Page, ms: number): Promise<{ count: number; maxMs: number }> {
  const since = await page.evaluate(() => performance.now())
  await page.waitForTimeout(ms)
  return page.evaluate((from) => {
    const tasks = (globalThis as unknown as BenchWindow).__longTasks.filter((t) => t.start >= from)
    return { count: tasks.length, maxMs: Math.max(0, ...tasks.map((t) => t.duration)) }
  }, since)
}

test('dashboard performance with 8 hosts, 500 VMs, 24 h of 10 s samples', async ({ page }) => {
  const { child, url, info } = await startBenchServer()
  console.log(`seeded ${info.rows.toLocaleString('en')} sample rows in ${(info.seedMs / 1000).toFixed(1)} s${info.seedCached ? ' (reused from the cache under the temp dir)' : ''}`)

  try {
    await page.addInitScript(INIT_SCRIPT)

    // 1. Overview: from the first cluster data on the socket to the host table and heatmap drawn.
    await page.goto(url)
    const overviewDone = await page.waitForFunction(
      (hostCount) => {
        const w = globalThis as unknown as BenchWindow
        const rows = w.document.querySelectorAll('[data-testid="host-row"]').length
        const heatmap = w.document.querySelectorAll('[data-testid="hosts-heatmap"] canvas').length
        return rows === hostCount && heatmap > 0 && w.__firstData !== undefined ? performance.now() : false
      },
      HOSTS,
      { polling: 'raf', timeout: 60_000 },
    )
    const overviewMs = Number(await overviewDone.jsonValue()) - (await page.evaluate(() => (globalThis as unknown as BenchWindow).__firstData ?? 0))

    // 2. Long tasks while the Overview updates live at 1 Hz.
    const overviewLive = await longTasksDuring(page, 20_000)

    // 3. VM detail with 24 h: pick the range, then open a VM (five of them, from its host) and
    //    wait for its charts.
    await page.evaluate(() => ((globalThis as unknown as BenchWindow).location.hash = '#/hosts/bench-1'))
    await page.getByTestId('range-24h').click()
    await page.getByTestId('host-cpu-chart').locator('canvas').first().waitFor()
    const vmTimes: number[] = []
    const vmAnswers: number[] = []
    for (const vmId of ['vm-8', 'vm-16', 'vm-24', 'vm-32', 'vm-40']) {
      await page.evaluate(() => ((globalThis as unknown as BenchWindow).location.hash = '#/hosts/bench-1'))
      await page.getByTestId('host-detail').waitFor()
      const start = await page.evaluate((id) => {
        const w = globalThis as unknown as BenchWindow
        const t = performance.now()
        w.location.hash = `#/vms/${id}`
        return t
      }, vmId)
      const done = await page.waitForFunction(
        (id) => {
          const w = globalThis as unknown as BenchWindow
          const ready = w.document.querySelectorAll(`[data-vm-id="${id}"] [data-testid$="-chart"] canvas`).length >= 6
          return ready ? performance.now() : false
        },
        vmId,
        { polling: 'raf', timeout: 30_000 },
      )
      vmTimes.push(Number(await done.jsonValue()) - start)
      const answered = await page.evaluate((since) => (globalThis as unknown as BenchWindow).__seriesAnswers.find((t) => t >= since), start)
      vmAnswers.push(answered === undefined ? NaN : answered - start)
    }
    const points = Number(await page.getByTestId('vm-cpu-chart').locator('[data-points]').getAttribute('data-points'))
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
    const vmMs = median(vmTimes)
    const ms = (t: Timing) => `${t.median.toFixed(0)} ms median of 5 (first ${t.first.toFixed(0)} ms)`
    const answerMs = median(vmAnswers)

    // 4. Long tasks on Host detail, live at 1 Hz (the charts append a point every second).
    await page.getByTestId('range-live').click()
    await page.evaluate(() => ((globalThis as unknown as BenchWindow).location.hash = '#/hosts/bench-2'))
    await page.getByTestId('host-cpu-chart').locator('canvas').first().waitFor()
    const detailLive = await longTasksDuring(page, 15_000)

    const heap = await heapMiB(page)

    const rows: [string, string, string][] = [
      ['Overview first render after data arrives', '< 1000 ms', `${overviewMs.toFixed(0)} ms`],
      ['VM detail with 24 h (request + 6 charts, median of 5)', '< 300 ms', `${vmMs.toFixed(0)} ms (${vmTimes.map((t) => t.toFixed(0)).join(' / ')}; ${points} points per series)`],
      ['  of which until the series answer arrived (median)', '', `${answerMs.toFixed(0)} ms (${vmAnswers.map((t) => t.toFixed(0)).join(' / ')})`],
      ['  of which drawing after it (median)', '', `${median(vmTimes.map((t, i) => t - vmAnswers[i]!)).toFixed(0)} ms`],
      ['Server: VM series 24 h (9 metrics, LTTB to 1000)', '', ms(info.vmSeriesMs)],
      ['Server: host.history 24 h (host series + VM stack)', '', ms(info.hostHistoryMs)],
      ['Server:   of which VM stack (63 VMs, 180 buckets)', '', ms(info.vmStackMs)],
      ['Overview summary query (server, health + contention)', '', `${info.overviewQueryMs.toFixed(0)} ms`],
      ['Long tasks, Overview live at 1 Hz for 20 s', 'none > 50 ms', `${overviewLive.count} (max ${overviewLive.maxMs.toFixed(0)} ms)`],
      ['Long tasks, Host detail live at 1 Hz for 15 s', 'none > 50 ms', `${detailLive.count} (max ${detailLive.maxMs.toFixed(0)} ms)`],
      ['Renderer JS heap after GC', '< 300 MB', `${heap.toFixed(0)} MiB`],
    ]
    const width = [Math.max(...rows.map((r) => r[0].length)), 14]
    const line = (r: [string, string, string]) => `| ${r[0].padEnd(width[0]!)} | ${r[1].padEnd(width[1]!)} | ${r[2]}`
    console.log(['', `Dashboard benchmark: ${info.hosts} hosts, ${info.vms} VMs, 24 h of 10 s samples (${info.rows.toLocaleString('en')} rows)`, line(['Measure', 'Target', 'Measured']), ...rows.map(line), ''].join('\n'))
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }
})
