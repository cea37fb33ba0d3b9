import { createHash, randomBytes } from 'node:crypto'
import type { MeasuredEffect, RecommendationItem, RecommendationList } from '../../shared/api'
import { ApiFailure, failure } from '../../shared/api/result'
import { english, msg, said } from '../../shared/i18n'
import type { AllocationStrategy, PartialEngineOptions } from '../../shared/engine/options'
import { subsetEffect, subsetProblem } from '../../shared/engine/rebalance'
import { storageContext } from '../../shared/engine/recommend'
import { requestRecommendation, type AdminRequest } from '../../shared/engine/requests'
import { withDefaults } from '../../shared/engine/options'
import type { ClusterFacts, History, MessageRef, Plan, Recommendation, Snapshot } from '../../shared/model'
import type { StoredRecommendation } from '../store/recommendations'
import type { Store } from '../store'
import { EngineError, factsFor, staleViolations, storageWindow, usageWindow, type EngineService } from './engine'
import type { EventBus } from './events'
import type { HistoryService, HostWindowMeans, VmWindowMeans } from './history'

/** A recommendation's title as a message, where it has one. */
const titleOf = (r: Recommendation): MessageRef | string => r.titleRef ?? r.title

/** Before/after comparisons of an applied change use this much time before it. */
const EFFECT_BEFORE_MS = 30 * 60_000

export interface InboxOptions {
  store: Pick<Store, 'recommendations' | 'plans' | 'samples' | 'storage'>
  engine: EngineService
  events: EventBus
  clock: () => number
  snapshot: () => Snapshot
  facts: () => ClusterFacts[]
  actor: string
  /** The admin's rules and migration threshold (services/rules.ts); none when absent. */
  engineOptions?: () => PartialEngineOptions
  /** The engine's history of these VMs up to now (SQLite, or the metrics store for the VMs it serves). */
  usage?: (vmIds: readonly string[], now: number) => Promise<History>
  /** Means over a window, for the measured effect of an applied change (SQLite, or the store for what it serves); default SQLite. */
  means?: Pick<HistoryService, 'vmMeans' | 'hostMeans'>
  log?: (message: string) => void
  /** After each analysis (scheduled or asked for): automation decides on its result. */
  afterAnalysis?: () => Promise<void>
}

/** A recommendation keeps its id across engine runs as long as it proposes the same change. */
function stableId(r: Recommendation): string {
  const digest = createHash('sha256').update(JSON.stringify(r.actions)).digest('hex').slice(0, 10)
  return `${r.kind}:${r.target.id}:${digest}`
}

/** Whether a recommendation still describes the cluster: its VMs where it says, as big as it says. */
export function stillApplies(r: Recommendation, snapshot: Snapshot): boolean {
  return staleViolations(snapshot, r.actions).length === 0
}

export type Decision = 'approve' | 'reject' | 'snooze' | 'reopen'

/** The recommendations inbox: engine runs, the admin's decisions, and what applying them did. */
export function createInbox(options: InboxOptions) {
  const { store, engine, events, clock, actor } = options
  let generatedAt: number | null = null
  let notes: string[] = []
  let noteRefs: (MessageRef | null)[] = []
  /** The strategy of the last analysis: scheduled runs keep the admin's choice. */
  let lastStrategy: AllocationStrategy = 'dynamic'
  let analysing: Promise<void> | undefined

  const sqliteMeans: Pick<HistoryService, 'vmMeans' | 'hostMeans'> = {
    vmMeans: async (vmId: string, from: number, to: number): Promise<VmWindowMeans> => store.samples.vmWindowMeans(vmId, from, to),
    hostMeans: async (hostId: string, from: number, to: number): Promise<HostWindowMeans> => store.samples.hostWindowMeans(hostId, from, to),
  }
  const means = options.means ?? sqliteMeans
  /** A store that cannot answer leaves the figures empty (the list still shows): said once per message. */
  let lastMeansError: string | undefined
  async function orEmpty<T extends { n: number }>(read: Promise<T>, empty: T): Promise<T> {
    try {
      return await read
    } catch (error) {
      const message = (error as Error).message
      if (message !== lastMeansError) options.log?.(`measured effect: ${message}`)
      lastMeansError = message
      return empty
    }
  }
  const noVm: VmWindowMeans = { n: 0, cpuUsedCores: null, cpuReadyPct: null, memUsedMiB: null }
  const noHost: HostWindowMeans = { n: 0, cpuPct: null, memUsedMiB: null }

  /** Before (half an hour) and after an applied change, from where each VM's and host's history lives. */
  async function effectOf(item: StoredRecommendation, now: number): Promise<MeasuredEffect | undefined> {
    if (!item.appliedAt) return undefined
    const at = item.appliedAt
    const r = item.recommendation
    const figures: MeasuredEffect['figures'] = []
    const vmIds = [...new Set(r.actions.flatMap((a) => ('vm' in a.action ? [a.action.vm] : [])))]
    // Where a VM ran before the change: a migrated one's history before it is its old host's.
    const fromHost = new Map(r.actions.flatMap(({ action }) => (action.kind === 'migrate' ? [[action.vm, action.from] as const] : [])))
    for (const vmId of vmIds) {
      const [before, after] = await Promise.all([orEmpty(means.vmMeans(vmId, at - EFFECT_BEFORE_MS, at, fromHost.get(vmId)), noVm), orEmpty(means.vmMeans(vmId, at, now), noVm)])
      const name = options.snapshot().vms.find((v) => v.id === vmId)?.name ?? vmId
      figures.push(
        { ...said({ label: msg('engine.measured.cpuUsed', { vm: name }) }), unit: 'cores', before: before.cpuUsedCores, after: after.cpuUsedCores, samplesAfter: after.n },
        { ...said({ label: msg('engine.measured.cpuReady', { vm: name }) }), unit: '%', before: before.cpuReadyPct, after: after.cpuReadyPct, samplesAfter: after.n },
        { ...said({ label: msg('engine.measured.memoryUsed', { vm: name }) }), unit: 'MiB', before: before.memUsedMiB, after: after.memUsedMiB, samplesAfter: after.n },
      )
    }
    for (const a of r.actions) {
      if (a.action.kind !== 'migrate') continue
      for (const host of [a.action.from, a.action.to]) {
        const [before, after] = await Promise.all([orEmpty(means.hostMeans(host, at - EFFECT_BEFORE_MS, at), noHost), orEmpty(means.hostMeans(host, at, now), noHost)])
        figures.push({ ...said({ label: msg('engine.measured.hostCpu', { host }) }), unit: '%', before: before.cpuPct, after: after.cpuPct, samplesAfter: after.n })
      }
    }
    return { appliedAt: at, figures }
  }

  /** A recommendation as the inbox shows it, with its measured effect once applied. */
  function itemOf(item: StoredRecommendation, effect?: MeasuredEffect): RecommendationItem {
    const { effect: _stored, ...rest } = item
    return { ...rest, ...(effect ? { effect } : {}) }
  }

  /** The inbox now; the state of the analysis as it is when asked (the effects are measured after). */
  async function list(): Promise<RecommendationList> {
    const head = { generatedAt, notes, noteRefs, analysing: analysing !== undefined }
    const now = clock()
    const stored = store.recommendations.listRecommendations(['open', 'approved', 'rejected', 'snoozed', 'planned', 'applied', 'failed'])
    const items = await Promise.all(stored.map(async (item) => itemOf(item, await effectOf(item, now))))
    return { items, ...head }
  }

  /** Lists are sent in the order their changes happened, though each waits for its effects. */
  let sending: Promise<void> = Promise.resolve()
  const changed = () => {
    const next = list()
    // Handled in turn below; not an unhandled rejection in the meantime.
    next.catch(() => undefined)
    sending = sending.then(async () => events.emit('recommendations.changed', await next)).catch((error: unknown) => options.log?.(`recommendations: ${(error as Error).message}`))
  }

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
    await options.afterAnalysis?.()
    return list()
  }

  async function analyse(strategy: AllocationStrategy): Promise<void> {
    const snapshot = options.snapshot()
    const now = clock()
    if (snapshot.hosts.length === 0) throw failure('conflict', msg('server.inbox.noHosts'))
    lastStrategy = strategy
    const ids = snapshot.vms.map((v) => v.id)
    const history = options.usage ? await options.usage(ids, now) : usageWindow(store.samples, ids, now)
    let output
    try {
      output = await engine.run({ snapshot, history, now, options: { ...options.engineOptions?.(), strategy }, discovered: options.facts(), storage: storageWindow(store.storage, now) })
    } catch (error) {
      if (error instanceof EngineError) throw new ApiFailure('internal', error.message, undefined, error.messageRef)
      throw error
    }
    const recommendations = output.recommendations.map((r) => ({ ...r, id: stableId(r) }))
    store.recommendations.replaceOpen(recommendations, now)
    generatedAt = now
    const exact = output.balance.exact
    const exactNote =
      exact.status === 'optimal' || exact.status === 'timedout'
        ? msg('engine.notes.exact', { greedy: `${((exact.greedyPeakLoad ?? 0) * 100).toFixed(1)} %`, exact: `${((exact.exactPeakLoad ?? 0) * 100).toFixed(1)} %`, status: msg(exact.status === 'optimal' ? 'engine.notes.optimal' : 'engine.notes.timedout') })
        : exact.reason
          ? msg('engine.notes.exactSkipped', { reason: exact.reasonRef ?? exact.reason })
          : undefined
    notes = [...output.reasons, ...output.ruleNotes, ...(exactNote ? [english(exactNote)] : [])]
    noteRefs = [...output.reasons.map((_, i) => output.reasonRefs[i] ?? null), ...output.ruleNotes.map((_, i) => output.ruleNoteRefs[i] ?? null), ...(exactNote ? [exactNote] : [])]
  }

  /**
   * The admin asks for a move or a resize: it becomes an open recommendation "requested by" them,
   * with the engine's predicted effect, after the plan validator's checks (refused with every
   * reason otherwise). Approving and planning it is the same path as for the engine's own.
   */
  async function request(req: AdminRequest, user: string = actor): Promise<RecommendationItem> {
    const snapshot = options.snapshot()
    const now = clock()
    const ids = snapshot.vms.map((v) => v.id)
    const history = options.usage ? await options.usage(ids, now) : usageWindow(store.samples, ids, now)
    const facts = factsFor(snapshot, options.facts())
    const engineOptions = withDefaults({ strategy: lastStrategy })
    const storage = storageContext({ facts, linkSpeeds: storageWindow(store.storage, now).linkSpeeds }, engineOptions.balance.migrationBandwidthMiBps)
    const id = `request-${now.toString(36)}-${randomBytes(3).toString('hex')}`
    const outcome = requestRecommendation({ snapshot, history, now, options: { ...options.engineOptions?.(), strategy: lastStrategy }, facts, ...(storage ? { storage } : {}), request: req, user, id })
    const vmName = snapshot.vms.find((v) => v.id === req.vmId)?.name ?? req.vmId
    if (!outcome.ok) {
      const what = req.kind === 'migrate' ? msg('server.inbox.moveTo', { vm: vmName, to: req.to }) : msg('server.inbox.resize', { vm: vmName })
      const clauses = outcome.reasonRefs
      store.plans.audit({ t: now, actor: user, kind: 'decision', ...said({ message: msg('server.inbox.requestRefused', { what, clauses }) }) })
      throw failure('conflict', msg('server.inbox.refused', { clauses }))
    }
    store.recommendations.addRequest(outcome.recommendation, now)
    store.plans.audit({ t: now, actor: user, kind: 'decision', recommendationId: id, ...said({ message: msg('server.inbox.requested', { title: outcome.recommendation.titleRef ?? outcome.recommendation.title }) }) })
    changed()
    return itemOf(store.recommendations.getRecommendation(id)!)
  }

  /**
   * The admin's decision. `moves` approves only part of a rebalance: judged on its own (refused
   * with the reason when it cannot run alone), and what it achieves is kept with it for the plan.
   * `by`: who decides (automation decides under its own actor, "automation: ...").
   */
  function decide(id: string, decision: Decision, reason?: string | MessageRef, snoozeHours?: number, moves?: readonly number[], by: string = actor): RecommendationItem {
    const item = store.recommendations.getRecommendation(id)
    if (!item) throw failure('not-found', msg('server.inbox.noRecommendation', { id }))
    if (!['open', 'approved', 'rejected', 'snoozed'].includes(item.status)) {
      throw failure('conflict', msg('server.inbox.cannotChange', { title: titleOf(item.recommendation), status: msg(`server.inbox.status.${item.status}`) }))
    }
    if (decision === 'approve' && !stillApplies(item.recommendation, options.snapshot())) {
      store.recommendations.setStatus(id, 'superseded')
      changed()
      throw failure('conflict', msg('server.inbox.vmChanged', { title: titleOf(item.recommendation) }))
    }
    const now = clock()
    const rec = item.recommendation
    const nameOf = (vmId: string) => options.snapshot().vms.find((v) => v.id === vmId)?.name ?? vmId
    const chosen = moves ? [...new Set(moves)].sort((a, b) => a - b) : undefined
    let partNote: MessageRef | '' = ''
    if (chosen && !rec.rebalance) throw failure('bad-request', msg('server.inbox.notMoves', { title: titleOf(rec) }))
    if (rec.rebalance) {
      const count = rec.rebalance.moves.length
      const outside = chosen?.find((i) => i >= count)
      if (outside !== undefined) throw failure('bad-request', msg('server.inbox.noSuchMove', { title: titleOf(rec), count, move: outside + 1 }))
      const partial = decision === 'approve' && chosen && chosen.length < count ? chosen : undefined
      if (partial) {
        const problem = subsetProblem(rec.rebalance, partial, nameOf)
        if (problem) {
          store.plans.audit({ t: now, actor: by, kind: 'decision', recommendationId: id, ...said({ message: msg('apply.audit.approveRefused', { title: rec.titleRef ?? rec.title, moves: partial.map((i) => i + 1).join(', '), reason: problem }) }) })
          throw failure('conflict', problem)
        }
        partNote = msg('apply.audit.part', { moves: partial.map((i) => i + 1).join(', '), of: count })
      }
      const { approved: _previous, ...rest } = rec.rebalance
      store.recommendations.updateRecommendation(id, { ...rec, rebalance: partial ? { ...rest, approved: { moves: partial, predicted: subsetEffect(rec.rebalance, partial) } } : rest })
    }
    const status = decision === 'approve' ? 'approved' : decision === 'reject' ? 'rejected' : decision === 'snooze' ? 'snoozed' : 'open'
    store.recommendations.setStatus(id, status, {
      decidedAt: now,
      decidedBy: by,
      ...(reason ? { reason: typeof reason === 'string' ? reason : english(reason) } : {}),
      ...(decision === 'snooze' ? { snoozedUntil: now + (snoozeHours ?? 24) * 3600_000 } : {}),
    })
    const decided = msg('apply.audit.decided', {
      decision: msg(`apply.audit.decision.${decision}`),
      title: item.recommendation.titleRef ?? item.recommendation.title,
      part: partNote,
      reason: reason ? msg('apply.audit.reason', { reason }) : '',
    })
    store.plans.audit({ t: now, actor: by, kind: 'decision', recommendationId: id, ...said({ message: decided }) })
    changed()
    // Open, approved, rejected or snoozed: not applied, so nothing measured yet.
    return itemOf(store.recommendations.getRecommendation(id)!)
  }

  /**
   * Recommendations not acted on yet whose VMs moved, went away or were resized: superseded. One
   * about a host the snapshot does not show (not read yet, unreachable) is left as it is.
   */
  function supersedeStale(snapshot: Snapshot): number {
    let n = 0
    const seen = new Set(snapshot.hosts.map((h) => h.id))
    for (const item of store.recommendations.listRecommendations(['open', 'approved', 'snoozed'])) {
      const hosts = item.recommendation.actions.flatMap(({ action }) => (action.kind === 'migrate' ? [action.from, action.to] : [action.host]))
      if (!hosts.every((h) => seen.has(h)) || stillApplies(item.recommendation, snapshot)) continue
      store.recommendations.setStatus(item.recommendation.id, 'superseded')
      store.plans.audit({ t: clock(), actor: 'virtpilot', kind: 'decision', recommendationId: item.recommendation.id, ...said({ message: msg('apply.audit.superseded', { title: item.recommendation.titleRef ?? item.recommendation.title }) }) })
      n++
    }
    if (n > 0) changed()
    return n
  }

  /** Approved recommendations, for a plan; each must still apply to the cluster as it is. */
  function approved(ids: readonly string[]): Recommendation[] {
    return ids.map((id) => {
      const item = store.recommendations.getRecommendation(id)
      if (!item) throw failure('not-found', msg('server.inbox.noRecommendation', { id }))
      if (item.status !== 'approved') throw failure('forbidden', msg('server.inbox.onlyApproved', { title: titleOf(item.recommendation), status: msg(`server.inbox.status.${item.status}`) }))
      return item.recommendation
    })
  }

  function planned(plan: Plan): void {
    for (const id of plan.recommendationIds) store.recommendations.setStatus(id, 'planned')
    changed()
  }

  /** A plan set aside before it started: its recommendations are open again, as if never planned. */
  function withdrawn(plan: Plan): void {
    for (const id of plan.recommendationIds) store.recommendations.setStatus(id, 'open')
    changed()
  }

  /** After a plan ran: each of its recommendations applied (all its steps done) or failed. */
  function finished(plan: Plan): void {
    const now = clock()
    for (const recId of plan.recommendationIds) {
      const steps = plan.steps.filter((s) => s.recommendationId === recId)
      const applied = steps.length > 0 && steps.every((s) => s.state === 'done')
      store.recommendations.setStatus(recId, applied ? 'applied' : 'failed', applied ? { appliedAt: plan.steps.find((s) => s.recommendationId === recId)?.endedAt ?? now } : {})
    }
    changed()
  }

  return { list, refresh, decide, request, supersedeStale, approved, planned, withdrawn, finished }
}

export type Inbox = ReturnType<typeof createInbox>
