import { readFileSync } from 'node:fs'
import type { Locator, Page } from '@playwright/test'
import { expect, paintedPixels, test } from './fixtures'

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/
const MIGRATE = 'virsh -c qemu:///system migrate'

function row(page: Page, id: string): Locator {
  return page.locator(`[data-testid="recommendation-row"][data-rec-id="${id}"]`)
}

/** Opens a recommendation's detail by clicking its title cell (the checkbox only ticks it). */
async function openDetail(page: Page, id: string): Promise<Locator> {
  await row(page, id).locator('td').nth(3).click()
  const detail = page.getByTestId('recommendation-detail')
  await expect(detail).toHaveAttribute('data-rec-id', id)
  return detail
}

/** A screenshot once the confirmation toasts have gone, so they do not cover the page. */
async function screenshot(page: Page, path: string): Promise<void> {
  await expect(page.locator('.n-message')).toHaveCount(0, { timeout: 10_000 })
  await page.screenshot({ path })
}

async function firstIdOf(rows: Locator): Promise<string> {
  const id = await rows.first().getAttribute('data-rec-id')
  expect(id, 'a recommendation of this kind exists').toBeTruthy()
  return id ?? ''
}

test.describe('Recommendations, plan review and audit (demo cluster)', () => {
  test('analyse, decide, make a plan, export it, apply is refused, the audit has it all', async ({ app }) => {
    test.setTimeout(150_000)
    await app.getByTestId('nav-recommendations').click()

    // Analyse now: the engine runs over the demo's recorded history.
    await app.getByTestId('analyse-now').click()
    const rows = app.getByTestId('recommendation-row')
    await expect(rows.first()).toBeVisible({ timeout: 45_000 })
    await expect(app.getByTestId('analyse-progress')).toHaveCount(0)
    await expect(app.getByTestId('generated-at')).toContainText('Last analysis')
    await expect(app.getByTestId('recommendations-notes')).toBeVisible()

    // A migration off the hot host demo-c exists; its target shows the VM's name, not its id.
    const migrations = app.locator('[data-testid="recommendation-row"][data-kind="migrate"]').filter({ hasText: 'from demo-c' })
    const migrationId = await firstIdOf(migrations)
    const vmName = /^migrate:demo:([^:]+):/.exec(migrationId)?.[1] ?? ''
    await expect(row(app, migrationId).getByTestId('recommendation-target')).toHaveText(vmName)

    // Its evidence: predicted host loads as bars, the VM's demand against its allocation.
    const detail = await openDetail(app, migrationId)
    await expect(detail.getByTestId('detail-applies')).toHaveText('Live, without a restart')
    await expect(detail.getByTestId('detail-actions')).toContainText(`Live-migrate ${vmName} from demo-c to`)
    await expect.poll(() => paintedPixels(app, 'evidence-figures-chart')).toBeGreaterThan(1000)
    await expect.poll(() => paintedPixels(app, 'evidence-demand-chart')).toBeGreaterThan(1000)

    // Approve two (the migration and a memory change), reject one with a reason.
    await detail.getByTestId('decide-approve').click()
    await expect(row(app, migrationId)).toHaveAttribute('data-status', 'approved')
    const memoryId = await firstIdOf(app.locator('[data-testid="recommendation-row"][data-kind="rightsize-memory"][data-status="open"]'))
    await (await openDetail(app, memoryId)).getByTestId('decide-approve').click()
    await expect(row(app, memoryId)).toHaveAttribute('data-status', 'approved')

    const tuningId = await firstIdOf(app.locator('[data-testid="recommendation-row"][data-kind="tuning"][data-status="open"]'))
    await (await openDetail(app, tuningId)).getByTestId('decide-reject').click()
    await expect(app.getByTestId('reject-confirm')).toBeDisabled()
    await app.getByTestId('reject-reason').locator('textarea').fill('KSM costs CPU on this host; not now')
    await app.getByTestId('reject-confirm').click()
    // The default filter shows what still needs acting on: the rejected one leaves the list.
    await expect(row(app, tuningId)).toHaveCount(0)

    await openDetail(app, migrationId)
    await expect.poll(() => paintedPixels(app, 'evidence-demand-chart')).toBeGreaterThan(1000)
    // Scroll the detail panel (only) down to its evidence for the picture.
    await app.getByTestId('recommendation-evidence').evaluate((el) => {
      const panel = el.closest('.detail-column')
      if (panel) panel.scrollTop = (el as HTMLElement).offsetTop - 260
    })
    await screenshot(app, 'docs/screenshots/recommendations.png')

    // Make a plan of the two approved ones.
    await expect(app.getByTestId('make-plan')).toBeDisabled()
    await row(app, migrationId).locator('.n-checkbox').click()
    await row(app, memoryId).locator('.n-checkbox').click()
    await app.getByTestId('make-plan').click()
    const dialog = app.getByTestId('plan-create-dialog')
    await expect(dialog.getByTestId('plan-create-items').locator('li')).toHaveCount(2)
    await dialog.getByTestId('plan-unsafe').click()
    await expect(dialog.getByTestId('plan-unsafe-warning')).toContainText('--unsafe')
    await dialog.getByTestId('plan-unsafe').click()
    await dialog.getByTestId('plan-parallelism').locator('input').fill('2')
    await dialog.getByTestId('plan-create-submit').click()

    // The review: steps per host with the exact commands, read-back and rollback.
    const review = app.getByTestId('plan-review')
    await expect(review).toBeVisible()
    await expect(app).toHaveURL(/#\/plans\/plan-/)
    const planId = (await review.getAttribute('data-plan-id')) ?? ''
    await expect(review.getByTestId('plan-state')).toHaveText('Ready to apply')
    const migrateCommand = review.getByTestId('step-command').filter({ hasText: MIGRATE })
    await expect(migrateCommand).toHaveCount(1)
    const shown = (await migrateCommand.locator('code').textContent()) ?? ''
    const uuid = UUID.exec(shown)?.[0]
    expect(uuid, 'the migration addresses the VM by its libvirt UUID').toBeTruthy()
    await expect(review.getByTestId('step-verify').first()).toBeVisible()
    await expect(review.getByTestId('step-rollback').filter({ hasText: MIGRATE })).toHaveCount(1)
    await expect(review.getByTestId('plan-host-group').first()).toBeVisible()
    await screenshot(app, 'docs/screenshots/plan.png')

    // Export as shell: downloaded and shown, with the same command.
    const download = app.waitForEvent('download')
    await review.getByTestId('plan-export-shell').click()
    const file = await download
    expect(file.suggestedFilename()).toBe(`${planId}.sh`)
    const script = readFileSync(await file.path(), 'utf8')
    expect(script).toContain(MIGRATE)
    expect(script).toContain(`--domain ${uuid}`)
    await expect(app.getByTestId('plan-export-text')).toContainText(`${MIGRATE} --live`)
    await app.getByTestId('plan-export-close').click()

    // Apply names the hosts, then the demo refuses: the message is shown as main says it.
    await review.getByTestId('plan-apply').click()
    await expect(app.getByTestId('plan-apply-dialog')).toContainText('demo-c')
    await app.getByTestId('plan-apply-confirm').click()
    await expect(review.getByTestId('plan-apply-error')).toContainText('demo cluster replays traces and cannot be changed')
    await expect(review.getByTestId('plan-state')).toHaveText('Ready to apply')

    // The audit lists the decisions and the plan; CSV export works.
    await app.getByTestId('nav-audit').click()
    const audit = app.getByTestId('audit-row')
    await expect(audit.filter({ hasText: 'approve:' })).toHaveCount(2)
    await expect(audit.filter({ hasText: 'KSM costs CPU on this host' })).toHaveCount(1)
    await expect(app.locator(`[data-testid="audit-row"][data-kind="plan"][data-plan-id="${planId}"]`).filter({ hasText: 'plan created' })).toHaveCount(1)
    const csvDownload = app.waitForEvent('download')
    await app.getByTestId('audit-export-csv').click()
    const csv = await csvDownload
    expect(csv.suggestedFilename()).toMatch(/^virtpilot-audit-.*\.csv$/)
    const csvText = readFileSync(await csv.path(), 'utf8')
    expect(csvText.split('\r\n')[0]).toContain('actor')
    expect(csvText).toContain('KSM costs CPU on this host')
    expect(csvText).toContain(planId)
    await screenshot(app, 'docs/screenshots/audit.png')

    // Filtering by the plan leaves only its entries.
    await app.getByTestId('audit-plan-filter').click()
    await app.locator('.n-base-select-option:visible').filter({ hasText: planId }).click()
    await expect(audit.first()).toHaveAttribute('data-plan-id', planId)
    await expect(audit.filter({ hasText: 'approve:' })).toHaveCount(0)
  })
})

test.describe('Recommendations in Chinese, dark', () => {
  test('the inbox, a plan and the audit read in zh-CN on the dark theme', async ({ app, serve }) => {
    const list = await serve.call('recommendations.refresh', {})
    const migration = list.items.find((i) => i.recommendation.kind === 'migrate')
    expect(migration, 'the demo has a migration').toBeTruthy()
    await serve.call('settings.update', { language: 'zh-CN', theme: 'dark' })
    await app.getByTestId('nav-recommendations').click()
    await expect(app.getByTestId('analyse-now')).toHaveText('立即分析')
    await app.getByTestId('filter-status').click()
    await app.locator('.n-base-select-option:visible').filter({ hasText: '全部' }).click()
    const detail = await openDetail(app, migration?.recommendation.id ?? '')
    await expect(detail.getByTestId('detail-applies')).toHaveText('在线生效，无需重启')
    await expect.poll(() => paintedPixels(app, 'evidence-figures-chart')).toBeGreaterThan(1000)
    await screenshot(app, 'test-results/recommendations-zh-CN-dark.png')

    await app.getByTestId('nav-plans').click()
    const plans = await serve.call('plans.list', {})
    if (plans.length > 0) await expect(app.getByTestId('plan-review')).toContainText('命令')
    else await expect(app.getByTestId('plans-empty')).toContainText('尚无计划')
    await screenshot(app, 'test-results/plan-zh-CN-dark.png')

    await app.getByTestId('nav-audit').click()
    await expect(app.getByTestId('audit-export-csv')).toHaveText('导出 CSV')
    await screenshot(app, 'test-results/audit-zh-CN-dark.png')
  })
})

test.describe('Recommendations: snooze, reopen, filter', () => {
  test('a snoozed recommendation leaves the inbox until reopened; filters narrow the list', async ({ app, serve }) => {
    const list = await serve.call('recommendations.refresh', {})
    const tuning = list.items.find((i) => i.status === 'open' && i.recommendation.kind === 'tuning')
    expect(tuning, 'the demo has open tuning advice').toBeTruthy()
    const id = tuning?.recommendation.id ?? ''
    await app.getByTestId('nav-recommendations').click()

    const choose = async (select: string, option: RegExp) => {
      await app.getByTestId(select).click()
      await app.locator('.n-base-select-option:visible').filter({ hasText: option }).click()
    }

    await (await openDetail(app, id)).getByTestId('decide-snooze').click()
    await app.getByTestId('snooze-hours').locator('input').fill('2')
    await app.getByTestId('snooze-confirm').click()
    await expect(row(app, id)).toHaveCount(0)

    await choose('filter-status', /^Snoozed$/)
    await expect(row(app, id)).toHaveAttribute('data-status', 'snoozed')
    const detail = await openDetail(app, id)
    await expect(detail).toContainText('Snoozed until')
    await detail.getByTestId('decide-reopen').click()
    await expect(row(app, id)).toHaveCount(0)
    await expect(app.getByTestId('recommendations-empty')).toContainText('No recommendation matches these filters')

    await choose('filter-status', /^Any$/)
    await choose('filter-kind', /^Migrate$/)
    const rows = app.getByTestId('recommendation-row')
    await expect(rows.first()).toBeVisible()
    for (const kind of await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')))) expect(kind).toBe('migrate')
    await expect(row(app, id)).toHaveCount(0)
    await choose('filter-kind', /^Any$/)
    await expect(row(app, id)).toHaveAttribute('data-status', 'open')

    // Sorted by priority: P1 first, P5 last.
    const priorities = await app.locator('[data-testid="recommendation-row"] [data-priority]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-priority'))))
    expect(priorities).toEqual([...priorities].sort((a, b) => a - b))
  })
})
