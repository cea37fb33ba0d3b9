import { ApiFailure, type Handlers } from '../../shared/api'
import type { OverviewSummary } from '../../shared/api/dashboard'
import { clusterHealth, hostHealth, PRESSURE_THRESHOLD_PCT } from '../../shared/dashboard/health'
import type { ClusterFacts, Snapshot } from '../../shared/model'
import { hostSeries, hostWindowStats, vmMetricSeries, vmStack, vmWindowStats } from '../store/series'
import type { Store } from '../store/store'

export interface DashboardDeps {
  store: Store
  snapshot: () => Snapshot
  clock: () => number
  /** Tuning facts of the hosts discovery has read (real hosts only). */
  facts: () => ClusterFacts[]
}

type DashboardChannels = 'dashboard.overview' | 'series.query' | 'host.history' | 'host.facts'

/** Raw samples are kept 48 h (services.ts retention); older ranges come from rollups. */
const RAW_KEPT_MS = 48 * 3600_000
/** The Overview's means cover the last five minutes: long enough to smooth a poll, short enough to be "now". */
const SUMMARY_WINDOW_MS = 5 * 60_000
const STACK_TOP_VMS = 12
/** A VM is listed as contended from this mean CPU ready, %. */
const CONTENDED_READY_PCT = 0.5
const CONTENDED_LIMIT = 10

/** The dashboards' api: Overview summary with health scores, host and VM series, host facts. */
export function dashboardHandlers(deps: DashboardDeps): Pick<Handlers, DashboardChannels> {
  const db = () => deps.store.database
  let cached: { t: number; summary: OverviewSummary } | undefined

  function overview(): OverviewSummary {
    const snap = deps.snapshot()
    if (cached && cached.t === snap.t && snap.hosts.length > 0) return cached.summary
    const to = snap.t + 1
    const from = to - SUMMARY_WINDOW_MS
    const hostStats = new Map(hostWindowStats(db(), from, to).map((s) => [s.hostId, s]))
    const vmStats = new Map(vmWindowStats(db(), from, to).map((s) => [s.vmId, s]))
    const hostSamples = new Map(snap.hostSamples.map((s) => [s.hostId, s]))
    const running = snap.vms.filter((v) => v.state === 'running')

    const hosts = snap.hosts.map((host) => {
      const stats = hostStats.get(host.id)
      const sample = hostSamples.get(host.id)
      const cpuPct = stats?.cpuPct ?? sample?.cpuPct ?? null
      const memTotal = stats?.memTotalMiB ?? sample?.memTotalMiB ?? host.memoryMiB
      const memUsed = stats?.memUsedMiB ?? sample?.memUsedMiB
      const memPct = memUsed !== undefined && memTotal > 0 ? (100 * memUsed) / memTotal : null
      // Health counts what the host table shows now too: a host hot this minute is never "healthy".
      const memNowPct = sample && sample.memTotalMiB > 0 ? (100 * sample.memUsedMiB) / sample.memTotalMiB : 0
      const vms = running.filter((v) => v.hostId === host.id)
      let readyWeighted = 0
      let vcpusSampled = 0
      let pressuredVms = 0
      for (const vm of vms) {
        const s = vmStats.get(vm.id)
        if (!s) continue
        readyWeighted += s.readyPct * vm.allocation.vcpus
        vcpusSampled += vm.allocation.vcpus
        if ((100 * s.memUsedMaxMiB) / vm.allocation.memoryMiB >= PRESSURE_THRESHOLD_PCT) pressuredVms++
      }
      const readyPct = vcpusSampled > 0 ? readyWeighted / vcpusSampled : null
      const health = hostHealth({
        hostId: host.id,
        online: host.state === 'online',
        sampled: cpuPct !== null,
        cpuPct: Math.max(cpuPct ?? 0, sample?.cpuPct ?? 0),
        memPct: Math.max(memPct ?? 0, memNowPct),
        readyPct: readyPct ?? 0,
        pressuredVms,
      })
      return {
        hostId: host.id,
        name: host.name,
        state: host.state,
        health,
        threads: host.cpu.threads,
        memoryMiB: host.memoryMiB,
        cpuPct,
        memPct,
        readyPct,
        pressurePct: vcpusSampled > 0 ? (100 * pressuredVms) / vms.length : null,
        pressuredVms,
        runningVms: vms.length,
        vcpusAllocated: vms.reduce((sum, v) => sum + v.allocation.vcpus, 0),
        memAllocatedMiB: vms.reduce((sum, v) => sum + v.allocation.memoryMiB, 0),
      }
    })

    const cpuCapacity = snap.hosts.reduce((sum, h) => sum + h.cpu.threads, 0)
    const memCapacity = snap.hosts.reduce((sum, h) => sum + (hostSamples.get(h.id)?.memTotalMiB ?? h.memoryMiB), 0)
    const vcpus = running.reduce((sum, v) => sum + v.allocation.vcpus, 0)
    const memAllocated = running.reduce((sum, v) => sum + v.allocation.memoryMiB, 0)
    const contended = running
      .flatMap((vm) => {
        const s = vmStats.get(vm.id)
        if (!s) return []
        const memUsedPct = (100 * s.memUsedMaxMiB) / vm.allocation.memoryMiB
        const pressured = memUsedPct >= PRESSURE_THRESHOLD_PCT
        if (s.readyPct < CONTENDED_READY_PCT && !pressured) return []
        return [{ vmId: vm.id, name: vm.name, hostId: vm.hostId, vcpus: vm.allocation.vcpus, readyPct: s.readyPct, readyMaxPct: s.readyMaxPct, memUsedPct, pressured }]
      })
      .sort((a, b) => b.readyPct - a.readyPct || b.memUsedPct - a.memUsedPct)
      .slice(0, CONTENDED_LIMIT)

    const summary: OverviewSummary = {
      t: snap.t,
      windowMs: SUMMARY_WINDOW_MS,
      cluster: clusterHealth(hosts.map((h) => ({ health: h.health, threads: h.threads }))),
      hosts,
      cpu: {
        capacity: cpuCapacity,
        allocated: vcpus,
        used: snap.hostSamples.reduce((sum, s) => sum + s.cpuUsedCores, 0),
        overcommit: cpuCapacity > 0 ? vcpus / cpuCapacity : null,
      },
      memory: {
        capacity: memCapacity,
        allocated: memAllocated,
        used: snap.hostSamples.reduce((sum, s) => sum + s.memUsedMiB, 0),
        overcommit: memCapacity > 0 ? memAllocated / memCapacity : null,
      },
      contended,
    }
    cached = { t: snap.t, summary }
    return summary
  }

  return {
    'dashboard.overview': async () => overview(),
    'series.query': async (q) => {
      const range = { from: q.from, to: q.to, maxPoints: q.maxPoints, rawKeptMs: RAW_KEPT_MS, now: deps.clock() }
      const result = q.kind === 'host' ? hostSeries(db(), q.id, q.metrics, range) : vmMetricSeries(db(), q.id, q.metrics, range)
      return { kind: q.kind, id: q.id, from: q.from, to: q.to, ...result }
    },
    'host.history': async (q) => {
      const snap = deps.snapshot()
      if (!snap.hosts.some((h) => h.id === q.hostId)) throw new ApiFailure('not-found', `No host ${q.hostId} in the current inventory; open Overview and pick a host from the list.`)
      const now = deps.clock()
      const range = { from: q.from, to: q.to, maxPoints: q.maxPoints, rawKeptMs: RAW_KEPT_MS, now }
      const metrics = ['cpuPct', 'cpuUsedCores', 'memUsedMiB', 'memTotalMiB', 'diskReadBps', 'diskWriteBps', 'netRxBps', 'netTxBps'] as const
      const host = hostSeries(db(), q.hostId, metrics, range)
      const vms = snap.vms.filter((v) => v.hostId === q.hostId).map((v) => ({ id: v.id, name: v.name }))
      return {
        host: { kind: 'host' as const, id: q.hostId, from: q.from, to: q.to, ...host },
        vms: vmStack(db(), vms, { from: q.from, to: q.to, buckets: q.vmBuckets, rawKeptMs: RAW_KEPT_MS, now, top: STACK_TOP_VMS }),
      }
    },
    'host.facts': async ({ hostId }) => {
      for (const facts of deps.facts()) {
        const host = facts.hosts[hostId]
        if (host) return { host, vms: Object.values(facts.vms).filter((v) => v.hostId === hostId) }
      }
      return { host: null, vms: [] }
    },
  }
}
