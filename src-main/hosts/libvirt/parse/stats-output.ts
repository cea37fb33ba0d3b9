import { msg } from '../../../../shared/i18n'
import type { GuestPaging, RawStats, RawVmStats } from '../../adapter'
import { STATS_FORMAT } from '../stats-script'
import { parseDomstats, type DomainStats } from './domstats'
import { parseVcpuDelay } from '../../linux/parse/procfs'
import { parseQemuThreads, type QemuThreadTimes } from '../../linux/parse/qemu-threads'
import { kvmCountersOf } from './kvm-stats'
import { optionalSection, parseHostStats, sum, type HostExtras } from '../../linux/parse/host-stats'
import { parsed, type Parsed, type ParseProblem } from '../../linux/parse/result'
import { sectionNamed, splitSections } from '../../linux/parse/sections'

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
  /** Its QEMU process's CPU time by thread kind, when the host showed its threads. */
  qemuThreads?: QemuThreadTimes
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
  /** Why libvirt gave no domain statistics at all (libvirtd down, refused): the poll cannot stand for the VMs. */
  domstatsFailure?: ParseProblem
}

export interface StatsParseOptions {
  hostId: string
  /** The collector's clock, epoch ms (RawStats.t). */
  t: number
  /** The VM id for a domain name on this host (from discovery); undefined for an unknown domain. */
  vmIdOf: (name: string) => string | undefined
}

/** The guest's paging as its balloon driver reports it; none when it reports none of it. */
export function guestPagingOf(d: DomainStats): GuestPaging | undefined {
  const { swapInKiB, swapOutKiB, majorFault } = d.balloon
  if (swapInKiB === undefined && swapOutKiB === undefined && majorFault === undefined) return undefined
  return { swapInKiB, swapOutKiB, majorFaults: majorFault }
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

/**
 * Parses the stats script's output for one host into RawStats (one host, its running VMs) plus
 * extras. Fails only when the host part cannot be built (no /proc/stat, no /proc/meminfo, bad
 * framing); a failed domstats, pressure or vcpu-delay section degrades into `problems`. The
 * vcpu-delay section may be absent: libvirt's own vcpu.N.delay then gives the run delay.
 */
export function parseStatsOutput(output: string, opts: StatsParseOptions): Parsed<StatsReading> {
  const split = splitSections(output, STATS_FORMAT)
  if (!split.ok) return split
  const out = split.value
  const problems: ParseProblem[] = []
  if (!out.complete) problems.push({ section: 'script', message: 'output ended before DONE (cut off or timed out)', ref: msg('access.hostOutput.endedEarly') })

  const hostPart = parseHostStats(out, opts.hostId, problems)
  if (!hostPart.ok) return hostPart
  const { stats: hostStats, extras: host } = hostPart.value
  const domains = optionalSection(out, 'domstats', problems, (b, l) => parseDomstats(b, l)) ?? []
  const domstatsProblem = domains.length === 0 ? problems.find((p) => p.section === 'domstats') : undefined
  // Only asked for while libvirt does not report vcpu.N.delay itself.
  const delays = sectionNamed(out, 'vcpu-delay') ? optionalSection(out, 'vcpu-delay', problems, (b, l) => parseVcpuDelay(b, 'vcpu-delay', l)) : undefined
  for (const note of delays?.notes ?? []) problems.push({ section: 'vcpu-delay', message: note })

  const delayByName = new Map((delays?.vms ?? []).filter((v) => v.vcpuThreads > 0).map((v) => [v.name, v]))
  const threads = sectionNamed(out, 'qemu-threads') ? optionalSection(out, 'qemu-threads', problems, (b, l) => parseQemuThreads(b, 'qemu-threads', l)) : undefined
  for (const note of threads?.notes ?? []) problems.push({ section: 'qemu-threads', message: note })
  const threadsByName = new Map((threads?.vms ?? []).map((v) => [v.name, v]))
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
    const qemu = threadsByName.get(d.name)
    const kvm = kvmCountersOf(d)
    const guest = guestPagingOf(d)
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
      ...(kvm ? { kvm } : {}),
      ...(guest ? { guest } : {}),
      ...(qemu ? { qemu: { pid: qemu.pid, vcpuNs: qemu.vcpuNs, emulatorNs: qemu.emulatorNs, iothreadNs: qemu.iothreadNs, vhostNs: qemu.vhostNs, otherNs: qemu.otherNs, totalNs: qemu.totalNs, threads: qemu.threads } } : {}),
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
      qemuThreads: qemu,
    })
  }
  return parsed(
    { raw: { t: opts.t, hosts: [hostStats], vms }, host, vms: extras, domains, unknownDomains, problems, ...(domstatsProblem ? { domstatsFailure: domstatsProblem } : {}) },
    [],
  )
}
