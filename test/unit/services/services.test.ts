import { describe, expect, it } from 'vitest'
import { dispatch } from '../../../shared/api'
import { createServices } from '../../../src-main/services/services'

const ctx = { transport: 'test' as const }

describe('services', () => {
  it('starts the demo cluster by default with its two recorded days already stored', async () => {
    let now = 1_800_000_000_000
    const services = createServices({ transport: 'cli', dataFile: ':memory:', version: 't', clock: () => now, log: () => {} })
    await services.start()
    const snapshot = services.cluster.snapshot()
    expect(snapshot.hosts).toHaveLength(3)
    expect(snapshot.vmSamples).toHaveLength(24)
    const history = await dispatch(services.handlers, 'cluster.history', { from: now - 48 * 3600_000, to: now, maxPoints: 1000 }, ctx)
    expect(history.ok).toBe(true)
    if (history.ok) {
      const series = history.value as { cpuUsedCores: { t: number[] }; cpuCapacityCores: number }
      // One point per 5-minute trace row of the two days (the first read only starts the counters).
      expect(series.cpuUsedCores.t.length).toBeGreaterThanOrEqual(570)
      expect(series.cpuUsedCores.t[0]).toBeLessThan(now - 47 * 3600_000)
      expect(series.cpuCapacityCores).toBe(32 + 24 + 16)
    }
    // Stored like a real host's samples: raw, and rolled up into 5-minute buckets.
    const vmId = snapshot.vms[0]!.id
    const rolled = await services.history.usage([vmId], now)
    expect(rolled.vms[vmId]!.t.length).toBeGreaterThanOrEqual(570)
    now += 1
    await services.stop()
  })

  it('turns the demo off and on through settings, telling listeners', async () => {
    const services = createServices({ transport: 'cli', dataFile: ':memory:', version: 't', log: () => {} })
    await services.start()
    const changes: boolean[] = []
    services.events.on('settings.changed', (s) => changes.push(s.demoEnabled))
    await dispatch(services.handlers, 'settings.update', { demoEnabled: false }, ctx)
    expect(services.cluster.snapshot().hosts).toEqual([])
    expect((await dispatch(services.handlers, 'app.info', {}, ctx)) as unknown).toMatchObject({ ok: true, value: { demoRunning: false } })
    await dispatch(services.handlers, 'settings.update', { demoEnabled: true }, ctx)
    expect(services.cluster.snapshot().hosts).toHaveLength(3)
    expect(changes).toEqual([false, true])
    await services.stop()
  })

  it('every snapshot host carries the allocation ratios from settings: its own where set, else the cluster\'s', async () => {
    const services = createServices({ transport: 'cli', dataFile: ':memory:', version: 't', log: () => {} })
    await services.start()
    const [first, ...rest] = services.cluster.snapshot().hosts
    expect(first!.allocationRatio).toEqual({ cpu: 4, memory: 1 })
    const update = await dispatch(services.handlers, 'settings.update', { allocationRatios: { cluster: { cpu: 2, memory: 1 }, hosts: { [first!.id]: { cpu: 3, memory: 1.5 } } } }, ctx)
    expect(update.ok).toBe(true)
    const hosts = services.cluster.snapshot().hosts
    expect(hosts.find((h) => h.id === first!.id)!.allocationRatio).toEqual({ cpu: 3, memory: 1.5 })
    for (const h of rest) expect(hosts.find((x) => x.id === h.id)!.allocationRatio).toEqual({ cpu: 2, memory: 1 })
    // A ratio outside what the contract allows is refused, the stored one kept.
    const bad = await dispatch(services.handlers, 'settings.update', { allocationRatios: { cluster: { cpu: 0, memory: 1 }, hosts: {} } }, ctx)
    expect(bad.ok).toBe(false)
    expect(services.cluster.snapshot().hosts.find((h) => h.id === first!.id)!.allocationRatio).toEqual({ cpu: 3, memory: 1.5 })
    await services.stop()
  })
})
