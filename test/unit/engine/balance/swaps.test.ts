import { describe, expect, it } from 'vitest'
import { ClusterState } from '../../../../shared/engine/balance/state'
import { bestSwap, type Round } from '../../../../shared/engine/balance/swaps'
import { phost, problemOf, pvm } from '../support/placement'

const options = { minGain: 0.01, maxMigrations: 8, migrationBandwidthMiBps: 1000, maxMigrationSeconds: 300 }
const roundOf = (state: ClusterState, unitCost = state.units.map(() => 0)): Round => ({ moved: new Set(), stuck: new Set(), unitCost, current: state.objective(), spread: state.imbalance() })

// h0 runs 8 of 10 cores (x and a, 4 each), h1 4 (y and b, 2 each). Moving any one VM only mirrors
// the imbalance; exchanging a 4-core VM with a 2-core one evens the hosts at 6 cores each.
const mirror = () => problemOf([phost('h0'), phost('h1')], [pvm('x', 'h0', 4, 1), pvm('a', 'h0', 4, 1), pvm('y', 'h1', 2, 1), pvm('b', 'h1', 2, 1)])

describe('bestSwap', () => {
  it('finds the exchange that evens two hosts where no single move helps', () => {
    const state = new ClusterState(mirror())
    const swap = bestSwap(state, roundOf(state), options, 0)!
    expect(swap).not.toBeNull()
    const ids = [swap.x, swap.y].map((u) => state.problem.vms[state.units[u]![0]!]!.hostId).sort()
    expect(ids).toEqual(['h0', 'h1'])
    const [hx, hy] = [state.vmHost[swap.x]!, state.vmHost[swap.y]!]
    state.move(swap.x, hy)
    state.move(swap.y, hx)
    expect(state.imbalance()).toBeCloseTo(0, 6)
    expect(swap.gain).toBeGreaterThan(0.1)
  })

  it('returns none that does not beat `mustBeat`, gain minGain, pay for its migrations or keep to the rules', () => {
    const state = new ClusterState(mirror())
    const swap = bestSwap(state, roundOf(state), options, 0)!
    expect(bestSwap(state, roundOf(state), options, swap.score)).toBeNull()
    expect(bestSwap(state, roundOf(state), { ...options, minGain: 1 }, 0)).toBeNull()
    // Ten minutes of migration each: 2 x 10 x minGain / 1 min is more than the gain.
    expect(bestSwap(state, roundOf(state, state.units.map(() => 600)), { ...options, maxMigrationSeconds: 600, minGain: 0.05 }, 0)).toBeNull()
    const moved = new Set(state.units.map((_, u) => u).filter((u) => state.vmHost[u] === 0))
    expect(bestSwap(state, { ...roundOf(state), moved }, options, 0)).toBeNull()
    const pinned = new ClusterState(problemOf(mirror().hosts, mirror().vms.map((v) => ({ ...v, allowedHosts: [v.hostId] }))))
    expect(bestSwap(pinned, roundOf(pinned), options, 0)).toBeNull()
  })
})
