import type { VmUsageSeries } from '../../../../shared/engine/history'
import { percentile } from '../../../../shared/engine/usage-stats'

/** A sizing policy: from training history to (vCPUs, memory MiB). */
export type SizingPolicy = (train: VmUsageSeries) => { vcpus: number; memoryMiB: number }

/** Kubernetes VPA recommender default: 90th percentile + 15 % margin. */
export const vpaDefault: SizingPolicy = (s) => ({
  vcpus: Math.max(1, Math.ceil(percentile(s.cpuUsedCores, 0.9) * 1.15 - 1e-9)),
  memoryMiB: percentile(s.memUsedMiB, 0.9) * 1.15,
})

/** Plain 95th percentile, no headroom. */
export const p95Baseline: SizingPolicy = (s) => ({
  vcpus: Math.max(1, Math.ceil(percentile(s.cpuUsedCores, 0.95) - 1e-9)),
  memoryMiB: percentile(s.memUsedMiB, 0.95),
})

export interface ReplayScore {
  /** Core-hours no longer allocated over the judged period (negative = added). */
  reclaimedCoreHours: number
  /** GiB-hours no longer allocated. */
  reclaimedGiBHours: number
  /** Minutes the VM used at least 95 % of the new vCPUs (throttled) where it did not before. */
  cpuUnmetMinutes: number
  /** Minutes its working set exceeded the new memory. */
  memUnmetMinutes: number
}

/** Judge a sizing on the part of the trace it did not see; each sample stands for `stepMin`. */
export function scoreSizing(
  test: VmUsageSeries,
  current: { vcpus: number; memoryMiB: number },
  sized: { vcpus: number; memoryMiB: number },
  stepMin = 5,
): ReplayScore {
  let cpuUnmet = 0
  let memUnmet = 0
  for (let i = 0; i < test.t.length; i++) {
    const used = test.cpuUsedCores[i]!
    if (used >= 0.95 * sized.vcpus && used < 0.95 * current.vcpus) cpuUnmet += stepMin
    if (test.memUsedMiB[i]! > sized.memoryMiB) memUnmet += stepMin
  }
  const hours = (test.t.length * stepMin) / 60
  return {
    reclaimedCoreHours: (current.vcpus - sized.vcpus) * hours,
    reclaimedGiBHours: ((current.memoryMiB - sized.memoryMiB) / 1024) * hours,
    cpuUnmetMinutes: cpuUnmet,
    memUnmetMinutes: memUnmet,
  }
}
