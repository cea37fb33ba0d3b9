import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type BrowserContext } from '@playwright/test'
import { analysed, bytesOf, cookieName, firstDrawnData, median, startServe, type Start } from './support/overview-start'

/**
 * Cold and warm start of the Overview in Chromium against a real `virtpilot serve` on the demo
 * cluster: from navigation to the first chart drawn with data. Cold is a fresh browser context
 * (empty cache, nothing compiled); warm is a reload in the same context (assets from the cache,
 * index.html revalidated). Five of each, medians printed next to the 1 s target, with what went
 * over the wire. The server is quiet when measured: start-up (history seeding, first analysis) is
 * over. Asserts nothing.
 */

const RUNS = 5
const TARGET_MS = 1000


test('Overview cold and warm start: navigation to the first drawn data', async ({ browser }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'virtpilot-bench-start-'))
  const { child, origin, token } = await startServe(dataDir)
  const contexts: BrowserContext[] = []
  try {
    await analysed(origin, token)
    const url = `${origin}/#/overview`
    const cookie = { name: cookieName(origin), value: token, url: origin }
    const cold: Start[] = []
    const warm: Start[] = []
    let coldBytes = { wire: 0, decoded: 0, files: 0 }
    let warmBytes = { wire: 0, decoded: 0, files: 0 }
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
      contexts.push(context)
      await context.addCookies([cookie])
      const page = await context.newPage()
      cold.push(await firstDrawnData(page, url))
      if (i === 0) coldBytes = await bytesOf(page, cold[0]!.drawn)
      const reloaded = await context.newPage()
      await page.close()
      warm.push(await firstDrawnData(reloaded, url))
      if (i === 0) warmBytes = await bytesOf(reloaded, warm[0]!.drawn)
      await context.close()
    }
    const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`
    const drawnOf = (runs: Start[]) => runs.map((r) => r.drawn)
    const part = (runs: Start[], key: 'sent' | 'mounted' | 'data' | 'cpu') => `${median(runs.map((r) => r[key])).toFixed(0)} ms`
    const rows: [string, string, string][] = [
      ['Cold: navigation → first drawn data (median of 5)', `< ${TARGET_MS} ms`, `${median(drawnOf(cold)).toFixed(0)} ms (${drawnOf(cold).map((t) => t.toFixed(0)).join(' / ')}); ${(median(drawnOf(cold)) / TARGET_MS).toFixed(2)} × target`],
      ['  of which: start-up calls sent', '', part(cold, 'sent')],
      ['  of which: app code loaded, run and mounted', '', part(cold, 'mounted')],
      ['  of which: first cluster data on the socket', '', part(cold, 'data')],
      ['  main-thread CPU time to first drawn data', '', part(cold, 'cpu')],
      ['Warm: the same in a cached context (median of 5)', `< ${TARGET_MS} ms`, `${median(drawnOf(warm)).toFixed(0)} ms (${drawnOf(warm).map((t) => t.toFixed(0)).join(' / ')}); ${(median(drawnOf(warm)) / TARGET_MS).toFixed(2)} × target`],
      ['  of which: start-up calls sent', '', part(warm, 'sent')],
      ['  of which: app code loaded, run and mounted', '', part(warm, 'mounted')],
      ['  of which: first cluster data on the socket', '', part(warm, 'data')],
      ['  main-thread CPU time to first drawn data', '', part(warm, 'cpu')],
      ['  warm / cold', '', `${(median(drawnOf(warm)) / median(drawnOf(cold))).toFixed(2)}`],
      ['Cold: page and scripts before the first drawn data, over the wire / decoded', '', `${kib(coldBytes.wire)} / ${kib(coldBytes.decoded)} in ${coldBytes.files} files; ${(coldBytes.wire / Math.max(1, coldBytes.decoded)).toFixed(2)} × (brotli)`],
      ['Warm: page and scripts before the first drawn data, over the wire', '', `${kib(warmBytes.wire)} for ${warmBytes.files} files (hashed assets from the cache, index.html revalidated)`],
    ]
    const width = Math.max(...rows.map((r) => r[0].length))
    const line = (r: [string, string, string]) => `| ${r[0].padEnd(width)} | ${r[1].padEnd(10)} | ${r[2]}`
    console.log(['', `Overview start (demo cluster, virtpilot serve, Chromium; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} CPUs)`, line(['Measure', 'Target', 'Measured']), ...rows.map(line), ''].join('\n'))
  } finally {
    for (const c of contexts) await c.close().catch(() => undefined)
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
    rmSync(dataDir, { recursive: true, force: true })
  }
})
