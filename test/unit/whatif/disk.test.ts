import { describe, expect, it } from 'vitest'
import { replay } from '../../../shared/engine/whatif'
import { ScenarioSchema, SCENARIO_VERSION } from '../../../shared/model/scenario'
import { flat, policy, scenario } from './support/scenarios'

describe('disk in what-if scenarios', () => {
  // One host with 100 GiB of storage; a VM of 60 GiB that has written 20.
  const withJobs = (jobs: { id: string; diskGiB: number; diskUsedGiB?: number }[]) =>
    scenario({
      hosts: [{ id: 'h1', cpuCores: 16, memoryMiB: 65536, diskGiB: 100 }],
      steps: 60,
      vms: [{ id: 'db', hostId: 'h1', vcpus: 2, memoryMiB: 4096, diskGiB: 60, diskUsedGiB: 20 }],
      workload: [{ vm: 'db', ...flat(60, 1, 2048) }],
      arrivals: jobs.map((j) => ({ ...j, atMinute: 0, vcpus: 1, memoryMiB: 1024, durationMinutes: 30 })),
    })

  it('static allocates whole disks (thick), dynamic what they wrote (thin): utilization and promise follow', () => {
    const s = withJobs([])
    const thick = replay(s, policy({ allocation: 'static' }), { seed: 1 }).metrics.disk!
    const thin = replay(s, policy({ allocation: 'dynamic' }), { seed: 1 }).metrics.disk!
    expect(thick.peakUse).toBeCloseTo(0.6, 9)
    expect(thin.peakUse).toBeCloseTo(0.2, 9)
    expect(thin.peakPromise).toBeCloseTo(0.6, 9)
    expect(thick.hostUtil.p50).toBeCloseTo(0.6, 9)
  })

  it('a request whose disk never fits beside the VMs that stay is rejected for disk; one that fits later waits', () => {
    // 50 GiB: never fits thick (60 held of 100), fits thin (20 held).
    const s = withJobs([{ id: 'big', diskGiB: 50 }, { id: 'a', diskGiB: 30 }, { id: 'b', diskGiB: 30 }])
    const thick = replay(s, policy({ allocation: 'static' }), { seed: 1 })
    expect(thick.requests.find((r) => r.id === 'big')!.outcome).toBe('rejected')
    expect(thick.metrics.disk!.rejected).toBe(1)
    expect(thick.events.find((e) => e.vm === 'big')!.detail).toBe("50 GiB of disk fits no host's storage (with the disks of the VMs that stay)")
    // a and b: 40 GiB free, one at a time: b waits for a (30 min).
    expect(thick.requests.find((r) => r.id === 'b')!.startMinute).toBe(30)
    expect(thick.metrics.disk!.peakUse).toBeCloseTo(0.9, 9)
    const thin = replay(s, policy({ allocation: 'dynamic' }), { seed: 1 })
    expect(thin.metrics.disk!.rejected).toBe(0)
    // 20 + 50 + 30 held fill the 100 GiB: b waits for the first to end.
    expect(thin.requests.map((r) => r.startMinute)).toEqual([0, 0, 30])
    expect(thin.metrics.disk!.peakUse).toBeCloseTo(1, 9)
  })

  it('hybrid is thin but caps what the disks may grow to (1.5 times the storage unless the policy says otherwise)', () => {
    // Written 5 GiB each, size 50: thin fits all three (20 + 15 held); hybrid's cap of 150 GiB takes db's 60 and one 50 at a time.
    const s = withJobs([{ id: 'a', diskGiB: 50, diskUsedGiB: 5 }, { id: 'b', diskGiB: 50, diskUsedGiB: 5 }, { id: 'c', diskGiB: 50, diskUsedGiB: 5 }])
    const dynamic = replay(s, policy({ allocation: 'dynamic' }), { seed: 1 })
    expect(dynamic.requests.map((r) => r.startMinute)).toEqual([0, 0, 0])
    expect(dynamic.metrics.disk!.peakPromise).toBeCloseTo(2.1, 9)
    const hybrid = replay(s, policy({ allocation: 'hybrid' }), { seed: 1 })
    expect(hybrid.requests.map((r) => r.startMinute)).toEqual([0, 30, null])
    expect(hybrid.metrics.disk!.peakPromise).toBeCloseTo(1.1, 9)
    const roomy = replay(s, policy({ allocation: 'hybrid', diskOvercommit: 3 }), { seed: 1 })
    expect(roomy.requests.map((r) => r.startMinute)).toEqual([0, 0, 0])
  })

  it('HA restarts and balancing never put a VM where its disk does not fit', () => {
    const s = scenario({
      hosts: [
        { id: 'h1', cpuCores: 8, memoryMiB: 32768, diskGiB: 100 },
        { id: 'small', cpuCores: 8, memoryMiB: 32768, diskGiB: 30 },
        { id: 'big', cpuCores: 8, memoryMiB: 32768, diskGiB: 500 },
      ],
      steps: 30,
      vms: [
        { id: 'web', hostId: 'h1', vcpus: 2, memoryMiB: 2048, diskGiB: 80 },
        { id: 'api', hostId: 'h1', vcpus: 2, memoryMiB: 2048, diskGiB: 10 },
      ],
      workload: [{ vm: 'web', ...flat(30, 1, 1024) }, { vm: 'api', ...flat(30, 1, 1024) }],
      edits: [{ kind: 'maintenance', hostId: 'h1', fromMinute: 5, toMinute: 25 }],
    })
    const run = replay(s, policy({ allocation: 'static' }), { seed: 1 })
    // Evacuated during maintenance: web only fits on big.
    expect(run.metrics.migrations).toBeGreaterThanOrEqual(2)
    expect(run.metrics.downVmMinutes).toBe(0)
    const failed = replay({ ...s, edits: [{ kind: 'hostFailure', hostId: 'h1', atMinute: 5 }] }, policy({ allocation: 'static' }), { seed: 1 })
    expect(failed.events.filter((e) => e.kind === 'vm-restarted').map((e) => [e.vm, e.host]).find(([vm]) => vm === 'web')).toEqual(['web', 'big'])
  })

  it('without disk in the scenario there is no disk result, and sizes are checked', () => {
    const plain = scenario({ hosts: [{ id: 'h1', cpuCores: 4, memoryMiB: 4096 }], steps: 5 })
    expect(replay(plain, policy(), { seed: 1 }).metrics.disk).toBeUndefined()
    const bad = ScenarioSchema.safeParse({
      version: SCENARIO_VERSION, name: 'x', start: 0, stepSeconds: 60, steps: 1,
      hosts: [{ id: 'h1', cpuCores: 4, memoryMiB: 4096, diskGiB: 40 }],
      vms: [{ id: 'a', hostId: 'h1', vcpus: 1, memoryMiB: 1024, diskGiB: 10, diskUsedGiB: 12 }],
      workload: [],
    })
    expect(bad.success).toBe(false)
    expect(JSON.stringify(bad.error?.issues)).toContain('cannot exceed it')
  })
})
