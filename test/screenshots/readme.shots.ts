import type { Page } from '@playwright/test'
import type { Settings } from '../../shared/api'
import { expect, test, type ServeInstance } from '../e2e/fixtures'
import { blankCharts } from '../e2e/support/charts'
import { analysed } from '../e2e/support/views'

const OUT = 'docs/screenshots'

/** Waits until every chart on the page holds data and drew it, then takes the picture. */
async function shoot(page: Page, name: string): Promise<void> {
  await expect(page.locator('.n-message')).toHaveCount(0, { timeout: 10_000 })
  if ((await page.locator('.lazy-chart').count()) > 0) await expect.poll(() => blankCharts(page), { timeout: 30_000 }).toEqual([])
  await page.mouse.move(0, 0)
  await page.screenshot({ path: `${OUT}/${name}.png` })
}

async function view(page: Page, serve: ServeInstance, path: string, ready: string, settings: Partial<Settings> = {}): Promise<void> {
  await serve.call('settings.update', { theme: 'light', language: 'en', ...settings })
  await page.goto(`${serve.origin}/#${path}`)
  await expect(page.getByTestId(ready).first()).toBeVisible({ timeout: 30_000 })
}

test('README screenshots', async ({ app, serve }) => {
  const list = await analysed(serve)
  const snapshot = await serve.call('cluster.snapshot', {})
  const vm = snapshot.vms.find((v) => v.name === 'bb041-a') ?? snapshot.vms[0]!

  await view(app, serve, '/overview', 'host-row')
  await shoot(app, 'overview')
  await app.setViewportSize({ width: 1440, height: 1280 })
  await shoot(app, 'dashboard-overview')
  await view(app, serve, '/overview', 'host-row', { theme: 'dark' })
  await shoot(app, 'overview-dark')
  await view(app, serve, '/overview', 'host-row', { theme: 'dark', language: 'zh-CN' })
  await shoot(app, 'dashboard-overview-dark-zh')
  await app.setViewportSize({ width: 1440, height: 900 })

  await view(app, serve, '/hosts', 'host-card')
  await shoot(app, 'hosts')
  await view(app, serve, '/hosts', 'host-card', { theme: 'dark' })
  await shoot(app, 'hosts-dark')
  await view(app, serve, '/hosts/demo-c', 'detail-title')
  await app.getByTestId('range-24h').click()
  await shoot(app, 'host-detail')
  await app.getByTestId('range-live').click()
  await view(app, serve, `/vms/${encodeURIComponent(vm.id)}`, 'detail-title')
  await shoot(app, 'vm-detail')

  // Recommendations with the rebalance open; a plan of part of it and a memory change; the audit.
  const rebalance = list.items.find((i) => i.recommendation.kind === 'migrate')!
  await view(app, serve, `/recommendations?rec=${encodeURIComponent(rebalance.recommendation.id)}`, 'recommendation-detail')
  await shoot(app, 'recommendations')
  const memory = list.items.find((i) => i.status === 'open' && i.recommendation.kind === 'rightsize-memory')
  await serve.call('recommendations.decide', { id: rebalance.recommendation.id, decision: 'approve', moves: [0] })
  if (memory) await serve.call('recommendations.decide', { id: memory.recommendation.id, decision: 'approve' })
  const plan = await serve.call('plans.create', { recommendationIds: [rebalance.recommendation.id, ...(memory ? [memory.recommendation.id] : [])] })
  await view(app, serve, `/plans/${plan.id}`, 'plan-review')
  await shoot(app, 'plan')
  await app.getByTestId('plan-dry-run').click()
  await expect(app.getByTestId('plan-dry-run-steps')).toBeVisible()
  await shoot(app, 'plan-dry-run')
  await view(app, serve, '/audit', 'audit-table')
  await shoot(app, 'audit')

  // What-if on the demo with a generated queue and the four queue policies.
  await view(app, serve, '/what-if', 'whatif-view')
  await app.getByTestId('whatif-build-demo').click()
  await app.getByTestId('whatif-add-stream').click()
  await app.getByTestId('whatif-compare-schedulers').click()
  await app.getByTestId('whatif-run').click()
  await expect(app.getByTestId('whatif-metrics')).toBeVisible({ timeout: 60_000 })
  await app.getByTestId('whatif-metrics').scrollIntoViewIfNeeded()
  await shoot(app, 'whatif')
})
