import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import { ApiFailure, failure } from '../../shared/api/result'
import { english, msg, said } from '../../shared/i18n'
import type { Action, Inventory, MessageRef, Plan, PlanDryRun, Recommendation, Snapshot } from '../../shared/model'
import { runPlan, type PlanRun, type RunMode } from '../apply/executor'
import { planToAnsible, planToShell } from '../apply/export'
import { buildPlan, commandContext, migrationStorageNow, PlanError } from '../apply/plan-builder'
import { describeWhereabouts, readBackPlan } from '../apply/read-back'
import type { StorageContext } from '../../shared/engine/storage'
import { libvirtTunnel } from '../apply/tunnel'
import { DemoCluster } from '../hosts/demo/demo-cluster'
import { CommandError, renderAction, verifyCommands, type CommandContext } from '../hosts/libvirt/commands'
import type { HostConnection } from '../ssh/connection'
import type { SshConnections } from '../ssh/connections'
import type { Store } from '../store'
import { managedViolations, staleViolations } from './engine'
import type { Inbox } from './inbox'
import { thisRunner } from './runner'

/** A plan state's key in the apply.planState messages. */
export function stateKey(state: Plan['state']): 'ready' | 'running' | 'done' | 'failed' | 'rolledBack' | 'cancelled' | 'interrupted' {
  return state === 'rolled-back' ? 'rolledBack' : state
}

/** Key (meta table) of the secret plans are signed with: one per data file. */
const PLAN_KEY = 'plan_key'

export interface PlanServiceOptions {
  store: Pick<Store, 'plans' | 'inventory' | 'managedHosts' | 'meta'>
  ssh: Pick<SshConnections, 'addressOf'>
  /** The managed hosts' live connections (exec and migration tunnels). */
  connectionOf: (hostId: string) => HostConnection | undefined
  clock: () => number
  actor: string
  onUpdate: (plan: Plan) => void
  /** Approved recommendations come from here, and learn that they were planned. */
  inbox: Pick<Inbox, 'approved' | 'planned' | 'withdrawn'>
  /** After a run: the recommendations' outcome, and the hosts read again. */
  onFinished: (plan: Plan) => Promise<void> | void
  log: (message: string) => void
  /** Storage as discovered now: migrations are checked against the destination's pools when planned and again when applied. */
  storage?: () => StorageContext | undefined
  /** A finished migration's throughput (the measured link speed storage copies are timed with). */
  onLinkMeasured?: (measure: { from: string; to: string; t: number; bytes: number; seconds: number }) => void
}

export interface NewPlan {
  recommendations: readonly Recommendation[]
  parallelism: number
  allowUnsafeMigration: boolean
  /** Who approved: the local user and how they reach VirtPilot. */
  approvedBy?: string
  /** The end of the plan id: random in the app, `cli` from the command line. */
  idSuffix: string
  /** What each recommendation is predicted to achieve as approved (the plan review shows it). */
  effects?: Plan['effects']
}

/** A recommendation as approved: for part of a rebalance, only the approved moves, in their order. */
export function asApproved(r: Recommendation): Recommendation {
  const approved = r.rebalance?.approved
  if (!approved) return r
  const titleRef = msg('apply.step.movesApproved', { title: r.titleRef ?? r.title, moves: approved.moves.map((i) => i + 1).join(', '), of: r.rebalance!.moves.length })
  return { ...r, title: english(titleRef), titleRef, actions: approved.moves.map((i) => r.actions[i]!) }
}

/** What a recommendation is predicted to achieve as approved: part of a rebalance gets that part's own effect. */
export function effectAsApproved(r: Recommendation): NonNullable<Plan['effects']>[number] {
  const approved = r.rebalance?.approved
  return {
    recommendationId: r.id,
    title: r.title,
    ...(r.titleRef ? { titleRef: r.titleRef } : {}),
    predicted: approved ? approved.predicted : r.predicted,
    ...(approved ? { moves: { approved: approved.moves, of: r.rebalance!.moves.length } } : {}),
  }
}

/** `plan-20261205T101500-abc123`: when it was made, then whatever tells two apart. */
export function planId(now: number, suffix: string): string {
  return `plan-${new Date(now).toISOString().replace(/[-:]/g, '').slice(0, 15)}-${suffix}`
}

/** JSON with object keys sorted, so a signature does not depend on how a file orders them. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(value)
}

/** Everything in a plan but its run state: what the signature covers. */
function signedPart(plan: Plan): string {
  const { state: _state, startedAt: _s, endedAt: _e, outcome: _o, signature: _sig, readBack: _r, steps, ...rest } = plan
  return canonical({
    ...rest,
    steps: steps.map(({ state: _st, startedAt: _ss, endedAt: _se, progress: _p, message: _m, messageRef: _mr, ...step }) => step),
  })
}

/** The HMAC a plan carries: keyed by its data file, over everything but its run state. */
export function planSignature(plan: Plan, key: Buffer): string {
  return createHmac('sha256', key).update(signedPart(plan)).digest('base64url')
}

/** Violations said once each (several actions of one VM break the same rule). */
function distinct(violations: readonly { message: string; messageRef: MessageRef }[]): MessageRef[] {
  return [...new Map(violations.map((v) => [v.message, v.messageRef])).values()]
}

function hostsOf(action: Action): string[] {
  return action.kind === 'migrate' ? [action.from, action.to] : [action.host]
}

/**
 * Plans: made of approved recommendations, checked before they run, run over SSH. A plan is data:
 * every command, read-back and rollback is rendered again from its actions with the data file's
 * own inventory (VM UUIDs) and the managed hosts' addresses (~/.ssh/config), and a plan whose
 * signature does not match what it says (an edited file) is refused.
 */
export function createPlanService(options: PlanServiceOptions) {
  const { store, clock } = options
  const runs = new Map<string, PlanRun>()
  let demoInventory: Promise<Inventory> | undefined

  function key(): Buffer {
    let hex = store.meta.get(PLAN_KEY)
    if (!hex) store.meta.set(PLAN_KEY, (hex = randomBytes(32).toString('hex')))
    return Buffer.from(hex, 'hex')
  }

  const sign = (plan: Plan) => planSignature(plan, key())

  /** The inventory plans address: what discovery stored, plus the embedded demo's (which never changes). */
  async function inventory(): Promise<Snapshot> {
    const stored = store.inventory.current()
    const demo = await (demoInventory ??= new DemoCluster().discover())
    const known = new Set(stored.hosts.map((h) => h.id))
    const hosts = [...stored.hosts, ...demo.hosts.filter((h) => !known.has(h.id))]
    const vms = [...stored.vms, ...demo.vms.filter((v) => !known.has(v.hostId))]
    return { t: clock(), hosts, vms, hostSamples: [], vmSamples: [] }
  }

  function addressOf(hostId: string): string | undefined {
    const row = store.managedHosts.list().find((r) => r.id === hostId)
    return row && options.ssh.addressOf(row.target)
  }

  async function context(allowUnsafeMigration: boolean): Promise<{ ctx: CommandContext; cluster: Snapshot }> {
    const cluster = await inventory()
    return { ctx: commandContext(cluster, addressOf, allowUnsafeMigration), cluster }
  }

  async function create(input: NewPlan): Promise<Plan> {
    const now = clock()
    const { ctx, cluster } = await context(input.allowUnsafeMigration)
    const stale = input.recommendations.filter((r) => staleViolations(cluster, r.actions).length > 0)
    if (stale.length > 0) throw new PlanError(msg('apply.refusal.stale', { titles: stale.map((r) => msg('apply.audit.stepItem', { title: r.titleRef ?? r.title })) }))
    const foreign = managedViolations(cluster, input.recommendations.flatMap((r) => r.actions))
    if (foreign.length > 0) throw new PlanError(msg('apply.refusal.managed', { clauses: distinct(foreign) }))
    const storage = options.storage?.()
    const built = buildPlan({ id: planId(now, input.idSuffix), now, approvedBy: input.approvedBy ?? options.actor, recommendations: input.recommendations, snapshot: cluster, ctx, parallelism: input.parallelism, ...(storage ? { storage } : {}) })
    const plan = input.effects ? { ...built, effects: input.effects } : built
    return { ...plan, signature: sign(plan) }
  }

  function checkSignature(plan: Plan): void {
    const expected = Buffer.from(sign(plan))
    const given = Buffer.from(plan.signature ?? '')
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new PlanError(msg('apply.refusal.signature', { plan: plan.id }))
    }
  }

  /**
   * Everything that must hold before a plan runs; throws PlanError saying what does not. Returns
   * the context its commands are rendered with (the executor renders them again from it).
   */
  async function check(plan: Plan): Promise<CommandContext> {
    if (plan.state !== 'ready') throw new PlanError(msg('apply.refusal.notReady', { plan: plan.id, state: msg(`apply.planState.${stateKey(plan.state)}`) }))
    const started = plan.steps.find((s) => s.state !== 'pending' || s.startedAt !== undefined)
    if (started) throw new PlanError(msg('apply.refusal.startedButReady', { plan: plan.id, step: started.id, state: msg(`apply.stepState.${started.state}`) }))
    checkSignature(plan)
    const { ctx, cluster } = await context(plan.allowUnsafeMigration)
    for (const step of plan.steps) {
      const host = step.action.kind === 'migrate' ? step.action.from : step.action.host
      let rendered
      try {
        rendered = { commands: renderAction(step.action, ctx), verify: verifyCommands(step.action, ctx), rollbackCommands: renderAction(step.rollback, ctx) }
      } catch (error) {
        if (error instanceof CommandError) throw new PlanError(msg('apply.refusal.outOfDate', { plan: plan.id, title: step.titleRef ?? step.title, reason: error.ref }))
        throw error
      }
      if (step.host !== host || canonical(rendered) !== canonical({ commands: step.commands, verify: step.verify, rollbackCommands: step.rollbackCommands })) {
        throw new PlanError(msg('apply.refusal.changed', { plan: plan.id, title: step.titleRef ?? step.title }))
      }
    }
    const stale = staleViolations(cluster, plan.steps.map((s) => ({ action: s.action, rollback: s.rollback })))
    if (stale.length > 0) throw new PlanError(msg('apply.refusal.staleSince', { plan: plan.id, clauses: stale.map((v) => v.messageRef) }))
    const foreign = managedViolations(cluster, plan.steps.map((s) => ({ action: s.action, rollback: s.rollback })))
    if (foreign.length > 0) throw new PlanError(msg('apply.refusal.managedSince', { plan: plan.id, clauses: distinct(foreign) }))
    // The destination's pools may have filled since the plan was made.
    const storage = options.storage?.()
    for (const step of plan.steps) {
      if (step.action.kind !== 'migrate') continue
      const refusal = migrationStorageNow(step.action, storage).refusal
      if (refusal) throw new PlanError(msg('apply.refusal.storageNow', { plan: plan.id, title: step.titleRef ?? step.title, refusal }))
    }
    return ctx
  }

  /** The managed hosts a plan touches that VirtPilot cannot reach from here, as a PlanError. */
  function requireHosts(plan: Plan): void {
    const hostIds = [...new Set(plan.steps.flatMap((s) => hostsOf(s.action)))]
    const unmanaged = hostIds.filter((h) => !options.connectionOf(h))
    if (unmanaged.length > 0) {
      throw new PlanError(msg(unmanaged.every((h) => h.startsWith('demo-')) ? 'apply.refusal.demo' : 'apply.refusal.unmanaged', { hosts: unmanaged.join(', ') }))
    }
  }

  /** The dry run: what an apply would run, in order, checked as an apply checks it; nothing is sent to a host. */
  async function dryRun(id: string): Promise<PlanDryRun> {
    const plan = get(id)
    let refusal: string | undefined
    let refusalRef: MessageRef | undefined
    try {
      await check(plan)
      requireHosts(plan)
    } catch (error) {
      if (!(error instanceof PlanError)) throw error
      refusal = error.message
      refusalRef = error.ref
    }
    const hosts = [...new Set(plan.steps.flatMap((s) => hostsOf(s.action)))]
    const result: PlanDryRun = {
      planId: plan.id,
      checkedAt: clock(),
      steps: plan.steps.map((s, i) => ({ order: i + 1, stepId: s.id, title: s.title, ...(s.titleRef ? { titleRef: s.titleRef } : {}), host: s.host, commands: s.commands, verify: s.verify, rollbackCommands: s.rollbackCommands, dependsOn: s.dependsOn })),
      hosts,
      ...(refusal ? { refusal } : {}),
      ...(refusalRef ? { refusalRef } : {}),
    }
    const count = plan.steps.length
    const ran = refusal !== undefined ? msg('apply.audit.dryRunRefused', { count, hosts: hosts.join(', '), refusal: refusalRef ?? refusal }) : msg('apply.audit.dryRun', { count, hosts: hosts.join(', ') })
    store.plans.audit({ t: result.checkedAt, actor: options.actor, kind: 'plan', planId: id, ...said({ message: ran }) })
    return result
  }

  /** Runs argv on a managed host over its connection (connecting first). */
  async function exec(host: string, argv: readonly string[], timeoutMs: number) {
    const conn = options.connectionOf(host)
    if (!conn) throw new Error(`${host} is not a connected host`)
    await conn.connect()
    return conn.exec(argv, { timeoutMs })
  }

  /** Runs a plan (or rolls it back) on the managed hosts as this process; the run's progress goes to onUpdate. */
  function start(plan: Plan, ctx: CommandContext, mode: RunMode, by: string = options.actor): PlanRun {
    const connection = (host: string) => {
      const conn = options.connectionOf(host)
      if (!conn) throw new Error(`${host} is not a connected host`)
      return conn
    }
    store.plans.savePlan(plan)
    store.plans.claim(plan.id, thisRunner())
    const run = runPlan(
      plan,
      {
        store: store.plans,
        ctx,
        exec,
        tunnel: (from, to) => libvirtTunnel(connection(from), connection(to)),
        clock,
        actor: by,
        onUpdate: options.onUpdate,
        ...(options.onLinkMeasured ? { onLinkMeasured: options.onLinkMeasured } : {}),
      },
      mode,
    )
    runs.set(plan.id, run)
    void run.done
      .then((finished) => options.onFinished(finished))
      .catch((error: unknown) => options.log(`plan ${plan.id}: ${(error as Error).message}`))
      .finally(() => {
        runs.delete(plan.id)
        try {
          store.plans.release(plan.id)
        } catch (error) {
          options.log(`plan ${plan.id}: ${(error as Error).message}`)
        }
      })
    return run
  }

  /** Checks the plan, then runs it on the managed hosts; the run's progress goes to onUpdate. */
  async function execute(plan: Plan, by: string = options.actor): Promise<PlanRun> {
    if (runs.has(plan.id)) throw failure('conflict', msg('apply.refusal.alreadyRunning', { plan: plan.id }))
    const ctx = await check(plan)
    requireHosts(plan)
    store.plans.savePlan(plan)
    store.plans.audit({ t: clock(), actor: by, kind: 'plan', planId: plan.id, ...said({ message: msg('apply.audit.applyStarted') }) })
    return start(plan, ctx, 'run', by)
  }

  /**
   * Reads the real state back from the hosts of an interrupted plan (where each VM is, its vCPUs
   * and memory, whether each step's change shows) and keeps it with the plan. Changes nothing.
   */
  async function readBack(id: string): Promise<Plan> {
    const plan = get(id)
    if (plan.state !== 'interrupted') throw new PlanError(msg('apply.refusal.readBackOnlyInterrupted', { plan: id, state: msg(`apply.planState.${stateKey(plan.state)}`) }))
    requireHosts(plan)
    const { ctx, cluster } = await context(plan.allowUnsafeMigration)
    const result = await readBackPlan(plan, { ctx, exec, clock })
    const names = new Map(cluster.vms.map((v) => [v.id, v.name]))
    plan.readBack = result
    store.plans.savePlan(plan)
    const summary = msg('apply.readBack.summary', {
      clauses: result.steps.map((r) => msg('apply.readBack.step', { step: r.stepId, verdict: msg(`apply.readBack.verdict.${r.verdict}`), observed: r.observedRef ?? r.observed })),
      whereabouts: describeWhereabouts(result, (vm) => names.get(vm) ?? vm),
      unread: result.problems.length ? msg('apply.readBack.unread', { problems: result.problems.join('; ') }) : '',
    })
    store.plans.audit({ t: clock(), actor: options.actor, kind: 'verify', planId: plan.id, ...said({ message: summary }) })
    options.onUpdate(plan)
    return plan
  }

  /**
   * Resumes or rolls back an interrupted plan, from the hosts' state read again now: a step whose
   * change shows counts as done, one whose change does not runs again (resume) or is left (roll
   * back). Refused while any step is unclear.
   */
  async function recover(id: string, how: 'resume' | 'roll-back'): Promise<PlanRun> {
    if (runs.has(id)) throw failure('conflict', msg('apply.refusal.alreadyRunning', { plan: id }))
    const stored = get(id)
    if (stored.state !== 'interrupted') throw new PlanError(msg('apply.refusal.recoverOnlyInterrupted', { plan: id, state: msg(`apply.planState.${stateKey(stored.state)}`) }))
    checkSignature(stored)
    const rolledBackBefore = stored.steps.filter((s) => s.state === 'failed' || s.state === 'rolled-back' || s.state === 'rollback-failed')
    if (how === 'resume' && rolledBackBefore.length > 0) {
      throw new PlanError(msg('apply.refusal.onlyRollBack', { plan: id, steps: rolledBackBefore.map((s) => s.id).join(', ') }))
    }
    const plan = await readBack(id)
    const readBackOf = new Map(plan.readBack!.steps.map((r) => [r.stepId, r]))
    const unclear = plan.steps.filter((s) => readBackOf.get(s.id)?.verdict === 'unclear' && (how === 'resume' || s.state !== 'pending'))
    if (unclear.length > 0) {
      const problems = plan.readBack!.problems
      throw new PlanError(
        msg(how === 'resume' ? 'apply.refusal.unclearResume' : 'apply.refusal.unclearRollBack', {
          plan: id,
          clauses: unclear.map((s) => msg('apply.refusal.unclearStep', { step: s.id, observed: readBackOf.get(s.id)!.observedRef ?? readBackOf.get(s.id)!.observed })),
          unread: problems.length ? msg('apply.refusal.couldNotRead', { problems: problems.join('; ') }) : '',
        }),
      )
    }
    const { ctx } = await context(plan.allowUnsafeMigration)
    for (const step of plan.steps) {
      const seen = readBackOf.get(step.id)!
      if (seen.verdict === 'applied' && (step.state !== 'pending' || how === 'resume')) {
        step.state = 'done'
        step.endedAt ??= plan.endedAt
        Object.assign(step, said({ message: msg('apply.run.tookEffect', { observed: seen.observedRef ?? seen.observed }) }))
      } else if (step.state === 'interrupted' || step.state === 'done') {
        // Sent but not in effect on the hosts (or undone by hand since): runs again on resume.
        step.state = 'pending'
        Object.assign(step, said({ message: msg('apply.run.noEffect', { observed: seen.observedRef ?? seen.observed }) }))
        delete step.progress
      }
    }
    store.plans.audit({ t: clock(), actor: options.actor, kind: 'plan', planId: id, ...said({ message: msg(how === 'resume' ? 'apply.audit.resumeRequested' : 'apply.audit.rollBackRequested') }) })
    return start(plan, ctx, how === 'resume' ? 'run' : 'roll-back')
  }

  /**
   * After a restart: reads back every interrupted plan whose hosts are managed here and that was
   * not read since it stopped. Failures are logged (the admin can read again from the plan).
   */
  async function readBackInterrupted(): Promise<void> {
    for (const plan of store.plans.listPlans()) {
      if (plan.state !== 'interrupted' || (plan.readBack && plan.readBack.at >= (plan.endedAt ?? 0))) continue
      try {
        await readBack(plan.id)
      } catch (error) {
        options.log(`plan ${plan.id}: could not read its hosts back: ${(error as Error).message}`)
      }
    }
  }

  function cancel(id: string): boolean {
    const run = runs.get(id)
    run?.cancel()
    return run !== undefined
  }

  function exported(plan: Plan, format: 'shell' | 'ansible'): { filename: string; text: string } {
    const targets = new Map(store.managedHosts.list().map((h) => [h.id, h.target]))
    const targetOf = (hostId: string) => targets.get(hostId) ?? hostId
    return format === 'shell' ? { filename: `${plan.id}.sh`, text: planToShell(plan, targetOf) } : { filename: `${plan.id}.yml`, text: planToAnsible(plan, targetOf) }
  }

  function get(id: string): Plan {
    const plan = store.plans.getPlan(id)
    if (!plan) throw failure('not-found', msg('apply.refusal.noPlan', { plan: id }))
    return plan
  }

  /** A plan made in the app is kept with the audit entry that says from what. */
  function record(plan: Plan, by: string = options.actor): void {
    store.plans.savePlan(plan)
    store.plans.audit({ t: clock(), actor: by, kind: 'plan', planId: plan.id, ...said({ message: msg('apply.audit.planCreated', { count: plan.recommendationIds.length, steps: plan.steps.map((s) => msg('apply.audit.stepItem', { title: s.titleRef ?? s.title })) }) }) })
    options.onUpdate(plan)
  }

  /** Runs a stored plan; a refusal is part of the record too. `by`: who applies (automation under its own actor). */
  async function apply(id: string, by: string = options.actor): Promise<Plan> {
    try {
      await execute(get(id), by)
    } catch (error) {
      const message = (error as Error).message
      const reason = error instanceof PlanError && error.ref ? error.ref : message
      store.plans.audit({ t: clock(), actor: by, kind: 'plan', planId: id, ...said({ message: msg('apply.audit.applyRefused', { reason }) }) })
      if (error instanceof PlanError) throw new ApiFailure('conflict', message, undefined, error.ref)
      throw error
    }
    return get(id)
  }

  /** The app's way: a plan of approved recommendations from the inbox, kept in the data file. */
  async function createFromInbox(ids: readonly string[], opts: { parallelism: number; allowUnsafeMigration: boolean; by?: string }): Promise<Plan> {
    const approved = options.inbox.approved(ids)
    const { by, ...rest } = opts
    let plan: Plan
    try {
      plan = await create({ recommendations: approved.map(asApproved), effects: approved.map(effectAsApproved), ...rest, ...(by ? { approvedBy: by } : {}), idSuffix: randomUUID().slice(0, 6) })
    } catch (error) {
      if (error instanceof PlanError) throw new ApiFailure('conflict', error.message, undefined, error.ref)
      throw error
    }
    record(plan, by)
    options.inbox.planned(plan)
    return plan
  }

  /**
   * Sets aside a plan that never started (its apply was refused up front): cancelled, every step
   * with it, its recommendations open again; so nothing treats its VMs as "in a plan" any more.
   */
  function withdraw(id: string, by: string, message: MessageRef): void {
    const plan = store.plans.getPlan(id)
    if (!plan || plan.state !== 'ready' || runs.has(id)) return
    plan.state = 'cancelled'
    for (const step of plan.steps) if (step.state === 'pending') step.state = 'cancelled'
    store.plans.savePlan(plan)
    store.plans.audit({ t: clock(), actor: by, kind: 'plan', planId: id, ...said({ message }) })
    options.onUpdate(plan)
    options.inbox.withdrawn(plan)
  }

  function cancelRunning(id: string): Plan {
    if (!cancel(id)) throw failure('conflict', msg('apply.refusal.notRunning', { plan: id }))
    return get(id)
  }

  /** The api's and the CLI's way to resume or roll back: a refusal is part of the record too. */
  async function recoverById(id: string, how: 'resume' | 'roll-back'): Promise<Plan> {
    try {
      await recover(id, how)
    } catch (error) {
      const message = (error as Error).message
      const reason = error instanceof PlanError && error.ref ? error.ref : message
      store.plans.audit({ t: clock(), actor: options.actor, kind: 'plan', planId: id, ...said({ message: msg(how === 'resume' ? 'apply.audit.resumeRefused' : 'apply.audit.rollBackRefused', { reason }) }) })
      if (error instanceof PlanError) throw new ApiFailure('conflict', message, undefined, error.ref)
      throw error
    }
    return get(id)
  }

  async function readBackById(id: string): Promise<Plan> {
    try {
      return await readBack(id)
    } catch (error) {
      if (error instanceof PlanError) throw new ApiFailure('conflict', error.message, undefined, error.ref)
      throw error
    }
  }

  return {
    create, createFromInbox, check, dryRun, execute, cancel, cancelRunning, withdraw, exported, get, record, apply,
    readBack: readBackById, recover, resume: (id: string) => recoverById(id, 'resume'), rollBack: (id: string) => recoverById(id, 'roll-back'), readBackInterrupted,
    list: () => store.plans.listPlans(),
  }
}

export type PlanService = ReturnType<typeof createPlanService>
export { PlanError }
