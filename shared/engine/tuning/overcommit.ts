import type { Evidence, TuningAdvice, TuningRule } from './rule'
import { gib, guestsOf, hostsOf, pct } from './rule'

/**
 * Overcommit ratios: vCPUs per host CPU and guest memory per MiB of RAM above the configured
 * limits. Advice only (no actions): balancing treats the same limits as constraints and its
 * migrations, or rightsizing's shrinks, are the changes. Priority rises with measured pressure.
 */
export const overcommitRule: TuningRule = {
  id: 'overcommit',
  evaluate({ facts, usage, options }) {
    const out: TuningAdvice[] = []
    for (const host of hostsOf(facts)) {
      const guests = guestsOf(facts, host.hostId)
      if (guests.length === 0) continue
      const vcpus = guests.reduce((a, v) => a + v.vcpus, 0)
      const memAlloc = guests.reduce((a, v) => a + v.memoryMiB, 0)
      const cpuRatio = vcpus / host.logicalCpus
      const memRatio = memAlloc / host.memoryMiB
      const u = usage.hosts[host.hostId]
      const cpuLimit = options.hostRatios?.[host.hostId]?.cpu ?? options.cpuOvercommit
      const memLimit = options.hostRatios?.[host.hostId]?.memory ?? options.memOvercommit
      const cpuOver = cpuRatio > cpuLimit
      const memOver = memRatio > memLimit
      if (!cpuOver && !memOver) continue
      const memUsedShare = u?.memUsedMiB !== undefined ? u.memUsedMiB / host.memoryMiB : undefined
      const memPressure = memOver && memUsedShare !== undefined && memUsedShare >= 0.9
      const cpuPressure = cpuOver && u?.cpuLoad !== undefined && u.cpuLoad >= options.busyHostCpuLoad
      const parts: string[] = []
      const evidence: Evidence[] = []
      if (cpuOver) {
        parts.push(`${vcpus} vCPUs on ${host.logicalCpus} CPUs is ${cpuRatio.toFixed(1)}:1, above the ${cpuLimit}:1 limit`)
        evidence.push({ fact: 'vCPUs per host CPU', value: +cpuRatio.toFixed(2) })
      }
      if (memOver) {
        parts.push(`guests are allocated ${gib(memAlloc)} of ${gib(host.memoryMiB)} RAM (${pct(memRatio)}), above the ${pct(memLimit)} limit`)
        evidence.push({ fact: 'guest memory per host RAM', value: +memRatio.toFixed(2) })
      }
      if (u?.cpuLoad !== undefined) evidence.push({ fact: 'sustained host CPU load', value: +(u.cpuLoad * 100).toFixed(1), unit: '%' })
      if (memUsedShare !== undefined) evidence.push({ fact: 'host memory in use', value: Math.round(u!.memUsedMiB!), unit: 'MiB' })
      const pressure = memPressure ? ` and ${pct(memUsedShare!)} of RAM is in use: the host may swap or kill a guest` : cpuPressure ? ` and the host CPU is ${pct(u!.cpuLoad!)} busy: vCPUs wait for CPU time` : ''
      out.push({
        rule: 'overcommit',
        target: { type: 'host', id: host.hostId },
        priority: memPressure ? 2 : cpuPressure ? 3 : 5,
        title: `${host.hostId} is overcommitted beyond its limits`,
        rationale: `On ${host.hostId}, ${parts.join('; ')}${pressure}.`,
        evidence,
        effect: 'Back within the limits, guests get the CPU and memory they were promised; see the migration and rightsizing recommendations for the moves.',
        predicted: [
          ...(cpuOver ? [{ label: 'vCPUs per host CPU', unit: 'ratio', before: +cpuRatio.toFixed(2), after: cpuLimit }] : []),
          ...(memOver ? [{ label: 'Guest memory per host RAM', unit: 'ratio', before: +memRatio.toFixed(2), after: memLimit }] : []),
        ],
        risk: memPressure ? 'high' : 'medium',
        riskNote: 'No change is applied by this advice itself; raising the limit instead is a policy choice (Settings), safe only while measured use stays low.',
        needsRestart: false,
        confidence: u ? 'normal' : 'low',
        actions: [],
      })
    }
    return out
  },
}
