import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { entitle } from '../../../shared/engine/entitlement'
import { compareScenario } from '../../../shared/engine/whatif'
import { distribution, sortedPercentile } from '../../../shared/engine/whatif/stats'
import { PolicySetSchema } from '../../../shared/model/scenario'
import { bitbrains500 } from './support/synthetic'
import { shareClaims } from './support/scenarios'

// The replay's flat-array shortcuts must give the very numbers of the plain versions: equal to
// the last bit, not close.
describe('replay fast paths', () => {
  it('the contended share on flat arrays is entitle() to the last bit', () => {
    const claim = fc.record({
      demand: fc.double({ min: 0, max: 16, noNaN: true }),
      allocation: fc.integer({ min: 1, max: 16 }),
      reservation: fc.option(fc.double({ min: 0, max: 8, noNaN: true }), { nil: undefined }),
      limit: fc.option(fc.double({ min: 0, max: 16, noNaN: true }), { nil: undefined }),
      shares: fc.integer({ min: 1, max: 4096 }),
    })
    fc.assert(
      // The contended case, the one that water-fills.
      fc.property(fc.constantFrom('dynamic', 'hybrid' as const), fc.double({ min: 0.01, max: 0.99, noNaN: true }), fc.array(claim, { minLength: 1, maxLength: 40 }), (strategy, fraction, claims) => {
        // Below what the shortcut would grant (dynamic: capped demand; hybrid: reservations plus
        // what the limits allow beyond them), so the shortcut cannot apply.
        const capped = claims.map((c) => Math.max(0, Math.min(c.demand, c.allocation)))
        const base = claims.map((c, i) => Math.min(c.reservation ?? 0, capped[i]!))
        const ceilings = claims.map((c, i) => Math.max(0, Math.min(capped[i]!, c.limit ?? Infinity) - base[i]!))
        const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0)
        const capacity = fraction * (strategy === 'dynamic' ? sum(capped) : sum(base) + sum(ceilings))
        fc.pre(capacity > 1e-9)
        const b = shareClaims(strategy, capacity, claims)
        const expected = entitle(strategy, capacity, claims.map((c, i) => ({ vmId: String(i), ...c })))
        expect([...b.entitlement.subarray(0, claims.length)]).toEqual(expected.entitlements.map((e) => e.entitlement))
      }),
      { numRuns: 500 },
    )
  })

  it('distribution by selection equals nearest-rank percentiles of the sorted values', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double({ min: 0, max: 2, noNaN: true }), fc.constantFrom(0, 0.5, 1)), { maxLength: 300 }), (values) => {
        const sorted = Float64Array.from(values).sort()
        expect(distribution(Float64Array.from(values))).toEqual({
          p50: sortedPercentile(sorted, 0.5),
          p95: sortedPercentile(sorted, 0.95),
          max: sorted.length ? sorted[sorted.length - 1]! : 0,
        })
      }),
      { numRuns: 300 },
    )
  })

  // Three replays of 500 VMs: seconds on a busy machine.
  it('500 Bitbrains VMs for 2 days give the numbers the object-per-VM replay gave', { timeout: 60_000 }, () => {
    // Pinned from the replay before it moved to flat arrays (commit eea1096): reservations, limits
    // and shares, a host failure, monthly growth and a batch queue, under the three strategies.
    const s = bitbrains500(2, 12)
    s.vms = s.vms.map((v, i) => (i % 11 === 0 ? { ...v, cpuReservationCores: 1, cpuLimitCores: 2, memReservationMiB: 1024, cpuShares: 2048 } : v))
    s.edits = [...s.edits, { kind: 'hostFailure', hostId: 'h2', atMinute: 600, durationMinutes: 120 }, { kind: 'growth', percentPerMonth: 30 }]
    const policies = [
      { allocation: 'static', scheduling: 'fcfs' },
      { allocation: 'dynamic', scheduling: 'sjf' },
      { allocation: 'hybrid', scheduling: 'easy' },
    ].map((p) => PolicySetSchema.parse(p))
    const r = compareScenario(s, policies, { seed: 5 })
    expect(r.scenario.requests).toBe(201)
    const pick = (i: number) => {
      const m = r.runs[i]!.metrics
      return [m.unmetVmMinutes, m.cpuUnmetVmMinutes, m.memUnmetVmMinutes, m.aboveAllocationVmMinutes, m.unmetCpuCoreHours, m.unmetCpuShare, m.downVmMinutes, m.hostCpuUtil, m.hostMemUtil, m.restarts, m.peakMemOvercommit, m.queue.started, m.queue.waitMinutes.mean]
    }
    expect(pick(0)).toEqual([
      115285, 107480, 10115, 10495, 5963.710839072781, 0.3849738944364847, 110,
      { p50: 0.19338437975038858, p95: 0.9999999999999999, max: 1.0000000000000002 },
      { p50: 0.07678834807988688, p95: 0.7197916248381526, max: 0.9950664458635596 },
      20, 1.0741586952598159, 200, 4.856388334978533,
    ])
    expect(pick(1)).toEqual([
      35030, 25010, 10115, 10495, 1683.1485345416654, 0.10865501144294569, 120,
      { p50: 0.26133817492004724, p95: 1, max: 1.0000000000000007 },
      { p50: 0.07661460296941837, p95: 0.7174167019519109, max: 0.9928249279535427 },
      20, 1.0741586952598159, 200, 5.356388334978533,
    ])
    expect(pick(2)).toEqual([
      37210, 27190, 10115, 10495, 1759.679966594582, 0.11359216903398764, 110,
      { p50: 0.25802745909123437, p95: 1, max: 1.0000000000000007 },
      { p50: 0.07597825725511004, p95: 0.7156403761050901, max: 0.9950366374053565 },
      20, 1.0741586952598159, 200, 4.781388334978533,
    ])
    expect(r.runs.map((x) => x.events.length)).toEqual([42, 42, 42])
  })
})
