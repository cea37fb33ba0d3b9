import { describe, expect, it } from 'vitest'
import type { Move } from '../../../../shared/engine/balance/moves'
import { keepOrderUnderPriority, scheduleMoves } from '../../../../shared/engine/balance/schedule'
import { phost, problemOf, pvm } from '../support/placement'

const o = { minGain: 0.01, maxMigrations: 8, migrationBandwidthMiBps: 1000, maxMigrationSeconds: 300 }
const move = (vmId: string, from: string, to: string, priority: Move['priority'], extra: Partial<Move> = {}): Move => ({ vmId, from, to, mandatory: false, reason: 'evens out host load', gain: 0, costSeconds: 1, priority, ...extra })

// h0 holds c (4 vCPUs) at its limit of 4: b can arrive on h0 only after c has left for h2.
const chain = () => problemOf([phost('h0', { vcpuLimit: 4 }), phost('h1'), phost('h2')], [pvm('b', 'h1', 2, 1), pvm('c', 'h0', 4, 1), pvm('d', 'h2', 1, 1)])

describe('scheduleMoves: the refined plan in an order that fits step by step', () => {
  it('moves the VM that makes room first, keeping phase 2\'s reason where phase 3 left the move as it was', () => {
    const p = chain()
    const recorded = [move('c', 'h0', 'h2', 3, { reason: 'evens out host load' })]
    const out = scheduleMoves(p, [1, 0, 2], [0, 2, 2], recorded, new Map(), o)!
    expect(out.map((m) => `${m.vmId}:${m.from}->${m.to}`)).toEqual(['c:h0->h2', 'b:h1->h0'])
    expect(out.map((m) => m.reason)).toEqual(['evens out host load', 'lowers the peak host load'])
    expect(out[0]!.costSeconds).toBeCloseTo(1024 / 1000, 12)
  })

  it('runs an exact exchange recorded as a swap as one step, the VM whose target has room first', () => {
    // h1 (limit 9) takes x while y is still there; h0 (limit 4) takes y only once x has left.
    const p = problemOf([phost('h0', { vcpuLimit: 4 }), phost('h1', { vcpuLimit: 9 })], [pvm('y', 'h1', 4, 1), pvm('x', 'h0', 4, 1), pvm('z', 'h1', 1, 1)])
    const out = scheduleMoves(p, [1, 0, 1], [0, 1, 1], [], new Map([[0, 1], [1, 0]]), o)!
    expect(out.map((m) => [m.vmId, m.to, m.swapWith])).toEqual([['x', 'h1', 'y'], ['y', 'h0', 'x']])
    expect(out[0]!.reason).toBe('lowers the peak host load (swaps places with y)')
    expect(out[0]!.gain).toBe(out[1]!.gain)
  })

  it('returns null when no order fits', () => {
    // y cannot join x on h0 (4 + 4 vCPUs over a limit of 4), whatever goes first.
    const p = problemOf([phost('h0', { vcpuLimit: 4 }), phost('h1')], [pvm('x', 'h0', 4, 1), pvm('y', 'h1', 4, 1)])
    expect(scheduleMoves(p, [0, 1], [0, 0], [], new Map(), o)).toBeNull()
  })
})

describe('keepOrderUnderPriority', () => {
  it('raises a move\'s priority to the one before it when sorting by priority would break the order', () => {
    const p = chain()
    const plan = [move('c', 'h0', 'h2', 4), move('b', 'h1', 'h0', 2)]
    expect(keepOrderUnderPriority(p, plan).map((m) => m.priority)).toEqual([4, 4])
    const fine = [move('b', 'h1', 'h2', 2), move('c', 'h0', 'h1', 4)]
    expect(keepOrderUnderPriority(p, fine)).toBe(fine)
  })
})
