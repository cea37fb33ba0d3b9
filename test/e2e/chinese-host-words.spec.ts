import { englishRuns } from '../support/english-runs'
import { expect, test } from './fixtures'

/**
 * What main says about a host's storage and what a failed call says, read in 简体中文: the reason
 * a pool counts as shared or local (Host detail › Storage, in a tooltip), and the Recommendations
 * page's error when there is nothing to analyse. No run of two English words may show there.
 */
test.describe('简体中文: storage reasons and failed calls', () => {
  test('the storage tooltip and an analysis error read in Chinese', async ({ app, serve }) => {
    await serve.call('settings.update', { language: 'zh-CN' })
    await expect(app.locator('html')).toHaveAttribute('lang', 'zh-CN')
    const snapshot = await serve.call('cluster.snapshot', {})
    const names = [...snapshot.hosts.flatMap((h) => [h.id, h.name]), 'default', 'nfs-vms']

    // demo-c's pools: its local dir pool on ext4, and the NFS pool all three hosts share.
    await app.goto(`${serve.origin}/#/hosts/demo-c`)
    const pools = app.getByTestId('host-storage-pools')
    await expect(pools.locator('tbody tr')).toHaveCount(2)
    const tooltips: string[] = []
    for (const row of await pools.locator('tbody tr').all()) {
      await row.locator('.n-tag').hover()
      const tip = app.locator('.n-tooltip:visible')
      await expect(tip).toHaveCount(1)
      tooltips.push((await tip.innerText()).trim())
      await app.mouse.move(0, 0)
      await expect(tip).toHaveCount(0)
    }
    expect(tooltips.some((t) => t.startsWith('存储池类型 dir，位于本地 ext4 文件系统上')), tooltips.join(' | ')).toBe(true)
    expect(tooltips.some((t) => t.startsWith('存储池类型 netfs（网络文件系统）')), tooltips.join(' | ')).toBe(true)
    for (const text of tooltips) expect(englishRuns(text, { names }), text).toEqual([])

    // No hosts and no demo: the analysis is refused, in the admin's language.
    await serve.call('settings.update', { demoEnabled: false })
    try {
      await app.goto(`${serve.origin}/#/recommendations`)
      await app.getByTestId('analyse-now').click()
      const error = app.getByTestId('analyse-error')
      await expect(error).toBeVisible()
      const text = (await error.innerText()).trim()
      expect(text).toContain('添加宿主机')
      expect(englishRuns(text, { names }), text).toEqual([])
    } finally {
      await serve.call('settings.update', { demoEnabled: true })
    }
  })
})
