import type { Page } from '@playwright/test'
import { expect, test } from './fixtures'
import { blankCharts, readCharts } from './support/charts'
import { analysed } from './support/views'

/**
 * Every chart of every view, each view loaded cold by its URL in a page of its own (nothing else
 * opened before it registered chart types): the chart's ECharts option holds data, and its canvas
 * shows that data in the plot area. A chart whose series type is not registered keeps its axes
 * and draws no series: this catches it.
 */
test.describe('Charts draw on first load', () => {
  async function cold(app: Page, path: string): Promise<Page> {
    const page = await app.context().newPage()
    await page.goto(`${new URL(app.url()).origin}/#${path}`)
    return page
  }

  async function expectDrawn(page: Page, count: number): Promise<void> {
    await expect.poll(async () => (await readCharts(page)).length, { message: 'every chart of the view is on the page' }).toBeGreaterThanOrEqual(count)
    // As the admin sees them: a chart below the fold catches up when it is scrolled into view.
    const seen = async () => {
      await page.evaluate(async () => {
        for (const chart of document.querySelectorAll('.lazy-chart')) {
          chart.scrollIntoView({ block: 'center' })
          await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))
        }
      })
      return blankCharts(page)
    }
    await expect.poll(seen, { timeout: 30_000, message: 'every chart holds data and drew it' }).toEqual([])
  }

  test('Overview: cluster CPU and memory, capacity bars and the hosts heatmap', async ({ app }) => {
    test.setTimeout(120_000)
    const page = await cold(app, '/overview')
    await expect(page.getByTestId('hosts-heatmap')).toBeVisible()
    // Two capacity charts, the heatmap, two cluster charts.
    await expectDrawn(page, 5)
    const names = (await readCharts(page)).map((r) => r.chart)
    expect(names.filter((n) => n === 'capacity')).toHaveLength(2)
    expect(names).toEqual(expect.arrayContaining(['hosts-heatmap', 'cluster-cpu-chart', 'cluster-memory-chart']))
    await page.close()
  })

  test('Host detail and VM detail: every time series', async ({ app, serve }) => {
    // Six sets of charts (host usage, vmstat, iostat, KVM; VM usage, virtualization overhead), each drawn cold.
    test.setTimeout(240_000)
    const snapshot = await serve.call('cluster.snapshot', {})
    const vm = snapshot.vms.find((v) => v.hostId === 'demo-c')!
    const host = await cold(app, '/hosts/demo-c')
    await expect(host.getByTestId('detail-title')).toHaveText('demo-c')
    await expectDrawn(host, 6)
    // vmstat (the demo has no swap: no swpd) and iostat for its one disk, each shown on its own.
    const names = async () => (await readCharts(host)).map((r) => r.chart)
    await host.getByTestId('host-section-vmstat').click()
    await expectDrawn(host, 4)
    expect(await names()).toEqual(['host-vmstat-procs-chart', 'host-vmstat-cpu-chart', 'host-vmstat-system-chart', 'host-vmstat-io-chart'])
    await host.getByTestId('host-section-iostat').click()
    await expectDrawn(host, 5)
    expect(await names()).toEqual(['host-iostat-requests-chart', 'host-iostat-throughput-chart', 'host-iostat-await-chart', 'host-iostat-queue-chart', 'host-iostat-util-chart'])
    // KVM of the whole host: the demo has no debugfs, so the figures are its VMs' sum, and the tab says so.
    await host.getByTestId('host-section-kvm').click()
    await expectDrawn(host, 3)
    expect(await names()).toEqual(['host-kvm-exits-chart', 'host-kvm-poll-chart', 'host-kvm-tlb-chart'])
    await expect(host.getByTestId('host-kvm')).toContainText('summed over its VMs')
    await host.close()
    const vmPage = await cold(app, `/vms/${encodeURIComponent(vm.id)}`)
    await expect(vmPage.getByTestId('detail-title')).toHaveText(vm.name)
    await expectDrawn(vmPage, 6)
    // The virtualization layer: QEMU's threads, KVM's exits, halt polling and TLB flushes (remote ones from domstats --vm).
    await vmPage.getByTestId('vm-section-overhead').click()
    await expectDrawn(vmPage, 4)
    expect((await readCharts(vmPage)).map((r) => r.chart)).toEqual(['vm-qemu-chart', 'vm-kvm-exits-chart', 'vm-kvm-poll-chart', 'vm-kvm-tlb-chart'])
    await expect(vmPage.getByTestId('vm-qemu-note')).toContainText('%')
    // perf runs on a real host only: the demo's VM says why instead of offering to run it.
    await vmPage.getByTestId('vm-perf-preview').click()
    await expect(vmPage.getByTestId('vm-perf-unavailable')).toContainText('SSH')
    await expect(vmPage.getByTestId('vm-perf-run')).toHaveCount(0)
    await vmPage.close()
  })

  test('Recommendations: the evidence of a rebalance and of a rightsizing', async ({ app, serve }) => {
    test.setTimeout(120_000)
    const list = await analysed(serve)
    const rebalance = list.items.find((i) => i.recommendation.kind === 'migrate')!
    const sizing = list.items.find((i) => i.recommendation.target.type === 'vm' && i.recommendation.kind.startsWith('rightsize'))!
    const set = await cold(app, `/recommendations?rec=${encodeURIComponent(rebalance.recommendation.id)}`)
    await expect(set.getByTestId('recommendation-detail')).toHaveAttribute('data-rec-id', rebalance.recommendation.id)
    await expectDrawn(set, 1)
    await set.close()
    const vm = await cold(app, `/recommendations?rec=${encodeURIComponent(sizing.recommendation.id)}`)
    await expect(vm.getByTestId('recommendation-detail')).toHaveAttribute('data-rec-id', sizing.recommendation.id)
    await expect(vm.getByTestId('evidence-demand-chart')).toBeVisible()
    await expectDrawn(vm, 1)
    await vm.close()
  })

  test('What-if: utilization, unmet demand and the queue wait of a run with a queue', async ({ app }) => {
    test.setTimeout(120_000)
    const page = await cold(app, '/what-if')
    await page.getByTestId('whatif-build-demo').click()
    await expect(page.getByTestId('whatif-current')).toContainText('24 VMs')
    await page.getByTestId('whatif-add-stream').click()
    await page.getByTestId('whatif-run').click()
    await expect(page.getByTestId('whatif-metrics')).toBeVisible({ timeout: 60_000 })
    await expectDrawn(page, 3)
    await page.close()
  })
})
