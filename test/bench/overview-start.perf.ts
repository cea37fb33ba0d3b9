import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test, type BrowserContext, type Page } from '@playwright/test'
import WebSocket from 'ws'

/**
 * Cold and warm start of the Overview in Chromium against a real `virtpilot serve` on the demo
 * cluster: from navigation to the first chart drawn with data. Cold is a fresh browser context
 * (empty cache, nothing compiled); warm is a reload in the same context (assets from the cache,
 * index.html revalidated). Five of each, medians printed next to the 1 s target, with what went
 * over the wire. The server is quiet when measured: start-up (history seeding, first analysis) is
 * over. Asserts nothing.
 */

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const RUNS = 5
const TARGET_MS = 1000

async function startServe(dataDir: string): Promise<{ child: ChildProcess; origin: string; token: string }> {
  const child = spawn(process.execPath, ['bin/virtpilot.js', 'serve', '--port', '0', '--data', join(dataDir, 'virtpilot.db')], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /VirtPilot is serving at (\S+)/.exec(output)
      if (match?.[1]) resolve(match[1])
    })
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)))
  })
  const parsed = new URL(url)
  return { child, origin: parsed.origin, token: parsed.searchParams.get('token') ?? '' }
}

/** Waits (over the api) until the start-up analysis has finished, so the server is quiet. */
async function analysed(origin: string, token: string): Promise<void> {
  for (let i = 0; i < 240; i++) {
    const generatedAt = await new Promise<number | null>((resolve, reject) => {
      const ws = new WebSocket(`${origin.replace(/^http/, 'ws')}/api`, { headers: { Cookie: `virtpilot_session=${token}` } })
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

/** ms from navigation start to the first chart drawn with data (its ECharts instance finished a render with series data). */
async function firstDrawnData(page: Page, url: string): Promise<number> {
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
  return Number(await handle.jsonValue())
}

/** Bytes of the static files on the wire and decoded, for one load. */
function countBytes(page: Page): () => { wire: number; decoded: number; files: number } {
  let wire = 0
  let decoded = 0
  let files = 0
  page.on('requestfinished', (request) => {
    void (async () => {
      if (!/\.(js|css|html)$|\/$/.test(new URL(request.url()).pathname)) return
      const sizes = await request.sizes()
      const response = await request.response()
      if (!response || response.status() !== 200) return
      wire += sizes.responseBodySize
      decoded += (await response.body().catch(() => Buffer.alloc(0))).length
      files++
    })()
  })
  return () => ({ wire, decoded, files })
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

test('Overview cold and warm start: navigation to the first drawn data', async ({ browser }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'virtpilot-bench-start-'))
  const { child, origin, token } = await startServe(dataDir)
  const contexts: BrowserContext[] = []
  try {
    await analysed(origin, token)
    const url = `${origin}/#/overview`
    const cookie = { name: 'virtpilot_session', value: token, url: origin }
    const cold: number[] = []
    const warm: number[] = []
    let coldBytes = { wire: 0, decoded: 0, files: 0 }
    let warmBytes = { wire: 0, decoded: 0, files: 0 }
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
      contexts.push(context)
      await context.addCookies([cookie])
      const page = await context.newPage()
      const bytes = countBytes(page)
      cold.push(await firstDrawnData(page, url))
      await page.waitForTimeout(500)
      if (i === 0) coldBytes = bytes()
      const reloaded = await context.newPage()
      const warmCount = countBytes(reloaded)
      await page.close()
      warm.push(await firstDrawnData(reloaded, url))
      await reloaded.waitForTimeout(500)
      if (i === 0) warmBytes = warmCount()
      await context.close()
    }
    const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`
    const rows: [string, string, string][] = [
      ['Cold: navigation → first drawn data (median of 5)', `< ${TARGET_MS} ms`, `${median(cold).toFixed(0)} ms (${cold.map((t) => t.toFixed(0)).join(' / ')}); ${(median(cold) / TARGET_MS).toFixed(2)} × target`],
      ['Warm: the same in a cached context (median of 5)', `< ${TARGET_MS} ms`, `${median(warm).toFixed(0)} ms (${warm.map((t) => t.toFixed(0)).join(' / ')}); ${(median(warm) / TARGET_MS).toFixed(2)} × target`],
      ['  warm / cold', '', `${(median(warm) / median(cold)).toFixed(2)}`],
      ['Cold: static files over the wire / decoded', '', `${kib(coldBytes.wire)} / ${kib(coldBytes.decoded)} in ${coldBytes.files} files (${(coldBytes.wire / Math.max(1, coldBytes.decoded)).toFixed(2)} ×: brotli)`],
      ['Warm: static files downloaded again', '', `${kib(warmBytes.wire)} in ${warmBytes.files} files (hashed assets come from the cache)`],
    ]
    const width = Math.max(...rows.map((r) => r[0].length))
    const line = (r: [string, string, string]) => `| ${r[0].padEnd(width)} | ${r[1].padEnd(10)} | ${r[2]}`
    console.log(['', 'Overview start (demo cluster, virtpilot serve, Chromium)', line(['Measure', 'Target', 'Measured']), ...rows.map(line), ''].join('\n'))
  } finally {
    for (const c of contexts) await c.close().catch(() => undefined)
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
    rmSync(dataDir, { recursive: true, force: true })
  }
})
