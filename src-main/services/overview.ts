import type { OverviewSummary } from '../../shared/api/dashboard'
import { clusterHealth, hostHealth, PRESSURE_THRESHOLD_PCT } from '../../shared/dashboard/health'
import type { Snapshot } from '../../shared/model'
import type { SamplesRepo } from '../store/samples'

/** The Overview's means cover the last five minutes: long enough to smooth a poll, short enough to be "now". */
const SUMMARY_WINDOW_MS = 5 * 60_000
/** A VM is listed as contended from this mean CPU ready, %. */
const CONTENDED_READY_PCT = 0.5
const CONTENDED_LIMIT = 10

/** The Overview: health scores with their reasons, capacity, the most contended VMs; one per snapshot. */
export function createOverview(deps: { samples: SamplesRepo; snapshot: () => Snapshot }): () => OverviewSummary {
  let cached: { t: number; summary: OverviewSummary } | undefined

  return function overview(): OverviewSummary {
    const snap = deps.snapshot()
    if (cached && cached.t === snap.t && snap.hosts.length > 0) return cached.summary
    const to = snap.t + 1
    const from = to - SUMMARY_WINDOW_MS
    const hostStats = new Map(deps.samples.hostWindowStats(from, to).map((s) => [s.hostId, s]))
    const vmStats = new Map(deps.samples.vmWindowStats(from, to).map((s) => [s.vmId, s]))
    // VMs whose history a metrics store keeps (nothing of theirs in SQLite): their latest sample.
    for (const s of snap.vmSamples) if (!vmStats.has(s.vmId)) vmStats.set(s.vmId, { vmId: s.vmId, readyPct: s.cpuReadyPct, readyMaxPct: s.cpuReadyPct, memUsedMaxMiB: s.memUsedMiB })
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
}
