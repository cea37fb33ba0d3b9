import { createHash, randomUUID } from 'node:crypto'
import { ApiFailure, type Handlers, type MeasuredEffect, type RecommendationItem, type RecommendationList } from '../../shared/api'
import type { AllocationStrategy } from '../../shared/engine/options'
import type { MipSolver } from '../../shared/engine/solver'
import type { Plan, Recommendation, Snapshot } from '../../shared/model'
import { runPlan, type PlanRun } from '../apply/executor'
import { planToAnsible, planToShell } from '../apply/export'
import { auditToCsv } from '../export/audit-csv'
import { buildPlan, commandContext, PlanError } from '../apply/plan-builder'
import { libvirtTunnel } from '../apply/tunnel'
import { factsFor, loadSolver, recommendFor } from '../cli/recommend'
import { renderAction } from '../hosts/libvirt/commands'
import { ApplyStore, type StoredRecommendation } from '../store/apply-store'
import type { Store } from '../store/store'
import type { EventBus } from './events'
import type { HostManager } from './host-manager'

const HISTORY_WINDOW_MS = 30 * 24 * 3600_000
const RAW_KEPT_MS = 48 * 3600_000
const EFFECT_BEFORE_MS = 30 * 60_000

export type ApplyHandlers = Pick<
  Handlers,
  | 'vm.history'
  | 'recommendations.list'
  | 'recommendations.refresh'
  | 'recommendations.decide'
  | 'plans.create'
  | 'plans.list'
  | 'plans.get'
  | 'plans.apply'
  | 'plans.cancel'
  | 'plans.export'
  | 'audit.list'
  | 'audit.export'
>

export interface ApplyServiceOptions {
  store: Store
  hosts: HostManager
  events: EventBus
  clock: () => number
  snapshot: () => Snapshot
  /** Who is deciding: the local user and how they reach VirtPilot. */
  actor: string
  log: (message: string) => void
}

/** A recommendation keeps its id across engine runs as long as it proposes the same change. */
function stableId(r: Recommendation): string {
  const digest = createHash('sha256').update(JSON.stringify(r.actions)).digest('hex').slice(0, 10)
  return `${r.kind}:${r.target.id}:${digest}`
}

/** Recommendations inbox, plans, their safe execution over SSH, and the audit log. */
export function createApplyService(options: ApplyServiceOptions): { handlers: ApplyHandlers; refresh: (strategy?: AllocationStrategy) => Promise<RecommendationList>; runs: Map<string, PlanRun>; applyStore: ApplyStore } {
  const { store, hosts, events, clock, actor } = options
  const applyStore = new ApplyStore(store.database)
  const runs = new Map<string, PlanRun>()
  let generatedAt: number | null = null
  let notes: string[] = []
  let solver: MipSolver | undefined

  for (const plan of applyStore.markInterrupted(clock())) options.log(`plan ${plan.id} was interrupted by a stop of VirtPilot`)

  function effectOf(item: StoredRecommendation, now: number): MeasuredEffect | undefined {
    if (!item.appliedAt) return undefined
    const at = item.appliedAt
    const r = item.recommendation
    const figures: MeasuredEffect['figures'] = []
    const vmIds = [...new Set(r.actions.flatMap((a) => ('vm' in a.action ? [a.action.vm] : [])))]
    for (const vmId of vmIds) {
      const before = store.vmWindowMeans(vmId, at - EFFECT_BEFORE_MS, at)
      const after = store.vmWindowMeans(vmId, at, now)
      const name = options.snapshot().vms.find((v) => v.id === vmId)?.name ?? vmId
      figures.push(
        { label: `${name} CPU used`, unit: 'cores', before: before.cpuUsedCores, after: after.cpuUsedCores, samplesAfter: after.n },
        { label: `${name} CPU ready`, unit: '%', before: before.cpuReadyPct, after: after.cpuReadyPct, samplesAfter: after.n },
        { label: `${name} memory used`, unit: 'MiB', before: before.memUsedMiB, after: after.memUsedMiB, samplesAfter: after.n },
      )
    }
    for (const a of r.actions) {
      if (a.action.kind !== 'migrate') continue
      for (const host of [a.action.from, a.action.to]) {
        const before = store.hostWindowMeans(host, at - EFFECT_BEFORE_MS, at)
        const after = store.hostWindowMeans(host, at, now)
        figures.push({ label: `${host} CPU`, unit: '%', before: before.cpuPct, after: after.cpuPct, samplesAfter: after.n })
      }
    }
    return { appliedAt: at, figures }
  }

  function list(): RecommendationList {
    const now = clock()
    const items: RecommendationItem[] = applyStore
      .listRecommendations(['open', 'approved', 'rejected', 'snoozed', 'planned', 'applied', 'failed'])
      .map((item) => {
        const effect = effectOf(item, now)
        const { effect: _stored, ...rest } = item
        return { ...rest, ...(effect ? { effect } : {}) }
      })
    return { items, generatedAt, notes }
  }

  const changed = () => events.emit('recommendations.changed', list())

  async function refresh(strategy: AllocationStrategy = 'dynamic'): Promise<RecommendationList> {
    const snapshot = options.snapshot()
    const now = clock()
    if (snapshot.hosts.length === 0) throw new ApiFailure('conflict', 'No hosts to analyse: add a host or turn the demo cluster on')
    store.rollUp(now)
    solver ??= await loadSolver()
    const history = store.usageHistory(
      snapshot.vms.map((v) => v.id),
      now - HISTORY_WINDOW_MS,
      now,
    )
    const output = await recommendFor({ snapshot, history, now, strategy, solver, facts: factsFor(snapshot, hosts.facts()) })
    const recommendations = output.recommendations.map((r) => ({ ...r, id: stableId(r) }))
    applyStore.replaceOpen(recommendations, now)
    generatedAt = now
    const exact = output.balance.exact
    notes = [
      ...output.reasons,
      ...(exact.status === 'optimal' || exact.status === 'timedout'
        ? [`Balancing: greedy peak load ${((exact.greedyPeakLoad ?? 0) * 100).toFixed(1)} % vs exact ${((exact.exactPeakLoad ?? 0) * 100).toFixed(1)} % (HiGHS, ${exact.status}).`]
        : exact.reason
          ? [`Exact balancing skipped: ${exact.reason}.`]
          : []),
    ]
    changed()
    return list()
  }

  function planOrFail(id: string): Plan {
    const plan = applyStore.getPlan(id)
    if (!plan) throw new ApiFailure('not-found', `No plan ${id}`)
    return plan
  }

  const ctxFor = (allowUnsafeMigration: boolean) => commandContext(options.snapshot(), (h) => hosts.addressOf(h), allowUnsafeMigration)
  const targetOf = (hostId: string) => store.listManagedHosts().find((h) => h.id === hostId)?.target ?? hostId

  function finishRecommendations(plan: Plan): void {
    const now = clock()
    for (const recId of plan.recommendationIds) {
      const steps = plan.steps.filter((s) => s.recommendationId === recId)
      const applied = steps.length > 0 && steps.every((s) => s.state === 'done')
      applyStore.setStatus(recId, applied ? 'applied' : 'failed', applied ? { appliedAt: plan.steps.find((s) => s.recommendationId === recId)?.endedAt ?? now } : {})
    }
    changed()
  }

  async function startApply(id: string): Promise<Plan> {
    const plan = planOrFail(id)
    if (plan.state !== 'ready') throw new ApiFailure('conflict', `Plan ${id} is ${plan.state}; only a ready plan can be applied (make a new plan to retry)`)
    const hostIds = [...new Set(plan.steps.flatMap((s) => s.commands.map((c) => c.host).concat(s.verify.map((c) => c.host))))]
    const unmanaged = hostIds.filter((h) => !hosts.connectionOf(h))
    if (unmanaged.length > 0) {
      throw new ApiFailure('conflict', `Cannot change ${unmanaged.join(', ')}: ${unmanaged.every((h) => h.startsWith('demo-')) ? 'the embedded demo cluster replays traces and cannot be changed; export the plan, or add real hosts' : 'not a connected host'}`)
    }
    // Commands are rendered again from the stored actions now: nothing in a plan is trusted as a command line.
    const ctx = ctxFor(plan.allowUnsafeMigration)
    for (const step of plan.steps) {
      const fresh = JSON.stringify([renderAction(step.action, ctx), renderAction(step.rollback, ctx)])
      if (fresh !== JSON.stringify([step.commands, step.rollbackCommands])) {
        throw new ApiFailure('conflict', `Plan ${id} is out of date (${step.title}: the VM or host changed since it was made); make a new plan`)
      }
    }
    applyStore.audit({ t: clock(), actor, kind: 'plan', planId: id, message: 'apply started' })
    const run = runPlan(plan, {
      store: applyStore,
      ctx,
      exec: async (host, argv, timeoutMs) => {
        const conn = hosts.connectionOf(host)
        if (!conn) throw new Error(`${host} is not a connected host`)
        await conn.connect()
        return conn.exec(argv, { timeoutMs })
      },
      tunnel: (from, to) => libvirtTunnel(hosts.connectionOf(from)!, hosts.connectionOf(to)!),
      clock,
      actor,
      onUpdate: (p) => events.emit('plans.changed', p),
    })
    runs.set(id, run)
    void run.done
      .then(async (finished) => {
        finishRecommendations(finished)
        await Promise.all(hostIds.map((h) => hosts.rediscover(h)))
      })
      .catch((error: unknown) => options.log(`plan ${id}: ${(error as Error).message}`))
      .finally(() => runs.delete(id))
    return planOrFail(id)
  }

  const handlers: ApplyHandlers = {
    'vm.history': async (req) => store.vmSeries(req.vmId, req.from, req.to, req.maxPoints, RAW_KEPT_MS, clock()),
    'recommendations.list': async () => list(),
    'recommendations.refresh': async ({ strategy }) => refresh(strategy),
    'recommendations.decide': async ({ id, decision, reason, snoozeHours }) => {
      const item = applyStore.getRecommendation(id)
      if (!item) throw new ApiFailure('not-found', `No recommendation ${id}`)
      if (!['open', 'approved', 'rejected', 'snoozed'].includes(item.status)) {
        throw new ApiFailure('conflict', `${item.recommendation.title} is ${item.status}; it can no longer be changed`)
      }
      const now = clock()
      const status = decision === 'approve' ? 'approved' : decision === 'reject' ? 'rejected' : decision === 'snooze' ? 'snoozed' : 'open'
      applyStore.setStatus(id, status, {
        decidedAt: now,
        decidedBy: actor,
        ...(reason ? { reason } : {}),
        ...(decision === 'snooze' ? { snoozedUntil: now + (snoozeHours ?? 24) * 3600_000 } : {}),
      })
      applyStore.audit({ t: now, actor, kind: 'decision', recommendationId: id, message: `${decision}: ${item.recommendation.title}${reason ? ` — ${reason}` : ''}` })
      changed()
      return list().items.find((i) => i.recommendation.id === id)!
    },
    'plans.create': async ({ recommendationIds, parallelism, allowUnsafeMigration }) => {
      const recs = recommendationIds.map((id) => {
        const item = applyStore.getRecommendation(id)
        if (!item) throw new ApiFailure('not-found', `No recommendation ${id}`)
        if (item.status !== 'approved') throw new ApiFailure('forbidden', `Only approved recommendations go into a plan: "${item.recommendation.title}" is ${item.status}`)
        return item.recommendation
      })
      const now = clock()
      let plan: Plan
      try {
        plan = buildPlan({ id: `plan-${new Date(now).toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomUUID().slice(0, 6)}`, now, approvedBy: actor, recommendations: recs, snapshot: options.snapshot(), ctx: ctxFor(allowUnsafeMigration), parallelism })
      } catch (error) {
        if (error instanceof PlanError) throw new ApiFailure('conflict', error.message)
        throw error
      }
      applyStore.savePlan(plan)
      for (const r of recs) applyStore.setStatus(r.id, 'planned')
      applyStore.audit({ t: now, actor, kind: 'plan', planId: plan.id, message: `plan created from ${recs.length} approved recommendation(s): ${plan.steps.map((s) => s.title).join('; ')}` })
      events.emit('plans.changed', plan)
      changed()
      return plan
    },
    'plans.list': async () => applyStore.listPlans(),
    'plans.get': async ({ id }) => planOrFail(id),
    'plans.apply': async ({ id }) => {
      try {
        return await startApply(id)
      } catch (error) {
        // A refused apply is part of the record too.
        if (error instanceof ApiFailure) applyStore.audit({ t: clock(), actor, kind: 'plan', planId: id, message: `apply refused: ${error.message}` })
        throw error
      }
    },
    'plans.cancel': async ({ id }) => {
      const run = runs.get(id)
      if (!run) throw new ApiFailure('conflict', `Plan ${id} is not running`)
      run.cancel()
      return planOrFail(id)
    },
    'plans.export': async ({ id, format }) => {
      const plan = planOrFail(id)
      return format === 'shell' ? { filename: `${plan.id}.sh`, text: planToShell(plan, targetOf) } : { filename: `${plan.id}.yml`, text: planToAnsible(plan, targetOf) }
    },
    'audit.list': async (q) => applyStore.listAudit(q),
    'audit.export': async ({ format, from, to, planId }) => {
      const entries = applyStore.listAudit({ ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), ...(planId ? { planId } : {}), limit: 1_000_000 }).reverse()
      const stamp = new Date(clock()).toISOString().slice(0, 10)
      return format === 'json' ? { filename: `virtpilot-audit-${stamp}.json`, text: `${JSON.stringify(entries, null, 2)}\n` } : { filename: `virtpilot-audit-${stamp}.csv`, text: auditToCsv(entries) }
    },
  }

  return { handlers, refresh, runs, applyStore }
}
