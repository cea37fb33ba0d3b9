import type { ReversibleAction } from '../model/action'
import type { ClusterFacts } from '../model/facts'
import { english, msg } from '../i18n'
import type { MessageRef } from '../model/message'
import type { PredictedFigure, Recommendation } from '../model/recommendation'
import type { Snapshot } from '../model/snapshot'
import type { History } from './history'
import { forecastDemand } from './demand'
import { hostLoads } from './host-load'
import { migrationNeeds } from './migration-safety'
import { withDefaults, type PartialEngineOptions } from './options'
import { allocationRatioOf } from './placement'
import { planMigrationStorage, type StorageContext } from './storage'
import { validatePlan } from './validate'

/** A change the admin asks for by hand: a move or a new size. */
export type AdminRequest =
  | { kind: 'migrate'; vmId: string; to: string }
  | { kind: 'resize'; vmId: string; vcpus?: number; memoryMiB?: number }

export interface RequestInput {
  snapshot: Snapshot
  history: History
  now: number
  options?: PartialEngineOptions
  facts?: ClusterFacts
  storage?: StorageContext
  request: AdminRequest
  /** Who asked: the recommendation says "requested by" them. */
  user: string
  id: string
}

/** Refused: every reason in English (the CLI's JSON, logs) and as a message, in the same order. */
export type RequestOutcome = { ok: true; recommendation: Recommendation } | { ok: false; reasons: string[]; reasonRefs: MessageRef[] }

function refused(refs: readonly MessageRef[]): RequestOutcome {
  const byText = new Map(refs.map((r) => [english(r), r]))
  return { ok: false, reasons: [...byText.keys()], reasonRefs: [...byText.values()] }
}

const pct = (x: number) => Math.round(x * 1000) / 10

/**
 * The admin's request as a recommendation like the engine's own: the actions it takes, checked by
 * the plan validator against capacity, allocation ratios, rules and other managers (refused with
 * every reason when it breaks one), and its predicted effect on the hosts it touches.
 */
export function requestRecommendation(input: RequestInput): RequestOutcome {
  const { snapshot, request, user } = input
  const options = withDefaults(input.options)
  const vm = snapshot.vms.find((v) => v.id === request.vmId)
  if (!vm) return refused([msg('engine.request.refused.noVm', { vm: request.vmId })])
  const target = { vm: vm.id, host: vm.hostId }
  const actions: ReversibleAction[] = []
  let needsRestart = false
  const reasons: MessageRef[] = []

  if (request.kind === 'migrate') {
    const to = snapshot.hosts.find((h) => h.id === request.to)
    if (!to) return refused([msg('engine.request.refused.noHost', { host: request.to })])
    if (to.id === vm.hostId) return refused([msg('engine.request.refused.alreadyThere', { vm: vm.name, host: to.name })])
    if (vm.state !== 'running' && vm.state !== 'paused') reasons.push(msg('engine.request.refused.notRunning', { vm: vm.name, state: msg(`engine.vmState.${vm.state}`) }))
    // A destination that cannot take the disks is refused by the validator below.
    const disks = input.storage ? planMigrationStorage(vm.id, vm.hostId, to.id, input.storage) : undefined
    const copy = disks?.ok && disks.copyDisks.length > 0 ? { copyDisks: disks.copyDisks } : {}
    const unsafe = (migrationNeeds(input.facts, vm.id)?.unsafe.length ?? 0) > 0 ? { unsafe: true } : {}
    actions.push({ action: { kind: 'migrate', vm: vm.id, from: vm.hostId, to: to.id, live: true, ...unsafe, ...copy }, rollback: { kind: 'migrate', vm: vm.id, from: to.id, to: vm.hostId, live: true, ...unsafe, ...copy } })
  } else {
    const { vcpus, memoryMiB } = request
    const a = vm.allocation
    if (vcpus === undefined && memoryMiB === undefined) return refused([msg('engine.request.refused.noSize')])
    if (vcpus !== undefined && vcpus !== a.vcpus) {
      if (vcpus > a.maxVcpus) {
        needsRestart = true
        actions.push({ action: { kind: 'setMaxVcpus', ...target, count: vcpus }, rollback: { kind: 'setMaxVcpus', ...target, count: a.maxVcpus } })
      }
      const live = vcpus <= a.maxVcpus && vm.state === 'running'
      actions.push({ action: { kind: 'setVcpus', ...target, count: vcpus, live }, rollback: { kind: 'setVcpus', ...target, count: a.vcpus, live } })
    }
    if (memoryMiB !== undefined && memoryMiB !== a.memoryMiB) {
      if (memoryMiB > a.maxMemoryMiB) {
        needsRestart = true
        actions.push({ action: { kind: 'setMaxMemory', ...target, memoryMiB }, rollback: { kind: 'setMaxMemory', ...target, memoryMiB: a.maxMemoryMiB } })
      }
      const live = memoryMiB <= a.maxMemoryMiB && vm.state === 'running'
      actions.push({ action: { kind: 'setMemory', ...target, memoryMiB, live }, rollback: { kind: 'setMemory', ...target, memoryMiB: a.memoryMiB, live } })
    }
    if (actions.length === 0) return refused([msg('engine.request.refused.sameSize', { vm: vm.name })])
  }

  const check = validatePlan(snapshot, actions, options, input.history, input.now, input.storage)
  reasons.push(...check.violations.map((v) => v.messageRef))
  if (reasons.length > 0) return refused(reasons)

  // The engine's view of the hosts before and after: demand-based load and the allocation the ratios bound.
  const after: Snapshot = {
    ...snapshot,
    vms: snapshot.vms.map((v) => {
      if (v.id !== vm.id) return v
      if (request.kind === 'migrate') return { ...v, hostId: request.to }
      return { ...v, allocation: { ...v.allocation, vcpus: request.vcpus ?? v.allocation.vcpus, memoryMiB: request.memoryMiB ?? v.allocation.memoryMiB } }
    }),
  }
  const demand = forecastDemand(snapshot, input.history, input.now, options.forecast, options.contention.windowMs)
  const demandAfter = forecastDemand(after, input.history, input.now, options.forecast, options.contention.windowMs)
  const loadsBefore = hostLoads(snapshot, demand, options.strategy, options.controls)
  const loadsAfter = hostLoads(after, demandAfter, options.strategy, options.controls)
  const hostIds = request.kind === 'migrate' ? [vm.hostId, request.to] : [vm.hostId]
  const nameOf = (id: string) => snapshot.hosts.find((h) => h.id === id)?.name ?? id
  const predicted: PredictedFigure[] = []
  if (request.kind === 'resize') {
    if (request.vcpus !== undefined) predicted.push({ label: 'vCPUs', labelRef: msg('engine.figure.vcpus'), unit: 'vCPU', before: vm.allocation.vcpus, after: request.vcpus })
    if (request.memoryMiB !== undefined) predicted.push({ label: 'Memory', labelRef: msg('engine.figure.memory'), unit: 'MiB', before: vm.allocation.memoryMiB, after: request.memoryMiB })
  }
  for (const id of hostIds) {
    const b = loadsBefore.find((l) => l.hostId === id)
    const a = loadsAfter.find((l) => l.hostId === id)
    if (!b || !a) continue
    const host = nameOf(id)
    predicted.push({ label: `${host} CPU load`, labelRef: msg('engine.figure.hostCpu', { host }), unit: '%', before: pct(b.cpu.demandLoad), after: pct(a.cpu.demandLoad) })
    const ratio = allocationRatioOf(snapshot.hosts.find((h) => h.id === id)!, options.balance)
    const hostObj = snapshot.hosts.find((h) => h.id === id)!
    const vcpusOn = (s: Snapshot) => s.vms.filter((v) => v.hostId === id && (v.state === 'running' || v.state === 'paused')).reduce((sum, v) => sum + v.allocation.vcpus, 0)
    predicted.push({ label: `${host} vCPUs allocated (limit ${Math.floor(hostObj.cpu.threads * ratio.cpu)})`, labelRef: msg('engine.figure.hostVcpus', { host, limit: Math.floor(hostObj.cpu.threads * ratio.cpu) }), unit: 'vCPU', before: vcpusOn(snapshot), after: vcpusOn(after) })
  }

  const byWhom = { user }
  const title = request.kind === 'migrate'
    ? `Requested by ${user}: move ${vm.name} from ${nameOf(vm.hostId)} to ${nameOf(request.to)}`
    : `Requested by ${user}: resize ${vm.name} to ${request.vcpus ?? vm.allocation.vcpus} vCPUs and ${request.memoryMiB ?? vm.allocation.memoryMiB} MiB`
  const titleRef = request.kind === 'migrate'
    ? msg('engine.request.migrateTitle', { ...byWhom, vm: vm.name, from: nameOf(vm.hostId), to: nameOf(request.to) })
    : msg('engine.request.resizeTitle', { ...byWhom, vm: vm.name, vcpus: request.vcpus ?? vm.allocation.vcpus, memoryMiB: request.memoryMiB ?? vm.allocation.memoryMiB })
  const rationale = `${user} asked for this change. The plan validator checked it against the hosts' capacity, allocation ratios and placement rules; the figures are the engine's prediction with the demand it forecasts.`
  const migration = actions[0]!.action
  return {
    ok: true,
    recommendation: {
      id: input.id,
      kind: request.kind === 'migrate' ? 'migrate' : request.vcpus !== undefined && request.vcpus !== vm.allocation.vcpus ? 'rightsize-cpu' : 'rightsize-memory',
      target: { type: 'vm', id: vm.id },
      priority: 3,
      title,
      titleRef,
      rationale,
      rationaleRef: msg('engine.request.rationale', byWhom),
      predicted,
      risk: request.kind === 'migrate' ? (migration.kind === 'migrate' && migration.unsafe ? 'high' : 'medium') : 'low',
      riskNote: request.kind === 'migrate'
        ? `Live migration: the guest keeps running; a short pause at the switch-over.${migration.kind === 'migrate' && migration.copyDisks ? ' Its disks are copied while it runs (--copy-storage-all).' : ''}`
        : needsRestart ? 'Above its maximum: takes effect after a restart.' : 'Applied live.',
      needsRestart,
      confidence: 'normal',
      actions,
      requestedBy: user,
    },
  }
}
