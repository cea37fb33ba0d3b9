import { describe, expect, it } from 'vitest'
import type { Host } from '../../../shared/model/host'
import type { ReversibleAction } from '../../../shared/model/action'
import { forecastDemand } from '../../../shared/engine/demand'
import { consolidate } from '../../../shared/engine/consolidate'
import { defaultForecastOptions } from '../../../shared/engine/forecast'
import { withDefaults } from '../../../shared/engine/options'
import { buildPlacement } from '../../../shared/engine/placement'
import { validatePlan } from '../../../shared/engine/validate'
import { host, snapshot, T0, usage, vm } from './support/cluster'
import { migrations, planOf, recommendChecked } from './support/plan'

const GiB = 1024
const hour = 3_600_000
const at2to1 = (h: Host): Host => ({ ...h, allocationRatio: { cpu: 2, memory: 1 } })

// Three 8-thread hosts at 2:1 (16 vCPUs each). h1 runs 12 busy vCPUs; h2 and h3 carry 14 idle
// ones. Under the cluster default 4:1 the balancer would move a 4-vCPU VM off h1; at 2:1 only a
// 2-vCPU VM still fits on h2 (16) and none on h3 beyond 2.
function busyCluster(ratio: boolean) {
  const hosts = ['h1', 'h2', 'h3'].map((id) => host(id, { threads: 8, memoryMiB: 64 * GiB })).map((h) => (ratio ? at2to1(h) : h))
  const vms = [
    vm('a', 'h1', { vcpus: 4, memoryMiB: 4 * GiB }), vm('b', 'h1', { vcpus: 4, memoryMiB: 4 * GiB }), vm('c', 'h1', { vcpus: 4, memoryMiB: 4 * GiB }),
    vm('d', 'h2', { vcpus: 7, memoryMiB: 4 * GiB }), vm('e', 'h2', { vcpus: 7, memoryMiB: 4 * GiB }),
    vm('f', 'h3', { vcpus: 7, memoryMiB: 4 * GiB }), vm('g', 'h3', { vcpus: 7, memoryMiB: 4 * GiB }),
  ]
  const use: Record<string, number> = { a: 3.5, b: 3.5, c: 3.5, d: 0.2, e: 0.2, f: 0.2, g: 0.2 }
  return snapshot(hosts, vms, vms.map((v) => usage(v, use[v.id]!, 2 * GiB)))
}

const vcpusOn = (snap: ReturnType<typeof busyCluster>, moves: { vm: string; to: string }[]) => {
  const where = new Map(snap.vms.map((v) => [v.id, v.hostId]))
  for (const m of moves) where.set(m.vm, m.to)
  const out: Record<string, number> = {}
  for (const v of snap.vms) out[where.get(v.id)!] = (out[where.get(v.id)!] ?? 0) + v.allocation.vcpus
  return out
}

describe('per-host allocation ratios', () => {
  it('are the host\'s own where it has them, the cluster\'s otherwise', () => {
    const snap = busyCluster(true)
    const mixed = { ...snap, hosts: snap.hosts.map((h) => (h.id === 'h3' ? { ...h, allocationRatio: undefined } : h)) }
    const p = buildPlacement(mixed, forecastDemand(mixed, { vms: {} }, T0, defaultForecastOptions, hour), { vms: {} }, T0, withDefaults({ balance: { cpuOvercommit: 3, memOvercommit: 1.5 } }))
    expect(p.hosts.map((h) => [h.vcpuLimit, h.memAllocLimitMiB])).toEqual([[16, 64 * GiB], [16, 64 * GiB], [24, 96 * GiB]])
  })

  it('no balancing move takes a host above its own vCPU ratio, where the cluster default would have', () => {
    const loose = recommendChecked({ snapshot: busyCluster(false), history: { vms: {} }, now: T0, seed: 1 })
    expect(Math.max(...Object.values(vcpusOn(busyCluster(false), migrations(loose))))).toBeGreaterThan(16)
    const snap = busyCluster(true)
    const out = recommendChecked({ snapshot: snap, history: { vms: {} }, now: T0, seed: 1 })
    for (const n of Object.values(vcpusOn(snap, migrations(out)))) expect(n).toBeLessThanOrEqual(16)
    expect(validatePlan(snap, planOf(out), withDefaults(), { vms: {} }, T0).violations).toEqual([])
  })

  it('the validator flags a plan above a host\'s own ratio that the cluster ratio would allow', () => {
    const snap = busyCluster(true)
    const move: ReversibleAction = { action: { kind: 'migrate', vm: 'a', from: 'h1', to: 'h2', live: true }, rollback: { kind: 'migrate', vm: 'a', from: 'h2', to: 'h1', live: true } }
    const check = validatePlan(snap, [move], withDefaults(), { vms: {} }, T0)
    expect(check.violations.map((v) => v.code)).toContain('vcpu-overcommit')
    expect(check.violations.find((v) => v.code === 'vcpu-overcommit')!.message).toMatch(/18 vCPUs, limit 16 \(2:1\)/)
    expect(validatePlan(busyCluster(false), [move], withDefaults(), { vms: {} }, T0).ok).toBe(true)
  })

  it('consolidation packs within each host\'s ratios: fewer hosts at 4:1 than at 2:1', () => {
    const idle = (ratio: boolean) => {
      const s = busyCluster(ratio)
      return { ...s, vmSamples: s.vmSamples.map((x) => ({ ...x, cpuUsedCores: 0.1 })) }
    }
    const packed = (ratio: boolean) => {
      const s = idle(ratio)
      return consolidate(buildPlacement(s, forecastDemand(s, { vms: {} }, T0, defaultForecastOptions, hour), { vms: {} }, T0, withDefaults()), 0.2)
    }
    expect(packed(false).hostsNeeded).toBe(2)
    const tight = packed(true)
    expect(tight.hostsNeeded).toBe(3)
    expect(Math.max(...Object.values(vcpusOn(busyCluster(true), tight.moves.map((m) => ({ vm: m.vmId, to: m.to })))))).toBeLessThanOrEqual(16)
  })

  it('rightsizing grows a VM only as far as its host\'s ratio has room, and says what it held back', () => {
    // h1 at 2:1 carries 16 of 16 vCPUs; a saturated 2-vCPU VM would want 3.
    const hosts = [at2to1(host('h1', { threads: 8, memoryMiB: 64 * GiB }))]
    const vms = [vm('busy', 'h1', { vcpus: 2, maxVcpus: 8, memoryMiB: 4 * GiB }), vm('big', 'h1', { vcpus: 14, memoryMiB: 4 * GiB })]
    const t = Array.from({ length: 24 * 8 }, (_, i) => T0 - 8 * 24 * hour + i * hour)
    const history = { vms: { busy: { t, cpuUsedCores: t.map(() => 2), memUsedMiB: t.map(() => 1000) }, big: { t, cpuUsedCores: t.map(() => 0.5), memUsedMiB: t.map(() => 1000) } } }
    const snap = snapshot(hosts, vms, [usage(vms[0]!, 2, 1000), usage(vms[1]!, 0.5, 1000)])
    const out = recommendChecked({ snapshot: snap, history, now: T0, seed: 1 })
    const busy = out.rightsizing.find((r) => r.vmId === 'busy')!
    expect(busy.cpu.recommendedVcpus).toBe(2)
    expect(busy.heldByHost?.vcpus).toBe(3)
    const advice = out.recommendations.find((r) => r.kind === 'rightsize-cpu' && r.target.id === 'busy')!
    expect(advice.title).toBe('busy needs 3 vCPUs: its host has no room at its allocation ratio')
    expect(advice.actions).toEqual([])
    expect(validatePlan(snap, planOf(out), withDefaults(), history, T0).violations).toEqual([])
  })
})
