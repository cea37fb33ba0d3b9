import { describe, expect, it } from 'vitest'
import { buildProblem, computeClaims } from '../../../shared/engine/whatif/claims'
import { powered } from '../../../shared/engine/whatif/state'
import { flat, replayState, scenario } from './support/scenarios'

// Two hosts; a's CPU demand climbs 1, 2, ... 10 cores over ten 1-minute steps; b is constant.
const climbing = (extra: object = {}) =>
  scenario({
    hosts: [{ id: 'h1', cpuCores: 16, memoryMiB: 65536 }, { id: 'h2', cpuCores: 16, memoryMiB: 65536 }],
    steps: 10,
    vms: [
      { id: 'a', hostId: 'h1', vcpus: 8, memoryMiB: 8192 },
      { id: 'b', hostId: 'h2', vcpus: 4, memoryMiB: 4096, cpuLimitCores: 1, pinnedHosts: ['h2'] },
    ],
    workload: [{ vm: 'a', cpuCores: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], memMiB: new Array<number>(10).fill(2048) }, { vm: 'b', ...flat(10, 3, 1024) }],
    ...extra,
  })
const balancing = { balance: { enabled: true, intervalMinutes: 5, demandPercentile: 0.8 } }

describe('computeClaims: the numbers of the balancing model', () => {
  it('claims the nearest-rank percentile of the last interval\'s demand, capped by allocation and limit', () => {
    const st = replayState(climbing(), { allocation: 'dynamic', ...balancing })
    const c = computeClaims(st, 6, powered, st.balanceEvery)
    expect(c.vmMap).toEqual([0, 1])
    // Steps 1-5 (demand 2-6): the 80th percentile of five values is the 4th, 5 cores.
    expect(st.claims.claimCpu[0]).toBe(5)
    expect(st.claims.claimMem[0]).toBe(2048)
    // b wants 3 cores but is limited to 1.
    expect(st.claims.claimCpu[1]).toBe(1)
  })

  it('claims allocations under static, and leaves out hosts the filter rejects', () => {
    const st = replayState(climbing(), { allocation: 'static', ...balancing })
    const c = computeClaims(st, 6, (h) => h.id === 'h1', st.balanceEvery)
    expect(c.hostMap).toEqual([0])
    expect(c.vmMap).toEqual([0])
    expect([st.claims.claimCpu[0], st.claims.claimMem[0]]).toEqual([8, 8192])
    expect([...st.claims.localOf]).toEqual([0, -1])
  })
})

describe('buildProblem', () => {
  it('carries pinning, a six-hour cooldown on the host a VM left, and the rules among the VMs present', () => {
    const s = climbing({ rules: { affinity: [['a', 'b']], antiAffinity: [] } })
    const st = replayState(s, { ...balancing, cpuOvercommit: 2 })
    st.vms.rt[0]!.lastMoveFrom = 1
    st.vms.rt[0]!.lastMoveStep = 2
    const p = buildProblem(st, computeClaims(st, 6, powered, st.balanceEvery), (h) => h.id === 'h2', null)
    expect(p.hosts.map((h) => [h.id, h.vcpuLimit, h.maintenance])).toEqual([['h1', 32, false], ['h2', 32, true]])
    expect(p.vms.map((v) => [v.id, v.allowedHosts, v.cooldownHosts])).toEqual([['a', null, ['h2']], ['b', ['h2'], []]])
    expect(p.affinity).toEqual([['a', 'b']])
    // Six hours later the cooldown is over (steps are minutes here).
    const later = buildProblem(st, { ...computeClaims(st, 6, powered, st.balanceEvery), step: 2 + 360 }, () => false, (i) => i === 1)
    expect(later.vms.map((v) => [v.cooldownHosts, v.movable])).toEqual([[[], true], [[], false]])
  })
})
