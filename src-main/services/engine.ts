import highsLoader from 'highs'
import { english, msg, type MessageRef } from '../../shared/i18n'
import { withDefaults, type PartialEngineOptions } from '../../shared/engine/options'
import { recommend, storageContext, type PhaseRunner, type RecommendInput, type RecommendOutput } from '../../shared/engine/recommend'
import type { MipSolver } from '../../shared/engine/solver'
import { validatePlan, type PlanViolation } from '../../shared/engine/validate'
import type { ClusterFacts, History, LinkSpeed, PoolSample, Snapshot } from '../../shared/model'
import { demoFacts } from '../hosts/demo/facts'
import { mergeFacts } from '../hosts/facts'
import type { SamplesRepo } from '../store/samples'
import type { StorageRepo } from '../store/storage'

/** How far back the engine looks in stored history (rightsizing wants at least 7 days). */
export const HISTORY_WINDOW_MS = 30 * 24 * 3600_000

/** The engine proposed something the independent validator refuses: shown as an error, never as advice. */
export class EngineError extends Error {
  override name = 'EngineError'
  /** The same in the reader's language: the first five violations, and how many more. */
  readonly messageRef: MessageRef
  constructor(readonly violations: readonly PlanViolation[]) {
    const clauses = violations.slice(0, 5).map((v) => msg('server.engine.violation', { code: v.code, message: v.messageRef }))
    if (violations.length > 5) clauses.push(msg('server.engine.andMore', { count: violations.length - 5 }))
    const ref = msg('server.engine.validatorRefused', { clauses })
    super(english(ref))
    this.messageRef = ref
  }
}

export interface EngineRun {
  snapshot: Snapshot
  history: History
  now: number
  options?: PartialEngineOptions
  /** Discovered tuning facts of real hosts (the demo's are added when the snapshot shows the demo). */
  discovered?: readonly ClusterFacts[]
  /** Pool history and measured links (storageWindow). */
  storage?: { poolHistory: readonly PoolSample[]; linkSpeeds: readonly LinkSpeed[] }
  /** Runs each phase, the validator's included (benches time them). */
  phase?: PhaseRunner
}

/** How far back days-to-full forecasts look. */
export const POOL_HISTORY_WINDOW_MS = 14 * 24 * 3600_000

/** Pool figures of the last two weeks and the measured migration links: the engine's storage history. */
export function storageWindow(storage: Pick<StorageRepo, 'poolHistory' | 'linkSpeeds'>, now: number): { poolHistory: PoolSample[]; linkSpeeds: LinkSpeed[] } {
  return { poolHistory: storage.poolHistory(now - POOL_HISTORY_WINDOW_MS, now + 1), linkSpeeds: storage.linkSpeeds() }
}

export interface EngineService {
  /** Runs the engine; every output passed validatePlan, or this throws an EngineError. */
  run(input: EngineRun): Promise<RecommendOutput>
}

export async function loadSolver(): Promise<MipSolver> {
  // The highs typings describe its own API; the engine needs only `solve`.
  return (await highsLoader()) as unknown as MipSolver
}

/** Tuning facts of whatever the snapshot shows: the demo's (made up, documented) and discovered hosts'. */
export function factsFor(snapshot: Snapshot, discovered: readonly ClusterFacts[] = []): ClusterFacts {
  return mergeFacts([...(snapshot.hosts.some((h) => h.source === 'demo') ? [demoFacts(snapshot.t)] : []), ...discovered])
}

/** Usage history of these VMs up to now (5-minute rollups, the newest rolled up first): what the engine and what-if read. */
export function usageWindow(samples: Pick<SamplesRepo, 'rollUp' | 'usageHistory'>, vmIds: readonly string[], now: number, windowMs = HISTORY_WINDOW_MS): History {
  samples.rollUp(now)
  return samples.usageHistory(vmIds, now - windowMs, now)
}

/**
 * The violations that make an output unfit to show: any that a recommended action causes, and,
 * when the engine says every rule could be met, any at all.
 */
export function unfitViolations(output: Pick<RecommendOutput, 'recommendations' | 'feasible'>, input: Pick<RecommendInput, 'snapshot' | 'history' | 'now' | 'options' | 'facts' | 'linkSpeeds'>): PlanViolation[] {
  // Advice on another manager's VM keeps its actions to say what to set; it never goes into a plan.
  const actions = output.recommendations.filter((r) => !r.managedBy).flatMap((r) => r.actions)
  const options = withDefaults(input.options)
  const check = validatePlan(input.snapshot, actions, options, input.history, input.now, storageContext(input, options.balance.migrationBandwidthMiBps))
  return check.violations.filter((v) => output.feasible || v.actionIndex !== undefined)
}

/**
 * The one engine runner (desktop app, serve mode, CLI): HiGHS loaded once, tuning facts merged,
 * and the output checked by the independent validator before anyone sees it.
 */
export function createEngine(engine: (input: RecommendInput) => RecommendOutput = recommend): EngineService {
  let solver: Promise<MipSolver> | undefined
  return {
    async run({ snapshot, history, now, options, discovered, storage, phase }) {
      const input: RecommendInput = {
        snapshot,
        history,
        now,
        seed: now,
        solver: await (solver ??= loadSolver()),
        facts: factsFor(snapshot, discovered),
        ...(options ? { options } : {}),
        ...(storage ? { poolHistory: storage.poolHistory, linkSpeeds: storage.linkSpeeds } : {}),
        ...(phase ? { phase } : {}),
      }
      const output = engine(input)
      const unfit = phase ? phase('validate', () => unfitViolations(output, input)) : unfitViolations(output, input)
      if (unfit.length > 0) throw new EngineError(unfit)
      return output
    },
  }
}

/** Why these actions may not run: a VM in them belongs to another manager (Proxmox VE HA, pacemaker, oVirt, OpenStack, ...). */
export function managedViolations(snapshot: Snapshot, actions: Parameters<typeof validatePlan>[1]): PlanViolation[] {
  return validatePlan(snapshot, actions, withDefaults(), { vms: {} }).violations.filter((v) => v.code === 'externally-managed')
}

/** Violations that mean an action no longer fits the cluster: its VM gone or elsewhere, or resized since. */
const STALE: ReadonlySet<PlanViolation['code']> = new Set(['unknown-vm', 'unknown-host', 'wrong-source-host', 'bad-rollback'])

/** Why these actions (in order) no longer describe the cluster as the snapshot shows it; empty when they do. */
export function staleViolations(snapshot: Snapshot, actions: Parameters<typeof validatePlan>[1]): PlanViolation[] {
  return validatePlan(snapshot, actions, withDefaults(), { vms: {} }).violations.filter((v) => STALE.has(v.code))
}
