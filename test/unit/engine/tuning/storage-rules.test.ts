import { describe, expect, it } from 'vitest'
import { poolForecast } from '../../../../shared/engine/storage'
import { tuningAdvice, tuningRecommendation, tuningRules, type TuningAdvice, type TuningUsage } from '../../../../shared/engine/tuning'
import type { ClusterFacts } from '../../../../shared/model/facts'
import { RecommendationSchema } from '../../../../shared/model/recommendation'
import type { HostStorage, PoolSample, StorageVolume } from '../../../../shared/model/storage'
import { dirPool, disk, GiB, hostStorage, nfsPool } from '../storage/support'
import { evidenceInChinese } from './evidence-words'
import { cluster, hostFacts, vmFacts } from './facts'

const DAY = 24 * 3600_000
const NOW = Date.UTC(2026, 11, 1)

const run = (facts: ClusterFacts, rule: string, usage: TuningUsage = { hosts: {}, vms: {} }): TuningAdvice[] => {
  const advice = tuningAdvice({ facts, usage }, tuningRules.filter((r) => r.id === rule))
  advice.forEach((a, i) => {
    RecommendationSchema.parse(tuningRecommendation(a, `t-${i}`))
    expect(a.evidence.length).toBeGreaterThan(0)
    evidenceInChinese(a, ['h1', 'h2', 'a', 'b', 'default', 'nfs-vms', 'web', 'db', 'vda', 'vdb'])
  })
  return advice
}
const withStorage = (storage: HostStorage[], vms = [vmFacts('web', 'h1'), vmFacts('db', 'h1')]): ClusterFacts => ({
  ...cluster([hostFacts('h1'), hostFacts('h2')], vms),
  storage: Object.fromEntries(storage.map((s) => [s.hostId, s])),
})
const vol = (name: string, capacityGiB: number, allocationGiB: number): StorageVolume => ({ name, path: `/var/lib/libvirt/images/${name}`, type: 'file', capacityBytes: capacityGiB * GiB, allocationBytes: allocationGiB * GiB })
/** A pool of `capacity` GiB with `used` GiB allocated. */
const pool = (hostId: string, capacity: number, used: number, volumes: StorageVolume[] = []) =>
  dirPool(hostId, { capacityBytes: capacity * GiB, allocationBytes: used * GiB, availableBytes: (capacity - used) * GiB, volumes })

describe('days to full', () => {
  const samples = (perDay: number, days: number, start = 100): PoolSample[] =>
    Array.from({ length: days * 4 + 1 }, (_, k) => ({ hostId: 'h1', poolId: 'p', t: NOW - days * DAY + (k * DAY) / 4, capacityBytes: 500 * GiB, allocationBytes: (start + (perDay * k) / 4) * GiB, availableBytes: 0 }))

  it('fits the growth since the last clean-up and divides the free space by it', () => {
    const f = poolForecast(samples(10, 7), NOW)!
    expect(f.growthBytesPerDay / GiB).toBeCloseTo(10, 6)
    // 170 GiB used of 500: 330 GiB free at 10 GiB a day.
    expect(f.daysToFull).toBeCloseTo(33, 6)
    // A clean-up (60 GiB deleted) restarts the trend: the old growth does not count.
    const cleaned = [...samples(10, 7), { ...samples(0, 1)[0]!, t: NOW + DAY / 4, allocationBytes: 110 * GiB }]
    expect(poolForecast(cleaned, NOW + DAY / 4)).toBeNull()
  })

  it('says nothing without enough history, and no date for a pool that does not grow', () => {
    expect(poolForecast(samples(10, 7).slice(0, 3), NOW)).toBeNull()
    expect(poolForecast(samples(0, 3), NOW)!.daysToFull).toBeNull()
  })
})

describe('pool capacity', () => {
  it('warns about a nearly full pool, and about one whose trend fills it within the month', () => {
    const [full] = run(withStorage([hostStorage('h1', { pools: [pool('h1', 500, 460)] })]), 'pool-capacity')
    expect(full!.title).toBe('Pool default on h1 is 92 % full')
    expect(full!.rationale).toContain('460.0 GiB of 500.0 GiB (92 %), 40.0 GiB free')
    const facts = withStorage([hostStorage('h1', { pools: [pool('h1', 500, 300)] })])
    const growing = { hosts: {}, vms: {}, pools: { 'h1/h1-local': { forecast: { growthBytesPerDay: 10 * GiB, daysToFull: 20, basis: { from: NOW - 7 * DAY, to: NOW, samples: 29 }, capacityBytes: 500 * GiB, allocationBytes: 300 * GiB } } } }
    const [soon] = run(facts, 'pool-capacity', growing)
    expect(soon!.title).toBe('Pool default on h1 is full in 20 days')
    expect(soon!.evidence).toContainEqual(expect.objectContaining({ fact: 'pool default full in', value: 20, unit: 'days' }))
    expect(evidenceInChinese(soon!, ['h1', 'default'])).toContain('存储池 default 写满还需 20 天')
    // 60 % full and not growing fast: nothing to say.
    expect(run(facts, 'pool-capacity')).toEqual([])
  })

  it('lists a shared pool once, naming the other hosts that see it', () => {
    const nfs = (h: string) => nfsPool(h, { capacityBytes: 100 * GiB, allocationBytes: 95 * GiB, availableBytes: 5 * GiB })
    const out = run(withStorage([hostStorage('h1', { pools: [nfs('h1')] }), hostStorage('h2', { pools: [nfs('h2')] })]), 'pool-capacity')
    expect(out).toHaveLength(1)
    expect(out[0]!.rationale).toContain('(shared with h2)')
  })
})

describe('thin provisioning', () => {
  // 300 GiB pool, 200 used: volumes promised 500 GiB, each may still grow by more than the 100 GiB free.
  const thin = pool('h1', 300, 200, [vol('web.qcow2', 300, 120), vol('db.qcow2', 200, 80)])
  const facts = withStorage([hostStorage('h1', { pools: [thin], disks: [disk('db', '/var/lib/libvirt/images/db.qcow2', { poolId: 'h1-local', volume: 'db.qcow2' })] })])

  it('overcommit: the volumes may grow to more than the pool holds', () => {
    const [a] = run(facts, 'pool-overcommit')
    expect(a!.title).toBe('Pool default on h1 has 167 % of its capacity promised to volumes')
    expect(a!.rationale).toContain('may grow to 500.0 GiB on a 300.0 GiB pool (1.67:1); they may still grow by 300.0 GiB and 100.0 GiB is free: they cannot all grow to their size')
    expect(a!.priority).toBe(3)
  })

  it('names the thin volumes that would not fit if they filled, largest shortfall first, with their VM', () => {
    const [a] = run(facts, 'thin-volumes')
    expect(a!.title).toBe('2 thin volumes on default on h1 would not fit if they filled')
    expect(a!.rationale).toMatch(/^web\.qcow2, db\.qcow2 \(db\) may each grow by more than the 100\.0 GiB free/)
    // Room for each: quiet.
    expect(run(withStorage([hostStorage('h1', { pools: [pool('h1', 1000, 200, [vol('web.qcow2', 300, 120)])] })]), 'thin-volumes')).toEqual([])
  })
})

describe('I/O contention per pool', () => {
  const io = (ms: number, busy: number) => ({ devices: ['sda'], windowSeconds: 600, readsPerSecond: 150, writesPerSecond: 50, readMsPerOp: ms, writeMsPerOp: ms / 2, busyPct: busy })
  const onPool = [disk('web', '/var/lib/libvirt/images/web.qcow2', { poolId: 'h1-local' }), disk('db', '/var/lib/libvirt/images/db.qcow2', { poolId: 'h1-local' })]

  it('slow requests on a busy device: names the guests with the most disk operations', () => {
    const facts = withStorage([hostStorage('h1', { pools: [dirPool('h1', { io: io(45, 95) })], disks: onPool })])
    const [a] = run(facts, 'pool-latency', { hosts: {}, vms: { web: { diskIops: 40 }, db: { diskIops: 160 } } })
    expect(a!.title).toBe('I/O contention on pool default on h1: 45 ms per request')
    expect(a!.rationale).toContain('The busiest: db (160 IOPS), web (40 IOPS).')
    expect(a!.priority).toBe(2)
  })

  it('fast, or slow but idle (a few long requests), is not contention', () => {
    expect(run(withStorage([hostStorage('h1', { pools: [dirPool('h1', { io: io(5, 95) })], disks: onPool })]), 'pool-latency')).toEqual([])
    expect(run(withStorage([hostStorage('h1', { pools: [dirPool('h1', { io: io(45, 10) })], disks: onPool })]), 'pool-latency')).toEqual([])
  })
})

describe('disks nearly full inside their pool', () => {
  it('a running guest that has written nearly all of its disk', () => {
    const facts = withStorage([hostStorage('h1', { disks: [disk('web', '/var/lib/libvirt/images/web.qcow2', { poolId: 'h1-local', capacityBytes: 40 * GiB, allocationBytes: 39.6 * GiB }), disk('db', '/var/lib/libvirt/images/db.qcow2')] })])
    const [a] = run(facts, 'disk-nearly-full')
    expect(a!.target).toEqual({ type: 'vm', id: 'web' })
    expect(a!.title).toBe("web's disk vda is 99 % written")
    expect(a!.rationale).toContain('its pool default has 400.0 GiB free to grow it')
    // A CD-ROM image is always full: not advice.
    const iso = withStorage([hostStorage('h1', { disks: [disk('web', '/iso/x.iso', { device: 'cdrom', readonly: true, capacityBytes: GiB, allocationBytes: GiB })] })])
    expect(run(iso, 'disk-nearly-full')).toEqual([])
  })
})
