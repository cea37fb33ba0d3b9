import { msg } from '../i18n'
import type { MessageRef } from '../model/message'
import type { Recommendation } from '../model/recommendation'
import type { Snapshot } from '../model/snapshot'
import type { Move } from './balance'
import type { PlacementProblem } from './placement'
import { historySpan } from './priority'
import { loadsAfter, rebalanceModel, subsetEffect } from './rebalance'
import type { RightsizeResult } from './rightsize'
import { gibText, type StoragePlan } from './storage'

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

const vcpuText = (n: number) => `${n} ${n === 1 ? 'vCPU' : 'vCPUs'}`

/** `nameOf` turns a VM id (a UUID on real hosts) into the name the admin knows. */
export function rightsizeRecommendations(r: RightsizeResult, nextId: () => string, nameOf: (vmId: string) => string = (id) => id): Recommendation[] {
  const out: Recommendation[] = []
  const cpuActions = r.actions.filter((a) => a.action.kind === 'setVcpus' || a.action.kind === 'setMaxVcpus')
  const memActions = r.actions.filter((a) => a.action.kind === 'setMemory' || a.action.kind === 'setMaxMemory')
  const span = historySpan(r.historyHours * 3_600_000)
  const lowNote = r.confidence === 'low' ? ` Only ${span} of history: growing only, no shrink yet.` : ''
  const held = r.heldByHost
  const heldNote = (what: 'vcpus' | 'memoryMiB', unit: string) =>
    held?.[what] !== undefined ? ` It would need ${held[what]} ${unit}: its host's allocation ratio leaves no room for more until other VMs there shrink or move (see their recommendations), or the ratio is raised in Settings.` : ''
  if (cpuActions.length > 0) {
    const grow = r.cpu.recommendedVcpus > r.cpu.currentVcpus
    const restart = cpuActions.some((a) => a.action.kind === 'setMaxVcpus')
    out.push({
      id: nextId(),
      kind: 'rightsize-cpu',
      target: { type: 'vm', id: r.vmId },
      priority: grow && r.cpu.saturated ? 2 : 3,
      title: `${grow ? 'Add' : 'Remove'} vCPUs on ${nameOf(r.vmId)}: ${r.cpu.currentVcpus} → ${r.cpu.recommendedVcpus}`,
      rationale:
        `Uses ${r.cpu.percentileCores.toFixed(2)} cores at its sizing percentile` +
        (r.cpu.busiestHourCores !== null ? ` and ${r.cpu.busiestHourCores.toFixed(2)} cores in its busiest hour of the week` : '') +
        ` with ${vcpuText(r.cpu.currentVcpus)}${r.cpu.saturated ? ' (saturated: real demand may be higher)' : ''}.` + heldNote('vcpus', 'vCPUs') + lowNote,
      predicted: [{ label: 'vCPUs', unit: 'vCPU', before: r.cpu.currentVcpus, after: r.cpu.recommendedVcpus }],
      risk: grow ? 'low' : 'medium',
      riskNote: restart
        ? 'Above the VM\'s max vCPUs: takes effect after a restart.'
        : grow ? 'Hot-add, applied live.' : 'Hot-unplug needs guest support; otherwise it applies at the next restart.',
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
      title: `${nameOf(r.vmId)} needs ${held.vcpus} vCPUs: its host has no room at its allocation ratio`,
      rationale: `Uses ${r.cpu.percentileCores.toFixed(2)} cores at its sizing percentile with ${r.cpu.currentVcpus} vCPUs${r.cpu.saturated ? ' (saturated: real demand may be higher)' : ''}.` + heldNote('vcpus', 'vCPUs'),
      predicted: [{ label: 'vCPUs', unit: 'vCPU', before: r.cpu.currentVcpus, after: held.vcpus }],
      risk: 'low',
      riskNote: 'Advice only: no change fits the host as it is.',
      needsRestart: false,
      confidence: r.confidence,
      actions: [],
    })
  }
  if (memActions.length > 0) {
    const grow = r.mem.recommendedMiB > r.mem.currentMiB
    const restart = memActions.some((a) => a.action.kind === 'setMaxMemory')
    out.push({
      id: nextId(),
      kind: 'rightsize-memory',
      target: { type: 'vm', id: r.vmId },
      priority: grow ? 2 : 4,
      title: `${grow ? 'Add' : 'Reclaim'} memory on ${nameOf(r.vmId)}: ${memoryText(r.mem.currentMiB)} → ${memoryText(r.mem.recommendedMiB)}`,
      rationale: `Peak working set ${memoryText(r.mem.peakWorkingSetMiB)} over ${span}; sized at peak plus margin.` + heldNote('memoryMiB', 'MiB') + lowNote,
      predicted: [{ label: 'Memory', unit: 'MiB', before: r.mem.currentMiB, after: r.mem.recommendedMiB }],
      risk: grow ? 'low' : 'medium',
      riskNote: restart
        ? 'Above the VM\'s max memory: takes effect after a restart.'
        : 'Balloon, applied live; a guest whose peak is not in the history may swap.',
      needsRestart: restart,
      confidence: r.confidence,
      actions: memActions,
    })
  }
  return out
}

/** What a move does with the VM's disks, in one sentence for the rationale. */
export function storageSentence(plan: StoragePlan | undefined, to: string): string {
  if (!plan?.ok) return ''
  const s = plan.storage
  if (s.mode === 'shared') return ' Its disks are on storage both hosts reach: only memory moves.'
  const copied = s.disks.filter((d) => d.mode === 'copy')
  const pools = [...new Set(copied.map((d) => d.pool))].join(', ')
  return ` Copies ${copied.map((d) => `${d.target} (${gibText(d.bytes ?? 0)})`).join(', ')} to ${to}'s pool ${pools} while the guest runs: about ${Math.ceil(s.copySeconds)} s at ${Math.round(s.linkMiBps)} MiB/s (${s.linkMeasured ? 'measured' : 'assumed, not yet measured'}).`
}

/** A storage plan that copies disks, or undefined (shared storage, or no storage facts). */
export function copyingPlan(storage: StoragePlan | undefined): Extract<StoragePlan, { ok: true }> | undefined {
  return storage?.ok && storage.copyDisks.length > 0 ? storage : undefined
}

/** When the copies of a move may outgrow the free space of the destination pool. */
export function mayOutgrowNote(copy: Extract<StoragePlan, { ok: true }> | undefined): string {
  if (!copy || copy.storage.destinationFreeBytes === undefined || copy.storage.copyCapacityBytes <= copy.storage.destinationFreeBytes) return ''
  return ` The copies may grow to ${gibText(copy.storage.copyCapacityBytes)}, more than the ${gibText(copy.storage.destinationFreeBytes)} free in the destination pool.`
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
    title: `Move ${vm} from ${move.from} to ${move.to}`,
    titleRef: msg('engine.move.title', { vm, from: move.from, to: move.to }),
    rationale:
      (move.mandatory
        ? `${move.priority === 2 ? 'Asked for by a rule' : 'Required'}: ${move.reason}. Live migration about ${seconds} s; the peak host CPU load is ${peak} after it.`
        : `${move.reason}; live migration about ${seconds} s.`) + sentence,
    ...(move.mandatory && move.reasonRef && !sentence ? { rationaleRef: named(move.reasonRef) } : {}),
    predicted: subsetEffect(model, [0]),
    risk: move.costSeconds > 120 || outgrow ? 'medium' : 'low',
    riskNote: copy
      ? `Live migration with storage copy (--copy-storage-all) of about ${Math.ceil(move.costSeconds)} s; the guest keeps running while its disks copy, brief pause at switch-over; the old disk files stay on ${move.from} until you delete them.${outgrow}`
      : `Live migration of about ${Math.ceil(move.costSeconds)} s; brief pause at switch-over.`,
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
        title: `${name} has more vCPUs than ${vm.hostId} has logical CPUs: ${vm.allocation.vcpus} → ${cpus}`,
        titleRef: msg('engine.oversized.title', { vm: name, host: vm.hostId, vcpus: vm.allocation.vcpus, cpus }),
        rationale: `${name} has ${vcpuText(vm.allocation.vcpus)} on ${vm.hostId}, which has ${cpus} logical CPUs: its vCPUs can never all run at once, and a guest that spins on a lock held by a vCPU the host has descheduled wastes the CPU time it gets. Give it at most ${cpus}.`,
        rationaleRef: msg('engine.oversized.rationale', { vm: name, host: vm.hostId, vcpus: vm.allocation.vcpus, cpus }),
        predicted: [{ label: 'vCPUs', labelRef: msg('engine.figure.vcpus'), unit: 'vCPU', before: vm.allocation.vcpus, after: cpus }],
        risk: 'medium' as const,
        riskNote: 'Hot-unplug needs guest support; otherwise it applies at the next restart.',
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
    title: `Evacuate ${hostId} for maintenance: ${n} ${n === 1 ? 'move' : 'moves'}`,
    titleRef: msg('engine.evacuate.title', { host: hostId, count: n }),
    rationale: `${hostId} is in maintenance: its running VMs move to other hosts (${vms}), live, about ${total} s in all; the peak host CPU load is ${peak} after them. Until it leaves maintenance, nothing is placed on it.`,
    rationaleRef: msg('engine.evacuate.rationale', { host: hostId, vms, seconds: total, peak }),
    predicted: subsetEffect(model, all),
    risk: longest > 120 ? 'medium' : 'low',
    riskNote: `${n} live ${n === 1 ? 'migration' : 'migrations'}, about ${total} s in all (the longest ${Math.ceil(longest)} s); each guest pauses briefly at switch-over.`,
    needsRestart: false,
    confidence: 'normal',
    actions: moves.map((m) => ({
      action: { kind: 'migrate' as const, vm: m.vmId, from: m.from, to: m.to, live: true },
      rollback: { kind: 'migrate' as const, vm: m.vmId, from: m.to, to: m.from, live: true },
    })),
  }
}
