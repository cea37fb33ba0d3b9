import type { MessageRef } from '../../../../shared/i18n'
import type { RawHostStats } from '../../adapter'
import {
  DISKSTATS_SECTOR_BYTES,
  isPhysicalInterface,
  isWholePhysicalDisk,
  parseDiskstats,
  parseKeyCounters,
  parseLoadavg,
  parseMeminfo,
  parseNetDev,
  parsePressure,
  parseProcStat,
  parseUptime,
  type LoadAvg,
  type Pressure,
  type ProcStat,
} from './procfs'
import { parseKvmDebugfs } from './kvm-debugfs'
import { failed, linesOf, parsed, type Parsed, type ParseProblem } from './result'
import { sectionNamed, successfulBody, type ScriptOutput } from './sections'

/** Host facts a poll gives beyond RawHostStats. */
export interface HostExtras {
  hostId: string
  /** Seconds since the host booted: the host's own clock, for exact intervals between polls. */
  uptimeSeconds?: number
  perCpuTicks: ProcStat['perCpu']
  load?: LoadAvg
  pressure: { cpu?: Pressure; memory?: Pressure; io?: Pressure }
  swapTotalKiB: number
  swapFreeKiB: number
  /** Cumulative pages swapped in/out (/proc/vmstat pswpin/pswpout). */
  swapInPages?: number
  swapOutPages?: number
  /** Cumulative completed reads/writes of whole physical disks (for host IOPS). */
  diskReadReqs: number
  diskWriteReqs: number
  procsRunning?: number
  procsBlocked?: number
  /** Disks and interfaces counted in RawHostStats' I/O sums. */
  countedDisks: string[]
  countedInterfaces: string[]
}

function sectionBody(out: ScriptOutput, name: string, problems: ParseProblem[], required: boolean): { body: string; firstLine: number } | undefined {
  const r = successfulBody(out, name)
  if ('reason' in r) {
    if (!required) problems.push({ section: name, message: r.reason, ref: r.ref })
    return undefined
  }
  return { body: r.body, firstLine: r.section.firstLine }
}

/** Why a required section has no body, for failed(). */
function whyNot(out: ScriptOutput, name: string): [string, { ref: MessageRef }] {
  const r = successfulBody(out, name) as { reason: string; ref: MessageRef }
  return [r.reason, { ref: r.ref }]
}

function lineSet(text: string | undefined): Set<string> | undefined {
  return text === undefined ? undefined : new Set(linesOf(text).map((l) => l.trim()).filter(Boolean))
}

/** Takes the parsed value or records why there is none. */
function take<T>(p: Parsed<T> | undefined, problems: ParseProblem[]): T | undefined {
  if (!p) return undefined
  if (!p.ok) {
    problems.push(p.error)
    return undefined
  }
  problems.push(...p.warnings)
  return p.value
}

/** The host part of a poll, as every SSH host script prints it (hosts/linux/host-reads.ts). */
export interface HostReading {
  stats: RawHostStats
  extras: HostExtras
}

/**
 * Reads the shared host sections of a framed script output (/proc/stat, meminfo, pressure,
 * diskstats, net/dev, ...). Fails only without a usable /proc/stat or /proc/meminfo; optional
 * sections that failed are added to `problems`.
 */
export function parseHostStats(out: ScriptOutput, hostId: string, problems: ParseProblem[]): Parsed<HostReading> {
  const statSec = sectionBody(out, 'stat', problems, true)
  if (!statSec) return failed('stat', ...whyNot(out, 'stat'))
  const stat = parseProcStat(statSec.body, '/proc/stat', statSec.firstLine)
  if (!stat.ok) return stat
  const memSec = sectionBody(out, 'meminfo', problems, true)
  if (!memSec) return failed('meminfo', ...whyNot(out, 'meminfo'))
  const mem = parseMeminfo(memSec.body, '/proc/meminfo', memSec.firstLine)
  if (!mem.ok) return mem

  const opt = <T>(name: string, parse: (body: string, firstLine: number) => Parsed<T>): T | undefined => optionalSection(out, name, problems, parse)
  const diskstats = opt('diskstats', (b, l) => parseDiskstats(b, '/proc/diskstats', l)) ?? []
  const sysBlock = lineSet(successfulBodyText(out, 'block-devices'))
  const virtualBlock = lineSet(successfulBodyText(out, 'virtual-block-devices'))
  const netdev = opt('net-dev', (b, l) => parseNetDev(b, '/proc/net/dev', l)) ?? []
  const virtualNet = lineSet(successfulBodyText(out, 'virtual-net-devices'))
  const vmstat = opt('vmstat', (b, l) => parseKeyCounters(b, '/proc/vmstat', l))
  const load = opt('loadavg', (b) => parseLoadavg(b))
  const uptime = opt('uptime', (b) => parseUptime(b))
  // Answers of sessions older than the section have none: nothing to say then.
  const kvmDebugfs = sectionNamed(out, 'kvm-debugfs') ? opt('kvm-debugfs', (b, l) => parseKvmDebugfs(b, 'kvm-debugfs', l)) : undefined
  const pressure = {
    cpu: opt('pressure-cpu', (b, l) => parsePressure(b, '/proc/pressure/cpu', l)),
    memory: opt('pressure-memory', (b, l) => parsePressure(b, '/proc/pressure/memory', l)),
    io: opt('pressure-io', (b, l) => parsePressure(b, '/proc/pressure/io', l)),
  }

  const disks = diskstats.filter((d) => isWholePhysicalDisk(d.name, sysBlock, virtualBlock))
  const nics = netdev.filter((n) => isPhysicalInterface(n.iface, virtualNet))
  const stats: RawHostStats = {
    hostId,
    cpuTicks: {
      user: stat.value.total.user,
      nice: stat.value.total.nice,
      system: stat.value.total.system,
      idle: stat.value.total.idle,
      iowait: stat.value.total.iowait,
      irq: stat.value.total.irq,
      softirq: stat.value.total.softirq,
      steal: stat.value.total.steal,
    },
    memTotalKiB: mem.value.memTotalKiB,
    memAvailableKiB: mem.value.memAvailableKiB,
    diskReadBytes: sum(disks, (d) => d.sectorsRead) * DISKSTATS_SECTOR_BYTES,
    diskWriteBytes: sum(disks, (d) => d.sectorsWritten) * DISKSTATS_SECTOR_BYTES,
    netRxBytes: sum(nics, (n) => n.rxBytes),
    netTxBytes: sum(nics, (n) => n.txBytes),
    pressureUs: { cpu: pressure.cpu?.some.totalUs, memory: pressure.memory?.some.totalUs, io: pressure.io?.some.totalUs },
    swapInPages: vmstat?.get('pswpin'),
    swapOutPages: vmstat?.get('pswpout'),
    load1: load?.load1,
    vmstat: {
      contextSwitches: stat.value.contextSwitches,
      interrupts: stat.value.interrupts,
      pageInKiB: vmstat?.get('pgpgin'),
      pageOutKiB: vmstat?.get('pgpgout'),
      procsRunning: stat.value.procsRunning,
      procsBlocked: stat.value.procsBlocked,
      // A host without swap has no swpd to chart.
      swapUsedKiB: mem.value.swapTotalKiB > 0 ? Math.max(0, mem.value.swapTotalKiB - mem.value.swapFreeKiB) : undefined,
    },
    // iostat's devices: whole disks and the virtual ones that carry guests' I/O (dm, md), not loop or ram.
    disks: diskstats.filter((d) => (sysBlock ? sysBlock.has(d.name) : isWholePhysicalDisk(d.name)) && !/^(loop|ram)\d+$/.test(d.name)),
    ...(kvmDebugfs ? { kvmDebugfs } : {}),
  }
  const extras: HostExtras = {
    hostId,
    uptimeSeconds: uptime?.uptimeSeconds,
    perCpuTicks: stat.value.perCpu,
    load,
    pressure,
    swapTotalKiB: mem.value.swapTotalKiB,
    swapFreeKiB: mem.value.swapFreeKiB,
    swapInPages: vmstat?.get('pswpin'),
    swapOutPages: vmstat?.get('pswpout'),
    diskReadReqs: sum(disks, (d) => d.readsCompleted),
    diskWriteReqs: sum(disks, (d) => d.writesCompleted),
    procsRunning: stat.value.procsRunning,
    procsBlocked: stat.value.procsBlocked,
    countedDisks: disks.map((d) => d.name),
    countedInterfaces: nics.map((n) => n.iface),
  }
  return parsed({ stats, extras })
}

/** A section that may fail without failing the poll: its value, or undefined with the reason in `problems`. */
export function optionalSection<T>(out: ScriptOutput, name: string, problems: ParseProblem[], parse: (body: string, firstLine: number) => Parsed<T>): T | undefined {
  const s = sectionBody(out, name, problems, false)
  return s ? take(parse(s.body, s.firstLine), problems) : undefined
}

export function sum<T>(xs: readonly T[], f: (x: T) => number): number {
  return xs.reduce((a, x) => a + f(x), 0)
}

function successfulBodyText(out: ScriptOutput, name: string): string | undefined {
  const r = successfulBody(out, name)
  return 'body' in r ? r.body : undefined
}
