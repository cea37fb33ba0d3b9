import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { HostSample, VmSample } from '../../../shared/model'
import { migrations } from '../../../src-main/store/migrations'
import { openStore, StoreError } from '../../../src-main/store'
import { DemoCluster } from '../../../src-main/hosts/demo/demo-cluster'

let dir: string
let file: string

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'virtpilot-store-'))
  file = join(dir, 'nested', 'virtpilot.db')
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function vmSample(vmId: string, t: number, cores: number, mem: number): VmSample {
  return { vmId, hostId: 'h1', t, cpuPct: 0, cpuUsedCores: cores, cpuReadyPct: 0, memUsedMiB: mem, diskReadBps: 0, diskWriteBps: 0, diskReadIops: 0, diskWriteIops: 0, netRxBps: 0, netTxBps: 0 }
}

function hostSample(hostId: string, t: number, cpu: number, mem: number): HostSample {
  return { hostId, t, cpuPct: 0, cpuUsedCores: cpu, memUsedMiB: mem, memTotalMiB: 1000, diskReadBps: 0, diskWriteBps: 0, netRxBps: 0, netTxBps: 0 }
}

describe('Store', () => {
  it('creates the file and its folder, in WAL mode, at the latest schema', () => {
    const store = openStore(file)
    expect(store.schemaVersion).toBe(migrations.length)
    store.close()
    const raw = new Database(file)
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal')
    raw.close()
  })

  it('keeps settings across restarts and defaults what was never set', () => {
    const store = openStore(file)
    const ratios = { cluster: { cpu: 4, memory: 1 }, hosts: {} }
    expect(store.settings.get()).toEqual({ language: 'en', theme: 'system', demoEnabled: true, allocationRatios: ratios, analysisIntervalMinutes: 15, migrationThreshold: 3, metricsSource: { kind: 'ssh' } })
    store.settings.update({ language: 'zh-CN', analysisIntervalMinutes: 30, allocationRatios: { cluster: { cpu: 2, memory: 1 }, hosts: { h1: { cpu: 1.5, memory: 1.2 } } }, metricsSource: { kind: 'ssh' } })
    store.close()
    const again = openStore(file)
    expect(again.settings.get()).toEqual({ language: 'zh-CN', theme: 'system', demoEnabled: true, analysisIntervalMinutes: 30, migrationThreshold: 3, allocationRatios: { cluster: { cpu: 2, memory: 1 }, hosts: { h1: { cpu: 1.5, memory: 1.2 } } }, metricsSource: { kind: 'ssh' } })
    again.close()
  })

  it('falls back to the default for one stored setting it cannot read, keeping the others', () => {
    const store = openStore(file)
    store.settings.update({ theme: 'dark' })
    store.close()
    const raw = new Database(file)
    raw.prepare("INSERT INTO settings (key, value) VALUES ('language', '\"klingon\"')").run()
    raw.close()
    const again = openStore(file)
    expect(again.settings.get()).toEqual({ language: 'en', theme: 'dark', demoEnabled: true, analysisIntervalMinutes: 15, migrationThreshold: 3, allocationRatios: { cluster: { cpu: 4, memory: 1 }, hosts: {} }, metricsSource: { kind: 'ssh' } })
    again.close()
  })

  it('refuses a data file written by a newer version instead of damaging it', () => {
    openStore(file).close()
    const raw = new Database(file)
    raw.pragma(`user_version = ${migrations.length + 1}`)
    raw.close()
    expect(() => openStore(file)).toThrow(StoreError)
    expect(() => openStore(file)).toThrow(/newer VirtPilot/)
  })

  it('sums hosts and averages within buckets for the cluster history', () => {
    const store = openStore(file)
    // Two hosts, samples every 10 s from t=0 to t=50 s; buckets of 20 s.
    const samples: HostSample[] = []
    for (let i = 0; i < 6; i++) {
      samples.push(hostSample('a', i * 10_000, i, 100 * i))
      samples.push(hostSample('b', i * 10_000, 10, 1000))
    }
    samples.push(hostSample('other', 0, 999, 999)) // not asked for
    store.samples.save(samples, [])
    const series = store.samples.clusterHistory({ from: 0, to: 60_000, maxPoints: 3, hostIds: ['a', 'b'], cpuCapacityCores: 48, memCapacityMiB: 2048 })
    expect(series.stepMs).toBe(20_000)
    expect(series.cpuUsedCores.t).toEqual([0, 20_000, 40_000])
    // Bucket 0: a avg (0+1)/2 = 0.5, b 10 -> 10.5; bucket 1: 2.5+10; bucket 2: 4.5+10.
    expect(series.cpuUsedCores.values).toEqual([10.5, 12.5, 14.5])
    expect(series.memUsedMiB.values).toEqual([1050, 1250, 1450])
    expect(series.cpuCapacityCores).toBe(48)
    store.close()
  })

  it('saves a poll all or nothing', () => {
    const store = openStore(file)
    const good = hostSample('a', 1, 1, 1)
    const bad = { ...hostSample('a', 2, 1, 1), cpuPct: null } as unknown as HostSample
    expect(() => store.samples.save([good, bad], [])).toThrow()
    expect(store.samples.count().hostSamples).toBe(0)
    store.close()
  })

  it('stores inventory and prunes old samples', async () => {
    const store = openStore(file)
    const inventory = await new DemoCluster().discover()
    store.inventory.save(inventory, 1000)
    store.samples.save([hostSample('demo-a', 1000, 1, 1), hostSample('demo-a', 5000, 1, 1)], [])
    expect(store.samples.latestTime(['demo-a'])).toBe(5000)
    expect(store.samples.pruneSamples(2000)).toBe(1)
    expect(store.samples.count().hostSamples).toBe(1)
    store.close()
  })
})

describe('Store rollups', () => {
  const FIVE_MIN = 5 * 60_000

  it('folds complete 5-minute buckets into mean, max and p95, once', () => {
    const store = openStore(file)
    // 20 samples in bucket 0 (cores 1..20), 3 in bucket 1 (still open at "now").
    const samples = Array.from({ length: 20 }, (_, i) => ({ ...vmSample('v1', i * 15_000, i + 1, 100 * (i + 1)), cpuReadyPct: i < 10 ? 0 : 20 }))
    samples.push(vmSample('v1', FIVE_MIN + 1000, 50, 50), vmSample('v1', FIVE_MIN + 2000, 60, 60))
    store.samples.save([], samples)
    const now = FIVE_MIN + 3000
    expect(store.samples.rollUp(now)).toBe(1)
    expect(store.samples.rollUp(now)).toBe(0) // nothing new
    const history = store.samples.usageHistory(['v1'], 0, now)
    expect(history.vms.v1!.t).toEqual([0])
    expect(history.vms.v1!.cpuUsedCores[0]).toBeCloseTo(10.5) // mean of 1..20
    expect(history.vms.v1!.memUsedMiB[0]).toBe(2000) // peak memory of the bucket
    expect(history.vms.v1!.cpuReadyPct![0]).toBeCloseTo(10) // mean CPU ready: the engine counts it as demand
    // The open bucket is rolled up once it is complete.
    expect(store.samples.rollUp(2 * FIVE_MIN)).toBe(1)
    expect(store.samples.usageHistory(['v1'], 0, 2 * FIVE_MIN).vms.v1!.cpuUsedCores).toEqual([10.5, 55])
    store.close()
  })

  it('gives the engine the virtualization layer\'s means of the last hour, null where a bucket has none', () => {
    const store = openStore(file)
    const HOUR = 12 * FIVE_MIN
    // Two hours of one sample per bucket; the thread split only in the last three buckets, no KVM counters (TCG).
    const samples = Array.from({ length: 24 }, (_, i) => ({ ...vmSample('v1', i * FIVE_MIN, 1, 100), ...(i >= 21 ? { qemuEmulatorCores: 0.01 * i, overheadCores: 0.02 } : {}) }))
    store.samples.save([], samples)
    const now = 2 * HOUR
    store.samples.rollUp(now)
    const v1 = store.samples.usageHistory(['v1'], 0, now).vms.v1!
    expect(v1.t).toHaveLength(24)
    expect(v1.layer!.t).toEqual(Array.from({ length: 12 }, (_, i) => HOUR + i * FIVE_MIN))
    expect(v1.layer!.qemuEmulatorCores!.slice(8)).toEqual([null, expect.closeTo(0.21, 9), expect.closeTo(0.22, 9), expect.closeTo(0.23, 9)])
    expect(v1.layer!.kvmHaltPollFailCores!.every((x) => x === null)).toBe(true)
    store.close()
  })

  it('folds a bucket again when a late poll stores samples into it after it was rolled up', () => {
    const store = openStore(file)
    // A poll that started just before a bucket edge and was stored after housekeeping folded that bucket.
    store.samples.save([hostSample('h1', 1000, 2, 100)], [vmSample('v1', 1000, 2, 100)])
    expect(store.samples.rollUp(FIVE_MIN + 500)).toBe(2)
    store.samples.save([hostSample('h1', FIVE_MIN - 1000, 4, 300)], [vmSample('v1', FIVE_MIN - 1000, 4, 300)])
    expect(store.samples.rollUp(FIVE_MIN + 60_000)).toBe(2)
    const history = store.samples.usageHistory(['v1'], 0, 2 * FIVE_MIN)
    expect(history.vms.v1!.cpuUsedCores).toEqual([3]) // mean of both samples, not the first alone
    expect(history.vms.v1!.memUsedMiB).toEqual([300])
    expect(store.samples.rollUp(FIVE_MIN + 120_000)).toBe(0) // folded once, then nothing pending
    store.close()
  })

  it('keeps rollups when raw samples are pruned, and prunes them on their own clock', () => {
    const store = openStore(file)
    store.samples.save([], [vmSample('v1', 1000, 2, 2)])
    store.samples.rollUp(FIVE_MIN)
    store.samples.pruneSamples(FIVE_MIN)
    expect(store.samples.count().vmSamples).toBe(0)
    expect(store.samples.usageHistory(['v1'], 0, FIVE_MIN).vms.v1!.cpuUsedCores).toEqual([2])
    expect(store.samples.pruneRollups(FIVE_MIN)).toBe(1)
    expect(store.samples.usageHistory(['v1'], 0, FIVE_MIN).vms).toEqual({})
    store.close()
  })
})

describe('Store managed hosts', () => {
  it('keeps added hosts across restarts and refuses a duplicate target', () => {
    const store = openStore(file)
    store.managedHosts.add({ id: 'kvm1', target: 'root@kvm1:22', displayName: 'kvm1', tags: ['rack-a'], addedAt: 5 })
    expect(() => store.managedHosts.add({ id: 'kvm1b', target: 'root@kvm1:22', displayName: 'x', tags: [], addedAt: 6 })).toThrow(StoreError)
    store.managedHosts.touch('kvm1', 99)
    store.close()
    const again = openStore(file)
    expect(again.managedHosts.list()).toEqual([{ id: 'kvm1', target: 'root@kvm1:22', displayName: 'kvm1', tags: ['rack-a'], addedAt: 5, lastSeenAt: 99 }])
    expect(again.managedHosts.remove('kvm1')).toBe(true)
    expect(again.managedHosts.list()).toEqual([])
    again.close()
  })
})
