import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { HostSample, VmSample } from '../../../shared/model'
import { bucketStart, ROLLUP_MS } from '../../../src-main/store/rollup'
import { percentile95, seriesFromRaw, vmStackGrid } from '../../../src-main/store/series'
import { openStore, type Store } from '../../../src-main/store'

/**
 * The rollup + raw-tail reads against a real SQLite file: a range read from rollups up to the
 * rollup boundary and from raw samples after it must give what the raw samples alone give (the
 * stack) or what complete rollups give (the series): nothing counted twice, nothing left out.
 */

const HOUR = 3600_000
const STEP = 10_000
// Not on a 5-minute boundary, so the last bucket is partial and the range's start is inside one.
const NOW = 1_750_000_123_000
const FROM = NOW - 6 * HOUR
// Rollups reach up to here; raw samples after it are the tail (not on a stack bucket boundary).
const ROLLED_AT = NOW - 42 * 60_000
const VMS = ['a', 'b', 'c']

/** Values that change within every 5-minute bucket, so means, peaks and weights all matter. */
function vmSample(vmId: string, i: number, t: number): VmSample {
  const wave = Math.sin(t / 170_000 + i) + 1
  return {
    vmId, hostId: 'h1', t, cpuPct: 0, cpuUsedCores: (i + 1) * wave, cpuReadyPct: wave / 4, memUsedMiB: 1000 * (i + 1) + 100 * wave + (t % 70_000) / 1000,
    diskReadBps: 10 * wave, diskWriteBps: 20 * wave, diskReadIops: wave, diskWriteIops: 2 * wave, netRxBps: 30 * wave, netTxBps: 40 * wave,
  }
}
function hostSample(t: number): HostSample {
  const wave = Math.cos(t / 230_000) + 1
  return { hostId: 'h1', t, cpuPct: 30 * wave, cpuUsedCores: 3 * wave, memUsedMiB: 5000 + 500 * wave, memTotalMiB: 16_000 + (t % 300_000 < STEP ? 1 : 0), diskReadBps: wave, diskWriteBps: wave, netRxBps: wave, netTxBps: wave }
}

const rawVm: VmSample[] = []
const rawHost: HostSample[] = []
for (let t = FROM - 7 * 60_000; t < NOW; t += STEP) {
  rawHost.push(hostSample(t))
  VMS.forEach((id, i) => rawVm.push(vmSample(id, i, t)))
}

let dir: string
const stores: Store[] = []
function storeWithSamples(name: string): Store {
  const store = openStore(join(dir, `${name}.db`))
  store.samples.save(rawHost, rawVm)
  stores.push(store)
  return store
}
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'virtpilot-series-rollup-'))
})
afterEach(() => {
  for (const store of stores.splice(0)) store.close()
  rmSync(dir, { recursive: true, force: true })
})

const VM_METRICS = ['cpuUsedCores', 'cpuReadyPct', 'memUsedMiB', 'diskWriteIops'] as const
/** Read from rollups: 72 five-minute buckets over 6 h fill 50 points. */
const ROLLUP_RANGE = { from: FROM, to: NOW + 1, maxPoints: 50, rawKeptMs: 48 * HOUR, now: NOW }

describe('series from rollups and the raw tail', () => {
  it('picks raw while its detail fits in maxPoints, rollups when they fill it or raw is gone', () => {
    const day = { from: NOW - 24 * HOUR, to: NOW, rawKeptMs: 48 * HOUR, now: NOW }
    expect(seriesFromRaw({ ...day, maxPoints: 1000 })).toBe(true)
    expect(seriesFromRaw({ ...day, maxPoints: 288 })).toBe(false)
    expect(seriesFromRaw({ from: NOW - 7 * 24 * HOUR, to: NOW, maxPoints: 1000, rawKeptMs: 48 * HOUR, now: NOW })).toBe(false)
    expect(seriesFromRaw({ from: NOW - 50 * HOUR, to: NOW - 49 * HOUR, maxPoints: 1000, rawKeptMs: 48 * HOUR, now: NOW })).toBe(false)
  })

  it('gives the same buckets as complete rollups: no gap and no bucket twice at the boundary', () => {
    const partial = storeWithSamples('partial')
    partial.samples.rollUp(ROLLED_AT)
    const boundary = partial.samples.rolledUpUntil()
    expect(boundary).toBe(bucketStart(ROLLED_AT))
    const complete = storeWithSamples('complete')
    // Folds every sample, the last partial bucket included.
    complete.samples.rollUp(NOW + ROLLUP_MS)

    const composed = partial.samples.vmSeries('b', VM_METRICS, ROLLUP_RANGE)
    const reference = complete.samples.vmSeries('b', VM_METRICS, ROLLUP_RANGE)
    expect(composed.source).toBe('rollup')
    // Buckets starting in [from, to): the one holding `from` starts before it and is left out.
    const expectedT = Array.from({ length: (bucketStart(NOW) - bucketStart(FROM)) / ROLLUP_MS }, (_, i) => bucketStart(FROM) + (i + 1) * ROLLUP_MS)
    expect(composed.pointsRead).toBe(expectedT.length)
    expect(reference.pointsRead).toBe(expectedT.length)
    // maxPoints above the bucket count here would keep all; LTTB keeps the first and last.
    const all = { ...ROLLUP_RANGE, maxPoints: 1000, rawKeptMs: 0 }
    const composedAll = partial.samples.vmSeries('b', VM_METRICS, all)
    const referenceAll = complete.samples.vmSeries('b', VM_METRICS, all)
    expect(composedAll.series.cpuUsedCores.t).toEqual(expectedT)
    expect(referenceAll.series.cpuUsedCores.t).toEqual(expectedT)
    expect(expectedT).toContain(boundary)
    for (const metric of VM_METRICS) {
      const got = composedAll.series[metric].values
      const want = referenceAll.series[metric].values
      expect(got).toHaveLength(want.length)
      got.forEach((v, i) => expect(v, `${metric} at bucket ${i}`).toBeCloseTo(want[i]!, 9))
      expect(composedAll.p95[metric]).toBeCloseTo(referenceAll.p95[metric]!, 9)
      // p95 of the stored points of the range, rollups and tail buckets alike.
      expect(composedAll.p95[metric]).toBe(percentile95(got))
    }
    // The tail bucket of memory is its peak, like the rollups' memory column.
    const tailIndex = expectedT.indexOf(boundary)
    const tailSamples = rawVm.filter((s) => s.vmId === 'b' && s.t >= boundary && s.t < boundary + ROLLUP_MS)
    expect(composedAll.series.memUsedMiB.values[tailIndex]).toBe(Math.max(...tailSamples.map((s) => s.memUsedMiB)))
    expect(composedAll.series.cpuUsedCores.values[tailIndex]).toBeCloseTo(tailSamples.reduce((sum, s) => sum + s.cpuUsedCores, 0) / tailSamples.length, 9)
    // And the downsampled answer is the same series reduced the same way.
    expect(composed.series.cpuUsedCores.t).toEqual(reference.series.cpuUsedCores.t)
  })

  it('reads only raw samples (in 5-minute buckets) before the first rollup, for hosts too', () => {
    const none = storeWithSamples('none')
    const complete = storeWithSamples('complete')
    complete.samples.rollUp(NOW + ROLLUP_MS)
    expect(none.samples.rolledUpUntil()).toBe(0)
    const range = { ...ROLLUP_RANGE, maxPoints: 1000, rawKeptMs: 0 }
    const metrics = ['cpuPct', 'memUsedMiB', 'memTotalMiB'] as const
    const got = none.samples.hostSeries('h1', metrics, range)
    const want = complete.samples.hostSeries('h1', metrics, range)
    expect(got.source).toBe('rollup')
    expect(got.series.cpuPct.t).toEqual(want.series.cpuPct.t)
    for (const metric of metrics) got.series[metric].values.forEach((v, i) => expect(v).toBeCloseTo(want.series[metric].values[i]!, 9))
    // memTotalMiB is a peak in the rollups (one sample per bucket is 1 MiB more).
    expect(new Set(got.series.memTotalMiB.values)).toEqual(new Set([16_001]))
  })

  it('keeps reading raw samples, unchanged, for a range raw detail fits in', () => {
    const store = storeWithSamples('raw')
    store.samples.rollUp(ROLLED_AT)
    const out = store.samples.vmSeries('a', ['cpuUsedCores'], { from: NOW - HOUR, to: NOW + 1, maxPoints: 1000, rawKeptMs: 48 * HOUR, now: NOW })
    expect(out.source).toBe('raw')
    expect(out.pointsRead).toBe(360)
    expect(out.series.cpuUsedCores.values).toEqual(rawVm.filter((s) => s.vmId === 'a' && s.t >= NOW - HOUR).map((s) => s.cpuUsedCores))
  })
})

/** The stack computed from the raw samples alone, on the grid vmStack chose. */
function rawStack(origin: number, stepMs: number, to: number): Map<string, Map<number, { cpu: number; mem: number }>> {
  const sums = new Map<string, Map<number, { cpu: number; mem: number; n: number }>>()
  for (const s of rawVm) {
    if (s.t < origin || s.t >= to) continue
    const b = Math.floor((s.t - origin) / stepMs)
    const perVm = sums.get(s.vmId) ?? sums.set(s.vmId, new Map()).get(s.vmId)!
    const sum = perVm.get(b) ?? perVm.set(b, { cpu: 0, mem: 0, n: 0 }).get(b)!
    sum.cpu += s.cpuUsedCores
    sum.mem += s.memUsedMiB
    sum.n++
  }
  return new Map([...sums].map(([vm, buckets]) => [vm, new Map([...buckets].map(([b, s]) => [b, { cpu: s.cpu / s.n, mem: s.mem / s.n }]))]))
}

describe('the VM stack from rollups and the raw tail', () => {
  const vms = VMS.map((id) => ({ id, name: id.toUpperCase() }))
  const query = { from: FROM, to: NOW + 1, buckets: 36, rawKeptMs: 48 * HOUR, now: NOW, top: 2 }

  it('uses whole 5-minute rollups per bucket once buckets are that long, raw below', () => {
    const grid = vmStackGrid(query)
    expect(grid.fromRaw).toBe(false)
    expect(grid.origin).toBe(bucketStart(FROM))
    expect(grid.stepMs % ROLLUP_MS).toBe(0)
    expect(Math.ceil((query.to - grid.origin) / grid.stepMs)).toBeLessThanOrEqual(query.buckets)
    expect(vmStackGrid({ ...query, from: NOW - HOUR, to: NOW, buckets: 180 })).toEqual({ fromRaw: true, origin: NOW - HOUR, stepMs: 20_000 })
    // Raw samples are gone for this range: rollups even for short buckets.
    expect(vmStackGrid({ ...query, from: NOW - 60 * HOUR, to: NOW - 59 * HOUR, buckets: 180 })).toMatchObject({ fromRaw: false, stepMs: ROLLUP_MS })
  })

  for (const [label, rolledAt] of [
    ['rolled up to inside a bucket', ROLLED_AT],
    ['not rolled up yet', undefined],
    ['rolled up entirely', NOW + ROLLUP_MS],
  ] as const) {
    it(`averages exactly the raw samples of each bucket (${label})`, () => {
      const store = storeWithSamples('stack')
      if (rolledAt !== undefined) store.samples.rollUp(rolledAt)
      const stack = store.samples.vmStack(vms, query)
      const { origin, stepMs } = vmStackGrid(query)
      expect(stack.stepMs).toBe(stepMs)
      const want = rawStack(origin, stepMs, query.to)
      const buckets = [...want.get('a')!.keys()].sort((x, y) => x - y)
      expect(stack.t).toEqual(buckets.map((b) => origin + b * stepMs))
      // Consecutive buckets: none missing at the rollup boundary.
      stack.t.slice(1).forEach((t, i) => expect(t - stack.t[i]!).toBe(stepMs))
      if (rolledAt === ROLLED_AT) expect((bucketStart(ROLLED_AT) - origin) % stepMs).not.toBe(0)
      // c is busiest, then b; a goes to the others.
      expect(stack.items.map((item) => item.vmId)).toEqual(['c', 'b'])
      for (const item of stack.items) {
        buckets.forEach((b, i) => {
          expect(item.cpuUsedCores[i], `${item.vmId} cpu at ${i}`).toBeCloseTo(want.get(item.vmId)!.get(b)!.cpu, 9)
          expect(item.memUsedMiB[i], `${item.vmId} mem at ${i}`).toBeCloseTo(want.get(item.vmId)!.get(b)!.mem, 9)
        })
      }
      expect(stack.others?.count).toBe(1)
      buckets.forEach((b, i) => expect(stack.others!.cpuUsedCores[i]).toBeCloseTo(want.get('a')!.get(b)!.cpu, 9))
    })
  }

  it('still covers the old part from rollups once its raw samples are pruned', () => {
    const store = storeWithSamples('pruned')
    store.samples.rollUp(ROLLED_AT)
    store.samples.pruneSamples(ROLLED_AT - HOUR)
    const stack = store.samples.vmStack(vms, query)
    const { origin, stepMs } = vmStackGrid(query)
    const want = rawStack(origin, stepMs, query.to)
    expect(stack.t).toHaveLength(want.get('a')!.size)
    expect(stack.items[0]!.cpuUsedCores[0]).toBeCloseTo(want.get('c')!.get(0)!.cpu, 9)
  })
})
