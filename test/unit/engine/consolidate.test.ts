import { beforeAll, describe, expect, it } from 'vitest'
import highsLoader from 'highs'
import type { MipSolver } from '../../../shared/engine/solver'
import { consolidate } from '../../../shared/engine/consolidate'
import { buildPlacement } from '../../../shared/engine/placement'
import { forecastDemand } from '../../../shared/engine/demand'
import { defaultForecastOptions } from '../../../shared/engine/forecast'
import { withDefaults, type PartialEngineOptions } from '../../../shared/engine/options'
import { validatePlan } from '../../../shared/engine/validate'
import { host, snapshot, T0, usage, vm } from './support/cluster'

let solver: MipSolver
beforeAll(async () => {
  solver = (await highsLoader()) as unknown as MipSolver
})

// Four 16-thread / 64 GiB hosts, each carrying three quiet VMs (about 15 % busy).
const hosts = ['h1', 'h2', 'h3', 'h4'].map((id) => host(id))
const vms = hosts.flatMap((h) => [1, 2, 3].map((n) => vm(`${h.id}-v${n}`, h.id, { vcpus: 4, memoryMiB: 4096 })))
const snap = snapshot(hosts, vms, vms.map((v) => usage(v, 0.8, 3000)))

function run(partial: PartialEngineOptions = {}, withSolver = true) {
  const options = withDefaults(partial)
  const problem = buildPlacement(snap, forecastDemand(snap, { vms: {} }, T0, defaultForecastOptions, 3_600_000), { vms: {} }, T0, options)
  const result = consolidate(problem, options.consolidate.headroom, withSolver ? solver : undefined, 30)
  const plan = result.moves.map((m) => ({ action: { kind: 'migrate' as const, vm: m.vmId, from: m.from, to: m.to, live: true }, rollback: { kind: 'migrate' as const, vm: m.vmId, from: m.to, to: m.from, live: true } }))
  const check = validatePlan(snap, plan, { ...options, balance: { ...options.balance, maxMigrations: 100 } })
  expect(check.violations).toEqual([])
  return { result, problem }
}

describe('consolidation', () => {
  it('packs quiet hosts onto fewer, matching the exact bound, and every freed host ends empty', () => {
    const { result } = run()
    expect(result.exact).toBe('optimal')
    // 12 VMs x 3000 MiB = 36000 MiB fit in one 64 GiB host at 80 %; the vCPU limit (64) also allows it.
    expect(result.hostsNeeded).toBe(1)
    expect(result.lowerBound).toBe(1)
    expect(result.freedHosts.length).toBe(3)
    const leaving = vms.filter((v) => result.freedHosts.includes(v.hostId)).map((v) => v.id).sort()
    expect(result.moves.map((m) => m.vmId).sort()).toEqual(leaving)
  })

  it('keeps to the headroom: at 60 % headroom two hosts are needed', () => {
    const { result } = run({ consolidate: { headroom: 0.6 } })
    expect(result.hostsNeeded).toBe(2)
    expect(result.hostsNeeded).toBeGreaterThanOrEqual(result.lowerBound)
  })

  it('keeps anti-affine VMs apart and does not empty a host that carries a VM managed elsewhere', () => {
    const { result } = run({ rules: { antiAffinity: [['h1-v1', 'h2-v1']], externallyManaged: ['h4-v1'] } }, false)
    expect(result.keptHosts).toContain('h4')
    expect(result.hostsNeeded).toBeGreaterThanOrEqual(2)
  })
})
