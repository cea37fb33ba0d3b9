import type { RawHostStats, RawStats, RawVmStats } from '../../adapter'
import { STATS_FORMAT } from '../stats-script'
import { parseDomstats, type DomainStats } from './domstats'
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
  parseVcpuDelay,
  type LoadAvg,
  type Pressure,
  type ProcStat,
} from '../../linux/parse/procfs'
import { failed, linesOf, parsed, type Parsed, type ParseProblem } from '../../linux/parse/result'
import { splitSections, successfulBody, type ScriptOutput } from '../../linux/parse/sections'

/** Host facts a poll gives beyond RawHostStats (proposed for RawStats; see the report). */
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

export type RunDelaySource = 'schedstat' | 'libvirt-vcpu-delay' | 'unavailable'
export type MemUsedSource = 'balloon-available-unused' | 'balloon-rss' | 'balloon-current' | 'unavailable'

/** Per-VM facts a poll gives beyond RawVmStats. */
export interface VmExtras {
  vmId: string
  name: string
  state: DomainStats['state']
  runDelaySource: RunDelaySource
  memUsedSource: MemUsedSource
  balloonCurrentKiB?: number
  /** Guest-reported cumulative swap traffic, KiB (virtio balloon stats). */
  swapInKiB?: number
  swapOutKiB?: number
  majorFaults?: number
  /** Sum of vcpu.N.wait (ns): vCPU time spent waiting on I/O, when libvirt reports it. */
  vcpuWaitNs?: number
}

export interface StatsReading {
  raw: RawStats
  host: HostExtras
  vms: VmExtras[]
  /** Every domain as parsed, shut-off ones included (they have no counters, so no RawVmStats). */
  domains: DomainStats[]
  /** Domains with counters that `vmIdOf` did not know: new since discovery; rediscover. */
  unknownDomains: string[]
  /** Sections that failed or were degraded; the reading is still usable. */
  problems: ParseProblem[]
}

export interface StatsParseOptions {
  hostId: string
  /** The collector's clock, epoch ms (RawStats.t). */
  t: number
  /** The VM id for a domain name on this host (from discovery); undefined for an unknown domain. */
  vmIdOf: (name: string) => string | undefined
}

function sectionBody(out: ScriptOutput, name: string, problems: ParseProblem[], required: boolean): { body: string; firstLine: number } | undefined {
  const r = successfulBody(out, name)
  if ('reason' in r) {
    if (!required) problems.push({ section: name, message: r.reason })
    return undefined
  }
  return { body: r.body, firstLine: r.section.firstLine }
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

/** Memory in use by the guest: what the guest says (available - unused), else what the host sees (rss). */
export function memUsedOf(d: DomainStats): { kib: number; source: MemUsedSource } {
  const b = d.balloon
  if (b.availableKiB !== undefined && b.unusedKiB !== undefined) {
    return { kib: Math.max(0, b.availableKiB - b.unusedKiB), source: 'balloon-available-unused' }
  }
  if (b.rssKiB !== undefined) return { kib: b.rssKiB, source: 'balloon-rss' }
  // Without any usage report, assume the whole allocation is used: never under-reports need.
  if (b.currentKiB !== undefined) return { kib: b.currentKiB, source: 'balloon-current' }
  return { kib: 0, source: 'unavailable' }
}

/** The host part of a poll, as every SSH host script prints it (src-main/hosts/host-reads.ts). */
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
  if (!statSec) return failed('stat', (successfulBody(out, 'stat') as { reason: string }).reason)
  const stat = parseProcStat(statSec.body, '/proc/stat', statSec.firstLine)
  if (!stat.ok) return stat
  const memSec = sectionBody(out, 'meminfo', problems, true)
  if (!memSec) return failed('meminfo', (successfulBody(out, 'meminfo') as { reason: string }).reason)
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

function optionalSection<T>(out: ScriptOutput, name: string, problems: ParseProblem[], parse: (body: string, firstLine: number) => Parsed<T>): T | undefined {
  const s = sectionBody(out, name, problems, false)
  return s ? take(parse(s.body, s.firstLine), problems) : undefined
}

function sum<T>(xs: readonly T[], f: (x: T) => number): number {
  return xs.reduce((a, x) => a + f(x), 0)
}

/**
 * Parses the stats script's output for one host into RawStats (one host, its running VMs) plus
 * extras. Fails only when the host part cannot be built (no /proc/stat, no /proc/meminfo, bad
 * framing); a failed domstats, pressure or vcpu-delay section degrades into `problems`.
 */
export function parseStatsOutput(output: string, opts: StatsParseOptions): Parsed<StatsReading> {
  const split = splitSections(output, STATS_FORMAT)
  if (!split.ok) return split
  const out = split.value
  const problems: ParseProblem[] = []
  if (!out.complete) problems.push({ section: 'script', message: 'output ended before DONE (cut off or timed out)' })

  const hostPart = parseHostStats(out, opts.hostId, problems)
  if (!hostPart.ok) return hostPart
  const { stats: hostStats, extras: host } = hostPart.value
  const domains = optionalSection(out, 'domstats', problems, (b, l) => parseDomstats(b, l)) ?? []
  const delays = optionalSection(out, 'vcpu-delay', problems, (b, l) => parseVcpuDelay(b, 'vcpu-delay', l))
  for (const note of delays?.notes ?? []) problems.push({ section: 'vcpu-delay', message: note })

  const delayByName = new Map((delays?.vms ?? []).filter((v) => v.vcpuThreads > 0).map((v) => [v.name, v]))
  const vms: RawVmStats[] = []
  const extras: VmExtras[] = []
  const unknownDomains: string[] = []
  for (const d of domains) {
    if (d.cpuTimeNs === undefined) continue // shut off: no counters to rate
    const vmId = opts.vmIdOf(d.name)
    if (vmId === undefined) {
      unknownDomains.push(d.name)
      continue
    }
    const libvirtDelays = d.vcpus.filter((v) => v.delayNs !== undefined)
    const sched = delayByName.get(d.name)
    const runDelaySource: RunDelaySource = sched ? 'schedstat' : libvirtDelays.length ? 'libvirt-vcpu-delay' : 'unavailable'
    const runDelayNs = sched ? sched.runDelayNs : sum(libvirtDelays, (v) => v.delayNs ?? 0)
    const used = memUsedOf(d)
    const waits = d.vcpus.filter((v) => v.waitNs !== undefined)
    vms.push({
      vmId,
      hostId: opts.hostId,
      vcpus: d.vcpuCurrent ?? (d.vcpus.length || 1),
      cpuTimeNs: d.cpuTimeNs,
      runDelayNs,
      memUsedKiB: used.kib,
      diskReadBytes: sum(d.block, (b) => b.rdBytes),
      diskWriteBytes: sum(d.block, (b) => b.wrBytes),
      diskReadReqs: sum(d.block, (b) => b.rdReqs),
      diskWriteReqs: sum(d.block, (b) => b.wrReqs),
      netRxBytes: sum(d.net, (n) => n.rxBytes),
      netTxBytes: sum(d.net, (n) => n.txBytes),
    })
    extras.push({
      vmId,
      name: d.name,
      state: d.state,
      runDelaySource,
      memUsedSource: used.source,
      balloonCurrentKiB: d.balloon.currentKiB,
      swapInKiB: d.balloon.swapInKiB,
      swapOutKiB: d.balloon.swapOutKiB,
      majorFaults: d.balloon.majorFault,
      vcpuWaitNs: waits.length ? sum(waits, (v) => v.waitNs ?? 0) : undefined,
    })
  }
  return parsed(
    { raw: { t: opts.t, hosts: [hostStats], vms }, host, vms: extras, domains, unknownDomains, problems },
    [],
  )
}

function successfulBodyText(out: ScriptOutput, name: string): string | undefined {
  const r = successfulBody(out, name)
  return 'body' in r ? r.body : undefined
}
