import { ApiFailure, type AutomationRound, type AutomationStatus } from '../../shared/api'
import { decideAutomation, windowOpen } from '../../shared/engine/automation'
import { withDefaults } from '../../shared/engine/options'
import { subsetProblem } from '../../shared/engine/rebalance'
import { validatePlan } from '../../shared/engine/validate'
import { english, msg, said } from '../../shared/i18n'
import { isAutomaticActor, type AutomationSettings, type AutomationUpdate, type MessageRef, type Plan, type Snapshot, type VmAutomation } from '../../shared/model'
import type { Store } from '../store'
import { staleViolations } from './engine'
import type { EventBus } from './events'
import type { Inbox } from './inbox'
import type { PlanService } from './plans'
import type { RulesService } from './rules'

const HOUR_MS = 3600_000

export interface AutomationOptions {
  store: Pick<Store, 'automation' | 'plans' | 'settings' | 'inventory'>
  clock: () => number
  /** The admin (settings changes, pause and resume are theirs). */
  actor: string
  log: (message: string) => void
  snapshot: () => Snapshot
  inbox: Pick<Inbox, 'list' | 'decide'>
  plans: Pick<PlanService, 'createFromInbox' | 'apply' | 'cancel' | 'withdraw'>
  rules: Pick<RulesService, 'engineOptions'>
  events: EventBus
  /** A host read longer ago than this is stale: nothing automatic touches it. */
  staleAfterMs: number
  /** False in the CLI: it changes the settings; the desktop app or serve acts. */
  acts: boolean
}

/** A plan's VMs (what it moves or changes). */
/** Violations said as one reason, once each; undefined when there are none. */
function clauses(violations: readonly { message: string; messageRef: MessageRef }[]): MessageRef | undefined {
  const refs = [...new Map(violations.map((v) => [v.message, v.messageRef])).values()]
  return refs.length > 0 ? msg('engine.clauses', { clauses: refs }) : undefined
}

const vmsOf = (plan: Plan) => plan.steps.map((s) => ('vm' in s.action ? s.action.vm : '')).filter(Boolean)

/**
 * DRS-style automation: after each analysis, the open recommendations the level, windows, cap
 * and per-VM levels allow are approved under the actor "automation: <level>/<rule>", made into a
 * plan and applied through the same inbox, plan builder, checks, executor, verification,
 * rollback and audit as the admin's own. Nothing here runs a command.
 */
export function createAutomation(options: AutomationOptions) {
  const { store, clock } = options
  let lastRound: AutomationRound | undefined
  let deciding: Promise<void> | undefined

  /** Automatic live migrations started in the last hour, and those waiting in an automatic plan: from the stored plans, so a restart does not reset the cap. */
  function movesLastHour(now: number, plans: readonly Plan[]): number {
    let n = 0
    for (const plan of plans) {
      if (!isAutomaticActor(plan.approvedBy)) continue
      for (const step of plan.steps) {
        if (step.action.kind !== 'migrate') continue
        if (step.startedAt !== undefined ? step.startedAt > now - HOUR_MS : step.state === 'pending' && plan.state === 'running') n++
      }
    }
    return n
  }

  function status(): AutomationStatus {
    const now = clock()
    const settings = store.automation.get()
    const plans = store.plans.listPlansSince(now - 2 * HOUR_MS)
    return {
      settings,
      migrationThreshold: store.settings.get().migrationThreshold,
      windowOpen: windowOpen(settings.windows, settings.timeZone, now),
      movesLastHour: movesLastHour(now, plans),
      running: plans.filter((p) => p.state === 'running' && isAutomaticActor(p.approvedBy)).map((p) => p.id),
      acts: options.acts,
      ...(lastRound ? { lastRound } : {}),
    }
  }

  const changed = () => options.events.emit('automation.changed', status())
  const audit = (ref: MessageRef, by: string) => store.plans.audit({ t: clock(), actor: by, kind: 'decision', ...said({ message: ref }) })

  function update(patch: AutomationUpdate, by = options.actor): AutomationStatus {
    let next: AutomationSettings
    try {
      next = store.automation.update((current) => ({ ...current, ...patch }))
    } catch (error) {
      throw new ApiFailure('bad-request', (error as Error).message)
    }
    audit(msg('automation.audit.set', { level: msg(`automation.levels.${next.level}`), windows: next.windows.length, zone: next.timeZone, cap: next.maxMovesPerHour, unsafe: next.allowUnsafeMigration ? msg('automation.audit.unsafe') : '' }), by)
    changed()
    return status()
  }

  /** A VM's own level; null: it follows the cluster again. */
  function setVm(vmId: string, level: VmAutomation | null, by = options.actor): AutomationStatus {
    store.automation.update((current) => {
      const vms = { ...current.vms }
      if (level === null) delete vms[vmId]
      else vms[vmId] = level
      return { ...current, vms }
    })
    // The hosts read now, else the inventory kept (the CLI reads no host to set a level).
    const name = [...options.snapshot().vms, ...store.inventory.current().vms].find((v) => v.id === vmId)?.name ?? vmId
    audit(level === null ? msg('automation.audit.vmDefault', { vm: name }) : msg('automation.audit.vm', { vm: name, level: msg(`automation.levels.${level}`) }), by)
    changed()
    return status()
  }

  /** Stops automation at once: nothing automatic starts; a running automatic plan finishes or is cancelled, as the admin chose. */
  function pause(running: 'finish' | 'cancel', by = options.actor): AutomationStatus {
    store.automation.update((current) => ({ ...current, paused: { since: clock(), by, running } }))
    audit(msg('automation.audit.paused', { running: msg(running === 'cancel' ? 'automation.audit.pausedCancel' : 'automation.audit.pausedFinish') }), by)
    if (running === 'cancel') cancelRunning()
    changed()
    return status()
  }

  function resume(by = options.actor): AutomationStatus {
    store.automation.update(({ paused: _paused, ...rest }) => rest)
    audit(msg('automation.audit.resumed'), by)
    changed()
    return status()
  }

  /** Cancels the automatic plans this process runs (a plan another process runs is cancelled there, at its next progress). */
  function cancelRunning(): void {
    for (const plan of store.plans.listPlansSince(clock() - 2 * HOUR_MS)) {
      if (plan.state !== 'running' || !isAutomaticActor(plan.approvedBy)) continue
      if (options.plans.cancel(plan.id)) audit(msg('automation.audit.cancelled', { plan: plan.id }), options.actor)
    }
  }

  /** A plan changed: a running automatic plan stops when the admin paused with "cancel" (also from the CLI in another process). */
  function onPlan(plan: Plan): void {
    if (!options.acts || plan.state !== 'running' || !isAutomaticActor(plan.approvedBy)) return
    if (store.automation.get().paused?.running === 'cancel' && options.plans.cancel(plan.id)) audit(msg('automation.audit.cancelled', { plan: plan.id }), options.actor)
  }

  /** After an analysis: decide, then approve, plan and apply what is chosen. One round at a time. */
  function afterAnalysis(): Promise<void> {
    if (!options.acts) return Promise.resolve()
    deciding ??= round()
      .catch((error: unknown) => options.log(`automation: ${(error as Error).message}`))
      .finally(() => (deciding = undefined))
    return deciding
  }

  async function round(): Promise<void> {
    const now = clock()
    const settings = store.automation.get()
    const snapshot = options.snapshot()
    const plans = store.plans.listPlansSince(now - 2 * HOUR_MS)
    const items = (await options.inbox.list()).items
    const engineOptions = withDefaults(options.rules.engineOptions())
    const nameOf = (id: string) => snapshot.vms.find((v) => v.id === id)?.name ?? id
    const vmsInPlans = new Map<string, string>()
    for (const plan of plans) if (plan.state === 'ready' || plan.state === 'running') for (const vm of vmsOf(plan)) vmsInPlans.set(vm, plan.id)
    const threshold = store.settings.get().migrationThreshold
    const decision = decideAutomation({
      settings,
      threshold,
      now,
      snapshot,
      candidates: items,
      movesLastHour: movesLastHour(now, plans),
      planRunning: plans.some((p) => p.state === 'running'),
      vmsInPlans,
      staleAfterMs: options.staleAfterMs,
      changed: (actions) => clauses(staleViolations(snapshot, actions)),
      broken: (actions) => {
        // Only what the moves would break: a violation the cluster has already (another rule's fix still open) is not theirs.
        const check = (a: Parameters<typeof validatePlan>[1]) => validatePlan(snapshot, a, engineOptions, { vms: {} }, now).violations
        const before = new Set(check([]).map((v) => `${v.code}: ${v.message}`))
        return clauses(check(actions).filter((v) => !before.has(`${v.code}: ${v.message}`)))
      },
      partProblem: (rec, moves) => (rec.rebalance ? subsetProblem(rec.rebalance, moves, nameOf) : msg('engine.rebalance.subset.notMoves')),
    })
    const byId = new Map(items.map((i) => [i.recommendation.id, i.recommendation]))
    const titled = (id: string) => {
      const r = byId.get(id)!
      return { recommendationId: id, title: r.title, ...(r.titleRef ? { titleRef: r.titleRef } : {}) }
    }
    lastRound = {
      at: now,
      state: decision.state,
      approved: [],
      skipped: decision.skipped.map((s) => ({ ...titled(s.id), reason: english(s.reason), reasonRef: s.reason })),
    }
    if (decision.choices.length > 0) {
      const actor = decision.choices[0]!.actor
      const level = msg(`automation.levels.${decision.choices[0]!.level}`)
      try {
        // The admin may have paused while this round looked: read it again before acting.
        if (store.automation.get().paused) throw new Error(english(msg('automation.state.paused')))
        const approved: string[] = []
        for (const choice of decision.choices) {
          const r = byId.get(choice.id)!
          const why = r.priority === 1 ? msg('automation.reason.p1', { level }) : msg('automation.reason.threshold', { priority: r.priority, threshold, level })
          options.inbox.decide(choice.id, 'approve', why, undefined, choice.moves, choice.actor)
          approved.push(choice.id)
          lastRound.approved.push({ ...titled(choice.id), actor: choice.actor })
        }
        const plan = await options.plans.createFromInbox(approved, { parallelism: 1, allowUnsafeMigration: settings.allowUnsafeMigration, by: actor })
        lastRound.planId = plan.id
        await options.plans.apply(plan.id, actor)
      } catch (error) {
        lastRound.problem = (error as Error).message
        audit(msg('automation.audit.planFailed', { reason: lastRound.problem }), actor)
        // Refused before it started: left ready, it would hold its VMs out of every later round.
        if (lastRound.planId) options.plans.withdraw(lastRound.planId, actor, msg('automation.audit.withdrawn', { plan: lastRound.planId }))
      }
    }
    changed()
  }

  return { status, update, setVm, pause, resume, afterAnalysis, onPlan, idle: () => deciding ?? Promise.resolve() }
}

export type AutomationService = ReturnType<typeof createAutomation>
