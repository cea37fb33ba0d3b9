import { msg, said, sentences } from '../i18n'
import type { MessageRef, Recommendation } from '../model/recommendation'
import type { Snapshot } from '../model/snapshot'
import type { Move } from './balance'
import type { PlacementProblem } from './placement'
import { historySpan } from './priority'
import { loadsAfter, rebalanceModel, subsetEffect } from './rebalance'
import type { RightsizeResult } from './rightsize'
import { gibText, type StoragePlan } from './storage'
import { figure } from './words'

/**
 * Turns engine results into the admin-facing Recommendation records (words and numbers). The
 * `priority` set here is the gain class; recommend() applies the priority rule (priority.ts).
 */


/** Memory as an admin reads it: MiB below 1 GiB, GiB (one decimal unless whole) above. */
export function memoryText(mib: number): string {
  if (mib < 1024) return `${Math.round(mib)} MiB`
  const gib = mib / 1024
  return `${Number.isInteger(gib) ? gib.toFixed(0) : gib.toFixed(1)} GiB`
}

/** `nameOf` turns a VM id (a UUID on real hosts) into the name the admin knows. */
export function rightsizeRecommendations(r: RightsizeResult, nextId: () => string, nameOf: (vmId: string) => string = (id) => id): Recommendation[] {
  const out: Recommendation[] = []
  const cpuActions = r.actions.filter((a) => a.action.kind === 'setVcpus' || a.action.kind === 'setMaxVcpus')
  const memActions = r.actions.filter((a) => a.action.kind === 'setMemory' || a.action.kind === 'setMaxMemory')
  const vm = nameOf(r.vmId)
  const span = historySpan(r.historyHours * 3_600_000)
  const lowNote = r.confidence === 'low' && msg('engine.rightsize.lowHistory', { span })
  const held = r.heldByHost
  const heldVcpus = held?.vcpus !== undefined && msg('engine.rightsize.heldVcpus', { count: held.vcpus })
  const heldMemory = held?.memoryMiB !== undefined && msg('engine.rightsize.heldMemory', { mib: held.memoryMiB })
  const saturated = r.cpu.saturated && msg('engine.rightsize.saturated')
  const cores = r.cpu.percentileCores.toFixed(2)
  const uses = (vcpus: number) =>
    r.cpu.busiestHourCores !== null
      ? msg('engine.rightsize.cpuUsesBusiest', { cores, busiest: r.cpu.busiestHourCores.toFixed(2), count: vcpus })
      : msg('engine.rightsize.cpuUses', { cores, count: vcpus })
  if (cpuActions.length > 0) {
    const grow = r.cpu.recommendedVcpus > r.cpu.currentVcpus
    const restart = cpuActions.some((a) => a.action.kind === 'setMaxVcpus')
    const change = { vm, before: r.cpu.currentVcpus, after: r.cpu.recommendedVcpus }
    out.push({
      id: nextId(),
      kind: 'rightsize-cpu',
      target: { type: 'vm', id: r.vmId },
      priority: grow && r.cpu.saturated ? 2 : 3,
      ...said({
        title: msg(grow ? 'engine.rightsize.cpuAdd' : 'engine.rightsize.cpuRemove', change),
        rationale: sentences(uses(r.cpu.currentVcpus), saturated, heldVcpus, lowNote),
        riskNote: msg(restart ? 'engine.rightsize.riskMaxVcpus' : grow ? 'engine.rightsize.riskHotAdd' : 'engine.rightsize.riskHotUnplug'),
      }),
      predicted: [figure(msg('engine.figure.vcpus'), 'vCPU', r.cpu.currentVcpus, r.cpu.recommendedVcpus)],
      risk: grow ? 'low' : 'medium',
      needsRestart: restart,
      confidence: r.confidence,
      actions: cpuActions,
    })
  }
  if (cpuActions.length === 0 && held?.vcpus !== undefined) {
    out.push({
      id: nextId(),
      kind: 'rightsize-cpu',
      target: { type: 'vm', id: r.vmId },
      priority: r.cpu.saturated ? 2 : 3,
      ...said({
        title: msg('engine.rightsize.heldTitle', { vm, count: held.vcpus }),
        rationale: sentences(msg('engine.rightsize.cpuUses', { cores, count: r.cpu.currentVcpus }), saturated, heldVcpus),
        riskNote: msg('engine.rightsize.riskAdviceOnly'),
      }),
      predicted: [figure(msg('engine.figure.vcpus'), 'vCPU', r.cpu.currentVcpus, held.vcpus)],
      risk: 'low',
      needsRestart: false,
      confidence: r.confidence,
      actions: [],
    })
  }
  if (memActions.length > 0) {
    const grow = r.mem.recommendedMiB > r.mem.currentMiB
    const restart = memActions.some((a) => a.action.kind === 'setMaxMemory')
    const change = { vm, before: memoryText(r.mem.currentMiB), after: memoryText(r.mem.recommendedMiB) }
    out.push({
      id: nextId(),
      kind: 'rightsize-memory',
      target: { type: 'vm', id: r.vmId },
      priority: grow ? 2 : 4,
      ...said({
        title: msg(grow ? 'engine.rightsize.memAdd' : 'engine.rightsize.memReclaim', change),
        rationale: sentences(msg('engine.rightsize.memPeak', { peak: memoryText(r.mem.peakWorkingSetMiB), span }), heldMemory, lowNote),
        riskNote: msg(restart ? 'engine.rightsize.riskMaxMemory' : 'engine.rightsize.riskBalloon'),
      }),
      predicted: [figure(msg('engine.figure.memory'), 'MiB', r.mem.currentMiB, r.mem.recommendedMiB)],
      risk: grow ? 'low' : 'medium',
      needsRestart: restart,
      confidence: r.confidence,
      actions: memActions,
    })
  }
  return out
}

/** What a move does with the VM's disks, in one sentence for the rationale. */
export function storageSentence(plan: StoragePlan | undefined, to: string): MessageRef | undefined {
  if (!plan?.ok) return undefined
  const s = plan.storage
  if (s.mode === 'shared') return msg('engine.migrate.sharedStorage')
  const copied = s.disks.filter((d) => d.mode === 'copy')
  const params = {
    disks: copied.map((d) => `${d.target} (${gibText(d.bytes ?? 0)})`).join(', '),
    pools: [...new Set(copied.map((d) => d.pool))].join(', '),
    to,
    seconds: Math.ceil(s.copySeconds),
    speed: Math.round(s.linkMiBps),
  }
  return msg(s.linkMeasured ? 'engine.migrate.copiesMeasured' : 'engine.migrate.copiesAssumed', params)
}

/** A storage plan that copies disks, or undefined (shared storage, or no storage facts). */
export function copyingPlan(storage: StoragePlan | undefined): Extract<StoragePlan, { ok: true }> | undefined {
  return storage?.ok && storage.copyDisks.length > 0 ? storage : undefined
}

/** When the copies of a move may outgrow the free space of the destination pool. */
export function mayOutgrowNote(copy: Extract<StoragePlan, { ok: true }> | undefined): MessageRef | undefined {
  if (!copy || copy.storage.destinationFreeBytes === undefined || copy.storage.copyCapacityBytes <= copy.storage.destinationFreeBytes) return undefined
  return msg('engine.migrate.mayOutgrow', { size: gibText(copy.storage.copyCapacityBytes), free: gibText(copy.storage.destinationFreeBytes) })
}

/**
 * A mandatory move (a rule violation, a host in maintenance) on its own, with its own effect:
 * the cluster after the mandatory moves before it (`applied`), then after it too.
 */
export function migrationRecommendation(move: Move, problem: PlacementProblem, applied: readonly Move[], nextId: () => string, nameOf: (vmId: string) => string = (id) => id, storage?: StoragePlan): Recommendation {
  const model = rebalanceModel(problem, applied, [move])
  const after = loadsAfter(model, [0])
  const vm = nameOf(move.vmId)
  const copy = copyingPlan(storage)
  const outgrow = mayOutgrowNote(copy)
  const seconds = Math.ceil(move.costSeconds)
  const peak = `${(after.maxCpuLoad * 100).toFixed(1)} %`
  const named = (r: MessageRef): MessageRef => ({ key: r.key, params: { ...r.params, ...(r.params.vm === move.vmId ? { vm } : {}), seconds, peak } })
  const sentence = storageSentence(storage, move.to)
  return {
    id: nextId(),
    kind: move.mandatory ? 'evacuate' : 'migrate',
    target: { type: 'vm', id: move.vmId },
    // Mandatory: 1, or 2 for a should-run rule (soft).
    priority: move.mandatory ? (move.priority === 2 ? 2 : 1) : move.priority,
    ...said({
      title: msg('engine.move.title', { vm, from: move.from, to: move.to }),
      rationale: sentences(
        move.mandatory && move.reasonRef
          ? named(move.reasonRef)
          : move.mandatory
            ? msg('engine.migrate.required', { reason: move.reason, seconds, peak })
            : msg('engine.migrate.optional', { reason: move.reasonRef ?? move.reason, seconds }),
        sentence,
      ),
      riskNote: copy ? sentences(msg('engine.migrate.riskCopy', { seconds, from: move.from }), outgrow) : msg('engine.migrate.riskLive', { seconds }),
    }),
    predicted: subsetEffect(model, [0]),
    risk: move.costSeconds > 120 || outgrow ? 'medium' : 'low',
    needsRestart: false,
    // A mandatory move does not wait for history: it has to happen either way.
    confidence: 'normal',
    actions: [
      {
        action: { kind: 'migrate', vm: move.vmId, from: move.from, to: move.to, live: true, ...(copy ? { copyDisks: copy.copyDisks } : {}) },
        rollback: { kind: 'migrate', vm: move.vmId, from: move.to, to: move.from, live: true, ...(copy ? { copyDisks: copy.copyDisks } : {}) },
      },
    ],
    ...(storage?.ok ? { storage: storage.storage } : {}),
  }
}

/**
 * A VM with more vCPUs than its host has logical CPUs: its vCPUs can never all run at once, and a
 * guest spinning on a lock held by a descheduled vCPU wastes the time it gets. Needs no history.
 * When rightsizing already changes the VM's vCPUs to fit, that recommendation says it instead.
 */
export function oversizedVcpuRecommendations(snapshot: Snapshot, rightsizing: readonly RightsizeResult[], nextId: () => string, nameOf: (vmId: string) => string = (id) => id): Recommendation[] {
  const threads = new Map(snapshot.hosts.map((h) => [h.id, h.cpu.threads]))
  return snapshot.vms.flatMap((vm) => {
    const cpus = threads.get(vm.hostId)
    if (cpus === undefined || vm.allocation.vcpus <= cpus) return []
    const sized = rightsizing.find((r) => r.vmId === vm.id)
    if (sized && sized.cpu.recommendedVcpus <= cpus && sized.cpu.recommendedVcpus !== sized.cpu.currentVcpus) return []
    const name = nameOf(vm.id)
    const target = { vm: vm.id, host: vm.hostId }
    const live = vm.state === 'running'
    return [
      {
        id: nextId(),
        kind: 'rightsize-cpu' as const,
        target: { type: 'vm' as const, id: vm.id },
        priority: 2 as const,
        ...said({
          title: msg('engine.oversized.title', { vm: name, host: vm.hostId, vcpus: vm.allocation.vcpus, cpus }),
          rationale: msg('engine.oversized.rationale', { vm: name, host: vm.hostId, vcpus: vm.allocation.vcpus, cpus }),
          riskNote: msg('engine.rightsize.riskHotUnplug'),
        }),
        predicted: [figure(msg('engine.figure.vcpus'), 'vCPU', vm.allocation.vcpus, cpus)],
        risk: 'medium' as const,
        needsRestart: false,
        confidence: 'normal' as const,
        actions: [{ action: { kind: 'setVcpus' as const, ...target, count: cpus, live }, rollback: { kind: 'setVcpus' as const, ...target, count: vm.allocation.vcpus, live } }],
      },
    ]
  })
}

/**
 * The moves that empty a host in maintenance as one recommendation, "Evacuate h for maintenance:
 * N moves": approved and planned together, in the order balancing made them (each fits when it runs).
 */
export function evacuationRecommendation(hostId: string, moves: readonly Move[], problem: PlacementProblem, applied: readonly Move[], id: string, nameOf: (vmId: string) => string = (v) => v): Recommendation {
  const model = rebalanceModel(problem, applied, moves)
  const all = moves.map((_, i) => i)
  const after = loadsAfter(model, all)
  const n = moves.length
  const total = Math.ceil(moves.reduce((a, m) => a + m.costSeconds, 0))
  const longest = Math.max(...moves.map((m) => m.costSeconds))
  const vms = moves.map((m) => `${nameOf(m.vmId)} → ${m.to}`).join(', ')
  const peak = `${(after.maxCpuLoad * 100).toFixed(1)} %`
  return {
    id,
    kind: 'evacuate',
    target: { type: 'host', id: hostId },
    priority: 1,
    ...said({
      title: msg('engine.evacuate.title', { host: hostId, count: n }),
      rationale: msg('engine.evacuate.rationale', { host: hostId, vms, seconds: total, peak }),
      riskNote: msg('engine.migrate.riskSet', { count: n, total, longest: Math.ceil(longest) }),
    }),
    predicted: subsetEffect(model, all),
    risk: longest > 120 ? 'medium' : 'low',
    needsRestart: false,
    confidence: 'normal',
    actions: moves.map((m) => ({
      action: { kind: 'migrate' as const, vm: m.vmId, from: m.from, to: m.to, live: true },
      rollback: { kind: 'migrate' as const, vm: m.vmId, from: m.to, to: m.from, live: true },
    })),
  }
}
