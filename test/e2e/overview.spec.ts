import { test, expect, paintedPixels } from './fixtures'

test.describe('Overview', () => {
  test('shows every host of the demo cluster with its load', async ({ app, serve }) => {
    const snapshot = await serve.call('cluster.snapshot', {})
    expect(snapshot.hosts).toHaveLength(3)

    const rows = app.getByTestId('host-row')
    await expect(rows).toHaveCount(snapshot.hosts.length)
    await expect(app.getByTestId('host-name')).toHaveText(snapshot.hosts.map((h) => h.name))
    await expect(app.getByTestId('demo-banner')).toContainText('Demo cluster — no hosts configured')
    // Units on the headline figures: capacity in logical CPUs.
    await expect(app.getByTestId('total-cpu')).toContainText('of 72 logical CPUs in use')
    await expect(app.getByTestId('total-memory')).toContainText('GiB')
    await expect(rows.first()).toContainText('%')
  })

  test('draws the cluster charts and updates them live', async ({ app }) => {
    for (const chart of ['cluster-cpu-chart', 'cluster-memory-chart']) {
      await expect.poll(() => paintedPixels(app, chart), { message: `${chart} has drawn pixels` }).toBeGreaterThan(500)
    }
    const lastUpdate = app.getByTestId('last-update')
    const chartData = app.getByTestId('cluster-cpu-chart').locator('[data-last-t]')
    const firstSnapshotT = await lastUpdate.getAttribute('data-snapshot-t')
    const firstChartT = await chartData.getAttribute('data-last-t')
    expect(Number(firstSnapshotT)).toBeGreaterThan(0)

    // The demo polls every ~2 s: a pushed snapshot must move both the header and the chart.
    await expect.poll(() => lastUpdate.getAttribute('data-snapshot-t'), { timeout: 15_000 }).not.toBe(firstSnapshotT)
    await expect.poll(() => chartData.getAttribute('data-last-t'), { timeout: 15_000 }).not.toBe(firstChartT)
    await expect.poll(async () => Number(await chartData.getAttribute('data-points'))).toBeGreaterThanOrEqual(2)
  })

  test('the first minute: the engine has analysed the recorded history, and the banner leads to Add host', async ({ app }) => {
    // The engine's first run (HiGHS included) takes a while on a busy machine.
    test.setTimeout(240_000)
    // Started with the server, over the demo's two recorded days: never "has not run".
    await expect(app.getByTestId('engine-status')).toContainText(/Last analysis at|Analysing the recorded history now/)
    await expect(app.getByTestId('engine-status')).toContainText('Last analysis at', { timeout: 180_000 })
    await expect(app.getByTestId('recommendation-counts')).not.toContainText('has not run')
    const open = await Promise.all([1, 2, 3, 4, 5].map(async (p) => Number(await app.getByTestId(`open-p${p}`).textContent())))
    expect(open.reduce((a, b) => a + b, 0)).toBeGreaterThan(0)

    await app.getByTestId('demo-add-host').click()
    await expect(app.getByTestId('add-host-dialog')).toBeVisible()
    await expect(app).toHaveURL(/#\/hosts$/)
  })
})

test.describe('Hosts', () => {
  test('lists every VM of every host from the snapshot', async ({ app, serve }) => {
    await app.getByTestId('nav-hosts').click()
    const snapshot = await serve.call('cluster.snapshot', {})
    await expect(app.getByTestId('host-card')).toHaveCount(snapshot.hosts.length)
    await expect(app.getByTestId('vm-row')).toHaveCount(snapshot.vms.length)
    const firstVm = snapshot.vms[0]
    if (firstVm) await expect(app.locator(`[data-vm-id="${firstVm.id}"]`)).toContainText(firstVm.name)
  })
})
