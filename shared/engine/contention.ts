import { msg, said, sentences } from '../i18n'
import type { ReversibleAction } from '../model/action'
import type { Snapshot } from '../model/snapshot'
import type { Move } from './balance'
import type { VmDemand } from './demand'
import type { HostRoom } from './host-room'
import type { ContentionOptions } from './options'
import type { PlacementProblem } from './placement'
import type { Evidence, TuningAdvice } from './tuning'
import { figure } from './words'

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
  for (const vm of snapshot.vms) {
    if (vm.state !== 'running') continue
    const list = hostVms.get(vm.hostId)
    if (list) list.push(vm.id)
    else hostVms.set(vm.hostId, [vm.id])
  }
  const vcpusOn = new Map<string, number>()
  for (const v of problem.vms) vcpusOn.set(v.hostId, (vcpusOn.get(v.hostId) ?? 0) + v.vcpus)
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
    const hostVcpus = vcpusOn.get(host.id) ?? 0
    const ratio = hostVcpus / host.cpuCores
    const evidence: Evidence[] = [
      { fact: `${nameOf(vm.id)} CPU ready`, value: +ready.toFixed(1), unit: '%' },
      { fact: `${nameOf(vm.id)} CPU used`, value: +used.toFixed(2), unit: 'cores' },
      { fact: `${nameOf(vm.id)} vCPUs`, value: vm.allocation.vcpus },
      { fact: `${host.id} CPU demand, waiting included`, value: +(hostLoad * 100).toFixed(0), unit: '%' },
      { fact: `${host.id} vCPUs per host CPU`, value: +ratio.toFixed(2) },
    ]
    const name = nameOf(vm.id)
    const measured = msg('engine.contention.measured', { vm: name, ready: `${ready.toFixed(0)} %`, used: used.toFixed(2), want: want.toFixed(2), host: host.id, hostLoad: `${(hostLoad * 100).toFixed(0)} %`, cpus: host.cpuCores, ratio: ratio.toFixed(1) })
    const readyFigure = figure(msg('engine.contention.cpuReady'), '%', +ready.toFixed(1), 0)
    const base = { target: { type: 'vm' as const, id: vm.id }, rule: 'contention', evidence, needsRestart: false, confidence: 'normal' as const }
    const own = moves.find((m) => m.vmId === vm.id)
    const off = moves.filter((m) => m.from === host.id)
    if (own || off.length > 0) {
      out.push({
        ...base,
        priority: 3,
        ...said({
          title: own ? msg('engine.contention.titleOwnMove', { vm: name, to: own.to }) : msg('engine.contention.titleOthersMove', { vm: name, count: off.length, host: host.id }),
          rationale: sentences(measured, own ? msg('engine.contention.ownMove', { to: own.to }) : msg('engine.contention.othersMove', { vms: off.map((m) => nameOf(m.vmId)).join(', '), host: host.id })),
          effect: msg('engine.contention.movesEffect'),
          riskNote: msg('engine.contention.movesRisk'),
        }),
        predicted: [readyFigure],
        risk: 'low',
        actions: [],
      })
      continue
    }
    if (hostLoad >= options.saturatedHostLoad) {
      out.push({
        ...base,
        priority: 2,
        ...said({
          title: msg('engine.contention.titleSaturated', { host: host.id, vm: name }),
          rationale: sentences(measured, msg('engine.contention.saturated', { host: host.id })),
          effect: msg('engine.contention.saturatedEffect'),
          riskNote: msg('engine.contention.saturatedRisk'),
        }),
        predicted: [figure(msg('engine.contention.ratioFigure'), 'ratio', +ratio.toFixed(2), +(ratio / Math.max(1, hostLoad)).toFixed(2))],
        risk: 'medium',
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
          ...said({
            title: msg('engine.contention.titleAdd', { vm: name, before: vm.allocation.vcpus, after: vcpus }),
            rationale: sentences(measured, msg('engine.contention.add', { host: host.id })),
            effect: msg('engine.contention.addEffect', { vcpus, want: want.toFixed(2) }),
            riskNote: msg(restart ? 'engine.rightsize.riskMaxVcpus' : 'engine.rightsize.riskHotAdd'),
          }),
          predicted: [figure(msg('engine.figure.vcpus'), 'vCPU', vm.allocation.vcpus, vcpus)],
          risk: 'low',
          needsRestart: restart,
          actions,
        })
        continue
      }
    }
    out.push({
      ...base,
      priority: 4,
      ...said({
        title: msg('engine.contention.titleRoom', { vm: name, host: host.id }),
        rationale: sentences(measured, msg(used >= 0.9 * vm.allocation.vcpus ? 'engine.contention.roomNoRatio' : 'engine.contention.roomNotBusy', { host: host.id })),
        effect: msg('engine.contention.roomEffect'),
        riskNote: msg('engine.tuning.adviceOnly'),
      }),
      predicted: [readyFigure],
      risk: 'low',
      actions: [],
    })
  }
  return out
}
