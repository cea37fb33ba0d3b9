import { test, expect, bodyBackground, paintedPixels } from './fixtures'

test.describe('Settings', () => {
  test('switches the language to Simplified Chinese', async ({ app, serve }) => {
    await app.getByTestId('nav-settings').click()
    await app.getByTestId('language-zh-CN').click()

    await expect(app.getByTestId('nav-overview')).toHaveText('概览')
    await expect(app.getByTestId('nav-hosts')).toHaveText('宿主机')
    await expect(app.getByTestId('nav-settings')).toHaveText('设置')
    await expect(app.locator('html')).toHaveAttribute('lang', 'zh-CN')
    expect((await serve.call('settings.get', {})).language).toBe('zh-CN')

    await app.getByTestId('nav-overview').click()
    await expect(app.getByTestId('demo-banner')).toContainText('演示集群')
    await expect(app.getByTestId('total-cpu')).toContainText('逻辑 CPU')
  })

  test('switches to the dark theme, charts included', async ({ app, serve }) => {
    await app.getByTestId('nav-settings').click()
    await expect(app.getByTestId('data-file')).toContainText('virtpilot.db')
    await app.getByTestId('theme-dark').click()

    await expect(app.locator('html')).toHaveAttribute('data-theme', 'dark')
    const background = await bodyBackground(app)
    const [r = 255, g = 255, b = 255] = (background.match(/\d+/g) ?? []).map(Number)
    expect(r + g + b, `body background ${background} is dark`).toBeLessThan(3 * 80)
    expect((await serve.call('settings.get', {})).theme).toBe('dark')

    await app.getByTestId('nav-overview').click()
    await expect.poll(() => paintedPixels(app, 'cluster-cpu-chart')).toBeGreaterThan(500)
    await expect.poll(async () => Number(await app.getByTestId('cluster-cpu-chart').locator('[data-points]').getAttribute('data-points'))).toBeGreaterThanOrEqual(2)
    await expect(app.getByText('Settings saved')).toBeHidden()
  })

  test('sets how often the engine analyses the hosts again', async ({ app, serve }) => {
    await app.getByTestId('nav-settings').click()
    await app.getByTestId('analysis-interval').click()
    await app.locator('.n-base-select-option:visible').filter({ hasText: 'Every 60 minutes' }).click()
    await expect.poll(async () => (await serve.call('settings.get', {})).analysisIntervalMinutes).toBe(60)
  })
})

test.describe('Allocation ratios', () => {
  test('sets the cluster\'s ratios and one host\'s own; every snapshot host carries them', async ({ app, serve }) => {
    await app.getByTestId('nav-settings').click()
    const card = app.getByTestId('allocation-ratios')
    const clusterCpu = card.getByTestId('ratio-cluster-cpu').locator('input')
    await clusterCpu.fill('2')
    await clusterCpu.blur()
    await expect.poll(async () => (await serve.call('settings.get', {})).allocationRatios.cluster.cpu).toBe(2)
    const hosts = (await serve.call('cluster.snapshot', {})).hosts
    expect(hosts.length).toBeGreaterThan(1)
    for (const h of hosts) expect(h.allocationRatio).toEqual({ cpu: 2, memory: 1 })

    const first = hosts[0]!.id
    const memory = card.getByTestId(`ratio-host-${first}`).getByTestId('ratio-host-memory').locator('input')
    await memory.fill('1.5')
    await memory.blur()
    await expect.poll(async () => (await serve.call('settings.get', {})).allocationRatios.hosts[first]).toEqual({ cpu: 2, memory: 1.5 })
    await expect.poll(async () => (await serve.call('cluster.snapshot', {})).hosts.find((h) => h.id === first)!.allocationRatio).toEqual({ cpu: 2, memory: 1.5 })

    await card.getByTestId(`ratio-host-${first}`).getByTestId('ratio-host-reset').click()
    await expect.poll(async () => (await serve.call('settings.get', {})).allocationRatios.hosts).toEqual({})
  })
})

test.describe('Demo cluster switch', () => {
  test('turning the demo off empties the cluster, turning it on brings it back', async ({ app, serve }) => {
    await app.getByTestId('nav-settings').click()
    await app.getByTestId('demo-switch').click()
    await expect.poll(async () => (await serve.call('settings.get', {})).demoEnabled).toBe(false)

    await app.getByTestId('nav-overview').click()
    await expect(app.getByText('No hosts to show.')).toBeVisible()
    await expect(app.getByTestId('demo-banner')).toBeHidden()

    await app.getByTestId('nav-settings').click()
    await app.getByTestId('demo-switch').click()
    await app.getByTestId('nav-overview').click()
    await expect(app.getByTestId('host-row')).toHaveCount(3)
    await expect(app.getByTestId('demo-banner')).toBeVisible()
  })
})

test.describe('Metrics source', () => {
  // Saving starts the store's collector (its first read fails fast here); a busy CI machine needs the room.
  test.describe.configure({ timeout: 150_000 })
  test('refuses a store whose token file cannot be read, says why, and keeps SSH polling', async ({ app, serve }) => {
    await app.getByTestId('nav-settings').click()
    await app.getByTestId('metrics-kind-prometheus').click()
    await app.getByTestId('metrics-url').locator('input').fill('prometheus+http://127.0.0.1:1')
    await app.getByTestId('metrics-bearer').locator('input').fill('/nonexistent/virtpilot-token')
    await app.getByTestId('metrics-save').click()
    await expect(app.getByText(/cannot read the bearer token file \/nonexistent\/virtpilot-token/)).toBeVisible()
    expect((await serve.call('settings.get', {})).metricsSource).toEqual({ kind: 'ssh' })
  })

  test('saves an unreachable store and shows, in Chinese too, what is wrong', async ({ app, serve }) => {
    await app.getByTestId('nav-settings').click()
    await app.getByTestId('metrics-kind-prometheus').click()
    await app.getByTestId('metrics-url').locator('input').fill('prometheus+http://127.0.0.1:1')
    await app.getByTestId('metrics-save').click()
    await expect(app.getByTestId('metrics-error')).toContainText('The store cannot be reached')
    await expect(app.getByTestId('metrics-error')).toContainText('cannot reach the metrics store at http://127.0.0.1:1')
    expect((await serve.call('settings.get', {})).metricsSource).toMatchObject({ kind: 'prometheus', url: 'prometheus+http://127.0.0.1:1' })
    await app.getByTestId('language-zh-CN').click()
    await expect(app.getByTestId('metrics-error')).toContainText('无法连接到存储')
    await serve.call('settings.update', { metricsSource: { kind: 'ssh' }, language: 'en' })
  })
})
