import { msg, said, sentences } from '../../i18n'
import { figure } from '../words'
import { coresText, fromConfiguration, measuredEvidence } from './measured'
import type { NumaNodeFacts, VmFacts } from '../../model/facts'
import type { TuningAdvice, TuningRule } from './rule'
import { evidence, gib, guestsOf, hostsOf, listOf } from './rule'

/** `0-3,8,10-11`: the libvirt cpuset syntax. */
export function cpusetOf(cpus: readonly number[]): string {
  const s = [...new Set(cpus)].sort((a, b) => a - b)
  const parts: string[] = []
  for (let i = 0; i < s.length; i++) {
    let j = i
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++
    parts.push(j > i ? `${s[i]}-${s[j]}` : String(s[i]))
    i = j
  }
  return parts.join(',')
}

/** Current pins as `vcpu:cpuset;...` (the rollback restores each vCPU's own set); `none` = unpinned. */
function pinsValue(vm: VmFacts): string {
  return vm.vcpuPins.length === 0 ? 'none' : vm.vcpuPins.map((p) => `${p.vcpu}:${cpusetOf(p.cpus)}`).join(';')
}

/**
 * vCPUs crossing NUMA nodes: on a multi-node host, a VM that fits in one node but whose vCPUs
 * float (or are pinned) across nodes reaches part of its memory over the interconnect. Pinning
 * it to one node keeps vCPUs next to their memory. VMs too big for one node are left alone.
 * Where its vCPU run delay (CPU ready) was measured, a VM that already waits for host CPUs is
 * told that fewer CPUs may make it wait more (a higher risk), one that does not is told so.
 */
export const numaPinningRule: TuningRule = {
  id: 'numa-pinning',
  evaluate({ facts, usage, options }) {
    const out: TuningAdvice[] = []
    for (const host of hostsOf(facts)) {
      const nodes = host.numaNodes.filter((n) => n.cpus.length > 0)
      if (nodes.length < 2) continue
      const nodeOf = new Map(nodes.flatMap((n) => n.cpus.map((c) => [c, n.id] as const)))
      const guests = guestsOf(facts, host.hostId)
      // vCPUs already bound to each node: new pins go where there is most room.
      const committed = new Map(nodes.map((n) => [n.id, 0]))
      const spans = (vm: VmFacts) => new Set(vm.vcpuPins.flatMap((p) => p.cpus.map((c) => nodeOf.get(c))).filter((x) => x !== undefined))
      for (const vm of guests) {
        const s = spans(vm)
        if (s.size === 1) committed.set([...s][0]!, committed.get([...s][0]!)! + vm.vcpus)
      }
      const fits = (vm: VmFacts, n: NumaNodeFacts) => vm.vcpus <= n.cpus.length && vm.memoryMiB <= n.memoryMiB * 0.9
      const candidates = guests
        .filter((vm) => vm.vcpus >= options.numaMinVcpus && !(vm.numaMemory?.nodes && vm.numaMemory.nodes.length === 1))
        .filter((vm) => (vm.vcpuPins.length === 0 ? true : spans(vm).size > 1))
        .filter((vm) => nodes.some((n) => fits(vm, n)))
        .sort((a, b) => b.vcpus - a.vcpus || a.vmId.localeCompare(b.vmId))
      for (const vm of candidates) {
        const node = nodes
          .filter((n) => fits(vm, n))
          .sort((a, b) => committed.get(a.id)! / a.cpus.length - committed.get(b.id)! / b.cpus.length || a.id - b.id)[0]!
        committed.set(node.id, committed.get(node.id)! + vm.vcpus)
        const pinned = vm.vcpuPins.length > 0
        const cpuset = cpusetOf(node.cpus)
        const sizes = listOf(nodes.map((n) => msg('engine.tuning.numa.nodeSize', { cpus: n.cpus.length, memory: gib(n.memoryMiB) })))
        const w = usage.vms[vm.vmId]?.measured
        const ready = w?.mean.cpuReadyPct
        const cores = w?.mean.qemuVcpuCores ?? w?.mean.cpuUsedCores
        const measured = w && ready !== undefined && cores !== undefined ? { minutes: w.minutes, ready, cores } : undefined
        const waiting = measured !== undefined && measured.ready >= options.waitingReadyPct
        const none = fromConfiguration()
        const readyText = measured ? `${measured.ready.toFixed(1)} %` : ''
        out.push({
          rule: 'numa-pinning',
          target: { type: 'vm', id: vm.vmId },
          priority: 4,
          ...said({
            title: msg('engine.tuning.numa.title', { vm: vm.name, node: node.id, host: host.hostId }),
            rationale: sentences(
              pinned
                ? msg('engine.tuning.numa.rationalePinned', { host: host.hostId, count: nodes.length, sizes, vm: vm.name, vcpus: vm.vcpus, memory: gib(vm.memoryMiB), spans: spans(vm).size })
                : msg('engine.tuning.numa.rationaleFree', { host: host.hostId, count: nodes.length, sizes, vm: vm.name, vcpus: vm.vcpus, memory: gib(vm.memoryMiB) }),
              measured ? msg('engine.tuning.numa.measured', { minutes: measured.minutes, cores: coresText(measured.cores), ready: readyText }) : none.sentence,
            ),
            effect: msg('engine.tuning.numa.effect', { node: node.id, cpuset }),
            riskNote: waiting ? msg('engine.tuning.numa.riskWaiting', { ready: readyText, node: node.id, cpus: node.cpus.length }) : msg('engine.tuning.numa.risk', { node: node.id }),
          }),
          evidence: [
            evidence(msg('tuning.fact.numaNodes', { host: host.hostId }), nodes.length),
            evidence(msg('tuning.fact.vcpus'), vm.vcpus),
            evidence(msg('tuning.fact.memory'), Math.round(vm.memoryMiB), 'MiB'),
            evidence(msg('tuning.fact.vcpuPinning'), pinned ? pinsValue(vm) : msg('tuning.value.none')),
            ...(measured
              ? [measuredEvidence(msg('tuning.fact.cpuReady'), measured.ready, '%', measured.minutes), measuredEvidence(msg('tuning.fact.vcpuTime'), measured.cores, 'cores', measured.minutes)]
              : [none.evidence]),
          ],
          predicted: [figure(msg('engine.tuning.numa.figure'), 'nodes', pinned ? spans(vm).size : nodes.length, 1)],
          risk: waiting ? 'high' : 'medium',
          needsRestart: false,
          confidence: 'normal',
          actions: [
            {
              action: { kind: 'setVmDevice', vm: vm.vmId, host: vm.hostId, setting: 'vcpu.pinning', value: cpuset },
              rollback: { kind: 'setVmDevice', vm: vm.vmId, host: vm.hostId, setting: 'vcpu.pinning', value: pinsValue(vm) },
            },
          ],
        })
      }
    }
    return out
  },
}
