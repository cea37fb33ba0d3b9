import { describe, expect, it } from 'vitest'
import type { ClusterSeries, Host, HostSample, Snapshot } from '../../../shared/model'
import { appendSnapshot, emptyHistory, historyFromSeries, HISTORY_WINDOW_MS, snapshotTotals } from '../../../src-renderer/stores/cluster-history'

function host(id: string, threads: number, memoryMiB: number): Host {
  return {
    id,
    name: id,
    source: 'libvirt',
    state: 'online',
    cpu: { model: 'EPYC', sockets: 1, coresPerSocket: threads, threadsPerCore: 1, threads, mhz: 2000 },
    memoryMiB,
    numa: [],
    tags: [],
  }
}

function sample(hostId: string, t: number, cpuUsedCores: number, memUsedMiB: number, memTotalMiB: number): HostSample {
  return { hostId, t, cpuPct: 0, cpuUsedCores, memUsedMiB, memTotalMiB, diskReadBps: 0, diskWriteBps: 0, netRxBps: 0, netTxBps: 0 }
}

function snapshot(t: number, samples: HostSample[], hosts = [host('kvm1', 16, 65536), host('kvm2', 8, 32768)]): Snapshot {
  return { t, hosts, vms: [], hostSamples: samples, vmSamples: [] }
}

describe('snapshotTotals', () => {
  it('sums capacity over every host and usage over the sampled ones', () => {
    const totals = snapshotTotals(snapshot(1000, [sample('kvm1', 1000, 4.5, 20_000, 64_000)]))
    // kvm2 has no sample yet: its capacity counts (from inventory), its usage is unknown, not zero load.
    expect(totals).toEqual({ cpuUsedCores: 4.5, memUsedMiB: 20_000, cpuCapacityCores: 24, memCapacityMiB: 64_000 + 32_768, sampled: true })
  })

  it('says when nothing was sampled', () => {
    expect(snapshotTotals(snapshot(1000, [])).sampled).toBe(false)
    expect(snapshotTotals(snapshot(1000, [], []))).toEqual({ cpuUsedCores: 0, memUsedMiB: 0, cpuCapacityCores: 0, memCapacityMiB: 0, sampled: false })
  })
})

describe('historyFromSeries', () => {
  const series = (cpu: [number, number][], mem: [number, number][]): ClusterSeries => ({
    from: 0,
    to: 10_000,
    stepMs: 1000,
    cpuUsedCores: { t: cpu.map(([t]) => t), values: cpu.map(([, v]) => v) },
    cpuCapacityCores: 24,
    memUsedMiB: { t: mem.map(([t]) => t), values: mem.map(([, v]) => v) },
    memCapacityMiB: 98_304,
  })

  it('pairs the CPU and memory points of the same bucket', () => {
    expect(historyFromSeries(series([[1000, 2], [2000, 3]], [[1000, 500], [2000, 600]]))).toEqual({
      t: [1000, 2000],
      cpuUsedCores: [2, 3],
      memUsedMiB: [500, 600],
      cpuCapacityCores: 24,
      memCapacityMiB: 98_304,
    })
  })

  it('drops a bucket only one of the series has', () => {
    const history = historyFromSeries(series([[1000, 2], [2000, 3], [3000, 4]], [[1000, 500], [3000, 700]]))
    expect(history.t).toEqual([1000, 3000])
    expect(history.cpuUsedCores).toEqual([2, 4])
    expect(history.memUsedMiB).toEqual([500, 700])
  })

  it('gives an empty history for an empty series, keeping the capacity', () => {
    expect(historyFromSeries(series([], []))).toMatchObject({ t: [], cpuUsedCores: [], memUsedMiB: [], cpuCapacityCores: 24 })
  })
})

describe('appendSnapshot', () => {
  const sampled = (t: number, cores: number) => snapshot(t, [sample('kvm1', t, cores, 1000, 64_000), sample('kvm2', t, 1, 500, 32_000)])

  it('appends the totals of a newer snapshot and takes its capacity', () => {
    const once = appendSnapshot(emptyHistory, sampled(10_000, 2))
    const twice = appendSnapshot(once, sampled(12_000, 5))
    expect(twice).toEqual({ t: [10_000, 12_000], cpuUsedCores: [3, 6], memUsedMiB: [1500, 1500], cpuCapacityCores: 24, memCapacityMiB: 96_000 })
  })

  it('ignores a repeated or older snapshot', () => {
    const history = appendSnapshot(emptyHistory, sampled(10_000, 2))
    expect(appendSnapshot(history, sampled(10_000, 9)).t).toEqual([10_000])
    expect(appendSnapshot(history, sampled(9_000, 9)).cpuUsedCores).toEqual([3])
  })

  it('adds no point for a snapshot without samples but still updates the capacity', () => {
    const history = appendSnapshot(emptyHistory, snapshot(10_000, [], [host('kvm1', 4, 8192)]))
    expect(history.t).toEqual([])
    expect(history.cpuCapacityCores).toBe(4)
    expect(history.memCapacityMiB).toBe(8192)
  })

  it('keeps only the points inside the window, the window edge included', () => {
    let history = emptyHistory
    for (const t of [0, 60_000, 120_000]) history = appendSnapshot(history, sampled(t, 1))
    const later = appendSnapshot(history, sampled(60_000 + HISTORY_WINDOW_MS, 1))
    expect(later.t).toEqual([60_000, 120_000, 60_000 + HISTORY_WINDOW_MS])
    expect(later.cpuUsedCores).toHaveLength(3)
    expect(later.memUsedMiB).toHaveLength(3)
  })

  it('empties the history when every point fell out of a short window', () => {
    const history = appendSnapshot(emptyHistory, sampled(0, 1))
    expect(appendSnapshot(history, snapshot(10_000, []), 5_000).t).toEqual([])
  })

  it('does not change the history it was given', () => {
    const history = appendSnapshot(emptyHistory, sampled(10_000, 2))
    const copy = structuredClone(history)
    appendSnapshot(history, sampled(11_000, 4))
    expect(history).toEqual(copy)
    expect(emptyHistory.t).toEqual([])
  })
})
