import type { TuningAdvice, TuningRule } from './rule'
import { guestsOf, hostsOf, pct } from './rule'

/** The kvm module's default (Documentation/virt/kvm/halt-polling.rst). */
const DEFAULT_HALT_POLL_NS = 200_000

/**
 * halt_poll_ns, read from the host's kvm module. 0 turns polling off: every vCPU wake-up after
 * an idle halt pays a full reschedule, which hurts latency-sensitive guests on a host with CPU
 * to spare. Far above the default on a busy host, polling burns CPU that other vCPUs wait for.
 */
export const haltPollRule: TuningRule = {
  id: 'halt-poll',
  evaluate({ facts, usage, options }) {
    const out: TuningAdvice[] = []
    for (const host of hostsOf(facts)) {
      if (host.haltPollNs === undefined) continue
      const kvmGuests = guestsOf(facts, host.hostId).filter((v) => v.accelerator === 'kvm')
      if (kvmGuests.length === 0) continue
      const vcpus = kvmGuests.reduce((a, v) => a + v.vcpus, 0)
      const ratio = vcpus / host.logicalCpus
      const load = usage.hosts[host.hostId]?.cpuLoad
      const evidence = [
        { fact: '/sys/module/kvm/parameters/halt_poll_ns', value: host.haltPollNs, unit: 'ns' },
        { fact: 'vCPUs of KVM guests per host CPU', value: +ratio.toFixed(2) },
        ...(load !== undefined ? [{ fact: 'sustained host CPU load', value: +(load * 100).toFixed(1), unit: '%' }] : []),
      ]
      const action = (value: number) => ({
        action: { kind: 'setHostTuning' as const, host: host.hostId, setting: 'kvm.halt_poll_ns' as const, value: String(value) },
        rollback: { kind: 'setHostTuning' as const, host: host.hostId, setting: 'kvm.halt_poll_ns' as const, value: String(host.haltPollNs) },
      })
      if (host.haltPollNs === 0 && ratio <= 1 && load !== undefined && load < 0.5) {
        out.push({
          rule: 'halt-poll',
          target: { type: 'host', id: host.hostId },
          priority: 4,
          title: `Turn halt polling back on (${DEFAULT_HALT_POLL_NS} ns) on ${host.hostId}`,
          rationale: `halt_poll_ns is 0 on ${host.hostId}, so every idle vCPU that wakes pays a full reschedule; the host has CPU to spare (${vcpus} vCPUs on ${host.logicalCpus} CPUs, load ${pct(load)}).`,
          evidence,
          effect: 'Wake-ups after short idle periods skip the reschedule: lower I/O and IPI latency in guests, at the cost of some polling CPU.',
          predicted: [{ label: 'halt_poll_ns', unit: 'ns', before: 0, after: DEFAULT_HALT_POLL_NS }],
          risk: 'low',
          riskNote: 'Host CPU accounting shows more busy time while vCPUs poll; polling stops as soon as another task wants the CPU.',
          needsRestart: false,
          confidence: 'normal',
          actions: [action(DEFAULT_HALT_POLL_NS)],
        })
      } else if (host.haltPollNs > DEFAULT_HALT_POLL_NS && load !== undefined && load >= options.busyHostCpuLoad) {
        out.push({
          rule: 'halt-poll',
          target: { type: 'host', id: host.hostId },
          priority: 4,
          title: `Lower halt_poll_ns to the default on ${host.hostId}`,
          rationale: `halt_poll_ns is ${host.haltPollNs} ns (default ${DEFAULT_HALT_POLL_NS}) on a busy host: sustained CPU load ${pct(load)} with ${vcpus} vCPUs on ${host.logicalCpus} CPUs.`,
          evidence,
          effect: `Halted vCPUs poll at most ${DEFAULT_HALT_POLL_NS / 1000} µs instead of ${host.haltPollNs / 1000} µs before yielding: less CPU spent spinning on a busy host.`,
          predicted: [{ label: 'halt_poll_ns', unit: 'ns', before: host.haltPollNs, after: DEFAULT_HALT_POLL_NS }],
          risk: 'low',
          riskNote: 'Guests that wake often after very short idle periods may see slightly higher latency.',
          needsRestart: false,
          confidence: 'normal',
          actions: [action(DEFAULT_HALT_POLL_NS)],
        })
      }
    }
    return out
  },
}
