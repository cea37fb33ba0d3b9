import type { Recommendation } from '../model/recommendation'
import { PEAK_REASON, type Move } from './balance'
import type { LoadSummary } from './placement'
import type { RightsizeResult } from './rightsize'
import { gibText, type StoragePlan } from './storage'

/** Turns engine results into the admin-facing Recommendation records (words and numbers). */

const pct = (x: number) => `${(x * 100).toFixed(1)} %`

/** `nameOf` turns a VM id (a UUID on real hosts) into the name the admin knows. */
export function rightsizeRecommendations(r: RightsizeResult, nextId: () => string, nameOf: (vmId: string) => string = (id) => id): Recommendation[] {
  const out: Recommendation[] = []
  const cpuActions = r.actions.filter((a) => a.action.kind === 'setVcpus' || a.action.kind === 'setMaxVcpus')
  const memActions = r.actions.filter((a) => a.action.kind === 'setMemory' || a.action.kind === 'setMaxMemory')
  const lowNote = r.confidence === 'low' ? ` Only ${r.historyHours.toFixed(0)} h of history: growing only, no shrink yet.` : ''
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
      title: `${grow ? 'Add' : 'Remove'} vCPUs on ${nameOf(r.vmId)}: ${r.cpu.currentVcpus} -> ${r.cpu.recommendedVcpus}`,
      rationale:
        `Uses ${r.cpu.percentileCores.toFixed(2)} cores at its sizing percentile` +
        (r.cpu.busiestHourCores !== null ? ` and ${r.cpu.busiestHourCores.toFixed(2)} cores in its busiest hour of the week` : '') +
        ` with ${r.cpu.currentVcpus} vCPUs${r.cpu.saturated ? ' (saturated: real demand may be higher)' : ''}.` + heldNote('vcpus', 'vCPUs') + lowNote,
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
      title: `${grow ? 'Add' : 'Reclaim'} memory on ${nameOf(r.vmId)}: ${r.mem.currentMiB} MiB -> ${r.mem.recommendedMiB} MiB`,
      rationale: `Peak working set ${Math.round(r.mem.peakWorkingSetMiB)} MiB over ${r.historyHours.toFixed(0)} h; sized at peak plus margin.` + heldNote('memoryMiB', 'MiB') + lowNote,
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
function storageSentence(plan: StoragePlan | undefined, to: string): string {
  if (!plan?.ok) return ''
  const s = plan.storage
  if (s.mode === 'shared') return ' Its disks are on storage both hosts reach: only memory moves.'
  const copied = s.disks.filter((d) => d.mode === 'copy')
  const pools = [...new Set(copied.map((d) => d.pool))].join(', ')
  return ` Copies ${copied.map((d) => `${d.target} (${gibText(d.bytes ?? 0)})`).join(', ')} to ${to}'s pool ${pools} while the guest runs: about ${Math.ceil(s.copySeconds)} s at ${Math.round(s.linkMiBps)} MiB/s (${s.linkMeasured ? 'measured' : 'assumed, not yet measured'}).`
}

export function migrationRecommendation(move: Move, before: LoadSummary, after: LoadSummary, nextId: () => string, nameOf: (vmId: string) => string = (id) => id, storage?: StoragePlan): Recommendation {
  const copy = storage?.ok && storage.copyDisks.length > 0 ? storage : undefined
  const mayOutgrow = copy && copy.storage.destinationFreeBytes !== undefined && copy.storage.copyCapacityBytes > copy.storage.destinationFreeBytes
  return {
    id: nextId(),
    kind: move.mandatory ? 'evacuate' : 'migrate',
    target: { type: 'vm', id: move.vmId },
    priority: move.priority,
    title: `Move ${nameOf(move.vmId)} from ${move.from} to ${move.to}`,
    rationale: (move.mandatory
      ? `Required: ${move.reason}.`
      : move.reason.startsWith(PEAK_REASON)
        ? // Chosen for the busiest host: the spread may even grow a little, so say what it buys.
          `Takes load off the busiest host: with the whole plan the peak host load goes from ${pct(before.peakLoad)} to ${pct(after.peakLoad)}${move.swapWith ? ` (swaps places with ${nameOf(move.swapWith)})` : ''}; this move changes the spread of host load by ${move.gain >= 0 ? '-' : '+'}${pct(Math.abs(move.gain))} (forecast demand); live migration about ${Math.ceil(move.costSeconds)} s.`
        : `Lowers the spread of host load by ${pct(move.gain)} (forecast demand); live migration about ${Math.ceil(move.costSeconds)} s.`) + storageSentence(storage, move.to),
    predicted: [
      { label: 'Host load spread', unit: '%', before: before.imbalance * 100, after: after.imbalance * 100 },
      { label: 'Peak host CPU load', unit: '%', before: before.maxCpuLoad * 100, after: after.maxCpuLoad * 100 },
      { label: 'Peak host memory load', unit: '%', before: before.maxMemLoad * 100, after: after.maxMemLoad * 100 },
    ],
    risk: move.costSeconds > 120 || mayOutgrow ? 'medium' : 'low',
    riskNote: copy
      ? `Live migration with storage copy (--copy-storage-all) of about ${Math.ceil(move.costSeconds)} s; the guest keeps running while its disks copy, brief pause at switch-over; the old disk files stay on ${move.from} until you delete them.${mayOutgrow ? ` The copies may grow to ${gibText(copy.storage.copyCapacityBytes)}, more than the ${gibText(copy.storage.destinationFreeBytes!)} free in the destination pool.` : ''}`
      : `Live migration of about ${Math.ceil(move.costSeconds)} s; brief pause at switch-over.`,
    needsRestart: false,
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
