import { msg, said, sentences } from '../../i18n'
import { figure } from '../words'
import { fromConfiguration } from './measured'
import type { TuningAdvice, TuningRule } from './rule'
import { evidence, guestsOf, hostsOf, listOf, pct } from './rule'

/** Governors that hold CPUs at low clocks or ramp up slowly for bursty vCPU work. */
const SLOW_GOVERNORS = new Set(['powersave', 'conservative', 'userspace'])

/**
 * CPU frequency governor / tuned profile on a host that runs guests: `powersave` (with
 * acpi-cpufreq it pins the lowest clock), `conservative` and `userspace` slow vCPUs down.
 * tuned's `virtual-host` profile (or the `performance` governor) is the usual KVM host setting.
 * Quiet without cpufreq facts (no governors read) or without running guests. Where discovery read
 * the CPUs' clocks, the gap between their clock then and the maximum bounds the gain.
 */
export const governorRule: TuningRule = {
  id: 'governor',
  evaluate({ facts }) {
    const out: TuningAdvice[] = []
    for (const host of hostsOf(facts)) {
      const total = Object.values(host.cpuGovernors).reduce((a, b) => a + b, 0)
      const slow = Object.entries(host.cpuGovernors).filter(([g]) => SLOW_GOVERNORS.has(g))
      const slowCpus = slow.reduce((a, [, n]) => a + n, 0)
      const guests = guestsOf(facts, host.hostId)
      if (total === 0 || slowCpus === 0 || guests.length === 0) continue
      const dominant = Object.entries(host.cpuGovernors).sort((a, b) => b[1] - a[1])[0]![0]
      const useTuned = host.tunedProfile !== undefined && host.tunedProfile !== 'virtual-host'
      const summary = slow.map(([g, n]) => msg('engine.tuning.governor.slow', { count: n, governor: g }))
      const clock = host.cpuClock
      // CPU-bound work scales with the clock at best: the gap to the maximum is the most it gains.
      // Clocks near the maximum when read leave only the ramp-up latency to gain (a low priority).
      const gain = clock && clock.currentMHz < 0.98 * clock.maxMHz ? clock.maxMHz / clock.currentMHz - 1 : undefined
      const none = fromConfiguration()
      out.push({
        rule: 'governor',
        target: { type: 'host', id: host.hostId },
        priority: clock && gain === undefined ? 5 : 4,
        ...said({
          title: msg(useTuned ? 'engine.tuning.governor.titleTuned' : 'engine.tuning.governor.titleGovernor', { host: host.hostId }),
          rationale: sentences(
            useTuned
              ? msg('engine.tuning.governor.rationaleTuned', { summary: listOf(summary), total, host: host.hostId, count: guests.length, profile: host.tunedProfile! })
              : msg('engine.tuning.governor.rationale', { summary: listOf(summary), total, host: host.hostId, count: guests.length }),
            clock ? msg('engine.tuning.governor.measured', { current: clock.currentMHz, max: clock.maxMHz }) : none.sentence,
          ),
          effect: gain !== undefined ? msg('engine.tuning.governor.effectMeasured', { gain: pct(gain) }) : msg('engine.tuning.governor.effect'),
          riskNote: msg('engine.tuning.governor.risk'),
        }),
        evidence: [
          ...slow.map(([g, n]) => ({ fact: `scaling_governor = ${g}`, value: n, unit: 'CPUs' })),
          ...(useTuned ? [evidence(msg('tuning.fact.tunedProfile'), host.tunedProfile!)] : []),
          ...(clock
            ? [
                evidence(msg('tuning.fact.meanFrequency'), clock.currentMHz, 'MHz'),
                { fact: 'cpuinfo_max_freq', value: clock.maxMHz, unit: 'MHz' },
              ]
            : [none.evidence]),
        ],
        predicted: [figure(msg('engine.tuning.governor.figure'), 'CPUs', slowCpus, 0)],
        risk: 'low',
        needsRestart: false,
        confidence: 'normal',
        actions: [
          useTuned
            ? {
                action: { kind: 'setHostTuning', host: host.hostId, setting: 'tuned.profile', value: 'virtual-host' },
                rollback: { kind: 'setHostTuning', host: host.hostId, setting: 'tuned.profile', value: host.tunedProfile! },
              }
            : {
                action: { kind: 'setHostTuning', host: host.hostId, setting: 'cpu.governor', value: 'performance' },
                rollback: { kind: 'setHostTuning', host: host.hostId, setting: 'cpu.governor', value: dominant },
              },
        ],
      })
    }
    return out
  },
}
