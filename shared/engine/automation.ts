import { msg } from '../i18n'
import { AUTOMATION_ACTOR, WEEKDAYS, type AutomationSettings, type MaintenanceWindow, type VmAutomation } from '../model/automation'
import type { ReversibleAction } from '../model/action'
import type { MessageRef, Recommendation } from '../model/recommendation'
import type { Snapshot } from '../model/snapshot'
import { MANAGER_NAMES } from '../model/vm'

/** Least automatic first: a recommendation acts at the lowest level of the VMs it moves. */
const ORDER: Record<VmAutomation, number> = { disabled: 0, manual: 1, 'partially-automated': 2, 'fully-automated': 3 }

const minutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3))

/** The weekday (0 = Monday) and minute of the day at `t` in a time zone. */
export function localTime(t: number, timeZone: string): { day: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(t))
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  const day = WEEKDAYS.indexOf(part('weekday').toLowerCase().slice(0, 3) as (typeof WEEKDAYS)[number])
  return { day, minute: (Number(part('hour')) % 24) * 60 + Number(part('minute')) }
}

/** Whether `t` falls in one of the windows, read in the admin's time zone (a window past midnight ends the next day). */
export function windowOpen(windows: readonly MaintenanceWindow[], timeZone: string, t: number): boolean {
  const { day, minute } = localTime(t, timeZone)
  const yesterday = WEEKDAYS[(day + 6) % 7]!
  const today = WEEKDAYS[day]!
  return windows.some((w) => {
    const start = minutes(w.start)
    const end = minutes(w.end)
    if (start < end) return w.days.includes(today) && minute >= start && minute < end
    return (w.days.includes(today) && minute >= start) || (w.days.includes(yesterday) && minute < end)
  })
}

export interface AutomationCandidate {
  status: string
  recommendation: Recommendation
}

export interface AutomationInput {
  settings: AutomationSettings
  /** The migration threshold (1..5): fully automated applies priorities 1 .. threshold. */
  threshold: number
  now: number
  /** The cluster as read now (not as the analysis saw it). */
  snapshot: Snapshot
  /** The inbox after the analysis; only open ones are considered. */
  candidates: readonly AutomationCandidate[]
  /** Automatic live migrations started, or waiting in an automatic plan, in the hour before `now`. */
  movesLastHour: number
  /** Some plan (the admin's or automation's) is running: nothing new starts before it ends. */
  planRunning: boolean
  /** VM id -> the plan, ready or running, it is in. */
  vmsInPlans: ReadonlyMap<string, string>
  /** A host whose latest reading is older than this is stale. */
  staleAfterMs: number
  /** Why these actions no longer match the cluster (a VM moved or resized), if they do not. */
  changed: (actions: readonly ReversibleAction[]) => MessageRef | undefined
  /** The rules (and capacity) these actions, run in order, would break, said as one reason, if any. */
  broken: (actions: readonly ReversibleAction[]) => MessageRef | undefined
  /** Why these moves of a rebalance cannot run without the others, if they cannot. */
  partProblem: (rec: Recommendation, moves: readonly number[]) => MessageRef | undefined
}

export interface AutomationChoice {
  id: string
  /** The level it was approved at (the lowest of its VMs'). */
  level: 'partially-automated' | 'fully-automated'
  /** What the audit names: "automation: fully-automated/threshold-3". */
  actor: string
  /** Only these moves of a rebalance (the cap allowed no more). */
  moves?: number[]
  /** Live migrations it starts. */
  count: number
}

export interface AutomationDecision {
  /** off: manual everywhere; paused; busy: a plan runs; ready: decided (choices may be empty). */
  state: 'off' | 'paused' | 'busy' | 'ready'
  windowOpen: boolean
  capLeft: number
  choices: AutomationChoice[]
  /** Open recommendations left to the admin, and why. */
  skipped: { id: string; reason: MessageRef }[]
}

/** The level a VM acts at: its own, else the cluster's. */
export function vmLevel(settings: AutomationSettings, vmId: string): VmAutomation {
  return settings.vms[vmId] ?? settings.level
}

/**
 * What automation does after an analysis, as DRS would: which open recommendations it approves
 * (each goes through the same plan, checks, apply, verification and rollback as the admin's),
 * and why it leaves the others. Only live migrations are automatic; P1 fixes (rules) at the
 * partially and fully automated levels at any time; other moves at or above the migration
 * threshold only at the fully automated level and inside a maintenance window; never over the
 * hourly cap, on a stale reading, on a host in maintenance, on another manager's VM, against a
 * rule, or on a VM another plan holds. All chosen ones share one actor (one plan per round).
 */
export function decideAutomation(input: AutomationInput): AutomationDecision {
  const { settings, snapshot, now } = input
  const open = windowOpen(settings.windows, settings.timeZone, now)
  const capLeft = Math.max(0, settings.maxMovesPerHour - input.movesLastHour)
  const decision: AutomationDecision = { state: 'ready', windowOpen: open, capLeft, choices: [], skipped: [] }
  const anyOn = ORDER[settings.level] >= ORDER['partially-automated'] || Object.values(settings.vms).some((l) => ORDER[l] >= ORDER['partially-automated'])
  if (!anyOn) return { ...decision, state: 'off' }
  if (settings.paused) return { ...decision, state: 'paused' }
  if (input.planRunning) return { ...decision, state: 'busy' }

  const hosts = new Map(snapshot.hosts.map((h) => [h.id, h]))
  const vms = new Map(snapshot.vms.map((v) => [v.id, v]))
  const lastRead = new Map<string, number>()
  for (const s of snapshot.hostSamples) lastRead.set(s.hostId, Math.max(lastRead.get(s.hostId) ?? 0, s.t))
  const nameOf = (vmId: string) => vms.get(vmId)?.name ?? vmId
  let left = capLeft
  let actor: string | undefined
  const taken = new Set<string>()
  /** What the choices so far run: each new one is checked with them (capacity and rules of the whole plan). */
  const acted: ReversibleAction[] = []

  const open_ = input.candidates.filter((c) => c.status === 'open').sort((a, b) => a.recommendation.priority - b.recommendation.priority)
  for (const { recommendation: r } of open_) {
    const skip = (reason: MessageRef) => void decision.skipped.push({ id: r.id, reason })
    const moves = r.actions.map((a) => a.action)
    if ((r.kind !== 'migrate' && r.kind !== 'evacuate') || moves.length === 0 || moves.some((a) => a.kind !== 'migrate' || !a.live)) {
      skip(msg('automation.skip.notMove'))
      continue
    }
    if (r.requestedBy) {
      skip(msg('automation.skip.request', { who: r.requestedBy }))
      continue
    }
    const vmIds = moves.map((a) => (a.kind === 'migrate' ? a.vm : ''))
    const managed = vmIds.map((id) => vms.get(id)).find((v) => v?.managedBy)
    if (r.managedBy || managed) {
      skip(msg('automation.skip.managed', { vm: managed ? managed.name : r.target.id, manager: MANAGER_NAMES[managed?.managedBy?.manager ?? r.managedBy!.manager] }))
      continue
    }
    // The least automatic of its VMs decides.
    const levels = vmIds.map((id) => ({ id, level: vmLevel(settings, id) }))
    const lowest = levels.reduce((a, b) => (ORDER[b.level] < ORDER[a.level] ? b : a))
    if (ORDER[lowest.level] < ORDER['partially-automated']) {
      const level = msg(`automation.levels.${lowest.level}`)
      skip(settings.vms[lowest.id] ? msg('automation.skip.vmLevel', { vm: nameOf(lowest.id), level }) : msg('automation.skip.clusterLevel', { level }))
      continue
    }
    let rule: string
    if (r.priority === 1) rule = 'P1-fix'
    else if (lowest.level !== 'fully-automated') {
      skip(msg('automation.skip.notP1', { priority: r.priority }))
      continue
    } else if (r.priority > input.threshold) {
      skip(msg('automation.skip.belowThreshold', { priority: r.priority, threshold: input.threshold }))
      continue
    } else if (!open) {
      skip(msg('automation.skip.window'))
      continue
    } else rule = `threshold-${input.threshold}`
    const hostIds = [...new Set(moves.flatMap((a) => (a.kind === 'migrate' ? [a.from, a.to] : [])))]
    const inMaintenance = hostIds.find((h) => hosts.get(h)?.state === 'maintenance')
    if (inMaintenance) {
      skip(msg('automation.skip.maintenance', { host: inMaintenance }))
      continue
    }
    const down = hostIds.find((h) => hosts.get(h)?.state !== 'online')
    if (down) {
      skip(msg('automation.skip.hostDown', { host: down, state: hosts.get(down)?.state ?? 'absent' }))
      continue
    }
    const stale = hostIds.find((h) => now - (lastRead.get(h) ?? 0) > input.staleAfterMs)
    if (stale) {
      const at = lastRead.get(stale)
      skip(at ? msg('automation.skip.stale', { host: stale, seconds: Math.round((now - at) / 1000) }) : msg('automation.skip.unread', { host: stale }))
      continue
    }
    const held = vmIds.find((id) => input.vmsInPlans.has(id))
    if (held) {
      skip(msg('automation.skip.inPlan', { vm: nameOf(held), plan: input.vmsInPlans.get(held)! }))
      continue
    }
    // A VM an earlier choice of this round moves waits for the next analysis (its place is then known).
    if (vmIds.some((id) => taken.has(id))) {
      skip(msg('automation.skip.nextRound'))
      continue
    }
    if (moves.some((a) => a.kind === 'migrate' && a.copyDisks)) {
      skip(msg('automation.skip.copiesDisks'))
      continue
    }
    if (moves.some((a) => a.kind === 'migrate' && a.unsafe) && !settings.allowUnsafeMigration) {
      skip(msg('automation.skip.unsafe'))
      continue
    }
    const changed = input.changed(r.actions)
    if (changed) {
      skip(msg('automation.skip.changed', { reason: changed }))
      continue
    }
    const who = `${AUTOMATION_ACTOR}${lowest.level}/${rule}`
    if (actor && who !== actor) {
      skip(msg('automation.skip.nextRound'))
      continue
    }
    // The cap: the whole set, or as many of a rebalance's first moves as can run alone.
    let part: number[] | undefined
    if (moves.length > left) {
      for (let k = Math.min(left, moves.length - 1); k >= 1 && r.rebalance && !part; k--) {
        const prefix = [...Array(k).keys()]
        if (!input.partProblem(r, prefix)) part = prefix
      }
      if (!part) {
        skip(msg('automation.skip.cap', { cap: settings.maxMovesPerHour, used: input.movesLastHour + (capLeft - left) }))
        continue
      }
    }
    const chosen = part ? part.map((i) => r.actions[i]!) : r.actions
    const broken = input.broken([...acted, ...chosen])
    if (broken) {
      skip(msg('automation.skip.rule', { reason: broken }))
      continue
    }
    actor = who
    for (const id of vmIds) taken.add(id)
    left -= chosen.length
    acted.push(...chosen)
    decision.choices.push({ id: r.id, level: lowest.level as AutomationChoice['level'], actor: who, count: chosen.length, ...(part ? { moves: part } : {}) })
  }
  return decision
}
