import type { HostHistory, SeriesQuery, SeriesResult } from '../../shared/api'
import { failure } from '../../shared/api/result'
import { msg } from '../../shared/i18n'
import { hostMetrics, type ClusterSeries, type History, type HistoryFile, type Snapshot } from '../../shared/model'
import { ROLLUP_MS } from '../store/rollup'
import type { SamplesRepo } from '../store/samples'
import type { InventoryRepo } from '../store/inventory'
import type { StoreVm } from '../hosts/prometheus/ranges'
import { HISTORY_WINDOW_MS, usageWindow } from './engine'
import type { StoreHistoryRoute } from './metrics-source'

/** How many VMs a host's stacked chart names; the rest are summed as one. */
const STACK_TOP_VMS = 12
/** Steps a store's window is read in for a measured effect: each a mean, so their mean is the window's. */
const MEANS_POINTS = 240

export interface VmWindowMeans {
  /** Samples the means come from (a store's: steps of its answer). */
  n: number
  cpuUsedCores: number | null
  cpuReadyPct: number | null
  memUsedMiB: number | null
}
export interface HostWindowMeans {
  n: number
  cpuPct: number | null
  memUsedMiB: number | null
}

const mean = (values: readonly number[]) => (values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length)

export interface HistoryOptions {
  samples: SamplesRepo
  inventory: InventoryRepo
  snapshot: () => Snapshot
  clock: () => number
  /** The metrics store's side, for the hosts and VMs it serves (their samples are not copied into SQLite). */
  store?: () => StoreHistoryRoute | undefined
}

/**
 * History as the dashboards, the engine, the evidence of a recommendation and `export-history`
 * read it: from SQLite for hosts read over SSH, from the metrics store's ranges for those it serves.
 */
export function createHistory(options: HistoryOptions) {
  const { samples, clock } = options

  function vmOf(route: StoreHistoryRoute | undefined, vmId: string, onHost?: string): StoreVm | undefined {
    const vm = route && options.snapshot().vms.find((v) => v.id === vmId)
    return vm ? route.vm(onHost !== undefined ? { ...vm, hostId: onHost } : vm) : undefined
  }

  /**
   * A VM's means over [from, to), for the measured effect of a change: SQLite's samples, or the
   * store's range for a VM it serves. `onHost`: the host it ran on then (before a migration).
   */
  async function vmMeans(vmId: string, from: number, to: number, onHost?: string): Promise<VmWindowMeans> {
    const route = options.store?.()
    const vm = vmOf(route, vmId, onHost)
    if (!route || !vm) return samples.vmWindowMeans(vmId, from, to)
    const r = await route.ranges.vmSeries(vm, ['cpuUsedCores', 'cpuReadyPct', 'memUsedMiB'], from, to, MEANS_POINTS)
    return { n: r.series.cpuUsedCores.values.length, cpuUsedCores: mean(r.series.cpuUsedCores.values), cpuReadyPct: mean(r.series.cpuReadyPct.values), memUsedMiB: mean(r.series.memUsedMiB.values) }
  }

  /** A host's means over [from, to): SQLite's samples, or the store's range for a host it serves. */
  async function hostMeans(hostId: string, from: number, to: number): Promise<HostWindowMeans> {
    const route = options.store?.()
    const key = route?.hostKey(hostId)
    if (!route || key === undefined) return samples.hostWindowMeans(hostId, from, to)
    const r = await route.ranges.hostSeries(key, ['cpuPct', 'memUsedMiB'], from, to, MEANS_POINTS)
    return { n: r.series.cpuPct.values.length, cpuPct: mean(r.series.cpuPct.values), memUsedMiB: mean(r.series.memUsedMiB.values) }
  }

  /** The one series path: one host's or one VM's metrics over a range, by metric name. */
  async function series(q: SeriesQuery): Promise<SeriesResult> {
    const range = { from: q.from, to: q.to, maxPoints: q.maxPoints, now: clock() }
    const head = { id: q.id, from: q.from, to: q.to }
    const route = options.store?.()
    if (q.kind === 'host') {
      const key = route?.hostKey(q.id)
      return { kind: 'host', ...head, ...(key !== undefined ? await route!.ranges.hostSeries(key, q.metrics, q.from, q.to, q.maxPoints) : samples.hostSeries(q.id, q.metrics, range)) }
    }
    const vm = vmOf(route, q.id)
    return { kind: 'vm', ...head, ...(vm ? await route!.ranges.vmSeries(vm, q.metrics, q.from, q.to, q.maxPoints) : samples.vmSeries(q.id, q.metrics, range)) }
  }

  async function hostHistory(q: { hostId: string; from: number; to: number; maxPoints: number; vmBuckets: number }): Promise<HostHistory> {
    const snap = options.snapshot()
    if (!snap.hosts.some((h) => h.id === q.hostId)) throw failure('not-found', msg('server.history.noHost', { host: q.hostId }))
    const now = clock()
    const vms = snap.vms.filter((v) => v.hostId === q.hostId)
    const route = options.store?.()
    const key = route?.hostKey(q.hostId)
    if (route && key !== undefined) {
      const storeVms = vms.flatMap((v) => route.vm(v) ?? [])
      const [host, stack] = await Promise.all([
        route.ranges.hostSeries(key, hostMetrics, q.from, q.to, q.maxPoints),
        route.ranges.vmStack(key, storeVms, { from: q.from, to: q.to, buckets: q.vmBuckets, top: STACK_TOP_VMS, names: new Map(vms.map((v) => [v.id, v.name])) }),
      ])
      // The store has no per-device iostat figures: the view says the host does not report them.
      return { host: { kind: 'host', id: q.hostId, from: q.from, to: q.to, ...host }, vms: stack, disks: { source: host.source, devices: [] } }
    }
    const host = { kind: 'host' as const, id: q.hostId, from: q.from, to: q.to, ...samples.hostSeries(q.hostId, hostMetrics, { from: q.from, to: q.to, maxPoints: q.maxPoints, now }) }
    const disks = samples.diskSeries(q.hostId, { from: q.from, to: q.to, maxPoints: q.maxPoints, now })
    return {
      host,
      vms: samples.vmStack(vms.map((v) => ({ id: v.id, name: v.name })), { from: q.from, to: q.to, buckets: q.vmBuckets, now, top: STACK_TOP_VMS }),
      disks: { source: disks.source, devices: disks.devices.map((d) => ({ device: d.device, series: d.series })) },
    }
  }

  async function cluster(q: { from: number; to: number; maxPoints: number }): Promise<ClusterSeries> {
    const current = options.snapshot().hosts
    const route = options.store?.()
    const storeKeys = new Map(current.flatMap((h) => {
      const key = route?.hostKey(h.id)
      return key !== undefined ? [[h.id, key] as const] : []
    }))
    const series = samples.clusterHistory({
      ...q,
      hostIds: current.filter((h) => !storeKeys.has(h.id)).map((h) => h.id),
      cpuCapacityCores: current.reduce((sum, h) => sum + h.cpu.threads, 0),
      memCapacityMiB: current.reduce((sum, h) => sum + h.memoryMiB, 0),
    })
    if (!route || storeKeys.size === 0) return series
    // The store's hosts on the same buckets, added to SQLite's.
    const fromStore = await route.ranges.clusterBuckets([...storeKeys.values()], q.from, q.to, series.stepMs)
    const add = (s: ClusterSeries['cpuUsedCores'], extra: Map<number, number>) => {
      const byBucket = new Map(s.t.map((t, i) => [Math.round((t - q.from) / series.stepMs), s.values[i]!]))
      for (const [b, v] of extra) byBucket.set(b, (byBucket.get(b) ?? 0) + v)
      const buckets = [...byBucket.keys()].filter((b) => b >= 0 && q.from + b * series.stepMs < q.to).sort((a, b) => a - b)
      return { t: buckets.map((b) => q.from + b * series.stepMs), values: buckets.map((b) => byBucket.get(b)!) }
    }
    return { ...series, cpuUsedCores: add(series.cpuUsedCores, fromStore.cpu), memUsedMiB: add(series.memUsedMiB, fromStore.mem) }
  }

  /** What the engine and what-if read about these VMs: the history window up to now, from SQLite and the store. */
  async function usage(vmIds: readonly string[], now: number, windowMs = HISTORY_WINDOW_MS): Promise<History> {
    const route = options.store?.()
    const byId = new Map(options.snapshot().vms.map((v) => [v.id, v]))
    const storeVms = route ? vmIds.flatMap((id) => {
      const vm = byId.get(id)
      return (vm && route.vm(vm)) ?? []
    }) : []
    const fromStore = new Set(storeVms.map((v) => v.id))
    const local = usageWindow(samples, vmIds.filter((id) => !fromStore.has(id)), now, windowMs)
    if (!route || storeVms.length === 0) return local
    const remote = await route.ranges.usageHistory(storeVms, now - windowMs, now)
    return { vms: { ...local.vms, ...remote.vms } }
  }

  /** The usage history of every VM the data file knows, as `recommend --history` reads it back. */
  async function exportFile(windowMs = HISTORY_WINDOW_MS): Promise<HistoryFile> {
    const now = clock()
    const history = await usage(options.inventory.current().vms.map((v) => v.id), now, windowMs)
    return { version: 1, from: now - windowMs, to: now, stepMs: ROLLUP_MS, vms: history.vms }
  }

  return { series, hostHistory, cluster, usage, exportFile, vmMeans, hostMeans }
}

export type HistoryService = ReturnType<typeof createHistory>
