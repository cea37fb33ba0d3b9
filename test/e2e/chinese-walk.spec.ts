import { mkdirSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { englishRuns } from '../support/english-runs'
import { expect, paintedPixels, test, type ServeInstance } from './fixtures'
import { chartText, MONTHS, visibleText } from './support/page-text'
import { analysed } from './support/views'

/**
 * Every view in 简体中文 with real content in it, read as a Chinese admin reads it: no run of two
 * or more English words may show, outside names (hosts, VMs), commands and what the host said in
 * its own words (code, and text marked data-verbatim). VIRTPILOT_ENGLISH_COUNT=1 only counts the
 * runs per view (test-results/english-runs.json) instead of failing on them.
 */
const COUNTING = process.env.VIRTPILOT_ENGLISH_COUNT === '1'

/** A loopback port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return typeof address === 'object' && address ? address.port : 1
}

async function namesOf(serve: ServeInstance): Promise<string[]> {
  const snapshot = await serve.call('cluster.snapshot', {})
  const hosts = await serve.call('hosts.list', {})
  return [
    ...snapshot.hosts.flatMap((h) => [h.id, h.name]),
    ...snapshot.vms.flatMap((v) => [v.id, v.name]),
    ...hosts.flatMap((h) => [h.id, h.displayName, h.target]),
  ]
}

test.describe('简体中文 throughout', () => {
  test('every view with real content reads in Chinese', async ({ app, serve }) => {
    test.setTimeout(300_000)
    const found: Record<string, string[]> = {}
    const seen: Record<string, string[]> = {}
    let names = await namesOf(serve)
    const look = async (view: string) => {
      await app.mouse.move(0, 0)
      const charts = await chartText(app)
      const text = await visibleText(app)
      seen[view] = [...(seen[view] ?? []), text, ...charts]
      const runs = [...englishRuns(text, { names }), ...englishRuns(charts.join(' | '), { names })]
      // A month said in English on a chart's time axis is one word, but no Chinese admin reads it.
      runs.push(...charts.filter((text) => MONTHS.test(text)))
      found[view] = [...(found[view] ?? []), ...runs]
    }

    await serve.call('settings.update', { language: 'zh-CN' })
    await expect(app.locator('html')).toHaveAttribute('lang', 'zh-CN')
    const list = await analysed(serve)
    const open = list.items.filter((i) => i.status === 'open').map((i) => i.recommendation)
    const rebalance = open.find((r) => r.kind === 'migrate')!
    const memory = open.find((r) => r.kind === 'rightsize-memory')!
    const tuning = open.find((r) => r.kind === 'tuning')!
    const snapshot = await serve.call('cluster.snapshot', {})

    // Overview, a host, a VM.
    await app.goto(`${serve.origin}/#/overview`)
    await expect(app.getByTestId('host-row').first()).toBeVisible()
    await expect.poll(() => paintedPixels(app, 'cluster-cpu-chart')).toBeGreaterThan(500)
    await look('overview')
    await app.goto(`${serve.origin}/#/hosts/demo-c`)
    await expect(app.getByTestId('detail-title')).toBeVisible()
    await look('host-detail')
    // Host detail › Storage: why each pool counts as shared or local, in a tooltip (read here: look() moves the mouse away).
    const pools = app.getByTestId('host-storage-pools')
    await expect(pools.locator('tbody tr').first()).toBeVisible()
    for (const tag of await pools.locator('tbody tr .n-tag').all()) {
      await tag.hover()
      const tip = app.locator('.n-tooltip:visible')
      await expect(tip).toHaveCount(1)
      const text = await tip.innerText()
      seen['host-detail-storage'] = [...(seen['host-detail-storage'] ?? []), text]
      found['host-detail-storage'] = [...(found['host-detail-storage'] ?? []), ...englishRuns(text, { names })]
      await app.mouse.move(0, 0)
      await expect(tip).toHaveCount(0)
    }
    const vm = snapshot.vms.find((v) => v.hostId === 'demo-c') ?? snapshot.vms[0]!
    await app.goto(`${serve.origin}/#/vms/${encodeURIComponent(vm.id)}`)
    await expect(app.getByTestId('detail-title')).toBeVisible()
    await look('vm-detail')

    // Recommendations: the rebalance, a memory change and a tuning item opened.
    for (const rec of [rebalance, memory, tuning]) {
      await app.goto(`${serve.origin}/#/recommendations?rec=${encodeURIComponent(rec.id)}`)
      await expect(app.getByTestId('recommendation-detail')).toHaveAttribute('data-rec-id', rec.id)
      await look('recommendations')
    }

    // A plan of two approved items, reviewed and dry-run.
    await serve.call('recommendations.decide', { id: memory.id, decision: 'approve' })
    await serve.call('recommendations.decide', { id: rebalance.id, decision: 'approve', moves: [0] })
    await serve.call('recommendations.decide', { id: tuning.id, decision: 'reject', reason: '此宿主机上 KSM 占用 CPU，暂不启用' })
    const plan = await serve.call('plans.create', { recommendationIds: [memory.id, rebalance.id] })
    await app.goto(`${serve.origin}/#/plans`)
    await expect(app.getByTestId('plans-page')).toBeVisible()
    await look('plans')
    await app.goto(`${serve.origin}/#/plans/${plan.id}`)
    const review = app.getByTestId('plan-review')
    await expect(review).toBeVisible()
    await look('plan-review')
    await review.getByTestId('plan-dry-run').click()
    await expect(app.getByTestId('plan-dry-run-step').first()).toBeVisible()
    await look('plan-dry-run')
    await app.getByTestId('plan-dry-run-close').click()

    // What-if: the demo scenario run with its policies side by side, then a file that is not a scenario.
    await app.goto(`${serve.origin}/#/what-if`)
    await app.getByTestId('whatif-build-demo').click()
    await expect(app.getByTestId('whatif-policy')).toHaveCount(2)
    await app.getByTestId('whatif-run').click()
    await expect(app.getByTestId('whatif-metrics')).toBeVisible({ timeout: 60_000 })
    await expect.poll(() => paintedPixels(app, 'whatif-utilization-chart')).toBeGreaterThan(500)
    await look('what-if')
    // The article's example: its five policy sets run, with its explanation beside them.
    await app.getByTestId('whatif-build-example').click()
    await expect(app.getByTestId('whatif-example')).toBeVisible()
    await expect(app.getByTestId('whatif-policy')).toHaveCount(5)
    await app.getByTestId('whatif-run').click()
    await expect(app.getByTestId('whatif-metrics')).toContainText('5.', { timeout: 60_000 })
    const example = (await serve.call('whatif.list', {})).find((s) => s.source === 'example')!
    const outline = await serve.call('whatif.get', { id: example.id })
    names = [...names, ...outline.hostList.flatMap((h) => [h.id, h.name ?? h.id]), ...outline.vmList.flatMap((v) => [v.id, v.name ?? v.id])]
    await look('what-if-example')
    const bad = { version: 1, name: 'bad', start: 0, stepSeconds: 60, steps: 10, hosts: [{ id: 'h1', cpuCores: 0, memoryMiB: 1024 }], vms: [], workload: [] }
    await app.getByTestId('whatif-file').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) })
    await expect(app.getByTestId('whatif-error')).toBeVisible()
    await look('what-if-import-error')

    // The audit of all that.
    await app.goto(`${serve.origin}/#/audit`)
    await expect(app.getByTestId('audit-page')).toBeVisible()
    await expect(app.getByTestId('audit-row').first()).toBeVisible()
    await look('audit')

    await app.goto(`${serve.origin}/#/settings`)
    await expect(app.getByTestId('settings-page')).toBeVisible()
    await look('settings')

    // Last, as it turns the demo off: a host that refuses the connection.
    const port = await closedPort()
    await app.goto(`${serve.origin}/#/hosts`)
    await app.getByTestId('add-host').click()
    const dialog = app.getByTestId('add-host-dialog')
    await dialog.getByTestId('add-host-target').locator('input').fill(`root@127.0.0.1:${port}`)
    await dialog.getByTestId('add-host-submit').click()
    await expect(app.getByTestId('managed-host-error').first()).toBeVisible({ timeout: 30_000 })
    names = await namesOf(serve)
    await look('hosts-ssh-error')
    await serve.call('settings.update', { demoEnabled: true })
    for (const host of await serve.call('hosts.list', {})) await serve.call('hosts.remove', { id: host.id })

    const counts = Object.fromEntries(Object.entries(found).map(([view, runs]) => [view, runs.length]))
    mkdirSync('test-results', { recursive: true })
    writeFileSync('test-results/english-runs.json', `${JSON.stringify({ counts, found, seen }, null, 2)}\n`)
    console.log(`English runs per view: ${JSON.stringify(counts)}`)
    if (COUNTING) return
    for (const [view, runs] of Object.entries(found)) expect(runs, `English in the ${view} view`).toEqual([])
  })
})
