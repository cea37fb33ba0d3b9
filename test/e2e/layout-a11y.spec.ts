import AxeBuilder from '@axe-core/playwright'
import type { Page } from '@playwright/test'
import type { Settings } from '../../shared/api'
import { expect, test, type ServeInstance } from './fixtures'
import { allViews, analysed, CONTENT_SCROLLER, layoutProblems, openCold, type View } from './support/views'

/**
 * Every view at 1280x720 and 1440x900, light and dark, English and Chinese: no page scrolls
 * sideways, nothing sticks out of its card, and axe finds no serious or critical WCAG 2.1 A/AA
 * violation. A screenshot of each view at 1280x720 goes to test-results/layout/.
 */
const COMBOS: Pick<Settings, 'theme' | 'language'>[] = [
  { theme: 'light', language: 'en' },
  { theme: 'dark', language: 'en' },
  { theme: 'light', language: 'zh-CN' },
  { theme: 'dark', language: 'zh-CN' },
]

/** Data on every view: a plan (from an approved rightsizing), decisions in the audit log. */
async function withData(serve: ServeInstance): Promise<void> {
  if ((await serve.call('plans.list', {})).length > 0) return
  const list = await analysed(serve)
  const sizing = list.items.find((i) => i.status === 'open' && i.recommendation.kind.startsWith('rightsize'))!
  await serve.call('recommendations.decide', { id: sizing.recommendation.id, decision: 'approve' })
  await serve.call('plans.create', { recommendationIds: [sizing.recommendation.id] })
}

/** Views with more to show once used: What-if with a replay. */
async function fill(page: Page, view: View): Promise<void> {
  if (view.name !== 'what-if') return
  await page.getByTestId('whatif-build-demo').click()
  await page.getByTestId('whatif-add-stream').click()
  await page.getByTestId('whatif-add-edit').click()
  await page.getByTestId('whatif-run').click()
  await expect(page.getByTestId('whatif-metrics')).toBeVisible({ timeout: 60_000 })
}

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`)
}

test.describe('Layout and accessibility of every view', () => {
  for (const combo of COMBOS) {
    test(`${combo.theme}, ${combo.language}`, async ({ app, serve }) => {
      test.setTimeout(600_000)
      await withData(serve)
      await serve.call('settings.update', combo)
      const views = await allViews(serve)
      const summary: string[] = []
      for (const view of views) {
        await app.setViewportSize({ width: 1280, height: 720 })
        await openCold(app, serve, view)
        await expect(app.locator('html')).toHaveAttribute('data-theme', combo.theme)
        await fill(app, view)
        // Settle: charts draw in their own tasks, tables lay out after data.
        await app.waitForTimeout(600)
        const at1280 = await layoutProblems(app)
        const axe = await seriousViolations(app)
        await app.screenshot({ path: `test-results/layout/${combo.theme}-${combo.language}-${view.name}-1280x720.png` })
        await app.setViewportSize({ width: 1440, height: 900 })
        await app.waitForTimeout(300)
        const at1440 = await layoutProblems(app)
        expect.soft(at1280, `${view.name} at 1280x720`).toEqual([])
        expect.soft(at1440, `${view.name} at 1440x900`).toEqual([])
        expect.soft(axe, `${view.name}: serious or critical axe violations`).toEqual([])
        summary.push(`${view.name}: axe ${axe.length} serious/critical, layout ${at1280.length + at1440.length}`)
      }
      console.log(`[${combo.theme}, ${combo.language}] ${summary.join('; ')}`)
    })
  }

  test('Recommendations keep their title column with the detail open; Audit gives the message the width', async ({ app, serve }) => {
    await withData(serve)
    await app.setViewportSize({ width: 1280, height: 720 })
    const views = await allViews(serve)
    await openCold(app, serve, views.find((v) => v.name === 'recommendations')!)
    const title = app.locator('[data-testid="recommendations-table"] th[data-col-key="title"]')
    expect((await title.boundingBox())!.width).toBeGreaterThanOrEqual(220)
    await openCold(app, serve, views.find((v) => v.name === 'audit')!)
    const message = app.locator('[data-testid="audit-table"] th[data-col-key="message"]')
    expect((await message.boundingBox())!.width).toBeGreaterThanOrEqual(320)
    // A decision names what it was about.
    const decision = app.locator('[data-testid="audit-row"][data-kind="decision"]').first()
    await expect(decision.getByTestId('audit-target')).not.toHaveText('')
  })

  test('a new page starts at its top', async ({ app, serve }) => {
    await app.setViewportSize({ width: 1280, height: 720 })
    await app.getByTestId('nav-hosts').click()
    const scroller = app.locator(CONTENT_SCROLLER)
    await expect(app.getByTestId('host-card')).toHaveCount(3)
    await app.locator('[data-testid="host-card"][data-host-id="demo-c"]').getByTestId('host-detail-link').scrollIntoViewIfNeeded()
    expect(await scroller.evaluate((el) => el.scrollTop)).toBeGreaterThan(200)
    await app.locator('[data-testid="host-card"][data-host-id="demo-c"]').getByTestId('host-detail-link').click()
    await expect(app.getByTestId('detail-title')).toHaveText('demo-c')
    await expect.poll(() => scroller.evaluate((el) => el.scrollTop)).toBe(0)
    void serve
  })
})
