import { beforeAll, describe, expect, it } from 'vitest'
import highsLoader from 'highs'
import type { MipSolver } from '../../../../shared/engine/solver'
import { solveExact } from '../../../../shared/engine/balance'
import { balanceGreedy } from '../../../../shared/engine/balance'
import { buildPlacement } from '../../../../shared/engine/placement'
import { sustainedDemand } from '../../../../shared/engine/demand'
import { withDefaults } from '../../../../shared/engine/options'
import { validatePlan } from '../../../../shared/engine/validate'
import { host, snapshot, T0, usage, vm } from '../support/cluster'
import { recommendChecked } from '../support/plan'

let solver: MipSolver
beforeAll(async () => {
  solver = (await highsLoader()) as unknown as MipSolver
})

/** Deterministic pseudo-random cluster (LCG) so the case is reproducible without Math.random. */
function randomCluster(nVms: number, nHosts: number, seed: number) {
  let x = seed
  const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648)
  const hosts = Array.from({ length: nHosts }, (_, i) => host(`h${i}`, { threads: 16, memoryMiB: 65536 }))
  const vms = Array.from({ length: nVms }, (_, i) => vm(`v${i}`, `h${Math.floor(rnd() * Math.ceil(nHosts / 2))}`, { vcpus: 1 + Math.floor(rnd() * 4), memoryMiB: 1024 * (1 + Math.floor(rnd() * 6)) }))
  const samples = vms.map((v) => usage(v, v.allocation.vcpus * rnd(), v.allocation.memoryMiB * (0.3 + 0.7 * rnd())))
  return snapshot(hosts, vms, samples)
}

describe('exact balancing (HiGHS)', () => {
  it('finds the minimum peak load for at most k moves; greedy is never better and its plan is valid', () => {
    for (const seed of [1, 2]) {
      const snap = randomCluster(12, 4, seed)
      const options = withDefaults()
      const problem = buildPlacement(snap, sustainedDemand(snap, { vms: {} }, T0, 1, 0.8), { vms: {} }, T0, options)
      const greedy = balanceGreedy(problem, options.balance)
      const exact = solveExact(problem, { kind: 'minPeak', maxMoves: options.balance.maxMigrations }, solver, 10)
      expect(exact.status).toBe('optimal')
      expect(exact.moves.length).toBeLessThanOrEqual(options.balance.maxMigrations)
      expect(exact.summary!.peakLoad).toBeLessThanOrEqual(greedy.after.peakLoad + 1e-6)
      expect(exact.summary!.peakLoad).toBeLessThan(greedy.before.peakLoad)
      const plan = exact.moves.map((m) => ({ action: { kind: 'migrate' as const, vm: m.vmId, from: m.from, to: m.to, live: true }, rollback: { kind: 'migrate' as const, vm: m.vmId, from: m.to, to: m.from, live: true } }))
      expect(validatePlan(snap, plan, options).violations).toEqual([])
    }
  }, 60_000)

  it('min moves to reach a target: zero when already below it, infeasible when the target is impossible', () => {
    const snap = randomCluster(10, 3, 5)
    const options = withDefaults()
    const problem = buildPlacement(snap, sustainedDemand(snap, { vms: {} }, T0, 1, 0.8), { vms: {} }, T0, options)
    expect(solveExact(problem, { kind: 'minMoves', targetLoad: 10 }, solver, 5).moves).toEqual([])
    expect(solveExact(problem, { kind: 'minMoves', targetLoad: 0.01 }, solver, 5).status).toBe('infeasible')
    const reachable = solveExact(problem, { kind: 'minMoves', targetLoad: 0.6 }, solver, 5)
    if (reachable.summary) {
      expect(Math.max(reachable.summary.maxCpuLoad, reachable.summary.maxMemLoad)).toBeLessThanOrEqual(0.6 + 1e-6)
    }
  })

  it('respects anti-affinity and pinning in the model', () => {
    const hosts = [host('h1'), host('h2')]
    const vms = [vm('a', 'h1', { vcpus: 4 }), vm('b', 'h1', { vcpus: 4 }), vm('c', 'h1', { vcpus: 4 })]
    const snap = snapshot(hosts, vms, vms.map((v) => usage(v, 3, 3000)))
    const options = withDefaults({ rules: { antiAffinity: [['a', 'b']], pinned: { c: ['h1'] } } })
    const problem = buildPlacement(snap, sustainedDemand(snap, { vms: {} }, T0, 1, 0.8), { vms: {} }, T0, options)
    const exact = solveExact(problem, { kind: 'minPeak', maxMoves: 3 }, solver, 5)
    expect(exact.assignment.c).toBe('h1')
    expect(exact.assignment.a).not.toBe(exact.assignment.b)
  })

  it('recommend() reports the greedy optimality gap when a solver is passed', () => {
    const snap = randomCluster(16, 4, 9)
    // A generous time limit: the default (2 s) is for the app; CI's two cores may be busy.
    const out = recommendChecked({ snapshot: snap, history: { vms: {} }, now: T0, seed: 1, solver, options: { balance: { exactTimeLimitS: 40 } } })
    expect(out.balance.exact.status).toBe('optimal')
    expect(out.balance.exact.optimalityGap).toBeGreaterThanOrEqual(-1e-6)
    const noSolver = recommendChecked({ snapshot: snap, history: { vms: {} }, now: T0, seed: 1 })
    expect(noSolver.balance.exact.status).toBe('skipped')
  }, 60_000)
})
