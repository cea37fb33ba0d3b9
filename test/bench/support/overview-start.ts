// The Overview start benchmarks' pieces (overview-start.perf.ts, overview-fleet.perf.ts): a real
// `virtpilot serve`, its start-up analysis awaited, and navigation to the first chart drawn with data.
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from '@playwright/test'
import WebSocket from 'ws'

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))

/** The session cookie is named for the server's port (src-main/server/auth.ts). */
export const cookieName = (origin: string) => `virtpilot-${new URL(origin).port}`

/** Starts a VirtPilot server process (`argv` after node) and waits for the address it serves at; `output` is what it printed until then. */
export async function spawnServer(argv: string[], what: string): Promise<{ child: ChildProcess; origin: string; token: string; output: string }> {
  const child = spawn(process.execPath, argv, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /VirtPilot is serving at (\S+)/.exec(output)
      if (match?.[1]) resolve(match[1])
    })
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}:\n${output}`)))
  })
  const parsed = new URL(url)
  return { child, origin: parsed.origin, token: parsed.searchParams.get('token') ?? '', output }
}

export async function startServe(dataDir: string): Promise<{ child: ChildProcess; origin: string; token: string }> {
  return spawnServer(['bin/virtpilot.js', 'serve', '--port', '0', '--data', join(dataDir, 'virtpilot.db')], 'serve')
}

/** Waits (over the api) until the start-up analysis has finished, so the server is quiet. */
export async function analysed(origin: string, token: string): Promise<void> {
  for (let i = 0; i < 240; i++) {
    const generatedAt = await new Promise<number | null>((resolve, reject) => {
      const ws = new WebSocket(`${origin.replace(/^http/, 'ws')}/api`, { headers: { Cookie: `${cookieName(origin)}=${token}` } })
      ws.once('error', reject)
      ws.once('open', () => ws.send(JSON.stringify({ type: 'call', id: 1, channel: 'recommendations.list', req: {} })))
      ws.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string; result?: { ok: boolean; value?: { generatedAt: number | null } } }
        if (message.type === 'result') {
          ws.close()
          resolve(message.result?.value?.generatedAt ?? null)
        }
      })
    })
    if (generatedAt !== null) return
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new Error('the start-up analysis did not finish')
}

/** Installed before the app loads: when the first cluster data arrives on the api socket. */
export const INIT_SCRIPT = `
  const NativeWebSocket = window.WebSocket
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args)
      this.addEventListener('message', (e) => {
        if (window.__firstData === undefined && typeof e.data === 'string' && e.data.includes('"hostSamples"')) window.__firstData = performance.now()
      })
    }
  }
`

export interface Start {
  /** Navigation to the first chart drawn with data. */
  drawn: number
  /** Navigation to the start-up calls sent (the `virtpilot:calls-sent` mark of src-renderer/main.ts). */
  sent: number
  /** Navigation to the app mounted (its code loaded and run: the `virtpilot:mounted` mark of src-renderer/app.ts). */
  mounted: number
  /** Navigation to the first cluster data on the api socket. */
  data: number
  /**
   * CPU time the page's main thread spent from navigation to the first drawn chart (Chromium's
   * ThreadTime): what the start itself costs, far less swayed by other work than `drawn`; near
   * the floor of `drawn` on an idle machine.
   */
  cpu: number
}

/** From navigation start: app mounted, first data on the socket, first chart drawn with data (its ECharts instance finished a render with series data). */
export async function firstDrawnData(page: Page, url: string): Promise<Start> {
  await page.addInitScript(INIT_SCRIPT)
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' })
  const threadTime = async () => ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ThreadTime')?.value ?? NaN) * 1000
  const cpuBefore = await threadTime()
  await page.goto(url)
  const handle = await page.waitForFunction(
    () => {
      type Instance = { getOption(): { series?: { data?: unknown[] }[] } }
      // The bench's tsconfig has no DOM types: the page's document, as far as this needs it.
      const doc = (globalThis as unknown as { document: { querySelectorAll(selector: string): Iterable<unknown> } }).document
      for (const el of doc.querySelectorAll('.lazy-chart')) {
        const instance = (el as unknown as { echartsInstance?: Instance }).echartsInstance
        if (instance && (instance.getOption().series ?? []).some((s) => (s.data?.length ?? 0) > 0)) return performance.now()
      }
      return false
    },
    undefined,
    { polling: 'raf', timeout: 60_000 },
  )
  const drawn = Number(await handle.jsonValue())
  const cpu = (await threadTime()) - cpuBefore
  await cdp.detach()
  const marks = await page.evaluate(() => {
    const g = globalThis as unknown as { __firstData?: number; performance: { getEntriesByName(name: string): { startTime: number }[] } }
    const mark = (name: string) => g.performance.getEntriesByName(name)[0]?.startTime ?? NaN
    return { sent: mark('virtpilot:calls-sent'), mounted: mark('virtpilot:mounted'), data: g.__firstData ?? NaN }
  })
  return { drawn, cpu, ...marks }
}

/**
 * What the page's static files cost on the wire and decoded (Resource Timing: 0 bytes on the wire
 * when cached), of those requested before `until` (ms from navigation): what the start loads, not
 * what loads after the first drawn data.
 */
export async function bytesOf(page: Page, until = Infinity): Promise<{ wire: number; decoded: number; files: number }> {
  return page.evaluate((until) => {
    type Entry = { name: string; startTime: number; transferSize: number; decodedBodySize: number }
    const perf = (globalThis as unknown as { performance: { getEntriesByType(type: string): Entry[] } }).performance
    const entries = [...perf.getEntriesByType('navigation'), ...perf.getEntriesByType('resource')].filter((e) => e.startTime <= until && /\.(js|css)$|\/(#.*)?$/.test(e.name.split('?')[0]!))
    return { wire: entries.reduce((n, e) => n + e.transferSize, 0), decoded: entries.reduce((n, e) => n + e.decodedBodySize, 0), files: entries.length }
  }, until)
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
