import { describe, expect, it } from 'vitest'
import { balanceGreedy, type GreedyOptions } from '../../../../shared/engine/balance'
import { stepScore } from '../../../../shared/engine/balance/moves'
import { refinePeak } from '../../../../shared/engine/balance/refine-peak'
import { ClusterState } from '../../../../shared/engine/balance/state'
import { defaultOptions } from '../../../../shared/engine/options'
import { greedyOptions } from '../../../../shared/engine/recommend'
import { phost, problemOf, pvm } from '../support/placement'

const product = (maxMigrations = 8): GreedyOptions => ({ ...greedyOptions(defaultOptions.balance), maxMigrations })
/** CPU only: where memory cannot be overcommitted its use does not weigh (buildPlacement). */
const cpuOnly = <T extends ReturnType<typeof problemOf>>(p: T): T => ({ ...p, cpuWeight: 1, memWeight: 0 })

/** One host running `hot` VMs of `cores` each, every other host one such VM; 10-core hosts with room for them. */
function oneHot(hosts: number, hot: number, cores: number) {
  const vms = [
    ...Array.from({ length: hot }, (_, i) => pvm(`hot${i}`, 'h0', cores, 0.02)),
    ...Array.from({ length: hosts - 1 }, (_, i) => pvm(`cold${i}`, `h${i + 1}`, cores, 0.02)),
  ]
  return cpuOnly(problemOf(Array.from({ length: hosts }, (_, i) => phost(`h${i}`, { vcpuLimit: 1000 })), vms))
}

describe('the relative stopping rule', () => {
  it('charges a step its migration minutes as a share of the current imbalance, with a floor per migration', () => {
    const o = product()
    // Imbalance 0.2: a move must remove 1 % of it (0.002), plus 1 % of it per minute of migration.
    expect(stepScore(0.0019, 0, 1, 0, 0.2, o)).toBeNull()
    expect(stepScore(0.003, 0, 1, 6, 0.2, o)).toBeCloseTo(0.003 - 0.1 * 0.002, 12)
    expect(stepScore(0.003, 0, 1, 120, 0.2, o)).toBeNull()
    expect(stepScore(0.003, 0, 2, 0, 0.2, o)).toBeNull()
    // The what-if's absolute floor still applies when it is set.
    expect(stepScore(0.003, 0.005, 1, 0, 0.2, { ...o, minGain: 0.005 })).toBeNull()
  })

  it('is scale-free: the same hot host comes down with the same moves on 8, 16 or 64 hosts', () => {
    const counts = [8, 16, 64].map((n) => {
      const r = balanceGreedy(oneHot(n, 8, 1), product())
      expect(Math.max(...r.after.cpuLoads)).toBeLessThanOrEqual(0.2 + 1e-9)
      return r.moves.length
    })
    expect(new Set(counts).size).toBe(1)
    expect(counts[0]).toBeGreaterThanOrEqual(6)
  })

  it('moves small VMs an absolute floor of 0.005 would never move, until the admin\'s budget is spent', () => {
    // h0 at 0.3 in 0.03-core VMs, 31 hosts at 0.1: each move lowers the objective by about 0.003,
    // under 0.005 but well over 1 % of the imbalance (about 0.23).
    const hosts = Array.from({ length: 32 }, (_, i) => phost(`h${i}`, { vcpuLimit: 1000 }))
    const vms = [...Array.from({ length: 100 }, (_, i) => pvm(`s${i}`, 'h0', 0.03, 0.02)), ...hosts.slice(1).map((h) => pvm(`b-${h.id}`, h.id, 1, 0.02))]
    const p = cpuOnly(problemOf(hosts, vms))
    expect(balanceGreedy(p, { ...product(), minGain: 0.005, minRelativeGain: 0, relativeGainPerMigrationMinute: 0 }).moves).toEqual([])
    expect(balanceGreedy(p, product(8)).moves.length).toBe(8)
    expect(balanceGreedy(p, product(3)).moves.length).toBe(3)
  })

  it('does not pay a long migration for a small gain that a short one would be worth', () => {
    // h0 at 0.85 (b cannot move), h1 at 0.1: moving a removes about 13 % of the imbalance, which
    // pays for 10 minutes of migration (1 % + 10 %) but not 14 (1 % + 14 %).
    const o = { ...product(), maxMigrationSeconds: 3600 }
    const withCost = (seconds: number) =>
      cpuOnly(problemOf([phost('h0'), phost('h1')], [pvm('a', 'h0', 0.5, 1, { memUsedMiB: seconds * 1000 }), pvm('b', 'h0', 8, 1, { movable: false }), pvm('c', 'h1', 1, 1)]))
    expect(balanceGreedy(withCost(600), o).moves.map((m) => m.vmId)).toEqual(['a'])
    expect(balanceGreedy(withCost(840), o).moves).toEqual([])
  })

  it('brings every host tied at the peak down: each move off one of n tied hosts earns 1/n of what it takes off', () => {
    // Four hosts at 0.7, four at 0.1; 0.5-core VMs. No single move lowers the peak (0.7 stays on
    // three hosts), and its smooth gain alone is far below 1 % of the imbalance.
    const vms = [0, 1, 2, 3].flatMap((h) => Array.from({ length: 14 }, (_, i) => pvm(`t${h}-${i}`, `h${h}`, 0.5, 0.1)))
    const cold = [4, 5, 6, 7].map((h) => pvm(`c${h}`, `h${h}`, 1, 0.1))
    const p = cpuOnly(problemOf(Array.from({ length: 8 }, (_, i) => phost(`h${i}`)), [...vms, ...cold]))
    const state = new ClusterState(p)
    const origin = state.vmHost.slice()
    expect(refinePeak(state, origin, p.vms.map(() => false), product(4), Infinity, new Map())).toBe(true)
    for (const h of [0, 1, 2, 3]) expect(state.cpuLoad[h]).toBeLessThan(0.7 - 1e-9)
    expect(state.vmHost.filter((h, v) => h !== origin[v]).length).toBe(4)
  })
})
