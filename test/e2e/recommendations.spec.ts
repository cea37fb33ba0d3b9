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
  await row(page, id).locator('td[data-col-key="title"]').click()
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

// These approve, plan and reject the demo's open advice: they start from the inbox the engine made.
test.use({ ownServer: 'recommendations' })

test.describe('Recommendations, plan review and audit (demo cluster)', () => {
  test('a rebalance as one set, part of it approved, a plan, its dry run, Apply refused up front, the audit has it all', async ({ app, serve }) => {
    test.setTimeout(360_000)
    await app.getByTestId('nav-recommendations').click()

    // The engine ran at start-up; Analyse now runs it again over the recorded history.
    const rows = app.getByTestId('recommendation-row')
    await expect(rows.first()).toBeVisible({ timeout: 60_000 })
    const before = (await serve.call('recommendations.list', {})).generatedAt
    await app.getByTestId('analyse-now').click()
    await expect.poll(async () => (await serve.call('recommendations.list', {})).generatedAt, { timeout: 60_000 }).not.toBe(before)
    await expect(app.getByTestId('analyse-progress')).toHaveCount(0, { timeout: 60_000 })
    await expect(app.getByTestId('generated-at')).toContainText('Last analysis')
    await expect(app.getByTestId('recommendations-notes')).toBeVisible()
    await expect(app.getByTestId('priority-rule')).toContainText('How priorities are set')

    // Balancing is one recommendation: "Rebalance: N moves", each move with its own effect.
    const list = await serve.call('recommendations.list', {})
    const set = list.items.find((i) => i.recommendation.kind === 'migrate' && i.status === 'open')!.recommendation
    const moves = set.rebalance!.moves
    await expect(app.locator('[data-testid="recommendation-row"][data-kind="migrate"]')).toHaveCount(1)
    await expect(row(app, set.id)).toContainText(`Rebalance: ${moves.length} moves`)
    const detail = await openDetail(app, set.id)
    await expect(detail.getByTestId('detail-title')).toHaveText(`Rebalance: ${moves.length} moves`)
    await expect(detail.getByTestId('rebalance-move')).toHaveCount(moves.length)
    const effects = await detail.getByTestId('move-effect').allTextContents()
    expect(new Set(effects).size, 'no two moves claim the same effect').toBe(moves.length)
    for (const [i, m] of moves.entries()) {
      if (m.to === 'demo-c') await expect(detail.getByTestId('move-reason').nth(i)).toContainText('demo-c')
    }
    await expect.poll(() => paintedPixels(app, 'evidence-figures-chart')).toBeGreaterThan(1000)

    // Part of the set that cannot run alone is refused, saying which move it needs (where the demo's
    // set has such a move at this moment; the engine's own tests always have one).
    const waiting = moves.findIndex((m) => m.dependsOn.length > 0)
    const needed = waiting > 0 ? moves[waiting]!.dependsOn[0]! : -1
    if (waiting > 0) {
      await detail.getByTestId('include-move').nth(needed).click()
      await expect(detail.getByTestId('decide-approve')).toHaveText(`Approve these ${moves.length - 1} moves`)
      await detail.getByTestId('decide-approve').click()
      await expect(detail.getByTestId('moves-refused')).toContainText(`needs move ${needed + 1}`)
      await expect(row(app, set.id)).toHaveAttribute('data-status', 'open')
    }

    // The first move alone can run: approved, with what it achieves on its own.
    for (let i = 1; i < moves.length; i++) if (i !== needed) await detail.getByTestId('include-move').nth(i).click()
    await expect(detail.getByTestId('decide-approve')).toHaveText('Approve this move')
    await detail.getByTestId('decide-approve').click()
    await expect(row(app, set.id)).toHaveAttribute('data-status', 'approved')
    await expect(app.getByTestId('approved-part-effect')).toBeVisible()

    // A memory change approved, a tuning item rejected with a reason.
    const memoryId = await firstIdOf(app.locator('[data-testid="recommendation-row"][data-kind="rightsize-memory"][data-status="open"]'))
    const memory = await openDetail(app, memoryId)
    await expect(memory.getByTestId('detail-actions')).toContainText('undone by: Restore the memory of')
    await memory.getByTestId('decide-approve').click()
    await expect(row(app, memoryId)).toHaveAttribute('data-status', 'approved')
    const tuningId = await firstIdOf(app.locator('[data-testid="recommendation-row"][data-kind="tuning"][data-status="open"]'))
    await (await openDetail(app, tuningId)).getByTestId('decide-reject').click()
    await expect(app.getByTestId('reject-confirm')).toBeDisabled()
    await app.getByTestId('reject-reason').locator('textarea').fill('KSM costs CPU on this host; not now')
    await app.getByTestId('reject-confirm').click()
    await expect(row(app, tuningId)).toHaveCount(0)
    await screenshot(app, 'test-results/recommendations.png')

    // Make a plan of the two: the dialog says only part of the set goes in.
    await expect(app.getByTestId('make-plan')).toBeDisabled()
    await row(app, set.id).getByTestId('select-for-plan').click()
    await row(app, memoryId).getByTestId('select-for-plan').click()
    await app.getByTestId('make-plan').click()
    const dialog = app.getByTestId('plan-create-dialog')
    await expect(dialog.getByTestId('plan-create-items').locator('li')).toHaveCount(2)
    await expect(dialog.getByTestId('plan-create-part')).toContainText(`Only moves 1 of ${moves.length}`)
    await dialog.getByTestId('plan-unsafe').click()
    await expect(dialog.getByTestId('plan-unsafe-warning')).toContainText('--unsafe')
    await dialog.getByTestId('plan-unsafe').click()
    await dialog.getByTestId('plan-create-submit').click()

    // The review: the approved part's own effect, the exact commands, read-back and rollback.
    const review = app.getByTestId('plan-review')
    await expect(review).toBeVisible()
    await expect(app).toHaveURL(/#\/plans\/plan-/)
    const planId = (await review.getAttribute('data-plan-id')) ?? ''
    await expect(review.getByTestId('plan-state')).toHaveText('Ready to apply')
    await expect(review.getByTestId('plan-effect-part')).toContainText(`Only moves 1 of ${moves.length} were approved`)
    const migrateCommand = review.getByTestId('step-command').filter({ hasText: MIGRATE })
    await expect(migrateCommand).toHaveCount(1)
    const uuid = UUID.exec((await migrateCommand.locator('code').textContent()) ?? '')?.[0]
    expect(uuid, 'the migration addresses the VM by its libvirt UUID').toBeTruthy()
    await expect(review.getByTestId('step-rollback').filter({ hasText: MIGRATE })).toHaveCount(1)

    // On the demo, Apply is disabled up front and says why; the dry run shows what would run.
    await expect(review.getByTestId('plan-apply')).toBeDisabled()
    await expect(review.getByTestId('plan-apply-demo')).toContainText('cannot be changed')
    const steps = await review.getByTestId('plan-step').count()
    expect(steps).toBeGreaterThanOrEqual(2)
    await review.getByTestId('plan-dry-run').click()
    const dry = app.getByTestId('plan-dry-run-dialog')
    await expect(dry.getByTestId('plan-dry-run-summary')).toContainText('Nothing ran')
    await expect(dry.getByTestId('plan-dry-run-step')).toHaveCount(steps)
    await expect(dry.getByTestId('dry-run-command').filter({ hasText: MIGRATE }).filter({ hasText: `--domain ${uuid}` })).toHaveCount(1)
    await expect(dry.getByTestId('plan-dry-run-refusal')).toContainText('demo cluster replays traces')
    await screenshot(app, 'test-results/plan-dry-run.png')
    await dry.getByTestId('plan-dry-run-close').click()
    await screenshot(app, 'test-results/plan.png')

    // Export as shell: downloaded and shown, with the same command.
    const download = app.waitForEvent('download')
    await review.getByTestId('plan-export-shell').click()
    const file = await download
    expect(file.suggestedFilename()).toBe(`${planId}.sh`)
    const script = readFileSync(await file.path(), 'utf8')
    expect(script).toContain(MIGRATE)
    expect(script).toContain(`--domain ${uuid}`)
    await app.getByTestId('plan-export-close').click()

    // The audit (shared with the other tests of this server): these decisions name their target,
    // the refused part and the dry run are recorded; CSV export works.
    const memoryTitle = (await serve.call('recommendations.list', {})).items.find((i) => i.recommendation.id === memoryId)!.recommendation.title
    await app.getByTestId('nav-audit').click()
    const audit = app.getByTestId('audit-row')
    await expect(audit.filter({ hasText: `approve: ${set.title} — moves 1 of ${moves.length}` })).toHaveCount(1)
    await expect(audit.filter({ hasText: `approve refused: ${set.title}` })).toHaveCount(waiting > 0 ? 1 : 0)
    await expect(audit.filter({ hasText: 'KSM costs CPU on this host' })).toHaveCount(1)
    await expect(app.locator(`[data-testid="audit-row"][data-plan-id="${planId}"]`).filter({ hasText: 'dry run:' })).toHaveCount(1)
    const memoryDecision = audit.filter({ hasText: `approve: ${memoryTitle}` })
    await expect(memoryDecision).toHaveCount(1)
    await expect(memoryDecision.getByTestId('audit-target')).not.toHaveText('')
    await expect(app.locator(`[data-testid="audit-row"][data-kind="plan"][data-plan-id="${planId}"]`).filter({ hasText: 'plan created' })).toHaveCount(1)
    const csvDownload = app.waitForEvent('download')
    await app.getByTestId('audit-export-csv').click()
    const csv = await csvDownload
    expect(csv.suggestedFilename()).toMatch(/^virtpilot-audit-.*\.csv$/)
    const csvText = readFileSync(await csv.path(), 'utf8')
    expect(csvText.split('\r\n')[0]).toContain('actor')
    expect(csvText).toContain('KSM costs CPU on this host')
    expect(csvText).toContain(planId)
    await screenshot(app, 'test-results/audit.png')

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
    expect(migration, 'the demo has a rebalance').toBeTruthy()
    await serve.call('settings.update', { language: 'zh-CN', theme: 'dark' })
    await app.getByTestId('nav-recommendations').click()
    await expect(app.getByTestId('analyse-now')).toHaveText('立即分析')
    await app.getByTestId('filter-status').click()
    await app.locator('.n-base-select-option:visible').filter({ hasText: '全部' }).click()
    const detail = await openDetail(app, migration?.recommendation.id ?? '')
    await expect(detail.getByTestId('detail-applies')).toHaveText('在线生效，无需重启')
    // The engine's new text comes as message keys: the rebalance reads in Chinese.
    await expect(detail.getByTestId('detail-title')).toHaveText(`再平衡：${migration?.recommendation.rebalance?.moves.length} 次迁移`)
    await expect(detail.getByTestId('move-effect').first()).toContainText('主机负载离散度')
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
    // A fresh engine run first: most of a minute on a busy machine.
    test.setTimeout(180_000)
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
