import type { Page } from '@playwright/test'
import { expect, test } from './fixtures'
import { analysed } from './support/views'

/**
 * Presses Tab (or Shift+Tab) until the focused element matches `selector`, and checks the focus
 * ring on the way: every element focused by the keyboard shows a 2 px outline.
 */
async function tabTo(page: Page, selector: string, options: { back?: boolean; max?: number } = {}): Promise<void> {
  for (let i = 0; i < (options.max ?? 200); i++) {
    await page.keyboard.press(options.back ? 'Shift+Tab' : 'Tab')
    const focus = await page.evaluate((sel) => {
      const el = document.activeElement
      if (!el || el === document.body) return { matches: false, ring: true, what: 'body' }
      const style = getComputedStyle(el)
      const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2
      return { matches: el.matches(sel), ring, what: `${el.tagName.toLowerCase()}.${el.className}`.slice(0, 80) }
    }, selector)
    expect(focus.ring, `focus ring on ${focus.what}`).toBe(true)
    if (focus.matches) return
  }
  throw new Error(`Tab never reached ${selector}`)
}

test.describe('Keyboard only', () => {
  test('select a recommendation, approve it, make a plan, review it and dry-run it without the mouse', async ({ app, serve }) => {
    // Hundreds of key presses, each answered by the page: minutes on a busy machine.
    test.setTimeout(300_000)
    const list = await analysed(serve)
    const target = list.items.find((i) => i.status === 'open' && i.recommendation.kind === 'rightsize-memory') ?? list.items.find((i) => i.status === 'open' && i.recommendation.kind.startsWith('rightsize'))!
    const id = target.recommendation.id
    const row = `[data-testid="recommendation-row"][data-rec-id="${id}"]`

    await app.goto(`${serve.origin}/#/recommendations`)
    await expect(app.locator(row)).toBeVisible()

    // Select: Tab to its row, Enter opens the detail.
    await tabTo(app, row)
    await app.keyboard.press('Enter')
    await expect(app.getByTestId('recommendation-detail')).toHaveAttribute('data-rec-id', id)

    // Approve.
    await tabTo(app, '[data-testid="decide-approve"]')
    await app.keyboard.press('Enter')
    await expect(app.locator(row)).toHaveAttribute('data-status', 'approved')

    // Tick it for a plan (its box is named after it), then Make a plan.
    await tabTo(app, `${row} [data-testid="select-for-plan"]`, { back: true })
    await expect(app.locator(`${row} [data-testid="select-for-plan"]`)).toHaveAttribute('aria-label', /^Select “.+” for a plan$/)
    await app.keyboard.press('Space')
    await expect(app.getByTestId('make-plan')).toBeEnabled()
    await tabTo(app, '[data-testid="make-plan"]')
    await app.keyboard.press('Enter')
    const dialog = app.getByTestId('plan-create-dialog')
    await expect(dialog.getByTestId('plan-create-items').locator('li')).toHaveCount(1)
    await tabTo(app, '[data-testid="plan-create-submit"]')
    await app.keyboard.press('Enter')

    // Review, then dry run: the exact commands, nothing run.
    const review = app.getByTestId('plan-review')
    await expect(review).toBeVisible()
    await expect(app).toHaveURL(/#\/plans\/plan-/)
    await tabTo(app, '[data-testid="plan-dry-run"]')
    await app.keyboard.press('Enter')
    const dry = app.getByTestId('plan-dry-run-dialog')
    await expect(dry.getByTestId('plan-dry-run-summary')).toContainText('Nothing ran')
    await expect(dry.getByTestId('dry-run-command').first()).toContainText('virsh -c qemu:///system')
    await app.keyboard.press('Escape')
    await expect(dry).toBeHidden()
  })
})
