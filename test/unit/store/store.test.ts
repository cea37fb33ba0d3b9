import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { HostSample } from '../../../shared/model'
import { migrations } from '../../../src-main/store/migrations'
import { Store, StoreError } from '../../../src-main/store/store'
import { DemoCluster } from '../../../src-main/hosts/demo/demo-cluster'

let dir: string
let file: string

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'virtpilot-store-'))
  file = join(dir, 'nested', 'virtpilot.db')
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function hostSample(hostId: string, t: number, cpu: number, mem: number): HostSample {
  return { hostId, t, cpuPct: 0, cpuUsedCores: cpu, memUsedMiB: mem, memTotalMiB: 1000, diskReadBps: 0, diskWriteBps: 0, netRxBps: 0, netTxBps: 0 }
}

describe('Store', () => {
  it('creates the file and its folder, in WAL mode, at the latest schema', () => {
    const store = new Store(file)
    expect(store.schemaVersion).toBe(migrations.length)
    store.close()
    const raw = new Database(file)
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal')
    raw.close()
  })

  it('keeps settings across restarts and defaults what was never set', () => {
    const store = new Store(file)
    expect(store.getSettings()).toEqual({ language: 'en', theme: 'system', demoEnabled: true })
    store.updateSettings({ language: 'zh-CN' })
    store.close()
    const again = new Store(file)
    expect(again.getSettings()).toEqual({ language: 'zh-CN', theme: 'system', demoEnabled: true })
    again.close()
  })

  it('falls back to the default for one stored setting it cannot read, keeping the others', () => {
    const store = new Store(file)
    store.updateSettings({ theme: 'dark' })
    store.close()
    const raw = new Database(file)
    raw.prepare("INSERT INTO settings (key, value) VALUES ('language', '\"klingon\"')").run()
    raw.close()
    const again = new Store(file)
    expect(again.getSettings()).toEqual({ language: 'en', theme: 'dark', demoEnabled: true })
    again.close()
  })

  it('refuses a data file written by a newer version instead of damaging it', () => {
    new Store(file).close()
    const raw = new Database(file)
    raw.pragma(`user_version = ${migrations.length + 1}`)
    raw.close()
    expect(() => new Store(file)).toThrow(StoreError)
    expect(() => new Store(file)).toThrow(/newer VirtPilot/)
  })

  it('sums hosts and averages within buckets for the cluster history', () => {
    const store = new Store(file)
    // Two hosts, samples every 10 s from t=0 to t=50 s; buckets of 20 s.
    const samples: HostSample[] = []
    for (let i = 0; i < 6; i++) {
      samples.push(hostSample('a', i * 10_000, i, 100 * i))
      samples.push(hostSample('b', i * 10_000, 10, 1000))
    }
    samples.push(hostSample('other', 0, 999, 999)) // not asked for
    store.saveSamples(samples, [])
    const series = store.clusterHistory({ from: 0, to: 60_000, maxPoints: 3, hostIds: ['a', 'b'], cpuCapacityCores: 48, memCapacityMiB: 2048 })
    expect(series.stepMs).toBe(20_000)
    expect(series.cpuUsedCores.t).toEqual([0, 20_000, 40_000])
    // Bucket 0: a avg (0+1)/2 = 0.5, b 10 -> 10.5; bucket 1: 2.5+10; bucket 2: 4.5+10.
    expect(series.cpuUsedCores.values).toEqual([10.5, 12.5, 14.5])
    expect(series.memUsedMiB.values).toEqual([1050, 1250, 1450])
    expect(series.cpuCapacityCores).toBe(48)
    store.close()
  })

  it('saves a poll all or nothing', () => {
    const store = new Store(file)
    const good = hostSample('a', 1, 1, 1)
    const bad = { ...hostSample('a', 2, 1, 1), cpuPct: null } as unknown as HostSample
    expect(() => store.saveSamples([good, bad], [])).toThrow()
    expect(store.countSamples().hostSamples).toBe(0)
    store.close()
  })

  it('stores inventory and prunes old samples', async () => {
    const store = new Store(file)
    const inventory = await new DemoCluster().discover()
    store.saveInventory(inventory, 1000)
    store.saveSamples([hostSample('demo-a', 1000, 1, 1), hostSample('demo-a', 5000, 1, 1)], [])
    expect(store.latestSampleTime(['demo-a'])).toBe(5000)
    expect(store.pruneSamples(2000)).toBe(1)
    expect(store.countSamples().hostSamples).toBe(1)
    store.close()
  })
})
