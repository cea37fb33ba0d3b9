import { describe, expect, it } from 'vitest'
import { MoveLog, priorityForGain } from '../../../../shared/engine/balance/moves'
import { ClusterState } from '../../../../shared/engine/balance/state'
import { phost, problemOf, pvm } from '../support/placement'

describe('priorityForGain', () => {
  it('ranks moves DRS-style by the imbalance they remove', () => {
    expect([0.2, 0.1, 0.07, 0.05, 0.03, 0.02, 0.019, 0].map(priorityForGain)).toEqual([2, 2, 3, 3, 4, 4, 5, 5])
  })
})

describe('MoveLog', () => {
  it('records an affinity unit as one move per VM that changes host, with the unit\'s gain and cost, and applies it', () => {
    const p = problemOf([phost('h0'), phost('h1')], [pvm('a', 'h0', 4, 4), pvm('b', 'h0', 2, 2), pvm('c', 'h1', 1, 1)], { affinity: [['a', 'b']] })
    const state = new ClusterState(p)
    const log = new MoveLog(state, 1000)
    const u = state.units.findIndex((m) => m.length === 2)
    const spread = state.imbalance()
    const after = state.imbalanceAfter(u, 1)
    log.record(u, 1, false, 'evens out host load')
    expect(log.moves.map((m) => [m.vmId, m.from, m.to])).toEqual([['a', 'h0', 'h1'], ['b', 'h0', 'h1']])
    expect(log.moves[0]!.gain).toBeCloseTo(spread - after, 12)
    expect(log.moves[1]!.costSeconds).toBeCloseTo((4 * 1024 + 2 * 1024) / 1000, 12)
    expect(log.moves[0]!.priority).toBe(priorityForGain(spread - after))
    expect(state.vmHost).toEqual([1, 1, 1])
    log.record(u, 0, true, 'host h1 is in maintenance')
    expect(log.moves.slice(2).map((m) => m.priority)).toEqual([1, 1])
  })

  it('records a swap as two halves, the one whose target has room first, each with half the gain', () => {
    // h0 is at its 4-vCPU limit: y cannot arrive before x leaves.
    const p = problemOf([phost('h0', { vcpuLimit: 4 }), phost('h1')], [pvm('x', 'h0', 4, 1), pvm('y', 'h1', 1, 1)])
    const state = new ClusterState(p)
    const log = new MoveLog(state, 1000)
    const gain = state.imbalance() - state.imbalanceAfterSwap(0, 1)
    log.recordSwap({ x: 1, y: 0, gain: 0, score: 0, xFirst: false })
    expect(log.moves.map((m) => [m.vmId, m.from, m.to, m.swapWith])).toEqual([['x', 'h0', 'h1', 'y'], ['y', 'h1', 'h0', 'x']])
    expect(log.moves[0]!.gain).toBeCloseTo(gain / 2, 12)
    expect([...log.partner]).toEqual([[1, 0], [0, 1]])
    expect(state.vmHost).toEqual([1, 0])
  })
})
