import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { entitle } from '../../../shared/engine/entitlement'
import { compareScenario, replay } from '../../../shared/engine/whatif'
import { flat, policy, scenario, shareClaims } from './support/scenarios'

describe('allocation strategies in the replay', () => {
  // 8 cores shared by three 8-vCPU VMs wanting 4, 6 and 6 cores: 16 cores of demand.
  const contended = (controls: { aRes?: number; bLimit?: number } = {}) =>
    scenario({
      hosts: [{ id: 'h1', cpuCores: 8, memoryMiB: 65536 }],
      steps: 10,
      vms: [
        { id: 'a', hostId: 'h1', vcpus: 8, memoryMiB: 4096, ...(controls.aRes !== undefined ? { cpuReservationCores: controls.aRes } : {}) },
        { id: 'b', hostId: 'h1', vcpus: 8, memoryMiB: 4096, ...(controls.bLimit !== undefined ? { cpuLimitCores: controls.bLimit } : {}) },
        { id: 'c', hostId: 'h1', vcpus: 8, memoryMiB: 4096 },
      ],
      workload: [
        { vm: 'a', ...flat(10, 4, 1024) },
        { vm: 'b', ...flat(10, 6, 1024) },
        { vm: 'c', ...flat(10, 6, 1024) },
      ],
    })

  it('hybrid gives a reserved VM its reservation where dynamic splits evenly', () => {
    const s = contended({ aRes: 4 })
    const dynamic = replay(s, policy({ allocation: 'dynamic' }), { seed: 1 })
    const hybrid = replay(s, policy({ allocation: 'hybrid' }), { seed: 1 })
    // Dynamic: 8/3 cores each, all three short. Hybrid: a gets its 4, b and c 2 each.
    expect(dynamic.metrics.cpuUnmetVmMinutes).toBe(30)
    expect(hybrid.metrics.cpuUnmetVmMinutes).toBe(20)
    // Unmet core-hours: dynamic 16 - 8 = 8 cores short for 10 min; hybrid the same total, moved off a.
    expect(dynamic.metrics.unmetCpuCoreHours).toBeCloseTo((8 * 10) / 60, 9)
    expect(hybrid.metrics.unmetCpuCoreHours).toBeCloseTo((8 * 10) / 60, 9)
  })

  it('hybrid holds a limited VM at its limit even with room to spare', () => {
    const s = scenario({
      hosts: [{ id: 'h1', cpuCores: 16, memoryMiB: 65536 }],
      steps: 5,
      vms: [{ id: 'b', hostId: 'h1', vcpus: 8, memoryMiB: 4096, cpuLimitCores: 1 }],
      workload: [{ vm: 'b', ...flat(5, 6, 1024) }],
    })
    const hybrid = replay(s, policy({ allocation: 'hybrid' }), { seed: 1 })
    const dynamic = replay(s, policy({ allocation: 'dynamic' }), { seed: 1 })
    expect(hybrid.metrics.unmetCpuCoreHours).toBeCloseTo((5 * 5) / 60, 9) // 6 wanted, 1 allowed, 5 minutes
    expect(hybrid.metrics.hostCpuUtil.max).toBeCloseTo(1 / 16, 9)
    expect(dynamic.metrics.unmetCpuCoreHours).toBe(0)
  })

  it('static grants allocations, so only demand above a VM\'s own size is unmet', () => {
    const s = scenario({
      hosts: [{ id: 'h1', cpuCores: 16, memoryMiB: 65536 }],
      steps: 4,
      vms: [{ id: 'a', hostId: 'h1', vcpus: 2, memoryMiB: 2048 }],
      workload: [{ vm: 'a', cpuCores: [1, 2.5, 2, 3], memMiB: [100, 100, 4096, 100] }],
    })
    const r = replay(s, policy({ allocation: 'static' }), { seed: 1 })
    // Steps 1 and 3 want more CPU than 2 vCPUs; step 2 more memory than 2048 MiB.
    expect(r.metrics.cpuUnmetVmMinutes).toBe(2)
    expect(r.metrics.memUnmetVmMinutes).toBe(1)
    expect(r.metrics.unmetVmMinutes).toBe(3)
    expect(r.metrics.aboveAllocationVmMinutes).toBe(3)
    expect(r.metrics.unmetShare).toBe(3 / 4)
  })

  it('the no-contention shortcut gives exactly what the entitlement model gives, and hybrid keeps reservations and limits', () => {
    const claim = fc.record({
      demand: fc.double({ min: 0, max: 16, noNaN: true }),
      allocation: fc.integer({ min: 1, max: 16 }),
      reservation: fc.option(fc.double({ min: 0, max: 8, noNaN: true }), { nil: undefined }),
      limit: fc.option(fc.double({ min: 0, max: 16, noNaN: true }), { nil: undefined }),
      shares: fc.integer({ min: 1, max: 4096 }),
    })
    fc.assert(
      fc.property(fc.constantFrom('static', 'dynamic', 'hybrid' as const), fc.double({ min: 1, max: 64, noNaN: true }), fc.array(claim, { minLength: 1, maxLength: 12 }), (strategy, capacity, claims) => {
        const b = shareClaims(strategy, capacity, claims)
        const expected = entitle(strategy, capacity, claims.map((c, i) => ({ vmId: String(i), ...c })))
        expected.entitlements.forEach((e, i) => expect(b.entitlement[i]).toBeCloseTo(e.entitlement, 9))
        if (strategy === 'hybrid') {
          const reservedSum = claims.reduce((a, c) => a + Math.min(c.reservation ?? 0, c.demand, c.allocation), 0)
          claims.forEach((c, i) => {
            // Reservations are honoured (up to demand) whenever the host can back them all.
            if (reservedSum <= capacity) expect(b.entitlement[i]!).toBeGreaterThanOrEqual(Math.min(c.reservation ?? 0, c.demand, c.allocation) - 1e-9)
            // A limit caps what is granted beyond the reservation.
            if (c.limit !== undefined) expect(b.entitlement[i]!).toBeLessThanOrEqual(Math.max(c.limit, Math.min(c.reservation ?? 0, c.demand, c.allocation)) + 1e-9)
          })
        }
      }),
      { numRuns: 300 },
    )
  })
})

describe('host failure', () => {
  const threeVms = (spare: { cpuCores: number; memoryMiB: number }) =>
    scenario({
      hosts: [
        { id: 'h1', cpuCores: 16, memoryMiB: 65536 },
        { id: 'h2', ...spare },
      ],
      steps: 30,
      vms: ['v1', 'v2', 'v3'].map((id) => ({ id, hostId: 'h1', vcpus: 2, memoryMiB: 4096 })),
      workload: ['v1', 'v2', 'v3'].map((vm) => ({ vm, ...flat(30, 1, 2048) })),
      edits: [{ kind: 'hostFailure', hostId: 'h1', atMinute: 10 }],
    })

  it('restarts the VMs on a host with room, costing each one step of downtime', () => {
    const r = replay(threeVms({ cpuCores: 16, memoryMiB: 65536 }), policy(), { seed: 1 })
    expect(r.metrics.restarts).toBe(3)
    expect(r.metrics.downVmMinutes).toBe(3)
    expect(r.metrics.unmetVmMinutes).toBe(3)
    expect(r.finalPlacement).toEqual({ v1: 'h2', v2: 'h2', v3: 'h2' })
    expect(r.accounting).toMatchObject({ vmSteps: 90, placedVmSteps: 87, downVmSteps: 3 })
  })

  it('records VMs that fit nowhere as down, with their demand unmet, never dropped', () => {
    // The spare host holds one 4 GiB VM (memory is not overcommitted).
    const r = replay(threeVms({ cpuCores: 2, memoryMiB: 4096 }), policy(), { seed: 1 })
    expect(r.metrics.restarts).toBe(1)
    // All three down at minute 10; two stay down for minutes 11-29.
    expect(r.metrics.downVmMinutes).toBe(3 + 2 * 19)
    expect(r.metrics.unmetVmMinutes).toBe(3 + 2 * 19)
    expect(Object.keys(r.finalPlacement).sort()).toEqual(['v1', 'v2', 'v3'])
    expect(Object.values(r.finalPlacement).filter((h) => h === null)).toHaveLength(2)
    expect(r.events.filter((e) => e.kind === 'vm-down').map((e) => e.vm).sort()).toEqual(['v1', 'v2', 'v3'])
    expect(r.accounting.vmSteps).toBe(90)
    expect(r.accounting.placedVmSteps + r.accounting.downVmSteps).toBe(90)
  })

  it('brings the rest back when the failed host recovers', () => {
    const s = threeVms({ cpuCores: 2, memoryMiB: 4096 })
    const r = replay({ ...s, edits: [{ kind: 'hostFailure', hostId: 'h1', atMinute: 10, durationMinutes: 5 }] }, policy(), { seed: 1 })
    expect(r.events.map((e) => e.kind)).toContain('host-recovered')
    expect(r.metrics.downVmMinutes).toBe(3 + 2 * 4)
    expect(Object.values(r.finalPlacement).every((h) => h !== null)).toBe(true)
  })
})

describe('planned changes', () => {
  it('maintenance live-migrates VMs away and back is not needed: no unmet demand, migrations counted', () => {
    const s = scenario({
      hosts: [
        { id: 'h1', cpuCores: 16, memoryMiB: 65536 },
        { id: 'h2', cpuCores: 16, memoryMiB: 65536 },
      ],
      steps: 60,
      vms: ['v1', 'v2'].map((id) => ({ id, hostId: 'h1', vcpus: 2, memoryMiB: 4096 })),
      workload: ['v1', 'v2'].map((vm) => ({ vm, ...flat(60, 1, 2048) })),
      edits: [{ kind: 'maintenance', hostId: 'h1', fromMinute: 20, toMinute: 40 }],
    })
    const r = replay(s, policy(), { seed: 1 })
    expect(r.metrics.migrations).toBe(2)
    expect(r.metrics.unmetVmMinutes).toBe(0)
    expect(r.finalPlacement).toEqual({ v1: 'h2', v2: 'h2' })
  })

  it('growth compounds monthly until demand outgrows the allocation', () => {
    // Daily steps over 30 days; 100 % a month: 1.5 cores passes 2 vCPUs when 2^(d/30) > 4/3, from day 13.
    const s = scenario({
      hosts: [{ id: 'h1', cpuCores: 16, memoryMiB: 65536 }],
      stepSeconds: 86_400,
      steps: 30,
      vms: [{ id: 'v', hostId: 'h1', vcpus: 2, memoryMiB: 4096 }],
      workload: [{ vm: 'v', ...flat(30, 1.5, 1024) }],
      edits: [{ kind: 'growth', percentPerMonth: 100 }],
    })
    const r = replay(s, policy({ allocation: 'dynamic' }), { seed: 1 })
    expect(r.metrics.cpuUnmetVmMinutes).toBe(17 * 1440)
    expect(r.metrics.aboveAllocationVmMinutes).toBe(17 * 1440)
  })

  it('removing a host with no room elsewhere takes its VMs down and says so', () => {
    const s = scenario({
      hosts: [
        { id: 'h1', cpuCores: 4, memoryMiB: 8192 },
        { id: 'h2', cpuCores: 4, memoryMiB: 8192 },
      ],
      steps: 10,
      vms: [
        { id: 'v1', hostId: 'h1', vcpus: 2, memoryMiB: 6144 },
        { id: 'v2', hostId: 'h2', vcpus: 2, memoryMiB: 6144 },
      ],
      workload: ['v1', 'v2'].map((vm) => ({ vm, ...flat(10, 1, 1024) })),
      edits: [{ kind: 'removeHost', hostId: 'h1', atMinute: 5 }],
    })
    const r = replay(s, policy(), { seed: 1 })
    expect(r.finalPlacement).toEqual({ v1: null, v2: 'h2' })
    expect(r.events.map((e) => e.kind)).toEqual(expect.arrayContaining(['evacuation-incomplete', 'vm-down', 'host-removed']))
    expect(r.metrics.downVmMinutes).toBe(5)
  })
})

describe('determinism', () => {
  const s = scenario({
    hosts: [
      { id: 'h1', cpuCores: 8, memoryMiB: 32768 },
      { id: 'h2', cpuCores: 8, memoryMiB: 32768 },
    ],
    steps: 600,
    vms: [{ id: 'v', hostId: 'h1', vcpus: 4, memoryMiB: 8192 }],
    workload: [{ vm: 'v', cpuCores: Array.from({ length: 600 }, (_, i) => 2 + Math.sin(i / 30)), memMiB: new Array<number>(600).fill(4096) }],
    arrivalStreams: [{ name: 'jobs', fromMinute: 0, toMinute: 500, perHour: 6, vcpus: [1, 6], memoryMiB: [512, 8192], durationMinutes: [5, 90], priority: [0, 3], cpuUse: 0.8 }],
  })
  const policies = [policy({ scheduling: 'fcfs' }), policy({ scheduling: 'easy', allocation: 'hybrid', balance: { enabled: true, intervalMinutes: 30, thresholdLoad: 0.3 } })]

  it('gives the same result for the same seed, and other arrivals for another seed', () => {
    const a = compareScenario(s, policies, { seed: 42 })
    const b = compareScenario(s, policies, { seed: 42 })
    const c = compareScenario(s, policies, { seed: 43 })
    expect(a.scenario.requests).toBeGreaterThan(20)
    expect(b).toEqual(a)
    expect(c.runs[0]!.requests.map((r) => r.arrivalMinute)).not.toEqual(a.runs[0]!.requests.map((r) => r.arrivalMinute))
  })
})
