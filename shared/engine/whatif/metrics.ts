import type { ReplayState } from './state'
import { distribution, downsample, mean, sortedPercentile, thinSorted } from './stats'
import type { ReplayOptions, WhatifRun } from './types'

/** The run as the admin compares it: metrics (VM-steps turned into minutes and hours), chart series, waits, events, where everything ended. */
export function runResult(st: ReplayState, options: ReplayOptions): WhatifRun {
  const { stepMinutes, scenario, queue, vms } = st
  const finalPlacement: Record<string, string | null> = {}
  for (let a = 0; a < vms.nAlive; a++) {
    const i = vms.alive[a]!
    finalPlacement[vms.rt[i]!.id] = vms.hostOf[i]! >= 0 ? st.hosts[vms.hostOf[i]!]!.id : null
  }

  const { vmSteps, downSteps, unmetAnySteps, unmetCpuSteps, unmetMemSteps, aboveAllocSteps, cpuDemandSum, cpuUnmetSum, activeHostSteps, peakMemOvercommit } = st.ledger
  const { cpuUtil, memUtil, utilN, clusterCpu, clusterMem, clusterCpuDemand, activeHostsAt, unmetVmsAt } = st.ledger
  const sortedWaits = [...queue.waits].sort((a, b) => a - b)
  const vmMinutes = vmSteps * stepMinutes
  const maxPoints = options.maxPoints ?? 300
  const ds = (values: Float64Array) => downsample(values, maxPoints)
  const cpuSeries = ds(clusterCpu)
  return {
    policy: st.policy,
    metrics: {
      unmetVmMinutes: unmetAnySteps * stepMinutes,
      unmetShare: vmMinutes > 0 ? (unmetAnySteps * stepMinutes) / vmMinutes : 0,
      cpuUnmetVmMinutes: unmetCpuSteps * stepMinutes,
      memUnmetVmMinutes: unmetMemSteps * stepMinutes,
      aboveAllocationVmMinutes: aboveAllocSteps * stepMinutes,
      unmetCpuCoreHours: (cpuUnmetSum * stepMinutes) / 60,
      unmetCpuShare: cpuDemandSum > 0 ? cpuUnmetSum / cpuDemandSum : 0,
      downVmMinutes: downSteps * stepMinutes,
      hostCpuUtil: distribution(cpuUtil.subarray(0, utilN)),
      hostMemUtil: distribution(memUtil.subarray(0, utilN)),
      migrations: st.migrations,
      restarts: st.restarts,
      activeHostHours: (activeHostSteps * stepMinutes) / 60,
      queue: {
        requests: st.prep.arrivals.length,
        started: queue.waits.length,
        rejected: queue.rejected,
        waitingAtEnd: queue.waiting.length,
        waitMinutes: { mean: mean(sortedWaits), p95: sortedPercentile(sortedWaits, 0.95), max: sortedWaits.at(-1) ?? 0 },
      },
      peakMemOvercommit,
    },
    series: {
      t: cpuSeries.index.map((i) => scenario.start + i * scenario.stepSeconds * 1000),
      cpuPct: cpuSeries.values,
      memPct: ds(clusterMem).values,
      cpuDemandPct: ds(clusterCpuDemand).values,
      activeHosts: ds(activeHostsAt).values,
      unmetVms: ds(unmetVmsAt).values,
    },
    waitMinutes: thinSorted(sortedWaits, 200),
    events: st.events,
    eventsDropped: st.eventsDropped,
    requests: [...queue.outcomes.values()],
    finalPlacement,
    accounting: { vmSteps, placedVmSteps: vmSteps - downSteps, downVmSteps: downSteps, completedJobs: queue.completedJobs },
  }
}
