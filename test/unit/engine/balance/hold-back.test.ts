import { describe, expect, it } from 'vitest'
import { balanceGreedy, type Move } from '../../../../shared/engine/balance'
import { holdBack } from '../../../../shared/engine/balance/hold-back'
import { forecastDemand } from '../../../../shared/engine/demand'
import { withDefaults } from '../../../../shared/engine/options'
import { buildPlacement, type PlacementProblem } from '../../../../shared/engine/placement'
import { rebalanceRecommendation } from '../../../../shared/engine/rebalance'
import { greedyOptions } from '../../../../shared/engine/recommend'
import { formatMessage } from '../../../../shared/i18n'
import { currentPlacement, judge, placementAfter } from '../../../bench/support/next-day'
import { phost, problemOf, pvm } from '../support/placement'
import { loadHourly500, traceCluster } from '../support/trace-cluster'

const move = (vmId: string, from: string, to: string, o: Partial<Move> = {}): Move => ({ vmId, from, to, mandatory: false, reason: 'evens out host load', gain: 0.1, costSeconds: 5, priority: 3, ...o })
/** 14 past days at `day` cores, then the recent level. */
const days = (day: number, recent = day) => [...Array<number>(14).fill(day), recent]

// h0 carries a (forecast 5 cores) and b (3); h1 carries c (1). The forecast says h0 is busy; on
// every one of the last days a used 0.5 and c 5, so h1 was the busy one.
const hotOnlyInForecast = (): PlacementProblem => problemOf(
  [phost('h0'), phost('h1')],
  [pvm('a', 'h0', 5, 1, { cpuScenarios: days(0.5) }), pvm('b', 'h0', 3, 1, { cpuScenarios: days(3) }), pvm('c', 'h1', 1, 1, { cpuScenarios: days(5) })],
)

describe('holding back moves the past days do not bear out', () => {
  it('leaves out a move whose gain exists only under the forecast, and says how many', () => {
    const p = hotOnlyInForecast()
    expect(holdBack(p, [move('a', 'h0', 'h1')])).toEqual({ moves: [], heldBack: 1 })
    const out = balanceGreedy(p, greedyOptions(withDefaults({}).balance))
    expect(out.moves).toEqual([])
    expect(out.heldBack).toBeGreaterThan(0)
    // The summary describes the plan as kept: nothing moves.
    expect(out.after.maxCpuLoad).toBeCloseTo(out.before.maxCpuLoad, 9)
  })

  it('keeps a move the past days bear out, and cuts the plan where the days stop agreeing', () => {
    const p = problemOf(
      [phost('h0'), phost('h1')],
      [pvm('a', 'h0', 5, 1, { cpuScenarios: days(5) }), pvm('b', 'h0', 3, 1, { cpuScenarios: days(3) }), pvm('c', 'h1', 1, 1, { cpuScenarios: days(1) })],
    )
    // a to h1 lowers the busiest host on every day (8 -> 6 cores); b after it would raise it again (h1 at 9).
    expect(holdBack(p, [move('a', 'h0', 'h1'), move('b', 'h0', 'h1')])).toEqual({ moves: [move('a', 'h0', 'h1')], heldBack: 1 })
  })

  it('always keeps the mandatory moves, and never splits a swap', () => {
    const p = hotOnlyInForecast()
    const plan = [
      move('b', 'h0', 'h1', { mandatory: true, priority: 1, reason: 'anti-affinity' }),
      move('a', 'h0', 'h1', { swapWith: 'c' }),
      move('c', 'h1', 'h0', { swapWith: 'a' }),
    ]
    const kept = holdBack(p, plan)
    expect(kept.moves[0]).toEqual(plan[0])
    expect(kept.moves.length === 1 || kept.moves.length === 3).toBe(true)
  })

  it('says in the set\'s rationale how many moves it left out and over how many days, in English and by message key', () => {
    const rec = rebalanceRecommendation({ problem: hotOnlyInForecast(), applied: [], moves: [move('b', 'h0', 'h1')], id: 'r1', nameOf: (id) => id, confidence: 'normal', horizonHours: 24, heldBack: { count: 2, days: 14 } })
    expect(rec.rationale).toContain('Not included: further moves the forecast favoured (2); over the same hours of each of the last 14 days')
    expect(rec.rationaleRef?.key).toBe('engine.rebalance.rationaleHeldBack')
    const why = rec.rationale.slice(rec.rationale.indexOf('Not included'))
    expect(formatMessage(rec.rationaleRef!, 'en').endsWith(` ${why}`)).toBe(true)
    expect(formatMessage(rec.rationaleRef!, 'zh-CN')).toContain('未列入：预测还倾向于另外 2 次迁移；但按过去 14 天')
    const plain = rebalanceRecommendation({ problem: hotOnlyInForecast(), applied: [], moves: [move('b', 'h0', 'h1')], id: 'r1', nameOf: (id) => id, confidence: 'normal', horizonHours: 24 })
    expect(plain.rationaleRef?.key).toBe('engine.rebalance.rationale')
  })

  it('changes nothing where no VM has past days (claims by allocation, or no history)', () => {
    const p = problemOf([phost('h0'), phost('h1')], [pvm('a', 'h0', 5, 1), pvm('b', 'h0', 3, 1), pvm('c', 'h1', 1, 1)])
    expect(holdBack(p, [move('a', 'h0', 'h1')])).toEqual({ moves: [move('a', 'h0', 'h1')], heldBack: 0 })
  })

  it('on the Bitbrains trace at a Wednesday 10:00 decision, keeps the plan from making the next day worse than no move, where the forecast alone does', () => {
    // The batch VMs that ran all night have just stopped; the weekly profile still expects them.
    const c = traceCluster(loadHourly500(), { hosts: 16, vms: 400, seed: 16, at: Date.UTC(2013, 6, 24, 8) })
    const o = withDefaults({ balance: { maxMigrations: 8 } })
    const problem = buildPlacement(c.snapshot, forecastDemand(c.snapshot, c.history, c.now, o.forecast, o.contention.windowMs), c.history, c.now, o)
    const forecastOnly: PlacementProblem = { ...problem, vms: problem.vms.map(({ cpuScenarios: _, ...vm }) => vm) }
    const peak = (p: PlacementProblem) => judge(c, placementAfter(c, balanceGreedy(p, greedyOptions(o.balance)).moves)).peakLoad
    const none = judge(c, currentPlacement(c)).peakLoad
    expect(peak(forecastOnly)).toBeGreaterThan(none)
    expect(peak(problem)).toBeLessThanOrEqual(none + 1e-9)
  })
})
