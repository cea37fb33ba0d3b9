import type { HostHistory, SeriesQuery, SeriesResult } from '../../shared/api'
import { ApiFailure } from '../../shared/api'
import { hostMetrics, type ClusterSeries, type HistoryFile, type Snapshot } from '../../shared/model'
import { ROLLUP_MS } from '../store/rollup'
import type { SamplesRepo } from '../store/samples'
import type { InventoryRepo } from '../store/inventory'
import { HISTORY_WINDOW_MS, usageWindow } from './engine'

/** How many VMs a host's stacked chart names; the rest are summed as one. */
const STACK_TOP_VMS = 12

export interface HistoryOptions {
  samples: SamplesRepo
  inventory: InventoryRepo
  snapshot: () => Snapshot
  clock: () => number
}

/** Stored history as the dashboards, the evidence of a recommendation and `export-history` read it. */
export function createHistory(options: HistoryOptions) {
  const { samples, clock } = options

  /** The one series path: one host's or one VM's metrics over a range, by metric name. */
  function series(q: SeriesQuery): SeriesResult {
    const range = { from: q.from, to: q.to, maxPoints: q.maxPoints, now: clock() }
    const head = { id: q.id, from: q.from, to: q.to }
    return q.kind === 'host' ? { kind: 'host', ...head, ...samples.hostSeries(q.id, q.metrics, range) } : { kind: 'vm', ...head, ...samples.vmSeries(q.id, q.metrics, range) }
  }

  function hostHistory(q: { hostId: string; from: number; to: number; maxPoints: number; vmBuckets: number }): HostHistory {
    const snap = options.snapshot()
    if (!snap.hosts.some((h) => h.id === q.hostId)) throw new ApiFailure('not-found', `No host ${q.hostId} in the current inventory; open Overview and pick a host from the list.`)
    const now = clock()
    const host = { kind: 'host' as const, id: q.hostId, from: q.from, to: q.to, ...samples.hostSeries(q.hostId, hostMetrics, { from: q.from, to: q.to, maxPoints: q.maxPoints, now }) }
    const vms = snap.vms.filter((v) => v.hostId === q.hostId).map((v) => ({ id: v.id, name: v.name }))
    const disks = samples.diskSeries(q.hostId, { from: q.from, to: q.to, maxPoints: q.maxPoints, now })
    return {
      host,
      vms: samples.vmStack(vms, { from: q.from, to: q.to, buckets: q.vmBuckets, now, top: STACK_TOP_VMS }),
      disks: { source: disks.source, devices: disks.devices.map((d) => ({ device: d.device, series: d.series })) },
    }
  }

  function cluster(q: { from: number; to: number; maxPoints: number }): ClusterSeries {
    const current = options.snapshot().hosts
    return samples.clusterHistory({
      ...q,
      hostIds: current.map((h) => h.id),
      cpuCapacityCores: current.reduce((sum, h) => sum + h.cpu.threads, 0),
      memCapacityMiB: current.reduce((sum, h) => sum + h.memoryMiB, 0),
    })
  }

  /** The usage history of every VM the data file knows, as `recommend --history` reads it back. */
  function exportFile(windowMs = HISTORY_WINDOW_MS): HistoryFile {
    const now = clock()
    const history = usageWindow(samples, options.inventory.current().vms.map((v) => v.id), now, windowMs)
    return { version: 1, from: now - windowMs, to: now, stepMs: ROLLUP_MS, vms: history.vms }
  }

  /** What the engine reads about these VMs: the history window up to now. */
  const usage = (vmIds: readonly string[], now: number) => usageWindow(samples, vmIds, now)

  return { series, hostHistory, cluster, usage, exportFile }
}

export type HistoryService = ReturnType<typeof createHistory>
