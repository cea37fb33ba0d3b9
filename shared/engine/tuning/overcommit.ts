import { msg, said } from '../../i18n'
import { figure } from '../words'
import type { MessageRef } from '../../model/recommendation'
import type { Evidence, TuningAdvice, TuningRule } from './rule'
import { evidence as fact, gib, guestsOf, hostsOf, pct } from './rule'

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
      const parts: MessageRef[] = []
      const evidence: Evidence[] = []
      if (cpuOver) {
        parts.push(msg('engine.tuning.overcommit.cpu', { vcpus, cpus: host.logicalCpus, ratio: cpuRatio.toFixed(1), limit: cpuLimit }))
        evidence.push(fact(msg('tuning.fact.vcpusPerCpu'), +cpuRatio.toFixed(2)))
      }
      if (memOver) {
        parts.push(msg('engine.tuning.overcommit.memory', { allocated: gib(memAlloc), ram: gib(host.memoryMiB), share: pct(memRatio), limit: pct(memLimit) }))
        evidence.push(fact(msg('tuning.fact.memoryPerRam'), +memRatio.toFixed(2)))
      }
      if (u?.cpuLoad !== undefined) evidence.push(fact(msg('tuning.fact.hostCpuLoad'), +(u.cpuLoad * 100).toFixed(1), '%'))
      if (memUsedShare !== undefined) evidence.push(fact(msg('tuning.fact.hostMemoryUsed'), Math.round(u!.memUsedMiB!), 'MiB'))
      const pressure = memPressure ? msg('engine.tuning.overcommit.memPressure', { share: pct(memUsedShare!) }) : cpuPressure ? msg('engine.tuning.overcommit.cpuPressure', { load: pct(u!.cpuLoad!) }) : ''
      out.push({
        rule: 'overcommit',
        target: { type: 'host', id: host.hostId },
        priority: memPressure ? 2 : cpuPressure ? 3 : 5,
        ...said({
          title: msg('engine.tuning.overcommit.title', { host: host.hostId }),
          rationale: msg('engine.tuning.overcommit.rationale', { host: host.hostId, parts: parts.length === 2 ? msg('engine.tuning.overcommit.partsBoth', { cpu: parts[0]!, memory: parts[1]! }) : parts[0]!, pressure }),
          effect: msg('engine.tuning.overcommit.effect'),
          riskNote: msg('engine.tuning.overcommit.risk'),
        }),
        evidence,
        predicted: [
          ...(cpuOver ? [figure(msg('engine.tuning.overcommit.cpuFigure'), 'ratio', +cpuRatio.toFixed(2), cpuLimit)] : []),
          ...(memOver ? [figure(msg('engine.tuning.overcommit.memFigure'), 'ratio', +memRatio.toFixed(2), memLimit)] : []),
        ],
        risk: memPressure ? 'high' : 'medium',
        needsRestart: false,
        confidence: u ? 'normal' : 'low',
        actions: [],
      })
    }
    return out
  },
}
