import type { ClusterFacts } from '../model/facts'
import type { Recommendation } from '../model/recommendation'
import type { Snapshot } from '../model/snapshot'
import { balanceGreedy, type BalanceResult } from './balance'
import { solveExact, type ExactResult } from './balance'
import { consolidate, type ConsolidationResult } from './consolidate'
import { sustainedDemand, type VmDemand } from './demand'
import type { History } from './history'
import { hostLoads, type HostLoad } from './host-load'
import { withDefaults, type AllocationStrategy, type PartialEngineOptions } from './options'
import { buildPlacement } from './placement'
import { withPriority } from './priority'
import { rebalanceRecommendation } from './rebalance'
import { migrationRecommendation, oversizedVcpuRecommendations, rightsizeRecommendations } from './recommendation-records'
import { rightsizeVm, type RightsizeResult } from './rightsize'
import type { MipSolver } from './solver'
import { tuningAdvice, tuningRecommendation, type TuningAdvice, type TuningOptions, type TuningUsage } from './tuning'

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
}

export interface ExactComparison {
  status: ExactResult['status'] | 'skipped'
  reason?: string
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
  /** Tuning advice with the evidence each rule read; also in `recommendations` as kind 'tuning'. */
  tuning: TuningAdvice[]
  /** A separate what-if plan (not merged into `recommendations`): fewest hosts with headroom. */
  consolidation: ConsolidationResult
  /** False when some rule or limit cannot be met; `reasons` says which. */
  feasible: boolean
  reasons: string[]
}

export function recommend(input: RecommendInput): RecommendOutput {
  const options = withDefaults(input.options)
  const { snapshot, history, now } = input
  let counter = 0
  const names = new Map(snapshot.vms.map((v) => [v.id, v.name]))
  const nameOf = (vmId: string) => names.get(vmId) ?? vmId
  const nextId = () => `rec-${(input.seed >>> 0).toString(36)}-${++counter}`

  const demand = sustainedDemand(snapshot, history, now, options.balance.demandWindowMs, options.balance.demandPercentile)
  const loads = hostLoads(snapshot, demand, options.strategy, options.controls)

  const rightsizing = snapshot.vms
    .filter((vm) => vm.state === 'running')
    .flatMap((vm) => rightsizeVm(vm, history.vms[vm.id], now, options.rightsize) ?? [])

  const problem = buildPlacement(snapshot, demand, history, now, options)
  const balance = balanceGreedy(problem, options.balance)
  const exact = compareWithExact(input.solver, problem, balance, options.balance)

  const tuning = input.facts
    ? tuningAdvice({
        facts: input.facts,
        usage: tuningUsage(snapshot, loads, demand),
        options: { ...input.tuningOptions, cpuOvercommit: options.balance.cpuOvercommit, memOvercommit: options.balance.memOvercommit },
      })
    : []

  // Mandatory moves stand alone (each fixes a violation); the optional ones are one interdependent set.
  const mandatory = balance.moves.filter((m) => m.mandatory)
  const optional = balance.moves.filter((m) => !m.mandatory)
  const windowMs = options.balance.demandWindowMs
  const historyMs = (vmId: string) => {
    const t = history.vms[vmId]?.t.filter((x) => x <= now) ?? []
    return t.length > 1 ? t[t.length - 1]! - t[0]! : 0
  }
  const recommendations = [
    ...mandatory.map((m, i) => migrationRecommendation(m, problem, mandatory.slice(0, i), nextId, nameOf)),
    ...(optional.length > 0
      ? [
          rebalanceRecommendation({
            problem,
            applied: mandatory,
            moves: optional,
            id: nextId(),
            nameOf,
            confidence: optional.every((m) => historyMs(m.vmId) >= windowMs) ? 'normal' : 'low',
            windowHours: Math.round(windowMs / 3_600_000),
          }),
        ]
      : []),
    ...rightsizing.flatMap((r) => rightsizeRecommendations(r, nextId, nameOf)),
    ...oversizedVcpuRecommendations(snapshot, rightsizing, nextId, nameOf),
    ...tuning.map((a) => tuningRecommendation(a, nextId())),
  ]
    // Producers state a gain class; the one priority rule adds risk and confidence.
    .map(withPriority)
    .sort((a, b) => a.priority - b.priority)

  return {
    strategy: options.strategy,
    recommendations,
    hostLoads: loads,
    balance: { ...balance, exact },
    rightsizing,
    tuning,
    consolidation: consolidate(problem, options.consolidate.headroom, problem.vms.length <= options.balance.exactMaxVms ? input.solver : undefined, options.balance.exactTimeLimitS),
    feasible: balance.unresolved.length === 0,
    reasons: balance.unresolved,
  }
}

function compareWithExact(
  solver: MipSolver | undefined,
  problem: ReturnType<typeof buildPlacement>,
  greedy: BalanceResult,
  opts: { exactMaxVms: number; exactTimeLimitS: number; maxMigrations: number },
): ExactComparison {
  if (!solver) return { status: 'skipped', reason: 'no solver passed' }
  if (problem.vms.length > opts.exactMaxVms)
    return { status: 'skipped', reason: `${problem.vms.length} VMs is above the exact-mode limit of ${opts.exactMaxVms}` }
  const mandatory = greedy.moves.filter((m) => m.mandatory).length
  const exact = solveExact(problem, { kind: 'minPeak', maxMoves: opts.maxMigrations + mandatory }, solver, opts.exactTimeLimitS)
  if (!exact.summary) return { status: exact.status, reason: `HiGHS: ${exact.solverStatus}` }
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
 * in use, VM disk operations (latest poll). Hosts whose VMs' demand is only assumed get none.
 */
function tuningUsage(snapshot: Snapshot, loads: HostLoad[], demand: Map<string, VmDemand>): TuningUsage {
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
    vms[s.vmId] = { cpuCores: demand.get(s.vmId)?.cpuCores ?? s.cpuUsedCores, diskIops: s.diskReadIops + s.diskWriteIops, diskBps: s.diskReadBps + s.diskWriteBps }
  }
  return { hosts, vms }
}
