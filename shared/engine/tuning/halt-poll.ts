import { msg, said } from '../../i18n'
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
          ...said({
            title: msg('engine.tuning.haltPoll.titleOn', { ns: DEFAULT_HALT_POLL_NS, host: host.hostId }),
            rationale: msg('engine.tuning.haltPoll.rationaleOn', { host: host.hostId, vcpus, cpus: host.logicalCpus, load: pct(load) }),
            effect: msg('engine.tuning.haltPoll.effectOn'),
            riskNote: msg('engine.tuning.haltPoll.riskOn'),
          }),
          evidence,
          predicted: [{ label: 'halt_poll_ns', unit: 'ns', before: 0, after: DEFAULT_HALT_POLL_NS }],
          risk: 'low',
          needsRestart: false,
          confidence: 'normal',
          actions: [action(DEFAULT_HALT_POLL_NS)],
        })
      } else if (host.haltPollNs > DEFAULT_HALT_POLL_NS && load !== undefined && load >= options.busyHostCpuLoad) {
        out.push({
          rule: 'halt-poll',
          target: { type: 'host', id: host.hostId },
          priority: 4,
          ...said({
            title: msg('engine.tuning.haltPoll.titleLower', { host: host.hostId }),
            rationale: msg('engine.tuning.haltPoll.rationaleLower', { ns: host.haltPollNs, default: DEFAULT_HALT_POLL_NS, load: pct(load), vcpus, cpus: host.logicalCpus }),
            effect: msg('engine.tuning.haltPoll.effectLower', { defaultUs: DEFAULT_HALT_POLL_NS / 1000, us: host.haltPollNs / 1000 }),
            riskNote: msg('engine.tuning.haltPoll.riskLower'),
          }),
          evidence,
          predicted: [{ label: 'halt_poll_ns', unit: 'ns', before: host.haltPollNs, after: DEFAULT_HALT_POLL_NS }],
          risk: 'low',
          needsRestart: false,
          confidence: 'normal',
          actions: [action(DEFAULT_HALT_POLL_NS)],
        })
      }
    }
    return out
  },
}
