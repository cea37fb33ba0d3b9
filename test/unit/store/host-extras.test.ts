import { describe, expect, it } from 'vitest'
import type { HostSample } from '../../../shared/model'
import { openStore } from '../../../src-main/store'

describe('a host\'s pressure, swap and load in the store', () => {
  it('keeps them per sample and in rollups, and a host that reports none has no points rather than zeros', () => {
    const store = openStore(':memory:')
    const base = { cpuPct: 10, cpuUsedCores: 0.2, memUsedMiB: 100, memTotalMiB: 1000, diskReadBps: 0, diskWriteBps: 0, netRxBps: 0, netTxBps: 0 }
    const t0 = 1_800_000_000_000
    const samples: HostSample[] = []
    for (let i = 0; i < 30; i++) {
      samples.push({ hostId: 'kvm', t: t0 + i * 10_000, ...base, cpuPressurePct: i % 2 ? 30 : 10, memPressurePct: 0, ioPressurePct: 5, swapInBps: 4096, swapOutBps: 0, load1: 1.5 })
      samples.push({ hostId: 'demo', t: t0 + i * 10_000, ...base })
    }
    store.samples.save(samples, [])
    const range = { from: t0, to: t0 + 300_000, maxPoints: 1000, now: t0 + 300_000 }
    const kvm = store.samples.hostSeries('kvm', ['cpuPressurePct', 'load1'], range)
    expect(kvm.series.cpuPressurePct.values).toHaveLength(30)
    expect(kvm.p95.load1).toBe(1.5)
    const demo = store.samples.hostSeries('demo', ['cpuPressurePct', 'cpuPct'], range)
    expect(demo.series.cpuPressurePct).toEqual({ t: [], values: [] })
    expect(demo.p95.cpuPressurePct).toBeNull()
    expect(demo.series.cpuPct.values).toHaveLength(30)
    // Rolled up: the mean of what was reported; none stays none.
    store.samples.rollUp(t0 + 600_000)
    const old = { ...range, rawKeptMs: 0 }
    expect(store.samples.hostSeries('kvm', ['cpuPressurePct', 'swapInBps'], old).series.cpuPressurePct.values).toEqual([20])
    expect(store.samples.hostSeries('demo', ['cpuPressurePct'], old).series.cpuPressurePct.values).toEqual([])
    store.close()
  })
})
