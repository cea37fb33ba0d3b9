import { test, expect } from './fixtures'

// The embedded demo cluster behind a real `virtpilot serve`: VM detail's "Ask for a change" files
// a request main checked, or shows main's refusal with its reason.
test.describe('Admin requests from VM detail', () => {
  test('a move that fits is filed as a recommendation requested by the admin; a size beyond the host\'s ratio is refused with the reason', async ({ app, serve }) => {
    const snapshot = await serve.call('cluster.snapshot', {})
    const vm = snapshot.vms.find((v) => v.name === 'bb010-a')!
    await app.evaluate((hash) => (location.hash = hash), `#/vms/${encodeURIComponent(vm.id)}`)
    const card = app.getByTestId('vm-request')
    await expect(card).toBeVisible()

    await card.getByTestId('request-vcpus').locator('input').fill('200')
    await card.getByTestId('request-resize').click()
    await expect(card.getByTestId('request-refused')).toContainText('demo-a would carry 253 vCPUs, limit 128 (4:1)')

    await card.getByTestId('request-to').click()
    await app.locator('.n-base-select-option:visible').filter({ hasText: 'demo-b' }).click()
    await card.getByTestId('request-migrate').click()
    await expect(card.getByTestId('request-filed')).toContainText('move bb010-a from demo-a to demo-b')
    const list = await serve.call('recommendations.list', {})
    const filed = list.items.filter((i) => i.recommendation.requestedBy)
    expect(filed.map((i) => [i.status, i.recommendation.actions[0]!.action])).toEqual([['open', expect.objectContaining({ kind: 'migrate', from: 'demo-a', to: 'demo-b' })]])
    // It is listed with the VM's recommendations, and opens in Recommendations.
    await expect(app.getByTestId('vm-recommendations')).toContainText('Requested by')
  })
})
