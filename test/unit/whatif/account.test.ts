import { describe, expect, it } from 'vitest'
import { accountStep } from '../../../shared/engine/whatif/account'
import { runResult } from '../../../shared/engine/whatif/metrics'
import { flat, replayState, scenario } from './support/scenarios'

// 8 cores shared by three 8-vCPU VMs wanting 4, 6 and 6 cores; a fourth VM on a failed host.
const contended = () =>
  scenario({
    hosts: [{ id: 'h1', cpuCores: 8, memoryMiB: 65536 }, { id: 'h2', cpuCores: 8, memoryMiB: 65536 }],
    steps: 3,
    stepSeconds: 300,
    vms: [...['a', 'b', 'c'].map((id) => ({ id, hostId: 'h1', vcpus: 8, memoryMiB: 4096 })), { id: 'd', hostId: 'h2', vcpus: 2, memoryMiB: 2048 }],
    workload: [
      { vm: 'a', ...flat(3, 4, 1024) },
      { vm: 'b', ...flat(3, 6, 1024) },
      { vm: 'c', ...flat(3, 6, 1024) },
      { vm: 'd', ...flat(3, 1, 1024) },
    ],
  })

describe('accountStep (step 7)', () => {
  it('shares a contended host, counts every VM short of its demand, and reports the host short', () => {
    const st = replayState(contended(), { allocation: 'dynamic' })
    expect(accountStep(st, 0)).toBe(true)
    const L = st.ledger
    expect([L.vmSteps, L.unmetAnySteps, L.unmetCpuSteps, L.unmetMemSteps]).toEqual([4, 3, 3, 0])
    expect(L.cpuUnmetSum).toBeCloseTo(16 - 8, 12)
    expect(L.cpuUtil[0]).toBeCloseTo(1, 12)
    // Powered: 16 cores; granted 8 + 1, demanded 16 + 1.
    expect(L.clusterCpu[0]).toBeCloseTo((100 * 9) / 16, 9)
    expect(L.clusterCpuDemand[0]).toBeCloseTo((100 * 17) / 16, 9)
    expect(L.unmetVmsAt[0]).toBe(3)
  })

  it('counts a down VM\'s demand as unmet and leaves its failed host out of capacity', () => {
    const st = replayState(contended(), { allocation: 'static' })
    st.vms.hostOf[3] = -1
    st.hosts[1]!.failed = true
    expect(accountStep(st, 0)).toBe(true)
    const L = st.ledger
    expect([L.downSteps, L.activeHostSteps, L.utilN]).toEqual([1, 1, 1])
    // Static: 24 vCPUs allocated on 8 cores, each VM gets a third of its allocation.
    expect(L.cpuUnmetSum).toBeCloseTo(1 + (4 - 8 / 3) + 2 * (6 - 8 / 3), 9)
  })
})

describe('runResult', () => {
  it('turns VM-steps into minutes and hours and lists where every VM ended, down ones as null', () => {
    const st = replayState(contended(), { allocation: 'dynamic' })
    st.vms.hostOf[3] = -1
    for (let s = 0; s < 3; s++) accountStep(st, s)
    const run = runResult(st, { seed: 1 })
    expect(run.metrics.unmetVmMinutes).toBe(4 * 3 * 5)
    expect(run.metrics.downVmMinutes).toBe(3 * 5)
    expect(run.metrics.activeHostHours).toBeCloseTo((2 * 3 * 5) / 60, 12)
    expect(run.finalPlacement).toEqual({ a: 'h1', b: 'h1', c: 'h1', d: null })
    expect(run.accounting).toEqual({ vmSteps: 12, placedVmSteps: 9, downVmSteps: 3, completedJobs: 0 })
    expect(run.series.t).toEqual([0, 1, 2].map((i) => contended().start + i * 300_000))
  })
})
