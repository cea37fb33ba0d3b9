import { test, expect, paintedPixels, bodyBackground } from './fixtures'
import type { Page } from '@playwright/test'

/** In-app navigation (the hash router), without reloading the page. */
async function go(page: Page, path: string): Promise<void> {
  await page.evaluate((hash) => (location.hash = hash), `#${path}`)
}

async function rangeSpan(page: Page): Promise<number> {
  const meta = page.getByTestId('range-meta')
  return Number(await meta.getAttribute('data-to')) - Number(await meta.getAttribute('data-from'))
}

test.describe('Dashboards', () => {
  test('Overview shows health scores, heatmap, capacity, contention and recommendation counts', async ({ app, serve }) => {
    const summary = await serve.call('dashboard.overview', {})
    expect(summary.hosts).toHaveLength(3)
    expect(summary.cluster.score).not.toBeNull()

    const score = app.getByTestId('cluster-health-score')
    await expect(score).toHaveAttribute('data-score', /^\d+$/)
    await expect(app.getByTestId('host-health')).toHaveCount(3)
    await expect.poll(() => paintedPixels(app, 'hosts-heatmap'), { message: 'the heatmap is drawn' }).toBeGreaterThan(2000)
    await expect.poll(() => paintedPixels(app, 'capacity'), { message: 'capacity bars are drawn' }).toBeGreaterThan(500)
    await expect(app.getByTestId('cpu-overcommit')).toContainText('×')
    await expect(app.getByTestId('recommendation-counts')).toContainText('P1')
    await expect(app.getByTestId('contended-vms')).toBeVisible()
    // The existing cluster charts stay.
    await expect.poll(() => paintedPixels(app, 'cluster-cpu-chart')).toBeGreaterThan(500)
  })

  test('health lists every host the views show hot, and no reason without its figure', async ({ app, serve }) => {
    // One summary: the heatmap's 5-minute means and the health reasons come from the same moment.
    const summary = await serve.call('dashboard.overview', {})
    for (const host of summary.hosts.filter((h) => (h.cpuPct ?? 0) >= 70)) {
      expect(summary.cluster.reasons.some((r) => r.hostId === host.hostId && r.code === 'cpu'), `${host.name} at ${host.cpuPct} % CPU is a reason`).toBe(true)
    }
    for (const reason of summary.cluster.reasons.filter((r) => r.code === 'cpu')) expect(reason.value).toBeGreaterThanOrEqual(70)
    if (summary.cluster.reasons.length > 0) await expect(app.getByTestId('health-reasons')).toBeVisible()
    else await expect(app.getByTestId('cluster-health')).toContainText('Nothing lowers the score')
  })

  test('keyboard: a focused host row opens Host detail on Enter, with real series', async ({ app, serve }) => {
    const snapshot = await serve.call('cluster.snapshot', {})
    const host = snapshot.hosts[0]!
    const row = app.locator(`[data-testid="host-row"][data-host-id="${host.id}"]`)
    await expect(row).toHaveAttribute('tabindex', '0')
    await row.focus()
    await app.keyboard.press('Enter')
    await expect(app).toHaveURL(new RegExp(`#/hosts/${host.id}$`))
    await expect(app.getByTestId('detail-title')).toHaveText(host.name)
    for (const chart of ['host-cpu-chart', 'host-memory-chart', 'host-disk-chart', 'host-network-chart', 'host-vm-cpu-chart', 'host-vm-memory-chart']) {
      await expect.poll(() => paintedPixels(app, chart), { message: `${chart} has drawn pixels` }).toBeGreaterThan(1000)
    }
    await expect(app.getByTestId('numa-topology')).toContainText('NUMA')
    // The demo's (made-up) tuning facts are the ones its recommendations read: the same here.
    await expect(app.getByTestId('pinning-unpinned')).toContainText('Not pinned')
    await expect(app.getByTestId('host-facts')).toContainText('KSM')
    await expect(app.getByTestId('demo-facts-note')).toBeVisible()
    // Live mode follows the polls.
    const cpu = app.getByTestId('host-cpu-chart').locator('[data-last-t]')
    const before = await cpu.getAttribute('data-last-t')
    await expect.poll(() => cpu.getAttribute('data-last-t'), { timeout: 15_000 }).not.toBe(before)
  })

  test('Host detail lists the host\'s pools (local and shared, use, promise, days to full) and its VMs\' disks', async ({ app }) => {
    await go(app, '/hosts/demo-c')
    const pools = app.getByTestId('host-storage-pools')
    // The demo's made-up storage: demo-c's small local pool, its thin volumes promised beyond it (600 GiB on 560), and the shared NFS pool.
    await expect(pools.locator('tbody tr')).toHaveCount(2)
    const local = pools.locator('tr', { hasText: 'default' })
    await expect(local).toContainText('dir')
    await expect(local).toContainText('Local')
    await expect(local).toContainText('/ 560 GiB')
    await expect(local.locator('td').nth(5)).toHaveText('1.07:1')
    await expect(pools.locator('tr', { hasText: 'nfs-vms' })).toContainText('Shared')
    await expect(local.locator('td').nth(6)).toHaveText(/^\d+(\.\d)? days$|^Not growing$/)
    await expect(app.getByTestId('host-storage-disks')).toContainText('bb232-a')
  })

  test('the range picker changes the range asked of the server, never more than 1000 points a series', async ({ app, serve }) => {
    const host = (await serve.call('cluster.snapshot', {})).hosts[1]!
    await go(app, `/hosts/${host.id}`)
    await expect(app.getByTestId('detail-title')).toHaveText(host.name)
    await expect.poll(() => rangeSpan(app)).toBeLessThanOrEqual(15 * 60_000 + 1)

    await app.getByTestId('range-1h').click()
    await expect.poll(() => rangeSpan(app)).toBe(3600_000 + 1)
    await app.getByTestId('range-24h').click()
    await expect.poll(() => rangeSpan(app)).toBe(24 * 3600_000 + 1)
    await expect.poll(() => paintedPixels(app, 'host-cpu-chart')).toBeGreaterThan(1000)
    const points = Number(await app.getByTestId('host-cpu-chart').locator('[data-points]').getAttribute('data-points'))
    expect(points).toBeGreaterThan(10)
    expect(points).toBeLessThanOrEqual(1000)

    // The server reduces a long raw range (a day of the recorded history) to the points asked for.
    const now = Date.now()
    const series = await serve.call('series.query', { kind: 'host', id: host.id, metrics: ['cpuPct'], from: now - 24 * 3600_000, to: now, maxPoints: 50 })
    if (series.kind !== 'host') throw new Error('series.query answered for a VM')
    expect(series.series.cpuPct!.t.length).toBeLessThanOrEqual(50)
    expect(series.pointsRead).toBeGreaterThan(50)
    await app.getByTestId('range-live').click()
  })

  test('VM detail shows demand vs allocation with p95, ready, disk and network', async ({ app, serve }) => {
    test.setTimeout(120_000)
    const snapshot = await serve.call('cluster.snapshot', {})
    const vm = snapshot.vms[0]!
    await go(app, `/hosts/${vm.hostId}`)
    const row = app.locator(`[data-testid="host-vm-row"][data-vm-id="${vm.id}"]`)
    await row.focus()
    await app.keyboard.press('Enter')
    await expect(app).toHaveURL(new RegExp(`#/vms/${encodeURIComponent(vm.id).replace(/%3A/g, '(:|%3A)')}$`))
    await expect(app.getByTestId('detail-title')).toHaveText(vm.name)
    for (const chart of ['vm-cpu-chart', 'vm-memory-chart', 'vm-ready-chart', 'vm-iops-chart', 'vm-disk-chart', 'vm-network-chart']) {
      await expect.poll(() => paintedPixels(app, chart), { message: `${chart} has drawn pixels` }).toBeGreaterThan(1000)
    }
    await expect(app.getByTestId('vm-cpu-chart')).toContainText('CPU')
    await expect(app.getByTestId('vm-recommendations')).not.toContainText('Could not')
    await expect(app.getByTestId('vm-history')).not.toContainText('Could not')
  })

  test("VM detail shows the guest's own paging where its balloon statistics report it, and says where each figure comes from", async ({ app, serve }) => {
    test.setTimeout(120_000)
    const vms = (await serve.call('cluster.snapshot', {})).vms
    // bb041-a nears its allocation for a few hours of every recorded day; bb124-a never comes close.
    const paging = vms.find((v) => v.name === 'bb041-a')!
    const quiet = vms.find((v) => v.name === 'bb124-a')!
    await go(app, `/vms/${encodeURIComponent(paging.id)}`)
    await app.getByTestId('range-24h').click()
    await expect.poll(() => paintedPixels(app, 'vm-paging-chart'), { message: 'the paging chart has drawn pixels' }).toBeGreaterThan(1000)
    await expect(app.getByTestId('vm-paging-chart')).toContainText('Paging inside the guest')
    await expect(app.getByTestId('vm-paging-note')).toHaveCount(0)
    await expect(app.getByTestId('vm-sources-note')).toContainText('steal')
    await go(app, `/vms/${encodeURIComponent(quiet.id)}`)
    await expect(app.getByTestId('vm-paging-note')).toContainText('did not page')
    await expect(app.getByTestId('vm-paging-chart')).toHaveCount(0)
  })

  test('the 24 h range has the recorded history from the start, not a sliver', async ({ app, serve }) => {
    const host = (await serve.call('cluster.snapshot', {})).hosts[2]!
    await go(app, `/hosts/${host.id}`)
    await app.getByTestId('range-24h').click()
    const chart = app.getByTestId('host-cpu-chart').locator('[data-first-t]')
    // Judged on what the chart spans, not on its point count: the live chart before it of a server
    // that has run for minutes has hundreds of points too (a busy machine draws the 24 h one later).
    const span = async () => Number(await chart.getAttribute('data-last-t')) - Number(await chart.getAttribute('data-first-t'))
    await expect.poll(span, { timeout: 60_000 }).toBeGreaterThan(23 * 3600_000)
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(200)
    await app.getByTestId('range-live').click()
  })

  test('theme and language switch on the detail views', async ({ app, serve }) => {
    const host = (await serve.call('cluster.snapshot', {})).hosts[0]!
    await go(app, `/hosts/${host.id}`)
    await expect(app.getByTestId('host-cpu-chart')).toContainText('CPU busy')
    await serve.call('settings.update', { theme: 'dark', language: 'zh-CN' })
    await expect(app.locator('html')).toHaveAttribute('data-theme', 'dark')
    await expect(app.getByTestId('host-cpu-chart')).toContainText('CPU 繁忙')
    await expect(app.getByTestId('range-picker')).toContainText('实时')
    const [r = 255, g = 255, b = 255] = ((await bodyBackground(app)).match(/\d+/g) ?? []).map(Number)
    expect(r + g + b).toBeLessThan(3 * 80)
    await expect.poll(() => paintedPixels(app, 'host-cpu-chart')).toBeGreaterThan(1000)
    await app.getByTestId('nav-overview').click()
    await expect(app.getByTestId('cluster-health')).toContainText('集群健康度')
    await expect.poll(() => paintedPixels(app, 'hosts-heatmap')).toBeGreaterThan(2000)
  })

  test('an unknown host says what to do', async ({ app }) => {
    await go(app, `/hosts/no-such-host`)
    await expect(app.getByTestId('host-not-found')).toContainText('Go back to Overview')
  })
})
