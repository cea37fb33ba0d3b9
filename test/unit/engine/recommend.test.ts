import { describe, expect, it } from 'vitest'
import { RecommendationSchema } from '../../../shared/model/recommendation'
import { host, snapshot, T0, usage, vm } from './support/cluster'
import { recommendChecked } from './support/plan'

const day = 86_400_000
// One 8-thread host; allocations 4 + 4 + 8 vCPUs; demand 2 + 4 + 6 cores: contended.
const hosts = [host('h1', { threads: 8, memoryMiB: 32768 })]
const vms = [
  vm('web', 'h1', { vcpus: 4, memoryMiB: 4096 }),
  vm('db', 'h1', { vcpus: 4, memoryMiB: 8192, cpuShares: 1024 }),
  vm('batch', 'h1', { vcpus: 8, memoryMiB: 8192, cpuShares: 2048 }),
]
const snap = snapshot(hosts, vms, [usage(vms[0]!, 2, 2000), usage(vms[1]!, 4, 6000), usage(vms[2]!, 6, 4000)])
const input = { snapshot: snap, history: { vms: {} }, now: T0, seed: 42 }

describe('recommend()', () => {
  it('per-VM entitlements follow the chosen strategy (static / dynamic / hybrid)', () => {
    const cpuOf = (strategy: 'static' | 'dynamic' | 'hybrid', controls = {}) =>
      Object.fromEntries(recommendChecked({ ...input, options: { strategy, controls } }).hostLoads[0]!.vms.map((v) => [v.vmId, +v.cpu.entitlement.toFixed(3)]))
    expect(cpuOf('static')).toEqual({ web: 2, db: 2, batch: 4 })
    expect(cpuOf('dynamic')).toEqual({ web: 2, db: 3, batch: 3 })
    expect(cpuOf('hybrid', { db: { cpuReservationCores: 3 }, batch: { cpuReservationCores: 1, cpuLimitCores: 4 } })).toEqual({ web: 1, db: 4, batch: 3 })
  })

  it('host load is sum of entitlements / capacity; unmet demand is reported per VM', () => {
    const out = recommendChecked(input)
    expect(out.hostLoads[0]!.cpu.load).toBeCloseTo(1)
    expect(out.hostLoads[0]!.cpu.demandLoad).toBeCloseTo(1.5)
    expect(out.hostLoads[0]!.mem.load).toBeCloseTo(12000 / 32768)
    expect(out.hostLoads[0]!.vms.find((v) => v.vmId === 'batch')!.cpu.unmet).toBeCloseTo(3)
  })

  it('is deterministic for the same inputs and seed, and every recommendation matches the schema', () => {
    const history = {
      vms: Object.fromEntries(vms.map((v, i) => [v.id, {
        t: Array.from({ length: 24 * 10 }, (_, k) => T0 - 10 * day + k * 3_600_000),
        cpuUsedCores: Array.from({ length: 240 }, (_, k) => (i + 1) * 0.3 + (k % 24 === 12 ? 0.5 : 0)),
        memUsedMiB: Array.from({ length: 240 }, () => 1000 * (i + 1)),
      }])),
    }
    const a = recommendChecked({ ...input, history })
    const b = recommendChecked({ ...input, history })
    expect(a).toEqual(b)
    expect(a.recommendations.length).toBeGreaterThan(0)
    for (const r of a.recommendations) RecommendationSchema.parse(r)
    expect(new Set(a.recommendations.map((r) => r.id)).size).toBe(a.recommendations.length)
    const priorities = a.recommendations.map((r) => r.priority)
    expect(priorities).toEqual([...priorities].sort((x, y) => x - y))
    expect(a.rightsizing.find((r) => r.vmId === 'batch')!.cpu.recommendedVcpus).toBeLessThan(8)
  })
})
