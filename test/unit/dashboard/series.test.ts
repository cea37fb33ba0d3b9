import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { HostSample, VmSample } from '../../../shared/model'
import { openStore, type Store } from '../../../src-main/store'
import { percentile95 } from '../../../src-main/store/series'

let dir: string
let store: Store
const HOUR = 3600_000
const NOW = 1_750_000_000_000
const RAW_KEPT = 48 * HOUR

function hostSample(t: number, cpuPct: number): HostSample {
  return { hostId: 'h1', t, cpuPct, cpuUsedCores: cpuPct / 10, memUsedMiB: 1000, memTotalMiB: 4000, diskReadBps: 1, diskWriteBps: 2, netRxBps: 3, netTxBps: 4 }
}
function vmSample(vmId: string, t: number, cores: number, ready: number, mem: number): VmSample {
  return { vmId, hostId: 'h1', t, cpuPct: 0, cpuUsedCores: cores, cpuReadyPct: ready, memUsedMiB: mem, diskReadBps: 0, diskWriteBps: 0, diskReadIops: 5, diskWriteIops: 7, netRxBps: 0, netTxBps: 0 }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'virtpilot-series-'))
  store = openStore(join(dir, 'virtpilot.db'))
  // 24 h of 10 s samples for one host and two VMs, with one CPU spike.
  const hostRows: HostSample[] = []
  const vmRows: VmSample[] = []
  for (let t = NOW - 24 * HOUR; t < NOW; t += 10_000) {
    const spike = t === NOW - 12 * HOUR
    hostRows.push(hostSample(t, spike ? 99 : 20))
    vmRows.push(vmSample('busy', t, 2, 3, 900), vmSample('idle', t, 0.1, 0, 100))
  }
  store.samples.save(hostRows, vmRows)
})
afterEach(() => {
  store.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('dashboard series queries on a real SQLite file', () => {
  it('reads raw samples for 24 h and sends at most maxPoints, spike included', () => {
    const out = store.samples.hostSeries('h1', ['cpuPct', 'memUsedMiB'], { from: NOW - 24 * HOUR, to: NOW, maxPoints: 1000, rawKeptMs: RAW_KEPT, now: NOW })
    expect(out.source).toBe('raw')
    expect(out.pointsRead).toBe(8640)
    expect(out.series.cpuPct.t.length).toBe(1000)
    expect(Math.max(...out.series.cpuPct.values)).toBe(99)
    expect(out.series.memUsedMiB.values.every((v) => v === 1000)).toBe(true)
    expect(out.p95.cpuPct).toBe(20)
  })

  it('reads 5-minute rollups for a range older than the raw retention', () => {
    store.samples.rollUp(NOW)
    const out = store.samples.vmSeries('busy', ['cpuUsedCores', 'diskWriteIops'], { from: NOW - 24 * HOUR, to: NOW, maxPoints: 1000, rawKeptMs: HOUR, now: NOW })
    expect(out.source).toBe('rollup')
    // 24 h of 5-minute buckets; NOW is not on a bucket boundary, so the last one is still raw.
    expect(out.pointsRead).toBeGreaterThanOrEqual(287)
    expect(out.pointsRead).toBeLessThanOrEqual(289)
    expect(out.series.cpuUsedCores.values.every((v) => v === 2)).toBe(true)
    expect(out.series.diskWriteIops.values[0]).toBe(7)
  })

  it('stacks VMs in shared buckets, the rest summed', () => {
    const stack = store.samples.vmStack([{ id: 'busy', name: 'Busy' }, { id: 'idle', name: 'Idle' }], { from: NOW - HOUR, to: NOW, buckets: 60, rawKeptMs: RAW_KEPT, now: NOW, top: 1 })
    expect(stack.t).toHaveLength(60)
    expect(stack.items.map((i) => i.name)).toEqual(['Busy'])
    expect(stack.items[0]!.cpuUsedCores.every((v) => v === 2)).toBe(true)
    expect(stack.others?.count).toBe(1)
    expect(stack.others?.memUsedMiB[0]).toBe(100)
  })

  it('summarizes a window per VM and per host', () => {
    const vms = store.samples.vmWindowStats(NOW - 5 * 60_000, NOW)
    expect(vms.find((v) => v.vmId === 'busy')).toMatchObject({ readyPct: 3, readyMaxPct: 3, memUsedMaxMiB: 900 })
    expect(store.samples.hostWindowStats(NOW - 5 * 60_000, NOW)).toEqual([{ hostId: 'h1', cpuPct: 20, memUsedMiB: 1000, memTotalMiB: 4000 }])
  })

  it('p95 by nearest rank', () => {
    expect(percentile95([])).toBeNull()
    expect(percentile95(Array.from({ length: 100 }, (_, i) => i + 1))).toBe(95)
  })
})
