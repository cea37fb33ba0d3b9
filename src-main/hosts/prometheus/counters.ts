import type { CpuTicks, RawHostStats, RawStats, RawVmStats } from '../adapter'
import type { HostRates, VmRates } from './fleet'

const USER_HZ = 100

/**
 * Turns the store's rates back into the cumulative counters the collector expects: each read
 * adds rate x elapsed time, so the collector's own rate over the same interval is exactly the
 * store's `rate()` (resets and missed scrapes already handled there). A host or VM seen for the
 * first time starts at zero, so its first sample comes with the next read, as over SSH.
 */
export class CounterIntegrator {
  private hosts = new Map<string, { t: number; stats: RawHostStats }>()
  private vms = new Map<string, { t: number; stats: RawVmStats }>()

  host(hostId: string, r: HostRates, t: number): RawHostStats {
    const prev = this.hosts.get(hostId)
    const dt = prev ? Math.max(0, (t - prev.t) / 1000) : 0
    const p = prev?.stats
    const add = (before: number | undefined, perSecond: number | undefined) => (before ?? 0) + (perSecond ?? 0) * dt
    const ticks = (mode: keyof CpuTicks) => add(p?.cpuTicks[mode], (r.cpu[mode] ?? 0) * USER_HZ)
    const stats: RawHostStats = {
      hostId,
      cpuTicks: { user: ticks('user'), nice: ticks('nice'), system: ticks('system'), idle: ticks('idle'), iowait: ticks('iowait'), irq: ticks('irq'), softirq: ticks('softirq'), steal: ticks('steal') },
      memTotalKiB: r.memTotalBytes / 1024,
      memAvailableKiB: r.memAvailableBytes / 1024,
      diskReadBytes: add(p?.diskReadBytes, r.diskReadBps),
      diskWriteBytes: add(p?.diskWriteBytes, r.diskWriteBps),
      netRxBytes: add(p?.netRxBytes, r.netRxBps),
      netTxBytes: add(p?.netTxBytes, r.netTxBps),
    }
    // PSI "waiting" seconds per second -> the cumulative microseconds /proc/pressure counts.
    const psi: RawHostStats['pressureUs'] = {}
    if (r.psi.cpu !== undefined) psi.cpu = add(p?.pressureUs?.cpu, r.psi.cpu * 1e6)
    if (r.psi.memory !== undefined) psi.memory = add(p?.pressureUs?.memory, r.psi.memory * 1e6)
    if (r.psi.io !== undefined) psi.io = add(p?.pressureUs?.io, r.psi.io * 1e6)
    if (Object.keys(psi).length > 0) stats.pressureUs = psi
    if (r.swapInPps !== undefined) stats.swapInPages = add(p?.swapInPages, r.swapInPps)
    if (r.swapOutPps !== undefined) stats.swapOutPages = add(p?.swapOutPages, r.swapOutPps)
    if (r.load1 !== undefined) stats.load1 = r.load1
    this.hosts.set(hostId, { t, stats })
    return stats
  }

  vm(vmId: string, hostId: string, r: VmRates, t: number): RawVmStats {
    const prev = this.vms.get(vmId)
    // A VM that moved restarts its counters, as its domain's counters do on the new host.
    const p = prev && prev.stats.hostId === hostId ? prev.stats : undefined
    const dt = p && prev ? Math.max(0, (t - prev.t) / 1000) : 0
    const add = (before: number | undefined, perSecond: number) => (before ?? 0) + perSecond * dt
    const stats: RawVmStats = {
      vmId,
      hostId,
      vcpus: r.vcpus,
      cpuTimeNs: add(p?.cpuTimeNs, r.cpuCores * 1e9),
      // No exporter here gives vCPU run delay: CPU ready stays 0 for VMs read from a store.
      runDelayNs: 0,
      memUsedKiB: r.memUsedBytes / 1024,
      diskReadBytes: add(p?.diskReadBytes, r.diskReadBps),
      diskWriteBytes: add(p?.diskWriteBytes, r.diskWriteBps),
      diskReadReqs: add(p?.diskReadReqs, r.diskReadIops),
      diskWriteReqs: add(p?.diskWriteReqs, r.diskWriteIops),
      netRxBytes: add(p?.netRxBytes, r.netRxBps),
      netTxBytes: add(p?.netTxBytes, r.netTxBps),
    }
    this.vms.set(vmId, { t, stats })
    return stats
  }

  /** Continues from counters read another way (the host's last read over SSH), so no sample is lost at the switch. */
  seed(raw: RawStats): void {
    for (const h of raw.hosts) this.hosts.set(h.hostId, { t: raw.t, stats: h })
    for (const v of raw.vms) this.vms.set(v.vmId, { t: raw.t, stats: v })
  }

  /** Forgets what is no longer read (removed VMs), so the maps do not grow forever. */
  keepOnly(hostIds: ReadonlySet<string>, vmIds: ReadonlySet<string>): void {
    for (const id of this.hosts.keys()) if (!hostIds.has(id)) this.hosts.delete(id)
    for (const id of this.vms.keys()) if (!vmIds.has(id)) this.vms.delete(id)
  }
}
