import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { ClusterState } from '../../../../shared/engine/balance/state'
import { summarizeLoads, type PlacementProblem } from '../../../../shared/engine/placement'
import { arbitraryProblem, phost, problemOf, pvm } from '../support/placement'

/** The loads of the state's current assignment, computed from scratch. */
const fromScratch = (p: PlacementProblem, state: ClusterState) => summarizeLoads(p, (vm) => p.hosts[state.vmHost[p.vms.indexOf(vm)]!]!.id)

// The spread comes from running sums of loads and squared loads: its square root turns rounding
// of about 1e-17 into about 1e-9, so spreads agree to 6 digits, loads and peaks to 9.
describe('ClusterState: running sums and the objective', () => {
  it('keeps spread, peak and host loads equal to a recomputation through any sequence of moves', () => {
    fc.assert(
      fc.property(arbitraryProblem, fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 12 }), (p, moves) => {
        const state = new ClusterState(p)
        for (const [u, h] of moves) {
          state.move(u % state.units.length, h % p.hosts.length)
          const s = fromScratch(p, state)
          expect(state.imbalance()).toBeCloseTo(s.imbalance, 6)
          expect(state.peak()).toBeCloseTo(s.peakLoad, 9)
          s.cpuLoads.forEach((c, i) => expect(state.cpuLoad[i]!).toBeCloseTo(c, 9))
        }
      }),
      { numRuns: 200 },
    )
  })

  it('scores a move or a swap without making it: the same objective and spread as after making it', () => {
    fc.assert(
      fc.property(arbitraryProblem, fc.nat(), fc.nat(), fc.nat(), (p, a, b, h) => {
        const state = new ClusterState(p)
        const u = a % state.units.length
        const to = h % p.hosts.length
        const predicted = state.objectiveAfter(u, to)
        const predictedSpread = state.lastSpread
        const from = state.vmHost[u]!
        state.move(u, to)
        expect(state.objective()).toBeCloseTo(predicted, 6)
        expect(state.imbalance()).toBeCloseTo(predictedSpread, 6)
        state.move(u, from)
        const y = b % p.vms.length
        if (state.vmHost[u] === state.vmHost[y]) return
        const swapped = state.objectiveAfterSwap(u, y)
        const [hu, hy] = [state.vmHost[u]!, state.vmHost[y]!]
        state.move(u, hy)
        state.move(y, hu)
        expect(state.objective()).toBeCloseTo(swapped, 6)
      }),
      { numRuns: 300 },
    )
  })

  it('bounds every exchange between two hosts from below (the swap search skips pairs by it)', () => {
    fc.assert(
      fc.property(arbitraryProblem, (p) => {
        const state = new ClusterState(p)
        for (let x = 0; x < p.vms.length; x++)
          for (let y = 0; y < p.vms.length; y++) {
            const [a, b] = [state.vmHost[x]!, state.vmHost[y]!]
            if (a === b || !state.activeHost(a) || !state.activeHost(b)) continue
            expect(state.objectiveBound(a, b)).toBeLessThanOrEqual(state.objectiveAfterSwap(x, y) + 1e-6)
          }
      }),
      { numRuns: 200 },
    )
  })

  it('leaves hosts in maintenance out of the spread and the peak', () => {
    const p = problemOf([phost('h0'), phost('h1'), phost('h2', { maintenance: true })], [pvm('a', 'h0', 5, 5), pvm('b', 'h1', 5, 5), pvm('c', 'h2', 9, 9)])
    const state = new ClusterState(p)
    expect(state.imbalance()).toBe(0)
    expect(state.peak()).toBeCloseTo(0.5, 12)
    expect(state.extremeHosts().has(2)).toBe(false)
  })

  it('costs a migration as used memory over the bandwidth left after the dirty rate, and never converging as Infinity', () => {
    const p = problemOf([phost('h0'), phost('h1')], [pvm('a', 'h0', 1, 4, { memDirtyMiBps: 200 }), pvm('b', 'h0', 1, 4, { memDirtyMiBps: 1200 })])
    const state = new ClusterState(p)
    expect(state.costSeconds(0, 1000)).toBeCloseTo(4096 / 800, 12)
    expect(state.costSeconds(1, 1000)).toBe(Infinity)
  })

  it('finds the highest load outside a set of hosts, also past the three it tracks', () => {
    const p = problemOf(['h0', 'h1', 'h2', 'h3', 'h4'].map((id) => phost(id)), [pvm('a', 'h0', 9, 1), pvm('b', 'h1', 8, 1), pvm('c', 'h2', 7, 1), pvm('d', 'h3', 6, 1), pvm('e', 'h4', 1, 1)])
    const state = new ClusterState(p)
    expect(state.maxOutside(state.cpuLoad, state.topCpu, [0], 1)).toBeCloseTo(0.8, 12)
    expect(state.maxOutside(state.cpuLoad, state.topCpu, [0, 1, 2], 3)).toBeCloseTo(0.6, 12)
  })
})
