import { HostSchema, type Host, type HostStorage, type Vm } from '../../../shared/model'
import { parseDf, parseMountinfo, withDfFigures } from '../linux/parse/mounts'
import type { Inventory } from '../adapter'
import { hostTuningFrom, parseCpuinfoSummary, parseFileValues, type HostTuning } from '../linux/parse/host-tuning'
import { parseMeminfo } from '../linux/parse/procfs'
import { failed, parsed, type Parsed, type ParseProblem } from '../linux/parse/result'
import { bodyOrProblem, sectionNamed, splitSections, type ScriptOutput } from '../linux/parse/sections'
import { managerOfPveGuest, parseManagerSections } from '../linux/parse/managers'
import { PVE_DISCOVER_FORMAT } from './discover-script'
import { parseLscpuParsable, parseNodeMemTotals, parseQemuVersion, topologyOf } from './host-topology'
import {
  detectProxmox,
  isSafeNodeName,
  parseClusterResources,
  parseQemuConfFile,
  proxmoxVms,
  type ProxmoxClusterVm,
  type ProxmoxQemuConfig,
  type ProxmoxVersion,
} from './parse'
import { parseStorageCfg, type ProxmoxStorage } from './storage'
import { parseNodeStorage, parseStorageContent, proxmoxStorage, type ProxmoxContent } from './storage-status'

/** A guest of this node beyond the shared Vm type. */
export interface ProxmoxVmDetails {
  vmId: string
  vmid: number
  /** Its /cluster/resources row (status, memory, counters as pvestatd last stored them). */
  resource: ProxmoxClusterVm
  /** Its configuration file; undefined when it could not be read or parsed (see problems). */
  config?: ProxmoxQemuConfig
}

export interface ProxmoxHostDetails {
  hostId: string
  /** Proxmox node name: `uname -n` up to the first dot, as Proxmox itself derives it. */
  node: string
  hostname: string
  kernel?: string
  pve: ProxmoxVersion
  /** Version of the QEMU binary new guests start with (`kvm --version`). */
  qemuVersion?: string
  tuning?: HostTuning
  storages: ReadonlyMap<string, ProxmoxStorage>
  cpuMhzSource: 'cpuinfo' | 'cpufreq-max' | 'unknown'
}

export interface ProxmoxDiscovery {
  inventory: Inventory
  host: ProxmoxHostDetails
  vms: ProxmoxVmDetails[]
  /** Storages, their guest volumes and the guests' disks. */
  storage: HostStorage
  /** vmids of this node that /cluster/resources lists but that have no config file, and the reverse. */
  problems: ParseProblem[]
}

export interface ProxmoxDiscoverOptions {
  hostId: string
  /** Display name; defaults to the node name. */
  hostName?: string
  tags?: string[]
  /** When the output was read, epoch ms (storage samples carry it). */
  t?: number
}

/** The VM id of a guest: vmids are unique in a cluster and survive migration between its nodes. */
export function proxmoxVmId(vmid: number): string {
  return `pve-${vmid}`
}

/** Proxmox's node name for a host name (PVE::INotify::nodename: the part before the first dot). */
export function nodeNameOf(hostname: string): string {
  return hostname.trim().split('.')[0] ?? ''
}


function take<T>(p: Parsed<T>, problems: ParseProblem[]): T | undefined {
  if (!p.ok) {
    problems.push(p.error)
    return undefined
  }
  problems.push(...p.warnings)
  return p.value
}

/**
 * Parses the Proxmox discover script's output into the shared Host/Vm types plus details for the
 * tuning facts. Fails when the node is not Proxmox VE, when its name, memory, CPU topology or
 * guest list cannot be read; a guest config that does not parse is left out with a problem.
 */
export function parseProxmoxDiscoverOutput(output: string, opts: ProxmoxDiscoverOptions): Parsed<ProxmoxDiscovery> {
  const split = splitSections(output, PVE_DISCOVER_FORMAT)
  if (!split.ok) return split
  const out = split.value
  const problems: ParseProblem[] = []
  if (!out.complete) problems.push({ section: 'script', message: 'output ended before DONE (cut off or timed out)' })
  const required = (name: string) => bodyOrProblem(out, name, problems) ?? { missing: problems[problems.length - 1]!.message }

  const versionBody = required('pveversion')
  if ('missing' in versionBody) return failed('pveversion', `${versionBody.missing}: is this a Proxmox VE node?`)
  const pve = detectProxmox(versionBody.text)
  if (!pve) return failed('pveversion', `not Proxmox VE: pveversion printed ${JSON.stringify(versionBody.text.trim().slice(0, 80))}`)

  const nameBody = required('nodename')
  if ('missing' in nameBody) return failed('nodename', nameBody.missing)
  const hostname = nameBody.text.trim()
  const node = nodeNameOf(hostname)
  if (!isSafeNodeName(node)) return failed('nodename', `${JSON.stringify(hostname.slice(0, 80))} is not a Proxmox node name (letters, digits, dot, dash)`)

  const memBody = required('meminfo')
  if ('missing' in memBody) return failed('meminfo', memBody.missing)
  const mem = parseMeminfo(memBody.text, '/proc/meminfo', memBody.firstLine)
  if (!mem.ok) return mem

  const lscpuBody = required('lscpu')
  if ('missing' in lscpuBody) return failed('lscpu', lscpuBody.missing)
  const cpus = parseLscpuParsable(lscpuBody.text, 'lscpu', lscpuBody.firstLine)
  if (!cpus.ok) return cpus
  const topology = topologyOf(cpus.value)
  if (!topology.ok) return topology
  problems.push(...topology.warnings)

  const resourcesBody = required('cluster-resources')
  if ('missing' in resourcesBody) {
    return failed('cluster-resources', `${resourcesBody.missing} (VirtPilot reads Proxmox VE through pvesh, which runs only as root)`)
  }
  const resources = parseClusterResources(resourcesBody.text)
  if (!resources.ok) return resources
  problems.push(...resources.warnings)

  const kernel = bodyOrProblem(out, 'kernel', problems)?.text.trim() || undefined
  const qemuBody = bodyOrProblem(out, 'qemu-version', problems)
  const qemuVersion = qemuBody ? parseQemuVersion(qemuBody.text) : undefined
  if (qemuBody && !qemuVersion) problems.push({ section: 'qemu-version', message: `no "QEMU emulator version" in ${JSON.stringify(qemuBody.text.slice(0, 60))}` })
  const cpuinfo = parseCpuinfoSummary(bodyOrProblem(out, 'cpuinfo', problems)?.text ?? '')
  const nodeMemBody = bodyOrProblem(out, 'numa-meminfo', problems)
  const nodeMem = nodeMemBody ? take(parseNodeMemTotals(nodeMemBody.text, 'numa-meminfo', nodeMemBody.firstLine), problems) : undefined
  const filesBody = bodyOrProblem(out, 'files', problems)
  const files = filesBody ? take(parseFileValues(filesBody.text, 'files', filesBody.firstLine), problems) : undefined
  const tuning = files ? take(hostTuningFrom(files), problems) : undefined
  const storageBody = bodyOrProblem(out, 'storage', problems)
  const storageParsed = storageBody ? parseStorageCfg(storageBody.text, 'storage.cfg', storageBody.firstLine) : undefined
  problems.push(...(storageParsed?.problems ?? []))
  const storageCfg = storageParsed?.storages ?? new Map<string, ProxmoxStorage>()

  const mhzChoices: [number | undefined, ProxmoxHostDetails['cpuMhzSource']][] = [
    [cpuinfo.mhz, 'cpuinfo'],
    [tuning?.cpuMaxMHz, 'cpufreq-max'],
  ]
  const mhzFound = mhzChoices.find(([v]) => v !== undefined && v > 0)
  if (!mhzFound) problems.push({ section: 'cpuinfo', message: 'CPU clock unknown (no cpu MHz or cpufreq); using 1 MHz as a placeholder' })

  const t = topology.value
  const host: Host = {
    id: opts.hostId,
    name: opts.hostName ?? node,
    source: 'proxmox',
    state: 'online',
    cpu: {
      model: cpuinfo.modelName ?? 'unknown CPU',
      sockets: t.sockets,
      coresPerSocket: t.coresPerSocket,
      threadsPerCore: t.threadsPerCore,
      threads: t.logicalCpus,
      mhz: mhzFound?.[0] ?? 1,
    },
    memoryMiB: mem.value.memTotalKiB / 1024,
    numa: t.nodes.map((n) => ({ id: n.id, cpus: n.cpus, memoryMiB: (nodeMem?.get(n.id) ?? 0) / 1024 })),
    tags: opts.tags ?? [],
  }
  const hostCheck = HostSchema.safeParse(host)
  if (!hostCheck.success) return failed('discover', `host facts do not fit the Host model: ${hostCheck.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)

  // Configuration files: this node's guests only (pmxcfs links qemu-server/ to this node's folder).
  const configs = new Map<number, ProxmoxQemuConfig>()
  for (const s of out.sections) {
    const m = /^qemu-config (.*)$/.exec(s.name)
    if (!m) continue
    if (!/^\d+$/.test(m[1]!)) {
      problems.push({ section: s.name, message: 'not a vmid' })
      continue
    }
    if (s.exitCode !== 0) {
      problems.push({ section: s.name, message: `could not be read (exit ${s.exitCode ?? 'cut off'})` })
      continue
    }
    const cfg = parseQemuConfFile(s.body, s.name, s.firstLine)
    if (!cfg.ok) {
      problems.push(cfg.error)
      continue
    }
    problems.push(...cfg.warnings)
    configs.set(Number(m[1]), cfg.value)
  }

  // A cluster lists every node's guests; this adapter covers this node's QEMU guests only.
  const mine = resources.value.filter((r) => r.node === node && r.type === 'qemu')
  const listed = new Set(mine.map((r) => r.vmid))
  for (const vmid of configs.keys()) {
    if (!listed.has(vmid)) problems.push({ section: 'cluster-resources', field: `vmid ${vmid}`, message: 'has a config on this node but no /cluster/resources row (just created?); left out until the next discovery' })
  }
  const vmsParsed = proxmoxVms(mine, { hostIdOf: () => opts.hostId, vmIdOf: proxmoxVmId, configs })
  if (!vmsParsed.ok) return vmsParsed
  problems.push(...vmsParsed.warnings)
  // The config file is fresher than pvestatd's copy of the name (stored every 10 s).
  const configByVmId = new Map([...configs].map(([vmid, c]) => [proxmoxVmId(vmid), c]))
  const managers = parseManagerSections(out)
  problems.push(...managers.problems)
  const vmidOf = new Map(mine.map((r) => [proxmoxVmId(r.vmid), r.vmid]))
  const vms: Vm[] = vmsParsed.value.map((vm) => {
    const name = configByVmId.get(vm.id)?.name
    const vmid = vmidOf.get(vm.id)
    const managedBy = (vmid !== undefined ? managerOfPveGuest(managers, vmid) : undefined) ?? managers.host
    return { ...vm, ...(name ? { name } : {}), ...(managedBy ? { managedBy } : {}) }
  })
  const details: ProxmoxVmDetails[] = mine
    .filter((r) => vms.some((v) => v.id === proxmoxVmId(r.vmid)))
    .map((r) => {
      const config = configs.get(r.vmid)
      if (!config) problems.push({ section: 'qemu-config', field: `vmid ${r.vmid}`, message: 'no readable config file on this node' })
      return { vmId: proxmoxVmId(r.vmid), vmid: r.vmid, resource: r, ...(config ? { config } : {}) }
    })

  const storage = readStorage(out, opts, details, storageCfg, qemuVersion, problems)

  return parsed({
    inventory: { hosts: [host], vms },
    storage,
    host: {
      hostId: opts.hostId,
      node,
      hostname,
      kernel,
      pve,
      qemuVersion,
      tuning,
      storages: storageCfg,
      cpuMhzSource: mhzFound?.[1] ?? 'unknown',
    },
    vms: details,
    problems,
  })
}

/** The node's storage sections (sizes, guest volumes, filesystems) as a HostStorage; what is missing is a problem. */
function readStorage(
  out: ScriptOutput,
  opts: ProxmoxDiscoverOptions,
  guests: readonly ProxmoxVmDetails[],
  cfg: ReadonlyMap<string, ProxmoxStorage>,
  qemuVersion: string | undefined,
  problems: ParseProblem[],
): HostStorage {
  const nodeBody = bodyOrProblem(out, 'node-storage', problems)
  const node = nodeBody ? (take(parseNodeStorage(nodeBody.text), problems) ?? []) : []
  const contents = new Map<string, ProxmoxContent[]>()
  for (const s of out.sections) {
    if (!s.name.startsWith('storage-content ') || s.name.endsWith('.stderr') || s.exitCode !== 0) continue
    const rows = take(parseStorageContent(s.body, s.name), problems)
    if (rows) contents.set(s.name.slice('storage-content '.length), rows)
  }
  const mi = bodyOrProblem(out, 'mountinfo', problems)
  const df = sectionNamed(out, 'df')
  const mounts = mi ? (take(parseMountinfo(mi.text, 'mountinfo', mi.firstLine), problems) ?? []) : []
  const dfRows = df && df.body.trim() !== '' ? (take(parseDf(df.body, 'df', df.firstLine), problems) ?? []) : []
  return proxmoxStorage({
    hostId: opts.hostId,
    t: opts.t ?? 0,
    ...(sectionNamed(out, 'boot-id')?.body.trim() ? { bootId: sectionNamed(out, 'boot-id')!.body.trim() } : {}),
    node,
    contents,
    cfg,
    mounts: withDfFigures(mounts, dfRows),
    guests: guests.flatMap((g) => (g.config ? [{ vmId: g.vmId, config: g.config }] : [])),
    ...(qemuVersion ? { qemuVersion } : {}),
  })
}
