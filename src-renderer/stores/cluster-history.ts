import type { ClusterSeries, Snapshot } from '../../shared/model'

/** How far back the Overview charts look. */
export const HISTORY_WINDOW_MS = 15 * 60 * 1000

/** Chart points per series: enough for one every 2 s over the window. */
const HISTORY_MAX_POINTS = 450

/** The store's request for the cluster's last HISTORY_WINDOW_MS up to `to`. */
export function historyRequest(to: number): { from: number; to: number; maxPoints: number } {
  return { from: Math.max(0, to - HISTORY_WINDOW_MS), to, maxPoints: HISTORY_MAX_POINTS }
}

/** Cluster-wide usage over time, kept in parallel arrays sorted by time. */
export interface ClusterHistory {
  t: number[]
  cpuUsedCores: number[]
  memUsedMiB: number[]
  cpuCapacityCores: number
  memCapacityMiB: number
}

export const emptyHistory: ClusterHistory = { t: [], cpuUsedCores: [], memUsedMiB: [], cpuCapacityCores: 0, memCapacityMiB: 0 }

/** Capacity and usage summed over the hosts of one snapshot. */
export function snapshotTotals(snapshot: Snapshot) {
  let cpuUsedCores = 0
  let memUsedMiB = 0
  let cpuCapacityCores = 0
  let memCapacityMiB = 0
  const samples = new Map(snapshot.hostSamples.map((s) => [s.hostId, s]))
  for (const host of snapshot.hosts) {
    const sample = samples.get(host.id)
    cpuCapacityCores += host.cpu.threads
    memCapacityMiB += sample?.memTotalMiB ?? host.memoryMiB
    cpuUsedCores += sample?.cpuUsedCores ?? 0
    memUsedMiB += sample?.memUsedMiB ?? 0
  }
  return { cpuUsedCores, memUsedMiB, cpuCapacityCores, memCapacityMiB, sampled: samples.size > 0 }
}

/** The stored history as the renderer keeps it (the two series share the store's buckets). */
export function historyFromSeries(series: ClusterSeries): ClusterHistory {
  const memByTime = new Map(series.memUsedMiB.t.map((t, i) => [t, series.memUsedMiB.values[i] ?? 0]))
  const t: number[] = []
  const cpu: number[] = []
  const mem: number[] = []
  series.cpuUsedCores.t.forEach((time, i) => {
    const memValue = memByTime.get(time)
    if (memValue === undefined) return
    t.push(time)
    cpu.push(series.cpuUsedCores.values[i] ?? 0)
    mem.push(memValue)
  })
  return { t, cpuUsedCores: cpu, memUsedMiB: mem, cpuCapacityCores: series.cpuCapacityCores, memCapacityMiB: series.memCapacityMiB }
}

/** Adds one live snapshot's totals, ignoring stale or repeated times, and drops points older than the window. */
export function appendSnapshot(history: ClusterHistory, snapshot: Snapshot, windowMs = HISTORY_WINDOW_MS): ClusterHistory {
  const totals = snapshotTotals(snapshot)
  const last = history.t.at(-1)
  const withPoint =
    totals.sampled && (last === undefined || snapshot.t > last)
      ? {
          t: [...history.t, snapshot.t],
          cpuUsedCores: [...history.cpuUsedCores, totals.cpuUsedCores],
          memUsedMiB: [...history.memUsedMiB, totals.memUsedMiB],
        }
      : history
  const cutoff = snapshot.t - windowMs
  const first = withPoint.t.findIndex((t) => t >= cutoff)
  const start = first === -1 ? withPoint.t.length : first
  return {
    t: withPoint.t.slice(start),
    cpuUsedCores: withPoint.cpuUsedCores.slice(start),
    memUsedMiB: withPoint.memUsedMiB.slice(start),
    cpuCapacityCores: totals.cpuCapacityCores,
    memCapacityMiB: totals.memCapacityMiB,
  }
}
