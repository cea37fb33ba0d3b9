import type { TuningAdvice, TuningRule } from './rule'
import { guestsOf, hostsOf } from './rule'

/** Governors that hold CPUs at low clocks or ramp up slowly for bursty vCPU work. */
const SLOW_GOVERNORS = new Set(['powersave', 'conservative', 'userspace'])

/**
 * CPU frequency governor / tuned profile on a host that runs guests: `powersave` (with
 * acpi-cpufreq it pins the lowest clock), `conservative` and `userspace` slow vCPUs down.
 * tuned's `virtual-host` profile (or the `performance` governor) is the usual KVM host setting.
 * Quiet without cpufreq facts (no governors read) or without running guests.
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
      const summary = slow.map(([g, n]) => `${n} CPU(s) on ${g}`).join(', ')
      out.push({
        rule: 'governor',
        target: { type: 'host', id: host.hostId },
        priority: 4,
        title: useTuned ? `Use the tuned profile virtual-host on ${host.hostId}` : `Set the CPU governor to performance on ${host.hostId}`,
        rationale:
          `${summary} of ${total} on ${host.hostId}, which runs ${guests.length} guest(s)` +
          (useTuned ? `; the active tuned profile is ${host.tunedProfile}.` : '.') +
          ' vCPU work is bursty: slow governors keep clocks low when guests need them.',
        evidence: [
          ...slow.map(([g, n]) => ({ fact: `scaling_governor = ${g}`, value: n, unit: 'CPUs' })),
          ...(useTuned ? [{ fact: 'tuned profile', value: host.tunedProfile! }] : []),
        ],
        effect: 'CPUs run at full clock when vCPUs wake: lower latency and shorter CPU-bound runs.',
        predicted: [{ label: 'CPUs on a slow governor', unit: 'CPUs', before: slowCpus, after: 0 }],
        risk: 'low',
        riskNote: 'Higher power draw and heat while idle; with intel_pstate, powersave is dynamic and the gain is smaller.',
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
