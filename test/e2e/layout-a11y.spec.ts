import axe from 'axe-core'
import type { Page } from '@playwright/test'
import type { Settings } from '../../shared/api'
import { expect, test, type ServeInstance } from './fixtures'
import { allViews, analysed, CONTENT_SCROLLER, layoutProblems, openCold, type View } from './support/views'

/**
 * Every view at 1280x720 and 1440x900, light and dark, English and Chinese: no page scrolls
 * sideways, nothing sticks out of its card, and axe finds no serious or critical WCAG 2.1 A/AA
 * violation. A screenshot of each view at 1280x720 goes to test-results/layout/.
 * Each view is opened once and shown in the four looks by changing the settings, as an admin
 * does (the page follows settings.changed): loading the app anew for every look and view, and
 * running the What-if replay four times, took most of the e2e suite's time (issue 15: CI time).
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

const WCAG21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']

/**
 * axe-core's WCAG 2.1 A/AA rules over the whole page, as @axe-core/playwright runs them without
 * frames (the app has none), with axe put into the page once per load rather than twice per run
 * plus a blank page to finish in: that glue took two thirds of the time axe took here.
 */
async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated, not a script tag: the app's CSP allows no inline script.
  if ((await page.evaluate('typeof window.axe')) !== 'object') await page.evaluate(axe.source)
  const result = await page.evaluate((tags) => (globalThis as unknown as { axe: typeof axe }).axe.run(document, { runOnly: { type: 'tag', values: tags } }), WCAG21_AA)
  // Else nothing was checked: the rule that sees most of a page's problems ran (it applies to any text).
  const ran = [...result.passes, ...result.violations, ...result.incomplete].map((r) => r.id)
  if (!ran.includes('color-contrast')) return ['axe did not check colour contrast']
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`)
}

test.describe('Layout and accessibility of every view', () => {
  test('every view in light and dark, English and Chinese', async ({ app, serve }) => {
    // A hang guard: 40 looks, each with axe, on a busy machine.
    test.setTimeout(1_200_000)
    await withData(serve)
    const views = await allViews(serve)
    const html = app.locator('html')
    const summary: string[] = []
    for (const view of views) {
      await app.setViewportSize({ width: 1280, height: 720 })
      await openCold(app, serve, view)
      await fill(app, view)
      for (const combo of COMBOS) {
        const look = `${view.name} (${combo.theme}, ${combo.language})`
        await serve.call('settings.update', combo)
        await expect(html).toHaveAttribute('data-theme', combo.theme)
        await expect(html).toHaveAttribute('lang', combo.language)
        await app.setViewportSize({ width: 1280, height: 720 })
        // Settle: charts draw in their own tasks, tables lay out after data.
        await app.waitForTimeout(600)
        const at1280 = await layoutProblems(app)
        const violations = await seriousViolations(app)
        await app.screenshot({ path: `test-results/layout/${combo.theme}-${combo.language}-${view.name}-1280x720.png` })
        await app.setViewportSize({ width: 1440, height: 900 })
        await app.waitForTimeout(300)
        const at1440 = await layoutProblems(app)
        expect.soft(at1280, `${look} at 1280x720`).toEqual([])
        expect.soft(at1440, `${look} at 1440x900`).toEqual([])
        expect.soft(violations, `${look}: serious or critical axe violations`).toEqual([])
        summary.push(`${look}: axe ${violations.length} serious/critical, layout ${at1280.length + at1440.length}`)
      }
    }
    console.log(summary.join('\n'))
  })

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
