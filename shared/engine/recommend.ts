import { msg, said, sentences } from '../i18n'
import type { ClusterFacts } from '../model/facts'
import type { LinkSpeed, PoolSample } from '../model/storage'
import type { MessageRef, Recommendation } from '../model/recommendation'
import type { Snapshot } from '../model/snapshot'
import { balanceGreedy, type BalanceResult, type GreedyOptions, type Move } from './balance'
import { solveExact, type ExactResult } from './balance'
import { checkUnderRecentDemand } from './balance/recent-check'
import { consolidate, type ConsolidationResult } from './consolidate'
import { contentionAdvice } from './contention'
import { forecastDemand, summarizeDemand, type DemandSummary, type VmDemand } from './demand'
import { demandWords, recentWords } from './forecast-words'
import type { History } from './history'
import { LAYER_WINDOW_MS } from '../model/history'
import { hostLoads, type HostLoad } from './host-load'
import { HostRoom } from './host-room'
import { migrationNeeds, migrationNeedsWords } from './migration-safety'
import { withDefaults, type AllocationStrategy, type BalanceOptions, type PartialEngineOptions } from './options'
import { markManaged } from './managers'
import { allocationRatioOf, buildPlacement } from './placement'
import { withPriority } from './priority'
import { rebalanceRecommendation } from './rebalance'
import { copyingPlan, evacuationRecommendation, mayOutgrowNote, migrationRecommendation, oversizedVcpuRecommendations, rightsizeRecommendations, storageSentence } from './recommendation-records'
import { rightsizeVm, type RightsizeResult } from './rightsize'
import type { MipSolver } from './solver'
import { poolForecast, withStorage, type StorageContext } from './storage'
import { measuredWindow, tuningAdvice, tuningRecommendation, type TuningAdvice, type TuningOptions, type TuningUsage } from './tuning'

export interface RecommendInput {
  snapshot: Snapshot
  history: History
  /** Epoch ms; the engine never reads the clock. */
  now: number
  /** Makes recommendation ids reproducible. */
  seed: number
  options?: PartialEngineOptions
  /** HiGHS (`await highsLoader()`); without it only the greedy balancer runs. */
  solver?: MipSolver
  /** Host and VM configuration from discovery; without it no tuning advice is given. */
  facts?: ClusterFacts
  /** Thresholds of the tuning rules (overcommit limits come from `options.balance`). */
  tuningOptions?: Partial<TuningOptions>
  /** Pool figures over time (days-to-full forecasts) and measured migration throughput (storage copies). */
  poolHistory?: readonly PoolSample[]
  linkSpeeds?: readonly LinkSpeed[]
  /** Runs each phase of the engine (benches time them); the engine itself never reads the clock. */
  phase?: PhaseRunner
}

/** Runs one named phase of the engine and returns what it returns. */
export type PhaseRunner = <T>(name: EnginePhase, run: () => T) => T

/** The engine's phases, in the order it runs them (the runner adds 'validate'). */
export const enginePhases = ['demand', 'placement', 'balance', 'exact', 'rightsize', 'tuning', 'records', 'consolidation'] as const
export type EnginePhase = (typeof enginePhases)[number] | 'validate'

const direct: PhaseRunner = (_name, run) => run()

/** What the engine knows of storage: discovered pools and disks, measured links, the assumed link speed. */
export function storageContext(input: Pick<RecommendInput, 'facts' | 'linkSpeeds'>, migrationBandwidthMiBps: number): StorageContext | undefined {
  const storage = input.facts?.storage
  if (!storage || Object.keys(storage).length === 0) return undefined
  return { storage, links: input.linkSpeeds ?? [], assumedMiBps: migrationBandwidthMiBps }
}

export interface ExactComparison {
  status: ExactResult['status'] | 'skipped'
  reason?: string
  reasonRef?: MessageRef
  exactPeakLoad?: number
  greedyPeakLoad?: number
  /** (greedy peak - exact peak) / exact peak. */
  optimalityGap?: number
}

export interface RecommendOutput {
  strategy: AllocationStrategy
  recommendations: Recommendation[]
  hostLoads: HostLoad[]
  balance: BalanceResult & { exact: ExactComparison }
  rightsizing: RightsizeResult[]
  /** Tuning and contention advice with the evidence each rule read; also in `recommendations` as kind 'tuning'. */
  tuning: TuningAdvice[]
  /** Per VM id: the demand balancing and consolidation planned for (the forecast and its band). */
  demand: Record<string, DemandSummary>
  /** A separate what-if plan (not merged into `recommendations`): fewest hosts with headroom. */
  consolidation: ConsolidationResult
  /** False when some rule or limit cannot be met; `reasons` says which. */
  feasible: boolean
  reasons: string[]
  /** The reasons as messages, one per reason. */
  reasonRefs: MessageRef[]
  /** Should-run rules left unmet (no preferred host had room): not a violation, said to the admin. */
  ruleNotes: string[]
  /** The notes as messages, one per note. */
  ruleNoteRefs: MessageRef[]
}

export function recommend(input: RecommendInput): RecommendOutput {
  const options = withDefaults(input.options)
  const { snapshot, history, now } = input
  let counter = 0
  const names = new Map(snapshot.vms.map((v) => [v.id, v.name]))
  const nameOf = (vmId: string) => names.get(vmId) ?? vmId
  const nextId = () => `rec-${(input.seed >>> 0).toString(36)}-${++counter}`

  const phase = input.phase ?? direct

  const { demand, loads } = phase('demand', () => {
    const demand = forecastDemand(snapshot, history, now, options.forecast, options.contention.windowMs)
    return { demand, loads: hostLoads(snapshot, demand, options.strategy, options.controls) }
  })

  const storage = phase('placement', () => withStorage(buildPlacement(snapshot, demand, history, now, options), storageContext(input, options.balance.migrationBandwidthMiBps)))
  const problem = storage.problem
  const balance = phase('balance', () => balanceGreedy(problem, greedyOptions(options.balance)))
  const exact = phase('exact', () => compareWithExact(input.solver, problem, balance, options.balance))

  // Growth fits the hosts' ratios on top of the balancing plan, in any order of applying.
  const room = new HostRoom(problem, balance.moves)
  const rightsizing = phase('rightsize', () => snapshot.vms
    .filter((vm) => vm.state === 'running')
    .flatMap((vm) => {
      const r = rightsizeVm(vm, history.vms[vm.id], now, options.rightsize, room.ceilingFor(vm.id, vm.allocation.vcpus, vm.allocation.memoryMiB))
      if (r) room.take(vm.id, r.cpu.recommendedVcpus - r.cpu.currentVcpus, r.mem.recommendedMiB - r.mem.currentMiB)
      return r ?? []
    }))

  const tuning = phase('tuning', () => [
    ...contentionAdvice({
      snapshot, demand, problem, moves: balance.moves, room, options: options.contention, nameOf,
      resized: new Set(rightsizing.filter((r) => r.cpu.recommendedVcpus !== r.cpu.currentVcpus).map((r) => r.vmId)),
    }),
    ...(input.facts
      ? tuningAdvice({
          facts: input.facts,
          usage: tuningUsage(snapshot, loads, demand, input.facts, input.poolHistory ?? [], now, history),
          options: {
            ...input.tuningOptions,
            cpuOvercommit: options.balance.cpuOvercommit,
            memOvercommit: options.balance.memOvercommit,
            hostRatios: Object.fromEntries(snapshot.hosts.map((h) => [h.id, allocationRatioOf(h, options.balance)])),
          },
        })
      : []),
  ])

  const horizonHours = Math.round(options.forecast.horizonMs / 3_600_000)
  const recentDemand = new Map([...demand].flatMap(([id, d]) => (d.recent ? [[id, d.recent] as const] : [])))
  const recentCheck = checkUnderRecentDemand(problem, recentDemand, balance.moves)
  // What a move adds to the words: the demand it is planned for, and what its disks and cache modes need.
  const noteOf = (m: Move) => {
    const d = demand.get(m.vmId)
    const forecast = d ? sentences(msg('engine.migrate.demandPlanned', { vm: nameOf(m.vmId), demand: demandWords(d, horizonHours) }), !m.mandatory && recentWords(recentCheck.get(m.vmId))) : undefined
    const needs = migrationNeeds(input.facts, m.vmId)
    return { forecast, needs, needsNote: needs ? migrationNeedsWords(needs, m.from) : undefined, plan: storage.plan(m.vmId, m.to) }
  }
  /** The migrate action of move m as the plan must run it: unsafe where libvirt says so, copying the disks that must move. */
  const runnable = (a: Recommendation['actions'][number], note: ReturnType<typeof noteOf>): Recommendation['actions'][number] => {
    if (a.action.kind !== 'migrate' || a.rollback?.kind !== 'migrate') return a
    const copy = copyingPlan(note.plan)
    const unsafe = note.needs && note.needs.unsafe.length > 0 ? { unsafe: true } : {}
    const disks = copy ? { copyDisks: copy.copyDisks } : {}
    return { action: { ...a.action, ...unsafe, ...disks }, rollback: { ...a.rollback, ...unsafe, ...disks } }
  }
  const risky = (rec: Recommendation, notes: ReturnType<typeof noteOf>[]): Pick<Recommendation, 'risk' | 'riskNote' | 'riskNoteRef'> => {
    const unsafe = notes.some((n) => n.needs && n.needs.unsafe.length > 0)
    const outgrow = notes.map((n) => mayOutgrowNote(copyingPlan(n.plan)))
    // A single move says its copy in its own risk note; a set says it once for all its moves.
    const copies = rec.rebalance ? notes.filter((n) => copyingPlan(n.plan)).length : 0
    const setWords = copies > 0 ? [msg('engine.migrate.setCopies', { count: copies }), ...outgrow] : []
    const own = rec.riskNoteRef ?? { key: 'engine.sentences', params: { sentences: [] } }
    const words = said({ riskNote: sentences(own, ...setWords, ...notes.map((n) => n.needsNote)) })
    return {
      risk: unsafe ? 'high' : outgrow.some(Boolean) && rec.risk === 'low' ? 'medium' : rec.risk,
      ...(rec.riskNoteRef ? words : { riskNote: [rec.riskNote, words.riskNote].filter(Boolean).join(' ') }),
    }
  }

  // Mandatory moves stand alone (each fixes a violation); the optional ones are one interdependent set.
  const mandatory = balance.moves.filter((m) => m.mandatory)
  const optional = balance.moves.filter((m) => !m.mandatory)
  const historyMs = (vmId: string) => {
    const t = history.vms[vmId]?.t.filter((x) => x <= now) ?? []
    return t.length > 1 ? t[t.length - 1]! - t[0]! : 0
  }
  // Moves off a host in maintenance are one evacuation per host; the other mandatory moves stand alone.
  const inMaintenance = new Set(snapshot.hosts.filter((h) => h.state === 'maintenance').map((h) => h.id))
  const mandatoryRecs = phase('records', () => mandatory.flatMap((m, i) => {
    if (inMaintenance.has(m.from)) {
      if (mandatory.findIndex((o) => o.from === m.from) !== i) return []
      const group = mandatory.filter((o) => o.from === m.from)
      const notes = group.map(noteOf)
      const rec = evacuationRecommendation(m.from, group, problem, mandatory.slice(0, i), nextId(), nameOf)
      return [{ ...rec, ...risky(rec, notes), actions: rec.actions.map((a, j) => runnable(a, notes[j]!)) }]
    }
    const note = noteOf(m)
    const rec = migrationRecommendation(m, problem, mandatory.slice(0, i), nextId, nameOf, note.plan)
    const rationale = note.forecast && rec.rationaleRef ? said({ rationale: sentences(rec.rationaleRef, note.forecast) }) : {}
    return [{ ...rec, ...rationale, ...risky(rec, [note]), actions: rec.actions.map((a) => runnable(a, note)) }]
  }))
  const rebalanceRecs = optional.length > 0 ? [phase('records', rebalanceSet)] : []
  function rebalanceSet(): Recommendation {
    const rec = rebalanceRecommendation({
      problem,
      applied: mandatory,
      moves: optional,
      id: nextId(),
      nameOf,
      confidence: optional.every((m) => historyMs(m.vmId) >= options.forecast.windowMs) ? 'normal' : 'low',
      horizonHours,
      heldBack: { count: balance.heldBack ?? 0, days: options.forecast.judgeDays },
    })
    const notes = optional.map(noteOf)
    return {
      ...rec,
      ...risky(rec, notes),
      actions: rec.actions.map((a, j) => runnable(a, notes[j]!)),
      rebalance: {
        ...rec.rebalance!,
        // Each move's own words carry its forecast and its disk copy.
        moves: rec.rebalance!.moves.map((mv, j) => {
          const plan = notes[j]!.plan
          const storageWords = storageSentence(plan, mv.to)
          const more = storageWords || notes[j]!.forecast ? said({ notes: sentences(storageWords, notes[j]!.forecast) }) : {}
          return { ...mv, ...more, ...(plan?.ok ? { storage: plan.storage } : {}) }
        }),
      },
    }
  }
  // Producers state a gain class; the one priority rule adds risk and confidence.
  const marked = phase('records', () => markManaged([
    ...mandatoryRecs,
    ...rebalanceRecs,
    ...rightsizing.flatMap((r) => rightsizeRecommendations(r, nextId, nameOf)),
    ...oversizedVcpuRecommendations(snapshot, rightsizing, nextId, nameOf),
    ...tuning.map((a) => tuningRecommendation(a, nextId())),
  ].map(withPriority), snapshot)
    .sort((a, b) => a.priority - b.priority))
  const consolidation = phase('consolidation', () => consolidate(problem, options.consolidate.headroom, problem.vms.length <= options.balance.exactMaxVms ? input.solver : undefined, options.balance.exactTimeLimitS))

  return {
    strategy: options.strategy,
    recommendations: marked,
    hostLoads: loads,
    balance: { ...balance, exact },
    rightsizing,
    tuning,
    demand: Object.fromEntries([...demand].map(([id, d]) => [id, summarizeDemand(d)])),
    consolidation,
    feasible: balance.unresolved.length === 0,
    reasons: balance.unresolved,
    reasonRefs: balance.unresolvedRefs ?? [],
    ruleNotes: balance.notes ?? [],
    ruleNoteRefs: balance.noteRefs ?? [],
  }
}

/** The product's balancer: the relative stopping rule only (no absolute floor). */
export function greedyOptions(b: BalanceOptions): GreedyOptions {
  return {
    minGain: b.minGain ?? 0,
    minRelativeGain: b.minRelativeGain,
    relativeGainPerMigrationMinute: b.relativeGainPerMigrationMinute,
    maxMigrations: b.maxMigrations,
    migrationBandwidthMiBps: b.migrationBandwidthMiBps,
    maxMigrationSeconds: b.maxMigrationSeconds,
  }
}

function compareWithExact(
  solver: MipSolver | undefined,
  problem: ReturnType<typeof buildPlacement>,
  greedy: BalanceResult,
  opts: { exactMaxVms: number; exactTimeLimitS: number; maxMigrations: number },
): ExactComparison {
  if (!solver) return { status: 'skipped', ...said({ reason: msg('engine.notes.noSolver') }) }
  if (problem.vms.length > opts.exactMaxVms)
    return { status: 'skipped', ...said({ reason: msg('engine.notes.tooManyVms', { count: problem.vms.length, limit: opts.exactMaxVms }) }) }
  const mandatory = greedy.moves.filter((m) => m.mandatory).length
  const exact = solveExact(problem, { kind: 'minPeak', maxMoves: opts.maxMigrations + mandatory }, solver, opts.exactTimeLimitS)
  if (!exact.summary) return { status: exact.status, ...said({ reason: msg('engine.notes.solverStatus', { status: exact.solverStatus }) }) }
  const exactPeak = exact.summary.peakLoad
  return {
    status: exact.status,
    exactPeakLoad: exactPeak,
    greedyPeakLoad: greedy.after.peakLoad,
    optimalityGap: exactPeak > 0 ? (greedy.after.peakLoad - exactPeak) / exactPeak : 0,
  }
}

/**
 * Measured use the tuning rules weigh: host CPU demand load (sustained, from history) and memory
 * in use, VM disk operations (latest poll), and what the virtualization layer cost each VM over
 * the recent window (QEMU threads, KVM halt polling). Hosts whose VMs' demand is only assumed get none.
 */
function tuningUsage(snapshot: Snapshot, loads: HostLoad[], demand: Map<string, VmDemand>, facts: ClusterFacts, poolHistory: readonly PoolSample[], now: number, history: History): TuningUsage {
  const hostSample = new Map(snapshot.hostSamples.map((s) => [s.hostId, s]))
  const hosts: TuningUsage['hosts'] = {}
  for (const l of loads) {
    const s = hostSample.get(l.hostId)
    const measured = l.vms.every((v) => demand.get(v.vmId)?.source !== 'allocation')
    hosts[l.hostId] = {
      cpuLoad: measured ? l.cpu.demandLoad : s ? s.cpuPct / 100 : undefined,
      memUsedMiB: s?.memUsedMiB ?? (measured ? l.vms.reduce((a, v) => a + (demand.get(v.vmId)?.memMiB ?? 0), 0) : undefined),
    }
  }
  const vms: TuningUsage['vms'] = {}
  for (const s of snapshot.vmSamples) {
    const measured = measuredWindow(history.vms[s.vmId], now, LAYER_WINDOW_MS)
    vms[s.vmId] = { cpuCores: demand.get(s.vmId)?.cpuCores ?? s.cpuUsedCores, diskIops: s.diskReadIops + s.diskWriteIops, diskBps: s.diskReadBps + s.diskWriteBps, ...(measured ? { measured } : {}) }
  }
  const bySeries = new Map<string, PoolSample[]>()
  for (const s of poolHistory) {
    const key = `${s.hostId}/${s.poolId}`
    const list = bySeries.get(key)
    if (list) list.push(s)
    else bySeries.set(key, [s])
  }
  const pools: TuningUsage['pools'] = {}
  for (const host of Object.values(facts.storage ?? {}))
    for (const p of host.pools) pools[`${host.hostId}/${p.id}`] = { forecast: poolForecast(bySeries.get(`${host.hostId}/${p.id}`) ?? [], now) }
  return { hosts, vms, pools }
}
