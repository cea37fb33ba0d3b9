import { msg, said } from '../i18n'
import type { MessageRef, PredictedFigure, Rebalance, RebalanceHost, RebalanceMove, Recommendation } from '../model/recommendation'
import type { Move } from './balance'
import { summarizeLoads, type LoadSummary, type PlacementProblem, type PlacementVm } from './placement'
import { gainClassForLoad } from './priority'
import { figure } from './words'

/**
 * Balancing as the admin approves it: the balancer's optional moves are interdependent (swaps,
 * moves that make room for others), so they are one recommendation, "Rebalance: N moves", with
 * the set's combined effect and, per move, its own (marginal) effect and what it depends on. Any
 * subset can be judged again from the recommendation alone (host claims and limits travel with
 * it), through the same load summary the balancer uses.
 */

const pct = (x: number) => `${(x * 100).toFixed(1)} %`

/** The load model of a set of moves: hosts as they are before the set (after `applied` moves), and the moves. */
export function rebalanceModel(problem: PlacementProblem, applied: readonly Move[], moves: readonly Move[]): Omit<Rebalance, 'moves'> & { moves: Omit<RebalanceMove, 'dependsOn' | 'reason' | 'reasonRef' | 'predicted'>[] } {
  const location = new Map(problem.vms.map((v) => [v.id, v.hostId]))
  for (const m of applied) location.set(m.vmId, m.to)
  const vmById = new Map(problem.vms.map((v) => [v.id, v]))
  const hosts: RebalanceHost[] = problem.hosts.map((h) => {
    const on = problem.vms.filter((v) => location.get(v.id) === h.id)
    return {
      id: h.id,
      cpuCores: h.cpuCores,
      memMiB: h.memMiB,
      cpuClaim: on.reduce((a, v) => a + v.cpuClaim, 0),
      memClaim: on.reduce((a, v) => a + v.memClaim, 0),
      vcpus: on.reduce((a, v) => a + v.vcpus, 0),
      memAllocMiB: on.reduce((a, v) => a + v.memoryMiB, 0),
      vcpuLimit: h.vcpuLimit,
      memAllocLimitMiB: h.memAllocLimitMiB,
      maintenance: h.maintenance,
    }
  })
  return {
    hosts,
    cpuWeight: problem.cpuWeight,
    memWeight: problem.memWeight,
    moves: moves.map((m) => {
      const vm = vmById.get(m.vmId)
      return {
        vmId: m.vmId,
        from: m.from,
        to: m.to,
        ...(m.swapWith ? { swapWith: m.swapWith } : {}),
        cpuClaim: vm?.cpuClaim ?? 0,
        memClaim: vm?.memClaim ?? 0,
        vcpus: vm?.vcpus ?? 0,
        memoryMiB: vm?.memoryMiB ?? 0,
        costSeconds: m.costSeconds,
      }
    }),
  }
}

type Model = Pick<Rebalance, 'hosts' | 'cpuWeight' | 'memWeight'> & { moves: readonly Pick<RebalanceMove, 'vmId' | 'from' | 'to' | 'cpuClaim' | 'memClaim' | 'vcpus' | 'memoryMiB'>[] }

/** Host loads after `selected` moves (indices, run in the set's order), summarised as the balancer does. */
export function loadsAfter(model: Model, selected: readonly number[]): LoadSummary {
  const chosen = new Set(selected)
  const movedVms = [...new Set(model.moves.map((m) => m.vmId))]
  // Each host's load without the VMs the set moves, as one stand-in VM; each moved VM on its own.
  const firstFrom = new Map<string, string>()
  for (const m of model.moves) if (!firstFrom.has(m.vmId)) firstFrom.set(m.vmId, m.from)
  const claimOf = new Map(model.moves.map((m) => [m.vmId, m]))
  const vm = (id: string, hostId: string, cpuClaim: number, memClaim: number): PlacementVm => ({
    id, hostId, cpuClaim, memClaim, vcpus: 0, memoryMiB: 0, memUsedMiB: 0, memDirtyMiBps: 0, movable: true, allowedHosts: null, cooldownHosts: [],
  })
  const rest = model.hosts.map((h) => {
    const leaving = movedVms.filter((v) => firstFrom.get(v) === h.id).map((v) => claimOf.get(v)!)
    return vm(`rest:${h.id}`, h.id, Math.max(0, h.cpuClaim - leaving.reduce((a, m) => a + m.cpuClaim, 0)), Math.max(0, h.memClaim - leaving.reduce((a, m) => a + m.memClaim, 0)))
  })
  const where = new Map(movedVms.map((v) => [v, firstFrom.get(v)!]))
  model.moves.forEach((m, i) => {
    if (chosen.has(i)) where.set(m.vmId, m.to)
  })
  const problem: PlacementProblem = {
    hosts: model.hosts.map((h) => ({ id: h.id, cpuCores: h.cpuCores, memMiB: h.memMiB, vcpuLimit: h.vcpuLimit, memAllocLimitMiB: h.memAllocLimitMiB, maintenance: h.maintenance })),
    vms: [...rest, ...movedVms.map((v) => vm(v, firstFrom.get(v)!, claimOf.get(v)!.cpuClaim, claimOf.get(v)!.memClaim))],
    affinity: [],
    antiAffinity: [],
    cpuWeight: model.cpuWeight,
    memWeight: model.memWeight,
  }
  return summarizeLoads(problem, (v) => where.get(v.id) ?? v.hostId)
}

/**
 * The first move of `selected` (in the set's order) that would not fit on its destination when
 * only the selected moves run: its index, or undefined when all fit. The limits are the
 * balancer's (vCPUs and allocated memory per host, from the overcommit ratios).
 */
export function firstMisfit(model: Model, selected: readonly number[]): number | undefined {
  const vcpus = new Map(model.hosts.map((h) => [h.id, h.vcpus]))
  const alloc = new Map(model.hosts.map((h) => [h.id, h.memAllocMiB]))
  const limits = new Map(model.hosts.map((h) => [h.id, h]))
  for (const i of [...selected].sort((a, b) => a - b)) {
    const m = model.moves[i]!
    vcpus.set(m.from, vcpus.get(m.from)! - m.vcpus)
    alloc.set(m.from, alloc.get(m.from)! - m.memoryMiB)
    vcpus.set(m.to, vcpus.get(m.to)! + m.vcpus)
    alloc.set(m.to, alloc.get(m.to)! + m.memoryMiB)
    const host = limits.get(m.to)!
    if (vcpus.get(m.to)! > host.vcpuLimit + 1e-9 || alloc.get(m.to)! > host.memAllocLimitMiB + 1e-9) return i
  }
  return undefined
}

/** Earlier moves without which move `j` (with all moves before it) would not fit on its destination. */
function dependenciesOf(model: Model, j: number): number[] {
  const before = Array.from({ length: j }, (_, i) => i)
  return before.filter((i) => firstMisfit(model, [...before.filter((k) => k !== i), j]) === j)
}

/** The three figures the set and its moves are judged by, before and after. */
function figures(before: LoadSummary, after: LoadSummary, hostIds: readonly string[], touched: readonly string[] = []): PredictedFigure[] {
  const hostFigures = touched.map((h) => {
    const i = hostIds.indexOf(h)
    return figure(msg('engine.figure.hostCpu', { host: h }), '%', before.cpuLoads[i]! * 100, after.cpuLoads[i]! * 100)
  })
  return [
    figure(msg('engine.figure.spread'), '%', before.imbalance * 100, after.imbalance * 100),
    figure(msg('engine.figure.peakCpu'), '%', before.maxCpuLoad * 100, after.maxCpuLoad * 100),
    ...(touched.length > 0 ? hostFigures : [figure(msg('engine.figure.peakMemory'), '%', before.maxMemLoad * 100, after.maxMemLoad * 100)]),
  ]
}

/** Figures for a subset of the moves on their own: what approving only those achieves. */
export function subsetEffect(model: Model, selected: readonly number[]): PredictedFigure[] {
  return figures(loadsAfter(model, []), loadsAfter(model, selected), model.hosts.map((h) => h.id))
}

/** Why each move is in the set, in words, with the swap partner named where it moves onto the busiest host. */
function reasonFor(model: Model, j: number, hottest: string, nameOf: (vmId: string) => string): { reason: string; reasonRef: MessageRef } {
  const m = model.moves[j]!
  const vm = nameOf(m.vmId)
  const hostIds = model.hosts.map((h) => h.id)
  const partner = model.moves.findIndex((o, k) => k !== j && o.vmId === (m as RebalanceMove).swapWith)
  const cores = m.cpuClaim.toFixed(1)
  if (m.to === hottest && partner >= 0) {
    // The pair's joint effect on the busiest host: before the earlier half, after both.
    const first = Math.min(j, partner)
    const prefix = Array.from({ length: first }, (_, i) => i)
    const before = loadsAfter(model, prefix).cpuLoads[hostIds.indexOf(hottest)]!
    const after = loadsAfter(model, [...prefix, j, partner]).cpuLoads[hostIds.indexOf(hottest)]!
    const other = nameOf(model.moves[partner]!.vmId)
    return said({ reason: msg('engine.move.ontoHottestSwap', { vm, host: hottest, partner: other, move: partner + 1, before: pct(before), after: pct(after) }) })
  }
  if (m.to === hottest) {
    const at = loadsAfter(model, Array.from({ length: j }, (_, i) => i)).cpuLoads[hostIds.indexOf(hottest)]!
    return said({ reason: msg('engine.move.ontoHottest', { vm, host: hottest, load: pct(at) }) })
  }
  const swap = partner >= 0 ? { partner: nameOf(model.moves[partner]!.vmId), move: partner + 1 } : null
  if (m.from === hottest) {
    return said({ reason: swap ? msg('engine.move.offHottestSwap', { host: hottest, cores, partner: swap.partner, move: swap.move }) : msg('engine.move.offHottest', { host: hottest, cores }) })
  }
  return said({ reason: swap ? msg('engine.move.spreadSwap', { from: m.from, to: m.to, cores, partner: swap.partner, move: swap.move }) : msg('engine.move.spread', { from: m.from, to: m.to, cores }) })
}

/**
 * One recommendation for the balancer's optional moves (run after `applied`, the mandatory ones).
 * Its priority is the gain class of the set (the rule in priority.ts adds risk and confidence).
 */
export function rebalanceRecommendation(input: {
  problem: PlacementProblem
  applied: readonly Move[]
  moves: readonly Move[]
  id: string
  nameOf: (vmId: string) => string
  /** Low when some moved VM has less history than the demand window. */
  confidence: Recommendation['confidence']
  horizonHours: number
  /** Optional moves the plan left out because the last `days` days did not bear out their gain (balance/hold-back.ts). */
  heldBack?: { count: number; days: number }
}): Recommendation {
  const base = rebalanceModel(input.problem, input.applied, input.moves)
  const hostIds = base.hosts.map((h) => h.id)
  const before = loadsAfter(base, [])
  const all = base.moves.map((_, i) => i)
  const after = loadsAfter(base, all)
  const hottest = hostIds[before.cpuLoads.indexOf(Math.max(...before.cpuLoads.filter((_, i) => !base.hosts[i]!.maintenance)))] ?? hostIds[0]!
  const moves: RebalanceMove[] = base.moves.map((m, j) => {
    const prior = Array.from({ length: j }, (_, i) => i)
    return {
      ...m,
      dependsOn: dependenciesOf(base, j),
      ...reasonFor(base, j, hottest, input.nameOf),
      predicted: figures(loadsAfter(base, prior), loadsAfter(base, [...prior, j]), hostIds, [m.from, m.to]),
    }
  })
  const n = moves.length
  const gain = Math.max(before.imbalance - after.imbalance, before.peakLoad - after.peakLoad)
  const longest = Math.max(...moves.map((m) => m.costSeconds))
  const total = moves.reduce((a, m) => a + m.costSeconds, 0)
  const params = { count: n, peakBefore: pct(before.maxCpuLoad), peakAfter: pct(after.maxCpuLoad), spreadBefore: pct(before.imbalance), spreadAfter: pct(after.imbalance), hours: input.horizonHours }
  const held = input.heldBack && input.heldBack.count > 0 ? input.heldBack : null
  return {
    id: input.id,
    kind: 'migrate',
    target: { type: 'cluster', id: 'cluster' },
    priority: gainClassForLoad(gain),
    ...said({
      title: msg('engine.rebalance.title', { count: n }),
      rationale: held
        ? msg('engine.rebalance.rationaleHeldBack', { rationale: msg('engine.rebalance.rationale', params), heldBack: heldBackRef(held) })
        : msg('engine.rebalance.rationale', params),
      riskNote: msg('engine.migrate.riskSet', { count: n, total: Math.ceil(total), longest: Math.ceil(longest) }),
    }),
    predicted: figures(before, after, hostIds),
    risk: longest > 120 ? 'medium' : 'low',
    needsRestart: false,
    confidence: input.confidence,
    actions: moves.map((m) => ({
      action: { kind: 'migrate' as const, vm: m.vmId, from: m.from, to: m.to, live: true },
      rollback: { kind: 'migrate' as const, vm: m.vmId, from: m.to, to: m.from, live: true },
    })),
    rebalance: { hosts: base.hosts, cpuWeight: base.cpuWeight, memWeight: base.memWeight, moves },
  }
}

/** Why a subset of a rebalance cannot run on its own, or undefined when it can. */
export function subsetProblem(rebalance: Rebalance, selected: readonly number[], nameOf: (vmId: string) => string = (id) => id): MessageRef | undefined {
  const bad = selected.find((i) => i < 0 || i >= rebalance.moves.length || !Number.isInteger(i))
  if (bad !== undefined) return msg('engine.rebalance.subset.noSuchMove', { move: bad + 1, count: rebalance.moves.length })
  const misfit = firstMisfit(rebalance, selected)
  if (misfit === undefined) return undefined
  const m = rebalance.moves[misfit]!
  const missing = m.dependsOn.filter((i) => !selected.includes(i))
  const needs = missing.length > 0
    ? msg('engine.rebalance.subset.needsMoves', { ands: missing.map((i) => msg('engine.rebalance.subset.moveOff', { move: i + 1, vm: nameOf(rebalance.moves[i]!.vmId), from: rebalance.moves[i]!.from })) })
    : msg('engine.rebalance.subset.noRoom', { host: m.to })
  return msg('engine.rebalance.subset.cannotAlone', { move: misfit + 1, vm: nameOf(m.vmId), from: m.from, to: m.to, needs })
}

/** Why moves the forecast favoured were left out (balance/hold-back.ts), as a message. */
function heldBackRef(held: { count: number; days: number }): MessageRef {
  return msg('engine.rebalance.heldBack', { moves: held.count, days: held.days })
}
