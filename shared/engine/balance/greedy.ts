import { summarizeLoads, type PlacementProblem, type PlacementVm } from '../placement'
import { canHost } from './constraints'
import { holdBack } from './hold-back'
import { fixViolations, unfixableViolations, type Findings } from './mandatory'
import { MoveLog, stepScore, type BalanceResult, type GreedyOptions } from './moves'
import { refinePeak } from './refine-peak'
import { keepOrderUnderPriority, scheduleMoves } from './schedule'
import { ClusterState } from './state'
import { bestSwap, type Round } from './swaps'

/**
 * Greedy balancing in three phases. 1: the mandatory moves (maintenance, pinning, affinity,
 * anti-affinity, overcommit limits), each to the host that leaves the cluster most even. 2: within
 * the migration budget, the single move or swap with the best gain net of its cost, until none is
 * worth it. 3: peak refinement, moves and swaps off the hosts that set the peak load; re-targeting
 * or undoing a VM phase 2 moved costs no new migration. VMs tied by affinity move together as one
 * unit (phase 3 leaves them where phase 2 put them).
 */
export function balanceGreedy(input: PlacementProblem, options: GreedyOptions): BalanceResult {
  // The optional phases see the VMs as optionalView says: a copy, so the caller's problem stays as it was.
  const problem: PlacementProblem = { ...input, vms: input.vms.slice() }
  const state = new ClusterState(problem)
  const before = summarizeLoads(problem, (vm) => vm.hostId)
  const log = new MoveLog(state, options.migrationBandwidthMiBps)
  const stuck = new Set<number>()
  const notes: string[] = []
  const findings: Findings = { unresolved: [], notes: [] }
  const unresolved = fixViolations(state, log, stuck, notes, findings)
  unresolved.push(...unfixableViolations(state, findings.unresolved))
  const mandatoryCount = log.moves.length
  problem.vms.forEach((vm, v) => (problem.vms[v] = optionalView(vm, problem.hosts[state.vmHost[v]!]!.id)))
  // Where the optional phases start from: their budget counts VMs that end elsewhere.
  const origin = state.vmHost.slice()
  evenOut(state, log, stuck, options)

  const moves = log.moves
  let finalHost = state.vmHost
  let plan = moves
  const phase2Host = state.vmHost.slice()
  const frozen = problem.vms.map(() => false)
  const vmIndex = new Map(problem.vms.map((vm, i) => [vm.id, i]))
  for (const m of moves.slice(0, mandatoryCount)) frozen[vmIndex.get(m.vmId)!] = true
  for (const u of stuck) for (const v of state.units[u]!) frozen[v] = true
  if (refinePeak(state, origin, frozen, options, before.imbalance, log.partner)) {
    const refined = scheduleMoves(problem, origin, state.vmHost, moves.slice(mandatoryCount), log.partner, options)
    if (refined) plan = [...moves.slice(0, mandatoryCount), ...refined]
    else finalHost = phase2Host
  }
  const kept = holdBack(problem, plan)
  const hostOf = new Map(problem.vms.map((vm, i) => [vm.id, problem.hosts[finalHost[i]!]!.id]))
  if (kept.heldBack > 0) {
    for (const vm of problem.vms) hostOf.set(vm.id, vm.hostId)
    for (const m of kept.moves) hostOf.set(m.vmId, m.to)
  }
  return { moves: keepOrderUnderPriority(problem, kept.moves), before, after: summarizeLoads(problem, (vm) => hostOf.get(vm.id)!), unresolved, unresolvedRefs: findings.unresolved, ...(kept.heldBack > 0 ? { heldBack: kept.heldBack } : {}), ...(notes.length > 0 ? { notes, noteRefs: findings.notes } : {}) }
}

/**
 * A VM as the optional phases (evening out load) see it: one the admin left out of balancing does
 * not move; one on a host its should-run rule prefers moves only among those hosts.
 */
function optionalView(vm: PlacementVm, hostId: string): PlacementVm {
  if (vm.excluded) return { ...vm, movable: false }
  const preferred = vm.preferredHosts
  if (!preferred || !preferred.includes(hostId)) return vm
  return { ...vm, allowedHosts: vm.allowedHosts ? vm.allowedHosts.filter((h) => preferred.includes(h)) : preferred }
}

/**
 * Phase 2: within the migration budget, the single move or swap with the best gain net of its
 * cost, until none is worth it. A swap (two migrations) wins when no single move is worth it, or
 * when it buys more per migration. Each unit moves at most once.
 */
function evenOut(state: ClusterState, log: MoveLog, stuck: Set<number>, options: GreedyOptions): void {
  const moved = new Set<number>()
  let optional = 0
  const bw = options.migrationBandwidthMiBps
  const unitCost = state.units.map((_, u) => state.costSeconds(u, bw))
  while (optional < options.maxMigrations) {
    const round: Round = { moved, stuck, unitCost, current: state.objective(), spread: state.imbalance(), scale: state.imbalanceScale() }
    const best = bestMove(state, round, optional, options)
    const swap = optional + 2 <= options.maxMigrations ? bestSwap(state, round, options, best ? best.score * 2 : 0) : null
    if (swap) {
      optional += 2
      moved.add(swap.x)
      moved.add(swap.y)
      log.recordSwap(swap)
      continue
    }
    if (!best) break
    optional += state.units[best.u]!.length
    moved.add(best.u)
    log.record(best.u, best.to, false, 'evens out host load')
  }
}

/**
 * The unit move with the best gain net of its cost that fits the budget (`optional` migrations
 * made so far) and does not raise the spread; null when none passes the stopping rule.
 */
function bestMove(state: ClusterState, round: Round, optional: number, options: GreedyOptions): { u: number; to: number; gain: number; score: number } | null {
  const { current, spread, scale } = round
  const relative = scale * (options.minRelativeGain ?? 0)
  const H = state.problem.hosts.length
  // Per source host, the most any move to each host could gain (ClusterState.objectiveBound), made when first needed.
  const bounds: (Float64Array | undefined)[] = []
  const perMinute = options.minGain + scale * (options.relativeGainPerMigrationMinute ?? 0)
  let best: { u: number; to: number; gain: number; score: number } | null = null
  for (let u = 0; u < state.units.length; u++) {
    if (round.moved.has(u) || round.stuck.has(u) || !state.movable(u)) continue
    const members = state.units[u]!.length
    if (optional + members > options.maxMigrations) continue
    if (round.unitCost[u]! > options.maxMigrationSeconds) continue
    const from = state.vmHost[state.units[u]![0]!]!
    // A single VM between two active hosts gains at most the pair's bound: pairs that cannot pass
    // the stopping rule or beat the best so far are not scored (large clusters: most pairs).
    const row = members === 1 && state.activeHost(from) ? (bounds[from] ??= hostBounds(state, from, current)) : undefined
    const floor = Math.max(options.minGain, relative)
    // Cheapest first: the score needs no rule check, so only a would-be best is checked.
    for (let h = 0; h < H; h++) {
      if (h === state.vmHost[state.units[u]![0]!]) continue
      if (row && state.activeHost(h)) {
        const most = row[h]!
        // The score is the gain less the migration's minutes, the copy's included: at most `most` less the memory copy's.
        if (most < floor - BOUND_SLACK || (best && perMinute >= 0 && most - (round.unitCost[u]! / 60) * perMinute <= best.score - BOUND_SLACK)) continue
      }
      // Copying local disks to h makes the move dearer (storage/migration.ts).
      const cost = round.unitCost[u]! + state.copySeconds(u, h)
      if (cost > options.maxMigrationSeconds) continue
      const gain = current - state.objectiveAfter(u, h)
      if (gain < options.minGain || gain < relative * members || state.lastSpread > spread + 1e-12) continue
      const score = stepScore(gain, options.minGain, members, cost, scale, options)
      if (score !== null && (!best || score > best.score) && canHost(state, u, h)) best = { u, to: h, gain, score }
    }
  }
  return best
}

/** Rounding room between a pair's bound and a move's gain, computed by different formulas. */
const BOUND_SLACK = 1e-9

/** Per destination host, the most moving load from host `from` there could gain (current objective minus the pair's lower bound). */
function hostBounds(state: ClusterState, from: number, current: number): Float64Array {
  const row = new Float64Array(state.problem.hosts.length)
  for (let h = 0; h < row.length; h++) row[h] = h === from || !state.activeHost(h) ? Infinity : current - state.objectiveBound(from, h)
  return row
}
