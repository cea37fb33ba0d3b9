import { test, expect } from './fixtures'
import { layoutProblems } from './support/views'

// The DRS-style controls in the app: placement rules, the migration threshold, maintenance mode.

test.describe('Placement rules', () => {
  test('adds a rule with the keyboard, refuses a conflicting one with the reason in the admin\'s language, removes it', async ({ app, serve }) => {
    test.setTimeout(180_000)
    await app.setViewportSize({ width: 1280, height: 720 })
    const snapshot = await serve.call('cluster.snapshot', {})
    const [a, b] = snapshot.vms
    await app.getByTestId('nav-rules').focus()
    await app.keyboard.press('Enter')
    await expect(app.getByTestId('rules-page')).toBeVisible()

    // Kind: anti-affinity is the default; pick two VMs by typing their names.
    const vms = app.getByTestId('rule-vms')
    await vms.click()
    for (const vm of [a!, b!]) {
      await app.keyboard.type(vm.name)
      await app.keyboard.press('Enter')
    }
    await app.keyboard.press('Escape')
    await app.getByTestId('rule-name').locator('input').fill('apart')
    await app.getByTestId('rule-add').focus()
    await app.keyboard.press('Enter')
    await expect(app.getByTestId('rules-table')).toContainText('apart')
    await expect(app.getByTestId('rules-table')).toContainText(`${a!.name}, ${b!.name}`)
    expect((await serve.call('rules.list', {})).rules).toMatchObject([{ kind: 'anti-affinity', vms: [a!.id, b!.id], name: 'apart' }])

    // The same VMs together: refused before anything is sent, with the reason.
    await app.getByTestId('rule-kind').click()
    await app.locator('.n-base-select-option:visible').filter({ hasText: 'Keep together' }).click()
    await app.getByTestId('rule-vms').click()
    for (const vm of [a!, b!]) {
      await app.keyboard.type(vm.name)
      await app.keyboard.press('Enter')
    }
    await app.keyboard.press('Escape')
    await expect(app.getByTestId('rule-conflict')).toContainText(`${a!.name} and ${b!.name} would have to run together (affinity) and apart (anti-affinity)`)
    await expect(app.getByTestId('rule-add')).toBeDisabled()
    expect(await layoutProblems(app)).toEqual([])

    await serve.call('settings.update', { language: 'zh-CN' })
    await expect(app.getByTestId('rule-conflict')).toContainText('将既要放在一起（亲和）又要分开（反亲和）')
    await expect(app.getByTestId('nav-rules')).toHaveText('规则')
    expect(await layoutProblems(app)).toEqual([])

    const rule = (await serve.call('rules.list', {})).rules[0]!
    await app.getByTestId(`rule-remove-${rule.id}`).click()
    await expect.poll(async () => (await serve.call('rules.list', {})).rules).toEqual([])
  })
})

test.describe('Migration threshold', () => {
  test('is set in Settings, with what each level means', async ({ app, serve }) => {
    await app.getByTestId('nav-settings').click()
    const card = app.getByTestId('migration-threshold')
    await expect(card.getByTestId('threshold-words-1')).toContainText('Only the moves rules, maintenance and allocation limits require')
    await card.getByTestId('threshold-1').click()
    await expect.poll(async () => (await serve.call('settings.get', {})).migrationThreshold).toBe(1)
    await expect(card.getByTestId('threshold-words-1')).toHaveClass(/chosen/)
  })
})

test.describe('Maintenance mode', () => {
  test('puts a demo host into maintenance from Host detail: an evacuation plan to review, then it exits', async ({ app, serve }) => {
    // Two engine runs on a busy machine.
    test.setTimeout(300_000)
    await expect.poll(async () => (await serve.call('recommendations.list', {})).generatedAt, { timeout: 180_000 }).not.toBeNull()
    await app.goto(`${serve.origin}/#/hosts/demo-a`)
    await app.getByTestId('maintenance-enter').click()
    await app.locator('.n-popconfirm__action .n-button--primary-type').click()
    // The demo's disks are cached by the host: the plan needs unsafe migration allowed.
    await expect(app.getByTestId('maintenance-plan-problem')).toContainText('--unsafe', { timeout: 60_000 })
    await app.getByTestId('maintenance-allow-unsafe').click()
    await expect(app.getByTestId('maintenance-plan-link')).toBeVisible({ timeout: 60_000 })
    await expect(app.getByTestId('maintenance-since')).toBeVisible()
    expect((await serve.call('cluster.snapshot', {})).hosts.find((h) => h.id === 'demo-a')!.state).toBe('maintenance')
    const link = app.getByTestId('maintenance-plan-link')
    const planPath = (await link.getAttribute('href'))!
    expect(planPath).toMatch(/#\/plans\/plan-/)
    await link.click()
    await expect(app).toHaveURL(new RegExp(`${planPath.replace(/[/#.-]/g, '\\$&')}$`), { timeout: 30_000 })
    await expect(app.getByTestId('plans-page')).toContainText('Evacuate demo-a for maintenance', { timeout: 30_000 })
    await app.goto(`${serve.origin}/#/hosts/demo-a`)
    await app.getByTestId('maintenance-exit').click()
    await expect(app.getByTestId('maintenance-enter')).toBeVisible()
    expect((await serve.call('cluster.snapshot', {})).hosts.find((h) => h.id === 'demo-a')!.state).not.toBe('maintenance')
  })
})
