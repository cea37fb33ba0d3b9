import { test, expect } from './fixtures'
import { layoutProblems } from './support/views'

// Automation levels (DRS-style) in the app: Settings → Automation, the header's pause button on
// every page, a VM's own level on VM detail; in English and 简体中文, at 1280x720.

test.describe('Automation', () => {
  test('is set in Settings with the keyboard, shows in the header on every page, and the pause stops it at once', async ({ app, serve }) => {
    test.setTimeout(180_000)
    await app.setViewportSize({ width: 1280, height: 720 })
    // Off by default: no banner.
    expect((await serve.call('automation.get', {})).settings).toMatchObject({ level: 'manual', windows: [], maxMovesPerHour: 4 })
    await app.getByTestId('nav-settings').focus()
    await app.keyboard.press('Enter')
    const card = app.getByTestId('automation-card')
    await expect(card).toBeVisible()
    await expect(app.getByTestId('automation-banner')).toHaveCount(0)

    // Level: the radio buttons answer the arrow keys, as radios do.
    await card.getByTestId('automation-level-manual').locator('input').focus()
    await app.keyboard.press('ArrowRight')
    await app.keyboard.press('ArrowRight')
    await expect(card.getByTestId('automation-level-fully-automated')).toHaveClass(/checked/)
    await expect(card.getByTestId('automation-no-windows')).toBeVisible()
    // A window: Friday night into Saturday, typed.
    await card.getByTestId('automation-add-window').focus()
    await app.keyboard.press('Enter')
    await card.getByTestId('window-0-sat').click()
    await card.getByTestId('window-0-sun').click()
    await card.getByTestId('window-0-fri').click()
    await card.getByTestId('window-0-start').locator('input').fill('22:00')
    await card.getByTestId('window-0-end').locator('input').fill('25:00')
    await expect(card.getByTestId('automation-save')).toBeDisabled()
    await card.getByTestId('window-0-end').locator('input').fill('06:00')
    await card.getByTestId('automation-cap').locator('input').fill('2')
    await card.getByTestId('automation-save').focus()
    await app.keyboard.press('Enter')
    await expect.poll(async () => (await serve.call('automation.get', {})).settings).toMatchObject({ level: 'fully-automated', windows: [{ days: ['fri'], start: '22:00', end: '06:00' }], maxMovesPerHour: 2 })
    // The audit says who set what.
    await expect.poll(async () => (await serve.call('audit.list', {})).find((e) => e.message.startsWith('automation set:'))?.message).toMatch(/^automation set: Fully automated, 1 window\(s\) in .+, at most 2 automatic moves per hour$/)

    // On: the header says so on every page, with the pause button.
    const banner = app.getByTestId('automation-banner')
    await expect(banner).toContainText('Automation: Fully automated')
    await expect(banner).toContainText('0/2 moves this hour')
    await app.getByTestId('nav-overview').click()
    await expect(banner).toBeVisible()
    expect(await layoutProblems(app)).toEqual([])

    // Pause: at once, recorded under the admin's name, shown while paused.
    await banner.getByTestId('banner-pause').focus()
    await app.keyboard.press('Enter')
    await expect(banner).toHaveAttribute('data-paused', 'yes')
    await expect(banner).toContainText('Automation paused')
    const paused = (await serve.call('automation.get', {})).settings.paused
    expect(paused).toMatchObject({ running: 'finish', by: expect.stringContaining('(serve)') })
    expect(await layoutProblems(app)).toEqual([])

    // In Chinese, at the same size.
    await serve.call('settings.update', { language: 'zh-CN' })
    await expect(banner).toContainText('自动化已暂停')
    await expect(banner.getByTestId('banner-resume')).toHaveText('恢复自动化')
    expect(await layoutProblems(app)).toEqual([])
    await app.getByTestId('nav-settings').click()
    await expect(app.getByTestId('automation-paused')).toContainText('自动化自')
    await expect(card.getByTestId('automation-level-fully-automated')).toContainText('全自动')
    expect(await layoutProblems(app)).toEqual([])

    // Resume from Settings: the banner shows the level again.
    await app.getByTestId('automation-resume').click()
    await expect(banner).toHaveAttribute('data-paused', 'no')
    await expect(banner).toContainText('自动化：全自动')
    expect((await serve.call('automation.get', {})).settings.paused).toBeUndefined()
  })

  test('a VM gets its own level on VM detail', async ({ app, serve }) => {
    test.setTimeout(120_000)
    await app.setViewportSize({ width: 1280, height: 720 })
    const vm = (await serve.call('cluster.snapshot', {})).vms[0]!
    await app.goto(`${serve.origin}/#/vms/${encodeURIComponent(vm.id)}`)
    const select = app.getByTestId('vm-automation-level')
    // The serve instance is the file's: the cluster may be at any level by now.
    const names = { manual: 'Manual', 'partially-automated': 'Partially automated', 'fully-automated': 'Fully automated' }
    await expect(select).toContainText(`As the cluster (${names[(await serve.call('automation.get', {})).settings.level]})`)
    await select.click()
    await app.locator('.n-base-select-option:visible').filter({ hasText: 'Disabled' }).click()
    await expect.poll(async () => (await serve.call('automation.get', {})).settings.vms).toEqual({ [vm.id]: 'disabled' })
    await expect(select).toContainText('Disabled')
    expect(await layoutProblems(app)).toEqual([])
    // Disabled VMs are left out of balancing proposals; set back to the cluster's level.
    await select.click()
    await app.locator('.n-base-select-option:visible').filter({ hasText: 'As the cluster' }).click()
    await expect.poll(async () => (await serve.call('automation.get', {})).settings.vms).toEqual({})
  })
})
