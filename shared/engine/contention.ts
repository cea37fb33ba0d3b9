import type { ReversibleAction } from '../model/action'
import type { Snapshot } from '../model/snapshot'
import type { Move } from './balance'
import type { VmDemand } from './demand'
import type { HostRoom } from './host-room'
import type { ContentionOptions } from './options'
import type { PlacementProblem } from './placement'
import type { Evidence, TuningAdvice } from './tuning'

/**
 * Advice for VMs that wait for CPU (CPU ready at or above the threshold over the window), with
 * what was measured. The balancer already counts the waiting as demand; this says what to do
 * for the VM itself: where the plan moves it or VMs off its host, that; on a saturated host, lower
 * its overcommit; on a host with room, a VM that uses all its vCPUs gets one more (when the
 * host's vCPU ratio has room); otherwise the waiting comes from pinning or CPU limits.
 */
export function contentionAdvice(input: {
  snapshot: Snapshot
  demand: ReadonlyMap<string, VmDemand>
  problem: PlacementProblem
  moves: readonly Move[]
  room: HostRoom
  /** VMs whose vCPUs rightsizing already changes: referred to, not changed twice. */
  resized: ReadonlySet<string>
  options: ContentionOptions
  nameOf: (vmId: string) => string
}): TuningAdvice[] {
  const { snapshot, demand, problem, moves, options, nameOf } = input
  const hostOf = new Map(problem.hosts.map((h) => [h.id, h]))
  const sampleOf = new Map(snapshot.vmSamples.map((x) => [x.vmId, x]))
  const hostVms = new Map<string, string[]>()
  for (const vm of snapshot.vms) if (vm.state === 'running') hostVms.set(vm.hostId, [...(hostVms.get(vm.hostId) ?? []), vm.id])
  const wanted = (vmId: string) => {
    const d = demand.get(vmId)
    return d?.recent?.cpuCores ?? d?.cpuCores ?? 0
  }
  const out: TuningAdvice[] = []
  for (const vm of snapshot.vms) {
    const d = demand.get(vm.id)
    const ready = d?.cpuReadyPct
    if (vm.state !== 'running' || !d || ready === null || ready === undefined || ready < options.cpuReadyPct) continue
    const host = hostOf.get(vm.hostId)
    if (!host) continue
    const want = wanted(vm.id)
    const used = Math.min(want, sampleOf.get(vm.id)?.cpuUsedCores ?? Math.max(0, want - (ready / 100) * vm.allocation.vcpus))
    const hostWant = (hostVms.get(host.id) ?? []).reduce((a, id) => a + wanted(id), 0)
    const hostLoad = hostWant / host.cpuCores
    const hostVcpus = problem.vms.filter((v) => v.hostId === host.id).reduce((a, v) => a + v.vcpus, 0)
    const ratio = hostVcpus / host.cpuCores
    const evidence: Evidence[] = [
      { fact: `${nameOf(vm.id)} CPU ready`, value: +ready.toFixed(1), unit: '%' },
      { fact: `${nameOf(vm.id)} CPU used`, value: +used.toFixed(2), unit: 'cores' },
      { fact: `${nameOf(vm.id)} vCPUs`, value: vm.allocation.vcpus },
      { fact: `${host.id} CPU demand, waiting included`, value: +(hostLoad * 100).toFixed(0), unit: '%' },
      { fact: `${host.id} vCPUs per host CPU`, value: +ratio.toFixed(2) },
    ]
    const measured = `${nameOf(vm.id)} waits for CPU ${ready.toFixed(0)} % of the time (CPU ready): it got ${used.toFixed(2)} of the ${want.toFixed(2)} cores it wanted on ${host.id}, whose VMs want ${(hostLoad * 100).toFixed(0)} % of its ${host.cpuCores} CPUs (${ratio.toFixed(1)} vCPUs per CPU)`
    const base = { target: { type: 'vm' as const, id: vm.id }, rule: 'contention', evidence, needsRestart: false, confidence: 'normal' as const }
    const own = moves.find((m) => m.vmId === vm.id)
    const off = moves.filter((m) => m.from === host.id)
    if (own || off.length > 0) {
      out.push({
        ...base,
        priority: 3,
        title: `${nameOf(vm.id)} waits for CPU: the balancing plan ${own ? `moves it to ${own.to}` : `moves ${off.length} VM(s) off ${host.id}`}`,
        rationale: `${measured}. ${own ? `The balancing plan moves it to ${own.to}` : `The balancing plan moves ${off.map((m) => nameOf(m.vmId)).join(', ')} off ${host.id}`}, which the forecast says leaves room.`,
        effect: 'Its vCPUs get host CPU time when they are ready to run.',
        predicted: [{ label: 'CPU ready', unit: '%', before: +ready.toFixed(1), after: 0 }],
        risk: 'low',
        riskNote: 'No change of its own: apply the migration recommendations.',
        actions: [],
      })
      continue
    }
    if (hostLoad >= options.saturatedHostLoad) {
      out.push({
        ...base,
        priority: 2,
        title: `${host.id} is saturated: lower its CPU overcommit (${nameOf(vm.id)} waits for CPU)`,
        rationale: `${measured}. No host in the plan takes load off ${host.id} within the migration budget and the allocation ratios: move VMs off it by hand, stop or shrink some, or lower its vCPU ratio so it is not filled this far again.`,
        effect: 'Fewer runnable vCPUs per host CPU: the VMs on it wait less.',
        predicted: [{ label: 'vCPUs per host CPU', unit: 'ratio', before: +ratio.toFixed(2), after: +(ratio / Math.max(1, hostLoad)).toFixed(2) }],
        risk: 'medium',
        riskNote: 'Advice only: moving or stopping VMs, or changing the ratio in Settings, is the change.',
        actions: [],
      })
      continue
    }
    if (used >= 0.9 * vm.allocation.vcpus && !input.resized.has(vm.id)) {
      const target = Math.max(vm.allocation.vcpus + 1, Math.ceil(want * 1.2 - 1e-9))
      const ceiling = input.room.ceilingFor(vm.id, vm.allocation.vcpus, vm.allocation.memoryMiB).vcpus
      const vcpus = Math.min(target, ceiling)
      if (vcpus > vm.allocation.vcpus) {
        input.room.take(vm.id, vcpus - vm.allocation.vcpus, 0)
        const t = { vm: vm.id, host: vm.hostId }
        const restart = vcpus > vm.allocation.maxVcpus
        const actions: ReversibleAction[] = [
          ...(restart ? [{ action: { kind: 'setMaxVcpus' as const, ...t, count: vcpus }, rollback: { kind: 'setMaxVcpus' as const, ...t, count: vm.allocation.maxVcpus } }] : []),
          { action: { kind: 'setVcpus', ...t, count: vcpus, live: !restart }, rollback: { kind: 'setVcpus', ...t, count: vm.allocation.vcpus, live: !restart } },
        ]
        out.push({
          ...base,
          priority: 3,
          title: `Add vCPUs on ${nameOf(vm.id)}: ${vm.allocation.vcpus} -> ${vcpus} (it waits for CPU with all its vCPUs busy)`,
          rationale: `${measured}. It keeps all its vCPUs busy and ${host.id} has CPU to spare: another vCPU lets it run more at once.`,
          effect: `${vcpus} vCPUs for the ${want.toFixed(2)} cores it wants.`,
          predicted: [{ label: 'vCPUs', unit: 'vCPU', before: vm.allocation.vcpus, after: vcpus }],
          risk: 'low',
          riskNote: restart ? 'Above its max vCPUs: takes effect after a restart.' : 'Hot-add, applied live.',
          needsRestart: restart,
          actions,
        })
        continue
      }
    }
    out.push({
      ...base,
      priority: 4,
      title: `${nameOf(vm.id)} waits for CPU although ${host.id} has room`,
      rationale: `${measured}. ${host.id} is not saturated${used >= 0.9 * vm.allocation.vcpus ? ` and its vCPU ratio has no room for another vCPU` : ' and the VM does not use all its vCPUs'}: check vCPU pinning (vcpupin) and CPU limits (cputune quota) on the VM.`,
      effect: 'Without the pinning or the limit, its vCPUs run when ready.',
      predicted: [{ label: 'CPU ready', unit: '%', before: +ready.toFixed(1), after: 0 }],
      risk: 'low',
      riskNote: 'Advice only: VirtPilot does not change pinning or limits.',
      actions: [],
    })
  }
  return out
}
