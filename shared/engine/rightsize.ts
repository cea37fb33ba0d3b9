import type { ReversibleAction } from '../model/action'
import type { Vm } from '../model/vm'
import type { VmUsageSeries } from './history'
import type { RightsizeOptions } from './options'
import { busiestWeeklyHour, decayWeights, maxOf, weightedPercentile } from './usage-stats'

export interface RightsizeResult {
  vmId: string
  hostId: string
  /** 'low' when history is shorter than the minimum: then it only grows, never shrinks. */
  confidence: 'low' | 'normal'
  historyHours: number
  cpu: {
    currentVcpus: number
    recommendedVcpus: number
    /** Decay-weighted percentile of cores used. */
    percentileCores: number
    /** Mean cores used in the busiest hour of the week (null before a week of history). */
    busiestHourCores: number | null
    /** Use near the allocation: true demand may be higher than what was seen. */
    saturated: boolean
  }
  mem: { currentMiB: number; recommendedMiB: number; peakWorkingSetMiB: number }
  needsRestart: boolean
  actions: ReversibleAction[]
}

/** Size one VM from its history; null when there is nothing to learn from. */
export function rightsizeVm(vm: Vm, series: VmUsageSeries | undefined, now: number, opts: RightsizeOptions): RightsizeResult | null {
  if (!series) return null
  const idx: number[] = []
  for (let i = 0; i < series.t.length; i++) if (series.t[i]! <= now) idx.push(i)
  if (idx.length === 0) return null
  const t = idx.map((i) => series.t[i]!)
  const cpu = idx.map((i) => series.cpuUsedCores[i]!)
  const mem = idx.map((i) => series.memUsedMiB[i]!)
  const span = t[t.length - 1]! - t[0]!
  const confidence = span >= opts.minHistoryMs ? 'normal' : 'low'

  const weights = decayWeights(t, now, opts.halfLifeMs)
  const percentileCores = weightedPercentile(cpu, weights, opts.cpuPercentile)
  const busiestHourCores = busiestWeeklyHour(t, cpu, weights)
  const cpuNeed = Math.max(percentileCores, busiestHourCores ?? 0) * (1 + opts.cpuHeadroom)
  const current = vm.allocation
  let vcpus = Math.max(1, Math.ceil(cpuNeed - 1e-9))
  if (confidence === 'low') vcpus = Math.max(vcpus, current.vcpus)

  // Never below the peak working set seen, plus margin.
  const peakWorkingSetMiB = maxOf(mem)
  const memFloor = Math.max(peakWorkingSetMiB * (1 + opts.memHeadroom), opts.minMemoryMiB)
  let memoryMiB = Math.ceil(memFloor / opts.memStepMiB) * opts.memStepMiB
  if (confidence === 'low') memoryMiB = Math.max(memoryMiB, current.memoryMiB)
  const smallChange = Math.abs(memoryMiB - current.memoryMiB) < opts.minChangeRatio * current.memoryMiB
  if (smallChange && memoryMiB <= current.memoryMiB) memoryMiB = current.memoryMiB

  const actions: ReversibleAction[] = []
  let needsRestart = false
  const target = { vm: vm.id, host: vm.hostId }
  if (vcpus !== current.vcpus) {
    if (vcpus > current.maxVcpus) {
      needsRestart = true
      actions.push({ action: { kind: 'setMaxVcpus', ...target, count: vcpus }, rollback: { kind: 'setMaxVcpus', ...target, count: current.maxVcpus } })
    }
    const live = vcpus <= current.maxVcpus
    actions.push({ action: { kind: 'setVcpus', ...target, count: vcpus, live }, rollback: { kind: 'setVcpus', ...target, count: current.vcpus, live } })
  }
  if (memoryMiB !== current.memoryMiB) {
    if (memoryMiB > current.maxMemoryMiB) {
      needsRestart = true
      actions.push({ action: { kind: 'setMaxMemory', ...target, memoryMiB }, rollback: { kind: 'setMaxMemory', ...target, memoryMiB: current.maxMemoryMiB } })
    }
    // Within max memory the balloon applies it live.
    const live = memoryMiB <= current.maxMemoryMiB
    actions.push({ action: { kind: 'setMemory', ...target, memoryMiB, live }, rollback: { kind: 'setMemory', ...target, memoryMiB: current.memoryMiB, live } })
  }
  return {
    vmId: vm.id,
    hostId: vm.hostId,
    confidence,
    historyHours: span / 3_600_000,
    cpu: {
      currentVcpus: current.vcpus,
      recommendedVcpus: vcpus,
      percentileCores,
      busiestHourCores,
      saturated: percentileCores >= 0.9 * current.vcpus,
    },
    mem: { currentMiB: current.memoryMiB, recommendedMiB: memoryMiB, peakWorkingSetMiB },
    needsRestart,
    actions,
  }
}
