import { swapOrder } from './constraints'
import type { GreedyOptions, Swap } from './moves'
import type { ClusterState } from './state'

/** What phase 2 knows in one round: units it may not pick, each unit's migration cost, the objective and spread now. */
export interface Round {
  moved: Set<number>
  stuck: Set<number>
  unitCost: number[]
  current: number
  spread: number
}

/**
 * Best exchange of two single-VM units on different hosts, by gain net of both migrations' cost
 * (the same test as a single move: gain >= minGain and the one-minute-per-minGain charge), that
 * beats `mustBeat`. Scoring is O(1) per pair on running sums, so every pair is scored and only a
 * would-be best is checked against the rules.
 */
export function bestSwap(state: ClusterState, round: Round, options: GreedyOptions, mustBeat: number): Swap | null {
  const { unitCost, current, spread } = round
  const byHost = swappableByHost(state, round, options)
  let best: Swap | null = null
  const charge = options.minGain / 60
  for (const { a, b, bound } of hostPairs(state, byHost, current, options.minGain, mustBeat)) {
    if (best && bound <= best.score) break
    for (const x of byHost[a]!) {
      const vx = state.units[x]![0]!
      for (const y of byHost[b]!) {
        const vy = state.units[y]![0]!
        const gain = current - state.objectiveAfterSwap(vx, vy)
        if (gain < options.minGain || state.lastSpread > spread + 1e-12) continue
        const score = gain - charge * (unitCost[x]! + unitCost[y]!)
        if (score <= mustBeat || (best && score <= best.score)) continue
        const order = swapOrder(state, x, y)
        if (order === null) continue
        best = { x, y, gain, score, xFirst: order }
      }
    }
  }
  return best
}

/** Per active host, the single-VM units on it phase 2 may still move within the migration time limit. */
function swappableByHost(state: ClusterState, round: Round, options: GreedyOptions): number[][] {
  const byHost: number[][] = Array.from({ length: state.problem.hosts.length }, () => [])
  for (let u = 0; u < state.units.length; u++) {
    if (state.units[u]!.length !== 1 || round.moved.has(u) || round.stuck.has(u) || !state.movable(u)) continue
    if (round.unitCost[u]! > options.maxMigrationSeconds) continue
    const h = state.vmHost[state.units[u]![0]!]!
    if (state.activeHost(h)) byHost[h]!.push(u)
  }
  return byHost
}

/**
 * Host pairs worth searching, best bound first: one side holds the highest or lowest load, and the
 * most any exchange between the two could gain reaches minGain and beats `mustBeat`.
 */
function hostPairs(state: ClusterState, byHost: number[][], current: number, minGain: number, mustBeat: number): { a: number; b: number; bound: number }[] {
  const extreme = state.extremeHosts()
  const pairs: { a: number; b: number; bound: number }[] = []
  for (const a of extreme) {
    if (byHost[a]!.length === 0) continue
    for (let b = 0; b < byHost.length; b++) {
      if (b === a || byHost[b]!.length === 0 || (extreme.has(b) && b < a)) continue
      const bound = current - state.objectiveBound(a, b)
      if (bound >= minGain && bound > mustBeat) pairs.push({ a, b, bound })
    }
  }
  return pairs.sort((p, q) => q.bound - p.bound)
}
