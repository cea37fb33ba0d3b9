import { ApiFailure, failure, type MaintenanceEntry, type RulesList, type StayingVm } from '../../shared/api'
import { english, msg, said } from '../../shared/i18n'
import type { PartialEngineOptions } from '../../shared/engine/options'
import { fromAdminRules } from '../../shared/engine/placement-rules'
import { ruleConflict, ruleLabel } from '../../shared/model'
import { thresholdBalance, type MigrationThreshold } from '../../shared/engine/threshold'
import type { MessageRef, NewPlacementRule, PlacementRule, Snapshot } from '../../shared/model'
import type { Store } from '../store'
import type { Inbox } from './inbox'
import type { PlanService } from './plans'

export interface RulesOptions {
  store: Pick<Store, 'rules' | 'inventory' | 'plans' | 'settings' | 'automation'>
  clock: () => number
  actor: string
  snapshot: () => Snapshot
  /** The snapshot changed (a host entered or left maintenance): tell the views. */
  emitSnapshot: () => void
  /** The rules or the hosts in maintenance changed: other open windows refresh. */
  onChange?: (list: RulesList) => void
  inbox: Pick<Inbox, 'refresh' | 'list' | 'decide'>
  plans: Pick<PlanService, 'createFromInbox'>
}

const hostsOf = (s: Pick<Snapshot, 'hosts'>) => s.hosts.map((h) => h.id)

/**
 * The admin's placement rules and maintenance mode: rules are checked against each other before
 * they are kept (a conflict is refused with the reason); the engine reads them with the migration
 * threshold from the settings; a host entering maintenance gets an evacuation plan through the
 * same approve -> plan -> apply path as any recommendation.
 */
export function createRules(options: RulesOptions) {
  const { store, clock, actor } = options

  /** VMs and hosts the cluster has: the current snapshot, and the inventory of hosts not read yet. */
  function known(): { vms: Map<string, string>; hosts: string[] } {
    const snapshot = options.snapshot()
    const inventory = store.inventory.current()
    const vms = new Map([...inventory.vms, ...snapshot.vms].map((v) => [v.id, v.name]))
    return { vms, hosts: [...new Set([...hostsOf(inventory), ...hostsOf(snapshot)])] }
  }

  function list(): RulesList {
    return { rules: store.rules.list(), maintenance: store.rules.maintenance() }
  }

  /** Other open windows refresh their rules and hosts in maintenance. */
  const changed = () => options.onChange?.(list())

  function add(rule: NewPlacementRule, by = actor): PlacementRule {
    const { vms, hosts } = known()
    const conflict = ruleConflict(rule, { rules: store.rules.list(), vms, hosts })
    if (conflict) throw new ApiFailure('conflict', conflict.message, [`${conflict.ref.key} ${JSON.stringify(conflict.ref.params)}`], conflict.ref)
    const added = store.rules.add(rule, clock(), by)
    store.plans.audit({ t: clock(), actor: by, kind: 'decision', ...said({ message: msg('ruleChanges.audit.added', { rule: ruleLabel(added), what: describe(added, vms) }) }) })
    changed()
    return added
  }

  function remove(id: string, by = actor): boolean {
    const rule = store.rules.list().find((r) => r.id === id)
    if (!rule) return false
    store.rules.remove(id)
    store.plans.audit({ t: clock(), actor: by, kind: 'decision', ...said({ message: msg('ruleChanges.audit.removed', { rule: ruleLabel(rule), what: describe(rule, known().vms) }) }) })
    changed()
    return true
  }

  /** The rules and threshold every engine run uses (the app's analysis, the CLI's recommend). */
  function engineOptions(threshold?: MigrationThreshold): PartialEngineOptions {
    const level = threshold ?? (store.settings.get().migrationThreshold as MigrationThreshold)
    const rules = fromAdminRules(store.rules.list(), [], known().hosts)
    // A VM whose automation is disabled gets no balancing proposals either (DRS's "disabled"); maintenance and hard rules still move it.
    const disabled = Object.entries(store.automation.get().vms).filter(([, l]) => l === 'disabled').map(([id]) => id)
    return { balance: thresholdBalance(level), rules: { ...rules, excluded: [...new Set([...rules.excluded, ...disabled])] } }
  }

  /**
   * Puts a host into maintenance: from now on it takes no placements. The engine runs with it in
   * maintenance; its evacuation (one recommendation) is approved by this request and made into a
   * plan, to apply as any plan. Says which VMs stay and why.
   */
  async function enter(hostId: string, opts: { allowUnsafeMigration?: boolean } = {}, by = actor): Promise<MaintenanceEntry> {
    if (!known().hosts.includes(hostId)) throw failure('not-found', msg('placement.conflict.unknownHost', { host: hostId }))
    const now = clock()
    store.rules.enterMaintenance(hostId, now, by)
    store.plans.audit({ t: now, actor: by, kind: 'decision', host: hostId, ...said({ message: msg('ruleChanges.audit.maintenanceEntered', { host: hostId }) }) })
    options.emitSnapshot()
    changed()
    const list = await options.inbox.refresh()
    // Entering again (say, to allow unsafe migration) finds the evacuation approved before.
    const evacuation = list.items.find((i) => (i.status === 'open' || i.status === 'approved') && i.recommendation.kind === 'evacuate' && i.recommendation.target.type === 'host' && i.recommendation.target.id === hostId)
    let plan: MaintenanceEntry['plan']
    let planProblem: { text: string; ref?: MessageRef } | undefined
    if (evacuation) {
      if (evacuation.status === 'open') options.inbox.decide(evacuation.recommendation.id, 'approve', msg('ruleChanges.audit.maintenanceOf', { host: hostId }))
      try {
        plan = await options.plans.createFromInbox([evacuation.recommendation.id], { parallelism: 1, allowUnsafeMigration: opts.allowUnsafeMigration ?? false })
        store.rules.setEvacuationPlan(hostId, plan.id)
        changed()
      } catch (error) {
        // The host stays in maintenance and the evacuation approved: the admin fixes the cause (or allows unsafe migration) and makes the plan.
        if (!(error instanceof ApiFailure)) throw error
        planProblem = { text: error.message, ...(error.messageRef ? { ref: error.messageRef } : {}) }
      }
    }
    const moving = new Set(evacuation?.recommendation.actions.map((a) => ('vm' in a.action ? a.action.vm : '')) ?? [])
    const since = store.rules.maintenance().find((m) => m.hostId === hostId)?.since ?? now
    return {
      hostId,
      since,
      ...(evacuation ? { recommendationId: evacuation.recommendation.id } : {}),
      ...(plan ? { plan } : {}),
      ...(planProblem ? { planProblem: planProblem.text, ...(planProblem.ref ? { planProblemRef: planProblem.ref } : {}) } : {}),
      staying: staying(hostId, moving, list.notes, list.noteRefs),
    }
  }

  /** VMs on the host that the evacuation does not move, with the reason. */
  function staying(hostId: string, moving: ReadonlySet<string>, notes: readonly string[], noteRefs: readonly (MessageRef | null)[] = []): StayingVm[] {
    const because = (vmId: string, name: string, reasonRef: MessageRef): StayingVm => ({ vmId, name, reason: english(reasonRef), reasonRef })
    const external = new Set(fromAdminRules(store.rules.list()).externallyManaged)
    return options.snapshot().vms.filter((v) => v.hostId === hostId && !moving.has(v.id)).map((v) => {
      if (v.state !== 'running' && v.state !== 'paused')
        return because(v.id, v.name, msg('placement.staying.notRunning', { vm: v.name, state: msg(`ruleChanges.vmState.${v.state}`), host: hostId }))
      if (external.has(v.id)) return because(v.id, v.name, msg('placement.staying.external', { vm: v.name }))
      // The engine's note about it, in the reader's language where the engine worded it.
      const at = notes.findIndex((n) => n.includes(v.id) || n.includes(v.name))
      const why = at >= 0 ? (noteRefs[at] ?? notes[at]!) : msg('ruleChanges.noRoom')
      return because(v.id, v.name, msg('placement.staying.noRoom', { vm: v.name, why }))
    })
  }

  /** The host takes placements again. */
  function exit(hostId: string, by = actor): boolean {
    const exited = store.rules.exitMaintenance(hostId)
    if (exited) {
      store.plans.audit({ t: clock(), actor: by, kind: 'decision', host: hostId, ...said({ message: msg('ruleChanges.audit.maintenanceExited', { host: hostId }) }) })
      options.emitSnapshot()
      changed()
    }
    return exited
  }

  return { list, add, remove, engineOptions, enter, exit, known }
}

/** A rule in words for the audit log: "anti-affinity of db1, db2", "host-must of web on h1, h2". */
function describe(rule: PlacementRule, vms: ReadonlyMap<string, string>): MessageRef {
  const kind = msg(`ruleChanges.kinds.${rule.kind}`)
  const names = rule.vms.map((v) => vms.get(v) ?? v).join(', ')
  return rule.hosts.length > 0 ? msg('ruleChanges.audit.whatOn', { kind, vms: names, hosts: rule.hosts.join(', ') }) : msg('ruleChanges.audit.what', { kind, vms: names })
}

/** Hosts in maintenance show as such in every snapshot. */
export function withMaintenance(snapshot: Snapshot, inMaintenance: ReadonlySet<string>): Snapshot {
  if (inMaintenance.size === 0) return snapshot
  return { ...snapshot, hosts: snapshot.hosts.map((h) => (inMaintenance.has(h.id) ? { ...h, state: 'maintenance' as const } : h)) }
}

export type RulesService = ReturnType<typeof createRules>
