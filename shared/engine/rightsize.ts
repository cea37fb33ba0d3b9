import type { ReversibleAction } from '../model/action'
import type { Vm } from '../model/vm'
import { LAYER_WINDOW_MS } from '../model/history'
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
  /** Growth the host's allocation ratio held back (what it would have grown to), when it did. */
  heldByHost?: { vcpus?: number; memoryMiB?: number }
  needsRestart: boolean
  actions: ReversibleAction[]
}

/** Swap read back by the guest (bytes/s, a 5-minute mean) from which it counts as short of memory. */
export const PAGING_BPS = 64 * 1024

/** The most swap the guest read back in a 5-minute bucket of the last hour (its balloon statistics); 0 when unreported. */
function guestPagingBps(series: VmUsageSeries, now: number): number {
  const layer = series.layer
  if (!layer?.guestSwapInBps) return 0
  let most = 0
  layer.t.forEach((t, i) => {
    const v = layer.guestSwapInBps![i]
    if (t >= now - LAYER_WINDOW_MS && t < now && typeof v === 'number') most = Math.max(most, v)
  })
  return most
}

/**
 * Size one VM from its history; null when there is nothing to learn from. `ceiling`: the most its
 * host's allocation ratio lets it grow to (vCPUs, MiB); growth beyond it is held back and said so.
 */
export function rightsizeVm(vm: Vm, series: VmUsageSeries | undefined, now: number, opts: RightsizeOptions, ceiling?: { vcpus: number; memoryMiB: number }): RightsizeResult | null {
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

  // Never below the peak working set seen, plus margin. The minimum size and the step bound a
  // shrink; they never grow a VM whose peak fits what it has (a 128 MiB guest stays 128 MiB).
  const peakWorkingSetMiB = maxOf(mem)
  const memNeed = peakWorkingSetMiB * (1 + opts.memHeadroom)
  let memoryMiB: number
  const paging = guestPagingBps(series, now)
  if (memNeed > current.memoryMiB) memoryMiB = Math.ceil(memNeed / opts.memStepMiB) * opts.memStepMiB
  else {
    memoryMiB = Math.max(Math.ceil(memNeed / opts.memStepMiB) * opts.memStepMiB, opts.minMemoryMiB)
    // A guest reading swap back is short of memory whatever its working set says: never shrink it.
    if (memoryMiB >= current.memoryMiB || confidence === 'low' || paging >= PAGING_BPS) memoryMiB = current.memoryMiB
  }
  const smallChange = Math.abs(memoryMiB - current.memoryMiB) < opts.minChangeRatio * current.memoryMiB
  if (smallChange && memoryMiB <= current.memoryMiB) memoryMiB = current.memoryMiB
  const held: NonNullable<RightsizeResult['heldByHost']> = {}
  if (ceiling && vcpus > Math.max(current.vcpus, ceiling.vcpus)) {
    held.vcpus = vcpus
    vcpus = Math.max(current.vcpus, ceiling.vcpus)
  }
  if (ceiling && memoryMiB > Math.max(current.memoryMiB, ceiling.memoryMiB)) {
    held.memoryMiB = memoryMiB
    memoryMiB = Math.max(current.memoryMiB, Math.floor(ceiling.memoryMiB / opts.memStepMiB) * opts.memStepMiB)
  }

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
    ...(held.vcpus !== undefined || held.memoryMiB !== undefined ? { heldByHost: held } : {}),
    needsRestart,
    actions,
  }
}
