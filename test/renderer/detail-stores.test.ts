import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import type { Snapshot } from '../../shared/model'
import { vmMetrics } from '../../shared/model/series'
import { useHostDetailStore } from '../../src-renderer/stores/host-detail'
import { useVmDetailStore } from '../../src-renderer/stores/vm-detail'
import { services } from './setup'

/** The next poll as the event would bring it: the same cluster, `ms` later, every figure a little different. */
function later(snapshot: Snapshot, ms: number): Snapshot {
  const t = snapshot.t + ms
  return {
    ...snapshot,
    t,
    hostSamples: snapshot.hostSamples.map((s) => ({ ...s, t, cpuPct: s.cpuPct + 1 })),
    vmSamples: snapshot.vmSamples.map((s) => ({ ...s, t, cpuUsedCores: s.cpuUsedCores + 0.5 })),
  }
}

describe('host and VM detail: one series path, one live composable', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('loads a VM series of every metric by name and extends it with each snapshot while live', async () => {
    const snapshot = services.cluster.snapshot()
    const vm = snapshot.vms[0]!
    const store = useVmDetailStore()
    // The demo starts with its two recorded days (5-minute steps): a day of them is 288 points.
    await store.load(vm.id, snapshot.t - 24 * 3600_000, snapshot.t + 1)
    expect(store.error).toBeNull()
    const loaded = store.series!
    expect(loaded.kind).toBe('vm')
    // Every metric the store keeps for a VM, by name: usage, the QEMU thread split, KVM's counters.
    expect(Object.keys(loaded.series).sort()).toEqual([...vmMetrics].sort())
    const before = loaded.series.cpuUsedCores!.t.length
    expect(before).toBeGreaterThan(100)
    const next = later(snapshot, 2000)
    store.applySnapshot(next)
    const cpu = store.series!.series.cpuUsedCores!
    expect(cpu.t.at(-1)).toBe(next.t)
    expect(cpu.values.at(-1)).toBe(next.vmSamples.find((s) => s.vmId === vm.id)!.cpuUsedCores)
    expect(store.range).toEqual({ from: next.t - 15 * 60_000, to: next.t + 1 })
    // A snapshot not newer than the last point adds nothing.
    store.applySnapshot(next)
    expect(store.series!.series.cpuUsedCores!.t.length).toBe(cpu.t.length)
  })

  it('loads a host history and extends its series and its VM stack live', async () => {
    const snapshot = services.cluster.snapshot()
    const host = snapshot.hosts[0]!
    const store = useHostDetailStore()
    await store.load(host.id, snapshot.t - 10 * 60_000, snapshot.t + 1)
    expect(store.error).toBeNull()
    expect(store.history!.host.kind).toBe('host')
    expect(store.history!.vms.items.length).toBeGreaterThan(0)
    const next = later(snapshot, 2000)
    store.applySnapshot(next)
    const history = store.history!
    expect(history.host.series.cpuPct!.values.at(-1)).toBe(next.hostSamples.find((s) => s.hostId === host.id)!.cpuPct)
    expect(history.vms.t.at(-1)).toBe(next.t)
    expect(store.range!.to).toBe(next.t + 1)
  })
})
