import { describe, expect, it } from 'vitest'
import { bestDestination, canHost, swapOrder } from '../../../../shared/engine/balance/constraints'
import { ClusterState } from '../../../../shared/engine/balance/state'
import { phost, problemOf, pvm } from '../support/placement'

const unitOf = (state: ClusterState, vmId: string) => state.units.findIndex((m) => m.some((v) => state.problem.vms[v]!.id === vmId))

describe('canHost: the rules and limits of one move', () => {
  const hosts = () => [phost('h0'), phost('h1', { vcpuLimit: 4, memAllocLimitMiB: 8 * 1024 }), phost('h2', { maintenance: true })]

  it('refuses a host in maintenance, off the pinned hosts, in cooldown or over an overcommit limit', () => {
    const state = new ClusterState(
      problemOf(hosts(), [
        pvm('free', 'h0', 1, 1),
        pvm('pinned', 'h0', 1, 1, { allowedHosts: ['h0'] }),
        pvm('cooling', 'h0', 1, 1, { cooldownHosts: ['h1'] }),
        pvm('big', 'h0', 5, 1),
        pvm('managed', 'h0', 1, 1, { movable: false }),
      ]),
    )
    expect(canHost(state, unitOf(state, 'free'), 1)).toBe(true)
    expect(canHost(state, unitOf(state, 'free'), 2)).toBe(false)
    expect(canHost(state, unitOf(state, 'pinned'), 1)).toBe(false)
    expect(canHost(state, unitOf(state, 'cooling'), 1)).toBe(false)
    expect(canHost(state, unitOf(state, 'big'), 1)).toBe(false) // 5 vCPUs > limit 4
    expect(canHost(state, unitOf(state, 'managed'), 1)).toBe(false)
  })

  it('keeps anti-affine VMs apart and counts an affinity unit as one', () => {
    const state = new ClusterState(
      problemOf(hosts(), [pvm('a', 'h0', 1, 1), pvm('b', 'h1', 1, 1), pvm('c', 'h0', 1, 3), pvm('d', 'h0', 1, 3)], { antiAffinity: [['a', 'b']], affinity: [['c', 'd']] }),
    )
    expect(canHost(state, unitOf(state, 'a'), 1)).toBe(false)
    // c + d: 6 GiB on h1 fits its 8 GiB, with b's 1 GiB: 7.
    expect(canHost(state, unitOf(state, 'c'), 1)).toBe(true)
  })
})

describe('swapOrder: whether two VMs may exchange hosts, and which goes first', () => {
  it('sends first the VM whose target has room while the other is still there', () => {
    // h0 is full (4 of 4 vCPUs): y (1 vCPU) cannot arrive before x (3 vCPUs) leaves, but h1 takes x at once.
    const p = problemOf([phost('h0', { vcpuLimit: 4 }), phost('h1', { vcpuLimit: 8 })], [pvm('x', 'h0', 3, 1), pvm('filler', 'h0', 1, 1), pvm('y', 'h1', 1, 1)])
    const state = new ClusterState(p)
    expect(swapOrder(state, unitOf(state, 'x'), unitOf(state, 'y'))).toBe(true)
    expect(swapOrder(state, unitOf(state, 'y'), unitOf(state, 'x'))).toBe(false)
  })

  it('refuses a swap of anti-affine VMs (they would share a host between the two steps) and one neither order fits', () => {
    const anti = new ClusterState(problemOf([phost('h0'), phost('h1')], [pvm('x', 'h0', 1, 1), pvm('y', 'h1', 1, 1)], { antiAffinity: [['x', 'y']] }))
    expect(swapOrder(anti, 0, 1)).toBeNull()
    const full = new ClusterState(problemOf([phost('h0', { vcpuLimit: 2 }), phost('h1', { vcpuLimit: 2 })], [pvm('x', 'h0', 2, 1), pvm('y', 'h1', 2, 1)]))
    expect(swapOrder(full, 0, 1)).toBeNull()
  })
})

describe('bestDestination', () => {
  it('picks the allowed host that leaves the spread lowest, and not its own', () => {
    const p = problemOf([phost('h0'), phost('h1'), phost('h2')], [pvm('a', 'h0', 6, 6), pvm('b', 'h0', 2, 2), pvm('c', 'h1', 3, 3), pvm('d', 'h2', 1, 1)])
    const state = new ClusterState(p)
    expect(bestDestination(state, unitOf(state, 'b'), false)).toBe(2)
    expect(bestDestination(state, unitOf(state, 'b'), true)).toBe(2)
    const pinned = new ClusterState(problemOf(p.hosts, p.vms.map((v) => (v.id === 'b' ? { ...v, allowedHosts: ['h0', 'h1'] } : v))))
    expect(bestDestination(pinned, unitOf(pinned, 'b'), false)).toBe(1)
    expect(bestDestination(new ClusterState(problemOf([phost('h0'), phost('h1', { maintenance: true })], [pvm('a', 'h0', 1, 1)])), 0, false)).toBeNull()
  })
})
