import { test, expect, paintedPixels } from './fixtures'

// A small scenario with a queue, so the wait-time chart has something to draw.
const queued = {
  version: 1,
  name: 'e2e queue',
  start: Date.UTC(2024, 0, 1),
  stepSeconds: 60,
  steps: 240,
  hosts: [{ id: 'h1', cpuCores: 8, memoryMiB: 32768 }],
  vms: [{ id: 'base', hostId: 'h1', vcpus: 2, memoryMiB: 4096 }],
  workload: [{ vm: 'base', cpuCores: new Array(240).fill(1), memMiB: new Array(240).fill(2048) }],
  arrivals: [30, 5, 60, 10, 20, 45].map((d, i) => ({ id: `job${i}`, atMinute: i, vcpus: 8, memoryMiB: 4096, durationMinutes: d })),
}

test.describe('What-if', () => {
  test('builds a scenario from the demo cluster and compares two policy sets side by side', async ({ app, serve }) => {
    await app.getByTestId('nav-what-if').click()
    await app.getByTestId('whatif-build-demo').click()
    await expect(app.getByTestId('whatif-current')).toContainText('3 hosts · 24 VMs')
    await expect(app.getByTestId('whatif-policy')).toHaveCount(2)
    await app.getByTestId('whatif-run').click()

    const table = app.getByTestId('whatif-metrics')
    await expect(table.locator('th')).toHaveText(['Metric', '1. static · FCFS', '2. hybrid · EASY · balance'])
    // One unit per metric, the same as the chart's: unmet demand in VM-hours.
    await expect(table.locator('tr', { hasText: 'Unmet demand' }).first()).toContainText('VM-h')
    await expect(table).not.toContainText('VM-min')
    await expect(table).toContainText('core-h')
    // Every metric says what it means and which way is better.
    await expect(table.getByTestId('metric-help').first()).toContainText('Lower is better.')
    await expect(table.locator('tr', { hasText: 'Host CPU utilization p50' }).getByTestId('metric-help')).toContainText('Neither way is better.')
    // Static allocation grants full allocations: more CPU is unmet than with hybrid, which the table marks best.
    const unmetRow = table.locator('tr', { hasText: 'Unmet demand' }).first()
    await expect(unmetRow.getByTestId('best-value')).toHaveCount(1)
    const result = await serve.call('whatif.list', {})
    expect(result.map((s) => s.name)).toContain('Demo cluster (2 days of Bitbrains demand)')

    for (const chart of ['whatif-utilization-chart', 'whatif-unmet-chart']) {
      await expect.poll(() => paintedPixels(app, chart), { message: `${chart} has drawn pixels` }).toBeGreaterThan(500)
    }
    await expect(app.getByTestId('whatif-wait-chart')).toContainText('No queued requests')
  })

  test('on the demo, a generated queue makes FCFS, SJF, priority and EASY differ; hosts and VMs can be changed', async ({ app }) => {
    await app.getByTestId('nav-what-if').click()
    await app.getByTestId('whatif-build-demo').click()
    await expect(app.getByTestId('whatif-current')).toContainText('24 VMs')
    // A seeded Poisson stream over the two days, and the four queue policies side by side.
    await app.getByTestId('whatif-add-stream').click()
    await expect(app.getByTestId('whatif-stream')).toHaveCount(1)
    await app.getByTestId('whatif-compare-schedulers').click()
    await expect(app.getByTestId('whatif-policy')).toHaveCount(4)
    // A host failure and a resized VM.
    await app.getByTestId('whatif-add-edit').click()
    await expect(app.getByTestId('whatif-edit')).toHaveAttribute('data-kind', 'hostFailure')
    await app.getByTestId('whatif-run').click()
    const table = app.getByTestId('whatif-metrics')
    await expect(table.locator('th')).toHaveText(['Metric', '1. dynamic · FCFS', '2. dynamic · SJF', '3. dynamic · PRIORITY', '4. dynamic · EASY'], { timeout: 60_000 })
    const waits = await table.locator('tr', { hasText: 'Queue wait mean' }).locator('td .numeric').allTextContents()
    expect(waits).toHaveLength(4)
    expect(new Set(waits).size, `queue waits ${waits.join(', ')} differ by policy`).toBeGreaterThanOrEqual(3)
    await expect(table.locator('tr', { hasText: 'HA restarts' }).locator('td .numeric').first()).not.toHaveText('0')
    await expect.poll(() => paintedPixels(app, 'whatif-wait-chart'), { message: 'the wait CDF has drawn pixels' }).toBeGreaterThan(500)
  })

  test("loads the article's example and explains why static, dynamic and hybrid, FCFS, SJF and priority differ", async ({ app }) => {
    // Five replays and a six-column table: more than one policy set's worth of work on a busy machine.
    test.setTimeout(120_000)
    await app.getByTestId('nav-what-if').click()
    await app.getByTestId('whatif-build-example').click()
    await expect(app.getByTestId('whatif-current')).toContainText('1 host · 2 VMs')
    await expect(app.getByTestId('whatif-example')).toContainText('VM A (1 core, 1 GiB, 10 GiB disk)')
    await expect(app.getByTestId('whatif-policy')).toHaveCount(5)
    await app.getByTestId('whatif-run').click()
    const table = app.getByTestId('whatif-metrics')
    await expect(table.locator('th')).toHaveText(['Metric', '1. static · FCFS', '2. dynamic · FCFS', '3. hybrid · FCFS', '4. hybrid · SJF', '5. hybrid · PRIORITY'])
    // Thick disks leave no room for the archive job: static is the only run with a rejection for disk.
    const disk = table.locator('tr', { hasText: 'Requests rejected for disk' })
    await expect(disk.locator('td').nth(1)).toHaveText('1')
    await expect(disk.locator('td').nth(2)).toHaveText('0')
  })

  test('imports a scenario file with a queue and draws the wait-time CDF per policy', async ({ app }) => {
    await app.getByTestId('nav-what-if').click()
    await app.getByTestId('whatif-file').setInputFiles({ name: 'queue.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(queued)) })
    await expect(app.getByTestId('whatif-current')).toContainText('e2e queue')
    await expect(app.getByTestId('whatif-current')).toContainText('6 queued requests')
    await app.getByTestId('whatif-run').click()
    await expect(app.getByTestId('whatif-metrics')).toContainText('Queue wait mean')
    await expect.poll(() => paintedPixels(app, 'whatif-wait-chart'), { message: 'the wait CDF has drawn pixels' }).toBeGreaterThan(500)
  })

  test('refuses an invalid scenario file and names the field, without adding it', async ({ app, serve }) => {
    const before = await serve.call('whatif.list', {})
    await app.getByTestId('nav-what-if').click()
    const bad = { ...queued, hosts: [{ id: 'h1', cpuCores: 0, memoryMiB: 32768 }] }
    await app.getByTestId('whatif-file').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) })
    await expect(app.getByTestId('whatif-error')).toContainText('bad.json is not a valid VirtPilot scenario')
    await expect(app.getByTestId('whatif-error')).toContainText('hosts.0.cpuCores')
    expect(await serve.call('whatif.list', {})).toEqual(before)
  })

  test("imports a spreadsheet's CSV (quoted names, semicolons) and refuses one with a quote left open, naming its line", async ({ app, serve }) => {
    await app.getByTestId('nav-what-if').click()
    const before = await serve.call('whatif.list', {})
    // As a spreadsheet in a decimal-comma locale saves it: semicolons, every text quoted, CRLF.
    const sheet = ['"VM";"Timestamp";"CPU";"Mem"', '"web; eu";"2024-01-01T00:00:00Z";1;512', '"web; eu";"2024-01-01T00:05:00Z";2;512', '"say ""hi""";"2024-01-01T00:00:00Z";0.5;256'].join('\r\n')
    await app.getByTestId('whatif-file').setInputFiles({ name: 'sheet.csv', mimeType: 'text/csv', buffer: Buffer.from(sheet) })
    await expect(app.getByTestId('whatif-current')).toContainText('1 host · 2 VMs')
    const added = (await serve.call('whatif.list', {})).filter((s) => !before.some((b) => b.id === s.id))
    expect(added).toHaveLength(1)
    expect((await serve.call('whatif.get', { id: added[0]!.id })).vmList.map((v) => v.id)).toEqual(['say "hi"', 'web; eu'])

    const listed = await serve.call('whatif.list', {})
    const open = ['vm,timestamp,cpu,mem', 'a,1704067200,1,1', '"b,1704067200,1,1', 'c,1704067500,1,1'].join('\n')
    await app.getByTestId('whatif-file').setInputFiles({ name: 'open.csv', mimeType: 'text/csv', buffer: Buffer.from(open) })
    await expect(app.getByTestId('whatif-error')).toContainText('open.csv is not valid CSV')
    await expect(app.getByTestId('whatif-error')).toContainText('line 3: a quoted field is not closed')
    expect(await serve.call('whatif.list', {})).toEqual(listed)
  })
})
