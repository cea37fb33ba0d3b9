import type { HostSample, VmSample } from '../../shared/model'
import type { CpuTicks, RawStats } from '../hosts/adapter'

const U32 = 2 ** 32

/**
 * Increase of a cumulative counter between two reads. A 32-bit counter that wrapped is
 * unwrapped; any other decrease means the counter restarted (VM rebooted, host rebooted,
 * device re-added), so the increase since the restart is the new value itself.
 */
export function counterDelta(previous: number, current: number): number {
  if (current >= previous) return current - previous
  const wrapped = U32 - previous + current
  if (previous < U32 && wrapped < U32 / 2) return wrapped
  return current
}

function busyTicks(t: CpuTicks): number {
  return t.user + t.nice + t.system + t.irq + t.softirq + t.steal
}

function totalTicks(t: CpuTicks): number {
  return busyTicks(t) + t.idle + t.iowait
}

const clampPct = (x: number) => Math.min(100, Math.max(0, x))
/** /proc/vmstat counts swap in pages; 4 KiB on every architecture VirtPilot reads (x86-64, arm64 with 4K pages). */
const PAGE_BYTES = 4096
const nonNegative = (x: number) => (Number.isFinite(x) && x > 0 ? x : 0)

/**
 * Turns two successive raw reads into per-second rates and utilisation. Hosts and VMs missing
 * from either read (just appeared, gone) get no sample this time rather than a made-up one.
 */
export function deriveSamples(
  previous: RawStats,
  current: RawStats,
  threadsByHost: ReadonlyMap<string, number>,
): { hostSamples: HostSample[]; vmSamples: VmSample[] } {
  const seconds = (current.t - previous.t) / 1000
  if (!(seconds > 0)) return { hostSamples: [], vmSamples: [] }
  const t = Math.round(current.t)
  const rate = (a: number, b: number) => nonNegative(counterDelta(a, b) / seconds)

  /** The contention figures a host's kernel offers (PSI, swap, load): only those read both times. */
  const extras = (p: RawStats['hosts'][number], h: RawStats['hosts'][number]): Partial<HostSample> => {
    const out: Partial<HostSample> = {}
    const stalled = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined ? clampPct(counterDelta(a, b) / (seconds * 1e4)) : undefined)
    const cpu = stalled(p.pressureUs?.cpu, h.pressureUs?.cpu)
    const memory = stalled(p.pressureUs?.memory, h.pressureUs?.memory)
    const io = stalled(p.pressureUs?.io, h.pressureUs?.io)
    if (cpu !== undefined) out.cpuPressurePct = cpu
    if (memory !== undefined) out.memPressurePct = memory
    if (io !== undefined) out.ioPressurePct = io
    if (p.swapInPages !== undefined && h.swapInPages !== undefined) out.swapInBps = rate(p.swapInPages, h.swapInPages) * PAGE_BYTES
    if (p.swapOutPages !== undefined && h.swapOutPages !== undefined) out.swapOutBps = rate(p.swapOutPages, h.swapOutPages) * PAGE_BYTES
    if (h.load1 !== undefined) out.load1 = h.load1
    return out
  }

  const prevHosts = new Map(previous.hosts.map((h) => [h.hostId, h]))
  const hostSamples: HostSample[] = []
  for (const h of current.hosts) {
    const p = prevHosts.get(h.hostId)
    const threads = threadsByHost.get(h.hostId)
    if (!p || !threads) continue
    const total = counterDelta(totalTicks(p.cpuTicks), totalTicks(h.cpuTicks))
    const busy = counterDelta(busyTicks(p.cpuTicks), busyTicks(h.cpuTicks))
    const cpuPct = total > 0 ? clampPct((100 * busy) / total) : 0
    hostSamples.push({
      hostId: h.hostId,
      t,
      cpuPct,
      cpuUsedCores: (cpuPct / 100) * threads,
      memUsedMiB: nonNegative((h.memTotalKiB - h.memAvailableKiB) / 1024),
      memTotalMiB: h.memTotalKiB / 1024,
      diskReadBps: rate(p.diskReadBytes, h.diskReadBytes),
      diskWriteBps: rate(p.diskWriteBytes, h.diskWriteBytes),
      netRxBps: rate(p.netRxBytes, h.netRxBytes),
      netTxBps: rate(p.netTxBytes, h.netTxBytes),
      ...extras(p, h),
    })
  }

  const prevVms = new Map(previous.vms.map((v) => [v.vmId, v]))
  const vmSamples: VmSample[] = []
  for (const v of current.vms) {
    const p = prevVms.get(v.vmId)
    // A VM that moved hosts between reads restarts its counters on the new host.
    if (!p || p.hostId !== v.hostId) continue
    const cores = rate(p.cpuTimeNs, v.cpuTimeNs) / 1e9
    const readyCores = rate(p.runDelayNs, v.runDelayNs) / 1e9
    const vcpus = Math.max(1, v.vcpus)
    vmSamples.push({
      vmId: v.vmId,
      hostId: v.hostId,
      t,
      cpuPct: clampPct((100 * cores) / vcpus),
      cpuUsedCores: Math.min(cores, vcpus),
      cpuReadyPct: clampPct((100 * readyCores) / vcpus),
      memUsedMiB: nonNegative(v.memUsedKiB / 1024),
      diskReadBps: rate(p.diskReadBytes, v.diskReadBytes),
      diskWriteBps: rate(p.diskWriteBytes, v.diskWriteBytes),
      diskReadIops: rate(p.diskReadReqs, v.diskReadReqs),
      diskWriteIops: rate(p.diskWriteReqs, v.diskWriteReqs),
      netRxBps: rate(p.netRxBytes, v.netRxBytes),
      netTxBps: rate(p.netTxBytes, v.netTxBytes),
    })
  }
  return { hostSamples, vmSamples }
}
