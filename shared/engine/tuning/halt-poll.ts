import { msg, said, sentences } from '../../i18n'
import { coresText, fromConfiguration, measuredEvidence, summed } from './measured'
import type { Evidence, TuningAdvice, TuningRule } from './rule'
import { evidence as fact, guestsOf, hostsOf, pct } from './rule'

/** The kvm module's default (Documentation/virt/kvm/halt-polling.rst). */
const DEFAULT_HALT_POLL_NS = 200_000

/**
 * halt_poll_ns, read from the host's kvm module. 0 turns polling off: every vCPU wake-up after
 * an idle halt pays a full reschedule, which hurts latency-sensitive guests on a host with CPU
 * to spare. Far above the default on a busy host, polling burns CPU that other vCPUs wait for.
 * Where KVM's counters were measured (halt_poll_fail_ns, halt_poll_success_ns, halt_wait_ns and
 * halt exits, summed over the host's KVM guests), they size the effect; polling that measurably
 * wastes nothing gets no advice to lower it.
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
      const ids = kvmGuests.map((v) => v.vmId)
      const fail = summed(usage, ids, 'kvmHaltPollFailCores')
      const success = summed(usage, ids, 'kvmHaltPollSuccessCores')
      const wait = summed(usage, ids, 'kvmHaltWaitCores')
      const halts = summed(usage, ids, 'kvmHaltExitsPs')
      const measured = fail && success && wait && halts ? { fail, success, wait, halts, minutes: Math.max(fail.minutes, halts.minutes), count: Math.max(fail.count, halts.count) } : undefined
      const none = fromConfiguration()
      const evidence: Evidence[] = [
        { fact: '/sys/module/kvm/parameters/halt_poll_ns', value: host.haltPollNs, unit: 'ns' },
        fact(msg('tuning.fact.guestVcpusPerCpu'), +ratio.toFixed(2)),
        ...(load !== undefined ? [fact(msg('tuning.fact.hostCpuLoad'), +(load * 100).toFixed(1), '%')] : []),
        ...(measured
          ? [
              measuredEvidence(msg('tuning.fact.failedHaltPolling'), measured.fail.total, 'cores', measured.minutes),
              measuredEvidence(msg('tuning.fact.successfulHaltPolling'), measured.success.total, 'cores', measured.minutes),
              measuredEvidence(msg('tuning.fact.haltedWaiting'), measured.wait.total, 'cores', measured.minutes),
              measuredEvidence(msg('tuning.fact.haltExits'), measured.halts.total, '/s', measured.minutes),
            ]
          : [none.evidence]),
      ]
      const measuredSentence = measured
        ? msg('engine.tuning.haltPoll.measured', {
            minutes: measured.minutes,
            count: measured.count,
            fail: coresText(measured.fail.total),
            success: coresText(measured.success.total),
            wait: coresText(measured.wait.total),
            halts: Math.round(measured.halts.total),
          })
        : none.sentence
      const action = (value: number) => ({
        action: { kind: 'setHostTuning' as const, host: host.hostId, setting: 'kvm.halt_poll_ns' as const, value: String(value) },
        rollback: { kind: 'setHostTuning' as const, host: host.hostId, setting: 'kvm.halt_poll_ns' as const, value: String(host.haltPollNs) },
      })
      if (host.haltPollNs === 0 && ratio <= 1 && load !== undefined && load < 0.5) {
        // Each halt polls at most the default window: an upper bound on the polling CPU it costs.
        const costHigh = measured ? (measured.halts.total * DEFAULT_HALT_POLL_NS) / 1e9 : undefined
        out.push({
          rule: 'halt-poll',
          target: { type: 'host', id: host.hostId },
          priority: 4,
          ...said({
            title: msg('engine.tuning.haltPoll.titleOn', { ns: DEFAULT_HALT_POLL_NS, host: host.hostId }),
            rationale: sentences(msg('engine.tuning.haltPoll.rationaleOn', { host: host.hostId, vcpus, cpus: host.logicalCpus, load: pct(load) }), measuredSentence),
            effect:
              measured && costHigh !== undefined
                ? msg('engine.tuning.haltPoll.effectOnMeasured', { high: coresText(costHigh), halts: Math.round(measured.halts.total), us: DEFAULT_HALT_POLL_NS / 1000 })
                : msg('engine.tuning.haltPoll.effectOn'),
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
        // A failed poll lasts at most its window: capped at the default, it spends at most
        // default/ns of what it did at the full window. The kernel shrinks windows after failures,
        // so not every failed poll ran the full window: half to all of that share.
        const saved = measured ? measured.fail.total * (1 - DEFAULT_HALT_POLL_NS / host.haltPollNs) : undefined
        if (saved !== undefined && saved < options.minSavedCores) continue
        out.push({
          rule: 'halt-poll',
          target: { type: 'host', id: host.hostId },
          priority: 4,
          ...said({
            title: msg('engine.tuning.haltPoll.titleLower', { host: host.hostId }),
            rationale: sentences(msg('engine.tuning.haltPoll.rationaleLower', { ns: host.haltPollNs, default: DEFAULT_HALT_POLL_NS, load: pct(load), vcpus, cpus: host.logicalCpus }), measuredSentence),
            effect:
              saved !== undefined
                ? msg('engine.tuning.haltPoll.effectLowerMeasured', { defaultUs: DEFAULT_HALT_POLL_NS / 1000, us: host.haltPollNs / 1000, low: coresText(saved / 2), high: coresText(saved) })
                : msg('engine.tuning.haltPoll.effectLower', { defaultUs: DEFAULT_HALT_POLL_NS / 1000, us: host.haltPollNs / 1000 }),
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
