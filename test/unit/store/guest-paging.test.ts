import { describe, expect, it } from 'vitest'
import type { VmSample } from '../../../shared/model'
import { openStore } from '../../../src-main/store'

describe("a guest's own paging in the store", () => {
  it('keeps it per sample and in rollups; a guest that reports none has no points rather than zeros', () => {
    const store = openStore(':memory:')
    const base = { hostId: 'kvm', cpuPct: 10, cpuUsedCores: 0.2, cpuReadyPct: 0, memUsedMiB: 900, diskReadBps: 0, diskWriteBps: 0, diskReadIops: 0, diskWriteIops: 0, netRxBps: 0, netTxBps: 0 }
    const t0 = 1_800_000_000_000
    const samples: VmSample[] = []
    for (let i = 0; i < 30; i++) {
      samples.push({ vmId: 'tight', t: t0 + i * 10_000, ...base, guestSwapInBps: i % 2 ? 8192 : 0, guestSwapOutBps: 1024, guestMajorFaultsPs: 2 })
      samples.push({ vmId: 'silent', t: t0 + i * 10_000, ...base })
    }
    store.samples.save([], samples)
    const range = { from: t0, to: t0 + 300_000, maxPoints: 1000, now: t0 + 300_000 }
    const tight = store.samples.vmSeries('tight', ['guestSwapInBps', 'guestMajorFaultsPs'], range)
    expect(tight.series.guestSwapInBps.values).toHaveLength(30)
    expect(tight.p95.guestMajorFaultsPs).toBe(2)
    expect(store.samples.vmSeries('silent', ['guestSwapInBps'], range).series.guestSwapInBps).toEqual({ t: [], values: [] })
    store.samples.rollUp(t0 + 600_000)
    const old = { ...range, rawKeptMs: 0 }
    expect(store.samples.vmSeries('tight', ['guestSwapInBps'], old).series.guestSwapInBps.values).toEqual([4096])
    expect(store.samples.vmSeries('silent', ['guestSwapInBps'], old).series.guestSwapInBps.values).toEqual([])
    store.close()
  })
})
