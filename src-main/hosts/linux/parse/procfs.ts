import { msg } from '../../../../shared/i18n'
import { escapeUnsafe, nameFromHost } from '../../../../shared/text/control'
import type { CpuTicks } from '../../adapter'
import { failed, linesOf, parsed, toCounter, unexpectedLine, type Parsed, type ParseProblem } from './result'

// ---------------------------------------------------------------- /proc/stat

/** CpuTicks plus the guest columns, which the kernel already counts inside user and nice. */
export interface CpuTicksWithGuest extends CpuTicks {
  guest: number
  guestNice: number
}

export interface ProcStat {
  total: CpuTicksWithGuest
  perCpu: { cpu: number; ticks: CpuTicksWithGuest }[]
  contextSwitches?: number
  /** Interrupts serviced since boot (the first number of the intr line). */
  interrupts?: number
  bootTime?: number
  processesCreated?: number
  procsRunning?: number
  procsBlocked?: number
}

const TICK_FIELDS = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal', 'guest', 'guestNice'] as const

/** /proc/stat (or the part of it the stats script keeps). Old kernels print fewer columns: missing ones are 0. */
export function parseProcStat(text: string, section = '/proc/stat', firstLine = 1): Parsed<ProcStat> {
  let total: CpuTicksWithGuest | undefined
  const perCpu: ProcStat['perCpu'] = []
  const out: Omit<ProcStat, 'total' | 'perCpu'> = {}
  const lines = linesOf(text)
  for (let i = 0; i < lines.length; i++) {
    const parts = lines[i]!.trim().split(/\s+/)
    const key = parts[0] ?? ''
    const line = firstLine + i
    if (/^cpu\d*$/.test(key)) {
      if (parts.length < 5) return failed(section, msg('hostOutput.procfs.cpuColumns', { key, columns: parts.length - 1 }), { line, field: key })
      const ticks = {} as CpuTicksWithGuest
      for (let f = 0; f < TICK_FIELDS.length; f++) {
        const raw = parts[f + 1]
        const n = raw === undefined ? 0 : toCounter(raw)
        if (n === undefined) return failed(section, msg('hostOutput.notCounter', { value: JSON.stringify(raw) }), { line, field: `${key}.${TICK_FIELDS[f]}` })
        ticks[TICK_FIELDS[f]!] = n
      }
      if (key === 'cpu') total = ticks
      else perCpu.push({ cpu: Number(key.slice(3)), ticks })
    } else {
      const n = toCounter(parts[1])
      if (key === 'ctxt') out.contextSwitches = n
      else if (key === 'intr') out.interrupts = n
      else if (key === 'btime') out.bootTime = n
      else if (key === 'processes') out.processesCreated = n
      else if (key === 'procs_running') out.procsRunning = n
      else if (key === 'procs_blocked') out.procsBlocked = n
    }
  }
  if (!total) return failed(section, 'no aggregate "cpu" line', { ref: msg('access.hostOutput.noCpuLine') })
  return parsed({ total, perCpu, ...out })
}

// ---------------------------------------------------------------- /proc/meminfo

export interface Meminfo {
  /** Every `Key: value [kB]` line; values in KiB when the kernel says kB, else plain counts. */
  fields: ReadonlyMap<string, number>
  memTotalKiB: number
  /** MemAvailable; on kernels before 3.14 estimated as MemFree + Buffers + Cached. */
  memAvailableKiB: number
  memAvailableEstimated: boolean
  swapTotalKiB: number
  swapFreeKiB: number
  hugePagesTotal: number
  hugePagesFree: number
  hugePageSizeKiB?: number
}

export function parseMeminfo(text: string, section = '/proc/meminfo', firstLine = 1): Parsed<Meminfo> {
  const fields = new Map<string, number>()
  const lines = linesOf(text)
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!
    if (l.trim() === '') continue
    const m = /^([^:\s]+):\s+(\d+)(?:\s+kB)?\s*$/.exec(l)
    if (!m) return failed(section, msg('hostOutput.expectedGot', { format: 'Key: value [kB]', output: JSON.stringify(l.slice(0, 60)) }), { line: firstLine + i })
    fields.set(m[1]!, Number(m[2]))
  }
  const total = fields.get('MemTotal')
  if (total === undefined) return failed(section, 'no MemTotal line', { field: 'MemTotal', ref: msg('access.hostOutput.noMemTotal') })
  const available = fields.get('MemAvailable')
  const estimate = (fields.get('MemFree') ?? 0) + (fields.get('Buffers') ?? 0) + (fields.get('Cached') ?? 0)
  return parsed({
    fields,
    memTotalKiB: total,
    memAvailableKiB: available ?? estimate,
    memAvailableEstimated: available === undefined,
    swapTotalKiB: fields.get('SwapTotal') ?? 0,
    swapFreeKiB: fields.get('SwapFree') ?? 0,
    hugePagesTotal: fields.get('HugePages_Total') ?? 0,
    hugePagesFree: fields.get('HugePages_Free') ?? 0,
    hugePageSizeKiB: fields.get('Hugepagesize'),
  })
}

// ---------------------------------------------------------------- /proc/pressure/*

export interface PressureLine {
  /** Percent of wall time stalled, averaged over 10 s, 60 s, 300 s. */
  avg10: number
  avg60: number
  avg300: number
  /** Cumulative stall time, microseconds. */
  totalUs: number
}

export interface Pressure {
  some: PressureLine
  /** Absent for cpu on kernels before 5.13 (and meaningless there at system level). */
  full?: PressureLine
}

export function parsePressure(text: string, section = '/proc/pressure', firstLine = 1): Parsed<Pressure> {
  const found: Partial<Record<'some' | 'full', PressureLine>> = {}
  const lines = linesOf(text)
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim()
    if (l === '') continue
    const m = /^(some|full) avg10=([\d.]+) avg60=([\d.]+) avg300=([\d.]+) total=(\d+)$/.exec(l)
    if (!m) return failed(section, msg('hostOutput.expectedGot', { format: 'some|full avg10=.. avg60=.. avg300=.. total=..', output: JSON.stringify(l.slice(0, 80)) }), { line: firstLine + i })
    found[m[1] as 'some' | 'full'] = { avg10: Number(m[2]), avg60: Number(m[3]), avg300: Number(m[4]), totalUs: Number(m[5]) }
  }
  if (!found.some) return failed(section, msg('hostOutput.noLine', { text: 'some' }))
  return parsed(found.full ? { some: found.some, full: found.full } : { some: found.some })
}

// ---------------------------------------------------------------- /proc/diskstats

/** One /proc/diskstats line. Sectors are always 512 bytes here, whatever the device's sector size. */
export interface DiskStat {
  major: number
  minor: number
  name: string
  readsCompleted: number
  readsMerged: number
  sectorsRead: number
  msReading: number
  writesCompleted: number
  writesMerged: number
  sectorsWritten: number
  msWriting: number
  inFlight: number
  msDoingIo: number
  weightedMsDoingIo: number
  /** Kernel 4.18+. */
  discardsCompleted?: number
  discardsMerged?: number
  sectorsDiscarded?: number
  msDiscarding?: number
  /** Kernel 5.5+. */
  flushesCompleted?: number
  msFlushing?: number
}

export const DISKSTATS_SECTOR_BYTES = 512

export function parseDiskstats(text: string, section = '/proc/diskstats', firstLine = 1): Parsed<DiskStat[]> {
  const disks: DiskStat[] = []
  const lines = linesOf(text)
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim()
    if (l === '') continue
    const p = l.split(/\s+/)
    const line = firstLine + i
    const nums = [p[0], p[1], ...p.slice(3)].map(toCounter)
    const bad = nums.findIndex((n) => n === undefined)
    if (bad >= 0) return failed(section, msg('hostOutput.notCounter', { value: String(JSON.stringify(bad < 2 ? p[bad] : p[bad + 1])) }), { line, field: p[2] })
    const n = nums as number[]
    const name = p[2]!
    if (n.length === 6) {
      // Kernels 2.6.0-2.6.24 print partitions with only: reads, sectors read, writes, sectors written.
      disks.push({
        major: n[0]!, minor: n[1]!, name,
        readsCompleted: n[2]!, readsMerged: 0, sectorsRead: n[3]!, msReading: 0,
        writesCompleted: n[4]!, writesMerged: 0, sectorsWritten: n[5]!, msWriting: 0,
        inFlight: 0, msDoingIo: 0, weightedMsDoingIo: 0,
      })
      continue
    }
    if (n.length < 13) return failed(section, msg('hostOutput.procfs.diskColumns', { columns: p.length }), { line, field: name })
    const d: DiskStat = {
      major: n[0]!, minor: n[1]!, name,
      readsCompleted: n[2]!, readsMerged: n[3]!, sectorsRead: n[4]!, msReading: n[5]!,
      writesCompleted: n[6]!, writesMerged: n[7]!, sectorsWritten: n[8]!, msWriting: n[9]!,
      inFlight: n[10]!, msDoingIo: n[11]!, weightedMsDoingIo: n[12]!,
    }
    if (n.length >= 16) {
      d.discardsCompleted = n[13]
      d.discardsMerged = n[14]
      d.sectorsDiscarded = n[15]
      if (n.length >= 17) d.msDiscarding = n[16]
    }
    if (n.length >= 19) {
      d.flushesCompleted = n[17]
      d.msFlushing = n[18]
    }
    disks.push(d)
  }
  return parsed(disks)
}

const VIRTUAL_DISK = /^(loop|ram|zram|dm-|md|nbd|sr|fd)\d*/
const PARTITION = /^(?:(?:nvme\d+n\d+|mmcblk\d+|nbd\d+|loop\d+|md\d+)p\d+|(?:[shv]d[a-z]+|xvd[a-z]+)\d+)$/

/**
 * Whether a diskstats device is a whole physical (or paravirtual) disk, counted once in host I/O:
 * not a partition (its I/O is inside its disk's) and not a stacked or virtual device (dm, md,
 * loop: their I/O lands on a real disk too). With /sys/block and /sys/devices/virtual/block
 * listings (from the stats script) the kernel decides; without them, device names do.
 */
export function isWholePhysicalDisk(name: string, sysBlock?: ReadonlySet<string>, virtualBlock?: ReadonlySet<string>): boolean {
  if (sysBlock) return sysBlock.has(name) && !(virtualBlock?.has(name) ?? VIRTUAL_DISK.test(name))
  return !PARTITION.test(name) && !VIRTUAL_DISK.test(name)
}


// ---------------------------------------------------------------- /proc/net/dev

export interface NetDevStat {
  iface: string
  rxBytes: number
  rxPackets: number
  rxErrs: number
  rxDrop: number
  txBytes: number
  txPackets: number
  txErrs: number
  txDrop: number
}

export function parseNetDev(text: string, section = '/proc/net/dev', firstLine = 1): Parsed<NetDevStat[]> {
  const out: NetDevStat[] = []
  const lines = linesOf(text)
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!
    if (l.includes('|') || l.trim() === '') continue // the two header lines
    const colon = l.indexOf(':')
    const line = firstLine + i
    if (colon < 0) return failed(section, msg('hostOutput.expectedGot', { format: 'iface: counters', output: JSON.stringify(l.slice(0, 60)) }), { line })
    const iface = l.slice(0, colon).trim()
    const n = l.slice(colon + 1).trim().split(/\s+/).map(toCounter)
    if (n.length < 16 || n.some((x) => x === undefined)) return failed(section, msg('hostOutput.procfs.netCounters'), { line, field: iface })
    const c = n as number[]
    out.push({
      iface,
      rxBytes: c[0]!, rxPackets: c[1]!, rxErrs: c[2]!, rxDrop: c[3]!,
      txBytes: c[8]!, txPackets: c[9]!, txErrs: c[10]!, txDrop: c[11]!,
    })
  }
  return parsed(out)
}

/**
 * Interfaces whose traffic is the host's own: not loopback, not the VMs' tap/vnet devices (their
 * traffic is the VMs'), not bridges/veths/bonds stacked on a physical NIC (counted there).
 * With the /sys/devices/virtual/net listing, the kernel decides; without it, names do.
 */
export function isPhysicalInterface(iface: string, virtualNet?: ReadonlySet<string>): boolean {
  if (virtualNet) return !virtualNet.has(iface)
  return !/^(lo|vnet\d|tap|macvtap|veth|virbr|br|docker|vxlan|bond|team|tun|wg|dummy|ovs-|genev|kube|cni|flannel|cali)/.test(iface)
}

// ---------------------------------------------------------------- /proc/loadavg, /proc/uptime, /proc/vmstat

export interface LoadAvg {
  load1: number
  load5: number
  load15: number
  runnable: number
  threads: number
}

export function parseLoadavg(text: string, section = '/proc/loadavg'): Parsed<LoadAvg> {
  const m = /^\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)\/(\d+)\s+\d+\s*$/.exec(text)
  if (!m) return failed(section, msg('hostOutput.expectedGot', { format: 'l1 l5 l15 running/total lastpid', output: JSON.stringify(text.slice(0, 60)) }), { line: 1 })
  return parsed({ load1: Number(m[1]), load5: Number(m[2]), load15: Number(m[3]), runnable: Number(m[4]), threads: Number(m[5]) })
}

/** /proc/uptime: seconds since boot (the host-side clock for exact poll intervals) and idle seconds. */
export function parseUptime(text: string, section = '/proc/uptime'): Parsed<{ uptimeSeconds: number; idleSeconds: number }> {
  const m = /^\s*([\d.]+)\s+([\d.]+)\s*$/.exec(text)
  if (!m) return failed(section, msg('hostOutput.expectedGot', { format: 'uptime idle', output: JSON.stringify(text.slice(0, 60)) }), { line: 1 })
  return parsed({ uptimeSeconds: Number(m[1]), idleSeconds: Number(m[2]) })
}

/** `key value` lines such as /proc/vmstat; unparseable lines are warnings, not failures. */
export function parseKeyCounters(text: string, section: string, firstLine = 1): Parsed<Map<string, number>> {
  const out = new Map<string, number>()
  const warnings: ParseProblem[] = []
  linesOf(text).forEach((l, i) => {
    if (l.trim() === '') return
    const [k, v, extra] = l.trim().split(/\s+/)
    const n = toCounter(v)
    if (k && n !== undefined && extra === undefined) out.set(k, n)
    else warnings.push({ section, line: firstLine + i, field: k, message: `expected "key counter", got ${JSON.stringify(l.slice(0, 60))}` })
  })
  return parsed(out, warnings)
}

// ---------------------------------------------------------------- /proc/<pid>/task/<tid>/schedstat

/** /proc/PID/task/TID/schedstat: time on CPU, time runnable but waiting (run delay), timeslices. */
export interface TaskSchedstat {
  runtimeNs: number
  runDelayNs: number
  timeslices: number
}

export function parseTaskSchedstat(text: string, section = 'schedstat'): Parsed<TaskSchedstat> {
  const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s*$/.exec(text)
  if (!m) return failed(section, msg('hostOutput.expectedGot', { format: 'runtime rundelay timeslices', output: JSON.stringify(text.slice(0, 60)) }), { line: 1 })
  return parsed({ runtimeNs: Number(m[1]), runDelayNs: Number(m[2]), timeslices: Number(m[3]) })
}

/** What the stats script's vcpu-delay section found for one running QEMU domain. */
export interface VcpuDelay {
  name: string
  pid: number
  /** vCPU threads (`CPU n/KVM`, `CPU n/TCG`) whose schedstat was read. */
  vcpuThreads: number
  runtimeNs: number
  runDelayNs: number
  /** vCPU threads whose schedstat could not be read (permissions, thread gone). */
  unreadableThreads: number
}

export interface VcpuDelayReport {
  vms: VcpuDelay[]
  /** Why some or all VMs have no run delay: `unreadable /run/libvirt/qemu`, `gone 123 web`, ... */
  notes: string[]
}

/** The vcpu-delay section of the stats script: `vm PID N RUNTIME DELAY BAD NAME` (NAME may hold spaces). */
export function parseVcpuDelay(text: string, section = 'vcpu-delay', firstLine = 1): Parsed<VcpuDelayReport> {
  const vms: VcpuDelay[] = []
  const notes: string[] = []
  const lines = linesOf(text)
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!
    if (l === '') continue
    const m = /^vm (\d+) (\d+) (\d+) (\d+) (\d+) (.+)$/s.exec(l)
    if (m) {
      vms.push({
        pid: Number(m[1]), vcpuThreads: Number(m[2]), runtimeNs: Number(m[3]),
        // Escaped as domstats escapes it: the two are matched by name.
        runDelayNs: Number(m[4]), unreadableThreads: Number(m[5]), name: nameFromHost(m[6]!).name,
      })
    } else if (/^(missing|unreadable|unreadable-pidfile|bad-pidfile|gone) /.test(l)) {
      notes.push(escapeUnsafe(l))
    } else {
      return unexpectedLine(section, l, firstLine + i)
    }
  }
  return parsed({ vms, notes })
}

