import { msg } from '../../../../shared/i18n'
import { HostSchema, VmSchema, type Host, type HostStorage, type Vm } from '../../../../shared/model'
import { nameFromHost } from '../../../../shared/text/control'
import type { DiskstatsRead } from '../../linux/disk-latency'
import { libvirtStorage } from '../storage'
import type { Inventory } from '../../adapter'
import { DISCOVER_FORMAT } from '../discover-script'
import { parseCapabilities, type HostCapabilities } from './capabilities'
import { parseDomainXml, type DomainConfig } from './domain-xml'
import { parseDomstats, vmStateFromLibvirt } from './domstats'
import { hostTuningFrom, parseCpuinfoSummary, parseFileValues, type HostTuning } from '../../linux/parse/host-tuning'
import { parseVirshVersion } from './virsh-version'
import { parseMeminfo } from '../../linux/parse/procfs'
import { failed, failedAs, linesOf, parsed, type Parsed, type ParseProblem } from '../../linux/parse/result'
import { parseManagerSections } from '../../linux/parse/managers'
import { managerOfDomain, pacemakerDomains } from './pacemaker'
import { bodyOrProblem, splitSections } from '../../linux/parse/sections'

/** Per-VM configuration beyond the shared Vm type (for tuning rules and the VM detail view). */
export interface VmDetails {
  vmId: string
  config: DomainConfig
  /** undefined when `virsh list --autostart` failed. */
  autostart?: boolean
  /** libvirt state number from domstats --state (1 running, 3 paused, 5 shut off, ...). */
  stateCode?: number
}

/** Host facts beyond the shared Host type. */
export interface HostDetails {
  hostId: string
  hostname?: string
  kernel?: string
  libvirtVersion?: string
  hypervisor?: string
  hypervisorVersion?: string
  capabilities: HostCapabilities
  tuning?: HostTuning
  /** Where Host.cpu.mhz came from; 'unknown' means a placeholder of 1 MHz was used. */
  cpuMhzSource: 'cpuinfo' | 'cpufreq-max' | 'tsc' | 'unknown'
}

export interface Discovery {
  inventory: Inventory
  host: HostDetails
  vms: VmDetails[]
  /** Pools, volumes, disks and the filesystems under them. */
  storage: HostStorage
  /** This discovery's block device counters (the next discovery measures pool latency against them). */
  diskstats?: DiskstatsRead
  problems: ParseProblem[]
}

export interface DiscoverParseOptions {
  hostId: string
  /** Display name; defaults to the host's `uname -n`. */
  hostName?: string
  tags?: string[]
  /** VM id for a domain; defaults to its UUID (stable across migration, unique per libvirt). */
  vmIdOf?: (config: DomainConfig) => string
  /** When the output was read, epoch ms (storage samples carry it). */
  t?: number
  /** The previous discovery's diskstats, for pool latency. */
  previousDiskstats?: DiskstatsRead
}


/**
 * Parses the discover script's output into the shared Host/Vm types (validated with their zod
 * schemas) plus HostDetails/VmDetails. Fails only without usable capabilities or meminfo; a
 * domain whose XML does not parse is left out with a problem naming it.
 */
export function parseDiscoverOutput(output: string, opts: DiscoverParseOptions): Parsed<Discovery> {
  const split = splitSections(output, DISCOVER_FORMAT)
  if (!split.ok) return split
  const out = split.value
  const problems: ParseProblem[] = []
  if (!out.complete) problems.push({ section: 'script', message: 'output ended before DONE (cut off or timed out)', ref: msg('access.hostOutput.endedEarly') })

  const capsBody = bodyOrProblem(out, 'capabilities', problems)
  if (!capsBody) return failedAs('capabilities', problems[problems.length - 1]!)
  const caps = parseCapabilities(capsBody.text)
  if (!caps.ok) return caps
  problems.push(...caps.warnings)
  const memBody = bodyOrProblem(out, 'meminfo', problems)
  if (!memBody) return failedAs('meminfo', problems[problems.length - 1]!)
  const mem = parseMeminfo(memBody.text, '/proc/meminfo', memBody.firstLine)
  if (!mem.ok) return mem

  const rawHostname = bodyOrProblem(out, 'hostname', problems)?.text.trim()
  const hostname = rawHostname ? nameFromHost(rawHostname).name : undefined
  const kernel = bodyOrProblem(out, 'kernel', problems)?.text.trim() || undefined
  const versionBody = bodyOrProblem(out, 'virsh-version', problems)
  const version = versionBody ? parseVirshVersion(versionBody.text) : undefined
  if (version && !version.ok) problems.push(version.error)
  const cpuinfo = parseCpuinfoSummary(bodyOrProblem(out, 'cpuinfo', problems)?.text ?? '')
  const filesBody = bodyOrProblem(out, 'files', problems)
  let tuning: HostTuning | undefined
  if (filesBody) {
    const files = parseFileValues(filesBody.text, 'files', filesBody.firstLine)
    if (files.ok) {
      const t = hostTuningFrom(files.value)
      if (t.ok) {
        tuning = t.value
        problems.push(...t.warnings)
      } else problems.push(t.error)
    } else problems.push(files.error)
  }

  const c = caps.value
  const mhzChoices: [number | undefined, HostDetails['cpuMhzSource']][] = [
    [cpuinfo.mhz, 'cpuinfo'],
    [tuning?.cpuMaxMHz, 'cpufreq-max'],
    [c.tscMHz, 'tsc'],
  ]
  const mhzFound = mhzChoices.find(([v]) => v !== undefined && v > 0)
  if (!mhzFound) problems.push({ section: 'cpuinfo', message: 'CPU clock unknown (no cpu MHz, cpufreq or TSC); using 1 MHz as a placeholder' })

  const memTotalMiB = mem.value.memTotalKiB / 1024
  const host: Host = {
    id: opts.hostId,
    name: opts.hostName ?? hostname ?? opts.hostId,
    source: 'libvirt',
    state: 'online',
    cpu: {
      model: cpuinfo.modelName ?? c.model ?? c.arch,
      sockets: c.sockets,
      coresPerSocket: c.coresPerSocket,
      threadsPerCore: c.threadsPerCore,
      threads: c.logicalCpus,
      mhz: mhzFound?.[0] ?? 1,
    },
    memoryMiB: memTotalMiB,
    numa: c.cells.map((cell) => ({ id: cell.id, cpus: cell.cpus.map((x) => x.id), memoryMiB: cell.memoryKiB / 1024 })),
    tags: opts.tags ?? [],
  }
  const hostCheck = HostSchema.safeParse(host)
  if (!hostCheck.success) return failed('discover', msg('hostOutput.hostModel', { issues: hostCheck.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') }))

  // Domain states: dumpxml cannot tell running from paused.
  const stateBody = bodyOrProblem(out, 'domain-state', problems)
  const stateByName = new Map<string, number | undefined>()
  if (stateBody) {
    const ds = parseDomstats(stateBody.text, stateBody.firstLine)
    if (ds.ok) for (const d of ds.value) stateByName.set(d.name, d.stateCode)
    else problems.push(ds.error)
  }
  const autostartBody = bodyOrProblem(out, 'autostart', problems)
  const autostart = autostartBody ? new Set(linesOf(autostartBody.text).map((l) => l.trim().toLowerCase()).filter(Boolean)) : undefined

  const hostManagers = parseManagerSections(out)
  const pacemaker = pacemakerDomains(out)
  problems.push(...hostManagers.problems, ...pacemaker.problems)
  const managers = { ...hostManagers, pacemaker: pacemaker.domains }
  const vms: Vm[] = []
  const details: VmDetails[] = []
  const vmIdOf = opts.vmIdOf ?? ((cfg: DomainConfig) => cfg.uuid.toLowerCase())
  for (const s of out.sections) {
    if (!s.name.startsWith('dumpxml ')) continue
    const uuid = s.name.slice('dumpxml '.length)
    if (s.body.trim() === '') {
      problems.push({ section: s.name, message: 'virsh printed no XML (domain removed during discovery?)' })
      continue
    }
    const cfg = parseDomainXml(s.body)
    if (!cfg.ok) {
      problems.push({ ...cfg.error, section: `${s.name}: ${cfg.error.section}`, line: cfg.error.line === undefined ? undefined : cfg.error.line + s.firstLine - 1 })
      continue
    }
    problems.push(...cfg.warnings)
    const config = cfg.value
    const vmId = vmIdOf(config)
    const stateCode = stateByName.get(config.name)
    const state = stateCode !== undefined ? stateOf(stateCode) : config.runningId !== undefined ? 'running' : 'shutoff'
    const shares = config.cputune.shares
    const managedBy = config.manager ?? managerOfDomain(managers, config.name)
    const vm: Vm = {
      id: vmId,
      name: config.name,
      uuid: config.uuid.toLowerCase(),
      hostId: opts.hostId,
      state,
      allocation: {
        vcpus: config.vcpusCurrent,
        maxVcpus: config.vcpusMax,
        memoryMiB: config.memoryCurrentKiB / 1024,
        maxMemoryMiB: config.memoryMaxKiB / 1024,
        ...(shares !== undefined && Number.isInteger(shares) && shares > 0 ? { cpuShares: shares } : {}),
      },
      tags: [],
      ...(managedBy ? { managedBy } : {}),
    }
    const check = VmSchema.safeParse(vm)
    if (!check.success) {
      problems.push({ section: s.name, field: config.name, message: `does not fit the Vm model: ${check.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` })
      continue
    }
    if (uuid.toLowerCase() !== config.uuid.toLowerCase()) problems.push({ section: s.name, message: `XML has uuid ${config.uuid}` })
    vms.push(vm)
    details.push({ vmId, config, autostart: autostart ? autostart.has(config.uuid.toLowerCase()) : undefined, stateCode })
  }

  const storageRead = libvirtStorage(out, {
    hostId: opts.hostId,
    t: opts.t ?? 0,
    domains: details.map((d) => ({ vmId: d.vmId, uuid: d.config.uuid, config: d.config })),
    ...(opts.previousDiskstats ? { previous: opts.previousDiskstats } : {}),
  })
  problems.push(...storageRead.problems)

  return parsed({
    inventory: { hosts: [host], vms },
    storage: storageRead.storage,
    ...(storageRead.diskstats ? { diskstats: storageRead.diskstats } : {}),
    host: {
      hostId: opts.hostId,
      hostname,
      kernel,
      libvirtVersion: version?.ok ? version.value.libvirt : undefined,
      hypervisor: version?.ok ? version.value.hypervisor : undefined,
      hypervisorVersion: version?.ok ? version.value.hypervisorVersion : undefined,
      capabilities: c,
      tuning,
      cpuMhzSource: mhzFound?.[1] ?? 'unknown',
    },
    vms: details,
    problems,
  })
}

function stateOf(code: number): Vm['state'] {
  return vmStateFromLibvirt(code)
}
