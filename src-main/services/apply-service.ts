import { createHash, randomUUID } from 'node:crypto'
import { ApiFailure, type Handlers, type MeasuredEffect, type RecommendationItem, type RecommendationList } from '../../shared/api'
import type { AllocationStrategy } from '../../shared/engine/options'
import { subsetEffect, subsetProblem } from '../../shared/engine/rebalance'
import type { AuditEntry, Plan, PlanDryRun, Recommendation, Snapshot } from '../../shared/model'
import { runPlan, type PlanRun } from '../apply/executor'
import { planToAnsible, planToShell } from '../apply/export'
import { buildPlan, commandContext, PlanError } from '../apply/plan-builder'
import { libvirtTunnel } from '../apply/tunnel'
import { factsFor } from '../cli/recommend'
import { renderAction } from '../hosts/libvirt/commands'
import { ApplyStore, type StoredRecommendation } from '../store/apply-store'
import type { Store } from '../store/store'
import { engineRunner, type EngineRunner } from './engine-schedule'
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
  | 'plans.dryRun'
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
  /** Where the engine runs (a worker thread by default). */
  engine?: EngineRunner
}

/** A recommendation keeps its id across engine runs as long as it proposes the same change. */
function stableId(r: Recommendation): string {
  const digest = createHash('sha256').update(JSON.stringify(r.actions)).digest('hex').slice(0, 10)
  return `${r.kind}:${r.target.id}:${digest}`
}

function csvField(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value)
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

export function auditToCsv(entries: readonly AuditEntry[]): string {
  const header = ['id', 'time', 'actor', 'kind', 'plan', 'step', 'recommendation', 'host', 'command', 'exit_code', 'message', 'output']
  const rows = entries.map((e) => [e.id, new Date(e.t).toISOString(), e.actor, e.kind, e.planId, e.stepId, e.recommendationId, e.host, e.argv?.join(' '), e.exitCode, e.message, e.output].map(csvField).join(','))
  return `${[header.join(','), ...rows].join('\r\n')}\r\n`
}

/** Recommendations inbox, plans, their safe execution over SSH, and the audit log. */
export function createApplyService(options: ApplyServiceOptions): { handlers: ApplyHandlers; refresh: (strategy?: AllocationStrategy) => Promise<RecommendationList>; runs: Map<string, PlanRun>; applyStore: ApplyStore } {
  const { store, hosts, events, clock, actor } = options
  const applyStore = new ApplyStore(store.database)
  const runs = new Map<string, PlanRun>()
  let generatedAt: number | null = null
  let notes: string[] = []
  const engine = options.engine ?? engineRunner()
  /** The strategy of the last analysis: scheduled runs keep the admin's choice. */
  let lastStrategy: AllocationStrategy = 'dynamic'
  let analysing: Promise<void> | undefined

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
    return { items, generatedAt, notes, analysing: analysing !== undefined }
  }

  const changed = () => events.emit('recommendations.changed', list())

  /** One analysis at a time: a request while one runs waits for it, then runs with its own strategy. */
  async function refresh(strategy: AllocationStrategy = lastStrategy): Promise<RecommendationList> {
    while (analysing) await analysing.catch(() => undefined)
    const mine = (analysing = analyse(strategy))
    changed()
    try {
      await mine
    } finally {
      if (analysing === mine) analysing = undefined
      changed()
    }
    return list()
  }

  async function analyse(strategy: AllocationStrategy): Promise<void> {
    const snapshot = options.snapshot()
    const now = clock()
    if (snapshot.hosts.length === 0) throw new ApiFailure('conflict', 'No hosts to analyse: add a host or turn the demo cluster on')
    lastStrategy = strategy
    store.rollUp(now)
    const history = store.usageHistory(
      snapshot.vms.map((v) => v.id),
      now - HISTORY_WINDOW_MS,
      now,
    )
    const output = await engine({ snapshot, history, now, strategy, facts: factsFor(snapshot, hosts.facts()) })
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

  /** A recommendation as approved: for part of a rebalance, only the approved moves, in their order. */
  function asApproved(r: Recommendation): Recommendation {
    const approved = r.rebalance?.approved
    if (!approved) return r
    return { ...r, title: `${r.title} (moves ${approved.moves.map((i) => i + 1).join(', ')} of ${r.rebalance!.moves.length})`, actions: approved.moves.map((i) => r.actions[i]!) }
  }

  function effectAsApproved(r: Recommendation): NonNullable<Plan['effects']>[number] {
    const approved = r.rebalance?.approved
    return {
      recommendationId: r.id,
      title: r.title,
      ...(r.titleRef ? { titleRef: r.titleRef } : {}),
      predicted: approved ? approved.predicted : r.predicted,
      ...(approved ? { moves: { approved: approved.moves, of: r.rebalance!.moves.length } } : {}),
    }
  }

  const hostsOfPlan = (plan: Plan) => [...new Set(plan.steps.flatMap((s) => s.commands.map((c) => c.host).concat(s.verify.map((c) => c.host))))]

  /** The checks an apply makes before anything runs; throws why it would be refused. Shared with the dry run. */
  function checkApplicable(plan: Plan) {
    if (plan.state !== 'ready') throw new ApiFailure('conflict', `Plan ${plan.id} is ${plan.state}; only a ready plan can be applied (make a new plan to retry)`)
    const unmanaged = hostsOfPlan(plan).filter((h) => !hosts.connectionOf(h))
    if (unmanaged.length > 0) {
      throw new ApiFailure('conflict', `Cannot change ${unmanaged.join(', ')}: ${unmanaged.every((h) => h.startsWith('demo-')) ? 'the embedded demo cluster replays traces and cannot be changed; export the plan, or add real hosts' : 'not a connected host'}`)
    }
    // Commands are rendered again from the stored actions now: nothing in a plan is trusted as a command line.
    const ctx = ctxFor(plan.allowUnsafeMigration)
    for (const step of plan.steps) {
      const fresh = JSON.stringify([renderAction(step.action, ctx), renderAction(step.rollback, ctx)])
      if (fresh !== JSON.stringify([step.commands, step.rollbackCommands])) {
        throw new ApiFailure('conflict', `Plan ${plan.id} is out of date (${step.title}: the VM or host changed since it was made); make a new plan`)
      }
    }
    return ctx
  }

  /** The dry run: what an apply would run, in order, checked the same way; nothing is sent to a host. */
  function dryRun(id: string): PlanDryRun {
    const plan = planOrFail(id)
    let refusal: string | undefined
    try {
      checkApplicable(plan)
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error
      refusal = error.message
    }
    const result: PlanDryRun = {
      planId: plan.id,
      checkedAt: clock(),
      steps: plan.steps.map((s, i) => ({ order: i + 1, stepId: s.id, title: s.title, host: s.host, commands: s.commands, verify: s.verify, rollbackCommands: s.rollbackCommands, dependsOn: s.dependsOn })),
      hosts: hostsOfPlan(plan),
      ...(refusal ? { refusal } : {}),
    }
    const count = plan.steps.length
    applyStore.audit({ t: result.checkedAt, actor, kind: 'plan', planId: id, message: `dry run: ${count} ${count === 1 ? 'step' : 'steps'} on ${result.hosts.join(', ')}, nothing ran${refusal ? `; applying now would be refused: ${refusal}` : ''}` })
    return result
  }

  async function startApply(id: string): Promise<Plan> {
    const plan = planOrFail(id)
    const ctx = checkApplicable(plan)
    const hostIds = hostsOfPlan(plan)
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
    'recommendations.decide': async ({ id, decision, reason, snoozeHours, moves }) => {
      const item = applyStore.getRecommendation(id)
      if (!item) throw new ApiFailure('not-found', `No recommendation ${id}`)
      if (!['open', 'approved', 'rejected', 'snoozed'].includes(item.status)) {
        throw new ApiFailure('conflict', `${item.recommendation.title} is ${item.status}; it can no longer be changed`)
      }
      const now = clock()
      // Part of a rebalance: judged on its own (refused when it cannot run alone), and what it achieves kept with it.
      const rec = item.recommendation
      const nameOf = (vmId: string) => options.snapshot().vms.find((v) => v.id === vmId)?.name ?? vmId
      const chosen = moves ? [...new Set(moves)].sort((a, b) => a - b) : undefined
      let partNote = ''
      if (chosen && !rec.rebalance) throw new ApiFailure('bad-request', `${rec.title} is not a set of moves; approve it whole`)
      if (rec.rebalance) {
        const partial = decision === 'approve' && chosen && chosen.length < rec.rebalance.moves.length ? chosen : undefined
        if (partial) {
          const problem = subsetProblem(rec.rebalance, partial, nameOf)
          if (problem) {
            applyStore.audit({ t: now, actor, kind: 'decision', recommendationId: id, message: `approve refused: ${rec.title}, moves ${partial.map((i) => i + 1).join(', ')} — ${problem}` })
            throw new ApiFailure('conflict', problem)
          }
          partNote = ` — moves ${partial.map((i) => i + 1).join(', ')} of ${rec.rebalance.moves.length}`
        }
        const { approved: _previous, ...rest } = rec.rebalance
        applyStore.updateRecommendation(id, { ...rec, rebalance: partial ? { ...rest, approved: { moves: partial, predicted: subsetEffect(rec.rebalance, partial) } } : rest })
      }
      const status = decision === 'approve' ? 'approved' : decision === 'reject' ? 'rejected' : decision === 'snooze' ? 'snoozed' : 'open'
      applyStore.setStatus(id, status, {
        decidedAt: now,
        decidedBy: actor,
        ...(reason ? { reason } : {}),
        ...(decision === 'snooze' ? { snoozedUntil: now + (snoozeHours ?? 24) * 3600_000 } : {}),
      })
      applyStore.audit({ t: now, actor, kind: 'decision', recommendationId: id, message: `${decision}: ${item.recommendation.title}${partNote}${reason ? ` — ${reason}` : ''}` })
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
        plan = buildPlan({ id: `plan-${new Date(now).toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomUUID().slice(0, 6)}`, now, approvedBy: actor, recommendations: recs.map(asApproved), snapshot: options.snapshot(), ctx: ctxFor(allowUnsafeMigration), parallelism })
      } catch (error) {
        if (error instanceof PlanError) throw new ApiFailure('conflict', error.message)
        throw error
      }
      plan = { ...plan, effects: recs.map(effectAsApproved) }
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
    'plans.dryRun': async ({ id }) => dryRun(id),
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
