import type { DiskSample, HostSample, VmSample } from '../../shared/model'
import { DISKSTATS_SECTOR_BYTES, type CpuTicks, type DiskStat, type GuestPaging, type KvmCounters, type KvmDebugfs, type QemuCpuNs, type RawStats } from '../hosts/adapter'

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

/** Per-second figures as iostat -x prints them (r/s, w/s, rkB/s, wkB/s, d/s, dkB/s, r_await, w_await, aqu-sz, %util). */
export interface DiskRates {
  name: string
  readsPerSec: number
  writesPerSec: number
  readKBPerSec: number
  writeKBPerSec: number
  discardsPerSec: number
  discardKBPerSec: number
  /** ms per completed read / write, request queue time included; undefined when none completed (iostat prints 0.00). */
  readAwaitMs?: number
  writeAwaitMs?: number
  /** Average number of requests queued or in service (weighted time doing I/O / interval). */
  queueSize: number
  /** Share of the interval with requests in flight, %: 100 is saturation only for a device serving one request at a time. */
  utilPct: number
}

/**
 * Rates between two diskstats reads taken `seconds` apart, for devices present in both. `delta`
 * is the collector's counter delta (wrap and restart handling), passed in to keep this pure.
 */
export function diskRates(
  previous: readonly DiskStat[],
  current: readonly DiskStat[],
  seconds: number,
  delta: (previous: number, current: number) => number,
): DiskRates[] {
  const before = new Map(previous.map((d) => [d.name, d]))
  const out: DiskRates[] = []
  for (const d of current) {
    const p = before.get(d.name)
    if (!p || !(seconds > 0)) continue
    const per = (a: number | undefined, b: number | undefined) => delta(a ?? 0, b ?? 0) / seconds
    const kb = DISKSTATS_SECTOR_BYTES / 1024
    const reads = delta(p.readsCompleted, d.readsCompleted)
    const writes = delta(p.writesCompleted, d.writesCompleted)
    out.push({
      name: d.name,
      readsPerSec: per(p.readsCompleted, d.readsCompleted),
      writesPerSec: per(p.writesCompleted, d.writesCompleted),
      readKBPerSec: per(p.sectorsRead, d.sectorsRead) * kb,
      writeKBPerSec: per(p.sectorsWritten, d.sectorsWritten) * kb,
      discardsPerSec: per(p.discardsCompleted, d.discardsCompleted),
      discardKBPerSec: per(p.sectorsDiscarded, d.sectorsDiscarded) * kb,
      ...(reads > 0 ? { readAwaitMs: delta(p.msReading, d.msReading) / reads } : {}),
      ...(writes > 0 ? { writeAwaitMs: delta(p.msWriting, d.msWriting) / writes } : {}),
      queueSize: per(p.weightedMsDoingIo, d.weightedMsDoingIo) / 1000,
      utilPct: Math.min(100, per(p.msDoingIo, d.msDoingIo) / 10),
    })
  }
  return out
}

/**
 * A VM's QEMU CPU by thread kind over the interval, cores. None when the process changed (the guest
 * restarted), or when threads were listed that the previous read did not have (a guest read while
 * QEMU was still starting, a vCPU added live): their whole past time would show in this interval.
 * A kind that went down (a thread that ended, counted since in "other") adds nothing.
 */
export function qemuCores(p: QemuCpuNs | undefined, c: QemuCpuNs | undefined, seconds: number): Partial<VmSample> {
  if (!p || !c || p.pid !== c.pid || !(seconds > 0)) return {}
  if (p.threads !== undefined && c.threads !== undefined && c.threads > p.threads) return {}
  const cores = (k: 'vcpuNs' | 'emulatorNs' | 'iothreadNs' | 'vhostNs' | 'otherNs' | 'totalNs') => nonNegative(c[k] - p[k]) / 1e9 / seconds
  return {
    qemuVcpuCores: cores('vcpuNs'),
    qemuEmulatorCores: cores('emulatorNs'),
    qemuIothreadCores: cores('iothreadNs'),
    qemuVhostCores: cores('vhostNs'),
    qemuOtherCores: cores('otherNs'),
    overheadCores: nonNegative(cores('totalNs') - cores('vcpuNs')),
  }
}

/**
 * KVM's counters of a VM as rates over the interval; only those read both times. They are 64-bit
 * and never wrap: one that went down was reset (QEMU restarted, or a VM left debugfs' host sum),
 * and gives no rate for that interval rather than a guess.
 */
export function kvmRates(p: KvmCounters | undefined, c: KvmCounters | undefined, seconds: number): Partial<VmSample> {
  if (!p || !c || !(seconds > 0)) return {}
  const out: Partial<VmSample> = {}
  const per = (k: keyof KvmCounters, scale = 1) => {
    const a = p[k]
    const b = c[k]
    return a !== undefined && b !== undefined && b >= a ? (b - a) / seconds / scale : undefined
  }
  const set = (key: keyof VmSample, v: number | undefined) => {
    if (v !== undefined) (out as Record<string, number>)[key] = v
  }
  set('kvmExitsPs', per('exits'))
  set('kvmHaltExitsPs', per('haltExits'))
  set('kvmIoExitsPs', per('ioExits'))
  set('kvmMmioExitsPs', per('mmioExits'))
  set('kvmIrqInjectionsPs', per('irqInjections'))
  set('kvmTlbFlushesPs', per('tlbFlushes'))
  set('kvmRemoteTlbFlushesPs', per('remoteTlbFlushes'))
  set('kvmHaltPollSuccessCores', per('haltPollSuccessNs', 1e9))
  set('kvmHaltPollFailCores', per('haltPollFailNs', 1e9))
  set('kvmHaltWaitCores', per('haltWaitNs', 1e9))
  return out
}

/**
 * A guest's paging over the interval, from what its balloon driver reported both times. A figure
 * that went down means the guest rebooted (its counters restart): none for that interval.
 */
export function guestPagingRates(p: GuestPaging | undefined, c: GuestPaging | undefined, seconds: number): Partial<VmSample> {
  if (!p || !c || !(seconds > 0)) return {}
  const per = (k: keyof GuestPaging, scale: number) => {
    const a = p[k]
    const b = c[k]
    return a !== undefined && b !== undefined && b >= a ? ((b - a) * scale) / seconds : undefined
  }
  const out: Partial<VmSample> = {}
  const swapIn = per('swapInKiB', 1024)
  const swapOut = per('swapOutKiB', 1024)
  const faults = per('majorFaults', 1)
  if (swapIn !== undefined) out.guestSwapInBps = swapIn
  if (swapOut !== undefined) out.guestSwapOutBps = swapOut
  if (faults !== undefined) out.guestMajorFaultsPs = faults
  return out
}

/**
 * Turns two successive raw reads into per-second rates and utilisation. Hosts and VMs missing
 * from either read (just appeared, gone) get no sample this time rather than a made-up one.
 */
export function deriveSamples(
  previous: RawStats,
  current: RawStats,
  threadsByHost: ReadonlyMap<string, number>,
): { hostSamples: HostSample[]; vmSamples: VmSample[]; diskSamples: DiskSample[] } {
  const seconds = (current.t - previous.t) / 1000
  if (!(seconds > 0)) return { hostSamples: [], vmSamples: [], diskSamples: [] }
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
    Object.assign(out, vmstatOf(p, h))
    return out
  }

  /** vmstat's view of the interval: gauges as read now, counters as rates, CPU split as % of all ticks. */
  const vmstatOf = (p: RawStats['hosts'][number], h: RawStats['hosts'][number]): Partial<HostSample> => {
    const out: Partial<HostSample> = {}
    const a = p.vmstat
    const b = h.vmstat
    if (!a || !b) return out
    const per = (x: number | undefined, y: number | undefined) => (x !== undefined && y !== undefined ? rate(x, y) : undefined)
    const set = <K extends keyof HostSample>(k: K, v: HostSample[K] | undefined) => {
      if (v !== undefined) out[k] = v
    }
    set('procsRunning', b.procsRunning)
    set('procsBlocked', b.procsBlocked)
    set('swapUsedMiB', b.swapUsedKiB !== undefined ? b.swapUsedKiB / 1024 : undefined)
    set('pageInKBps', per(a.pageInKiB, b.pageInKiB))
    set('pageOutKBps', per(a.pageOutKiB, b.pageOutKiB))
    set('interruptsPs', per(a.interrupts, b.interrupts))
    set('contextSwitchesPs', per(a.contextSwitches, b.contextSwitches))
    const total = counterDelta(totalTicks(p.cpuTicks), totalTicks(h.cpuTicks))
    if (total > 0) {
      const pct = (f: (t: CpuTicks) => number) => clampPct((100 * counterDelta(f(p.cpuTicks), f(h.cpuTicks))) / total)
      out.cpuUserPct = pct((t) => t.user + t.nice)
      out.cpuSystemPct = pct((t) => t.system + t.irq + t.softirq)
      out.cpuIdlePct = pct((t) => t.idle)
      out.cpuIowaitPct = pct((t) => t.iowait)
      out.cpuStealPct = pct((t) => t.steal)
    }
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

  const diskSamples: DiskSample[] = []
  for (const h of current.hosts) {
    const p = prevHosts.get(h.hostId)
    if (!p?.disks || !h.disks) continue
    for (const d of diskRates(p.disks, h.disks, seconds, counterDelta)) {
      diskSamples.push({
        hostId: h.hostId,
        device: d.name,
        t,
        readsPs: nonNegative(d.readsPerSec),
        writesPs: nonNegative(d.writesPerSec),
        readKBps: nonNegative(d.readKBPerSec),
        writeKBps: nonNegative(d.writeKBPerSec),
        ...(d.readAwaitMs !== undefined ? { readAwaitMs: nonNegative(d.readAwaitMs) } : {}),
        ...(d.writeAwaitMs !== undefined ? { writeAwaitMs: nonNegative(d.writeAwaitMs) } : {}),
        queueSize: nonNegative(d.queueSize),
        utilPct: clampPct(d.utilPct),
      })
    }
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
      ...qemuCores(p.qemu, v.qemu, seconds),
      ...kvmRates(p.kvm, v.kvm, seconds),
      ...guestPagingRates(p.guest, v.guest, seconds),
    })
  }
  for (const s of hostSamples) Object.assign(s, hostKvm(prevHosts.get(s.hostId)?.kvmDebugfs, current.hosts.find((h) => h.hostId === s.hostId)?.kvmDebugfs, vmSamples.filter((v) => v.hostId === s.hostId), seconds))
  return { hostSamples, vmSamples, diskSamples }
}

const KVM_RATES = [
  'kvmExitsPs', 'kvmHaltExitsPs', 'kvmIoExitsPs', 'kvmMmioExitsPs', 'kvmIrqInjectionsPs', 'kvmTlbFlushesPs', 'kvmRemoteTlbFlushesPs',
  'kvmHaltPollSuccessCores', 'kvmHaltPollFailCores', 'kvmHaltWaitCores',
] as const

/**
 * A host's KVM counters as rates: the kernel's own sum over all its VMs (/sys/kernel/debug/kvm)
 * when it was read both times, else the sum of its VMs' rates (those that have KVM statistics),
 * else none. Says which, and what debugfs said.
 */
export function hostKvm(p: KvmDebugfs | undefined, c: KvmDebugfs | undefined, vms: readonly VmSample[], seconds: number): Partial<HostSample> {
  const debugfs = c ? { kvmDebugfs: c.status } : {}
  if (p?.status === 'read' && c?.status === 'read') {
    const rates = kvmRates(p.counters, c.counters, seconds)
    if (Object.keys(rates).length > 0) return { ...rates, kvmSource: 'debugfs', ...debugfs } as Partial<HostSample>
  }
  const out: Partial<HostSample> = {}
  for (const k of KVM_RATES) {
    const given = vms.map((v) => v[k]).filter((x) => x !== undefined)
    if (given.length > 0) out[k] = given.reduce((a, b) => a + b, 0)
  }
  return Object.keys(out).length > 0 ? { ...out, kvmSource: 'vms', ...debugfs } : debugfs
}
