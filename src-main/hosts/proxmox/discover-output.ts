import { msg } from '../../../shared/i18n'
import { HostSchema, type Host, type HostCluster, type HostStorage, type Vm } from '../../../shared/model'
import { parseDf, parseMountinfo, withDfFigures } from '../linux/parse/mounts'
import type { Inventory } from '../adapter'
import { hostTuningFrom, parseCpuinfoSummary, parseFileValues, type HostTuning } from '../linux/parse/host-tuning'
import { parseMeminfo } from '../linux/parse/procfs'
import { failed, failedAs, parsed, type Parsed, type ParseProblem } from '../linux/parse/result'
import { bodyOrProblem, sectionNamed, splitSections, successfulBody, type ScriptOutput } from '../linux/parse/sections'
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

/**
 * The VM id of a guest: vmids are unique in a cluster and survive migration between its nodes;
 * `scope` names the cluster (two labs' clusters both have a guest 100). Without one (the
 * cluster's certificate unreadable), the id VirtPilot gave before clusters were told apart.
 */
export function proxmoxVmId(vmid: number, scope?: string): string {
  return scope ? `pve-${vmid}@${scope}` : `pve-${vmid}`
}

/** Which Proxmox VE cluster a node is in: its name (a standalone node's own) and its CA certificate's SHA-256, when readable. */
export interface ProxmoxClusterIdentity {
  name: string
  caSha256?: string
}

/** The cluster's name from pmxcfs' .members (`"cluster": { "name": "pvec", ... }`; a standalone node has none), and the CA's digest from sha256sum. */
export function clusterIdentity(out: ScriptOutput, node: string, problems: ParseProblem[]): ProxmoxClusterIdentity {
  let name = node
  const members = successfulBody(out, 'pve-members')
  if ('body' in members) {
    try {
      const parsedMembers = JSON.parse(members.body) as { cluster?: { name?: unknown } }
      const cluster = parsedMembers.cluster?.name
      if (typeof cluster === 'string' && isSafeNodeName(cluster)) name = cluster
      else if (cluster !== undefined) problems.push({ section: 'pve-members', message: `cluster name ${JSON.stringify(String(cluster).slice(0, 40))} is not a Proxmox cluster name` })
    } catch {
      problems.push({ section: 'pve-members', message: 'not JSON' })
    }
  } else if (sectionNamed(out, 'pve-members')) problems.push({ section: 'pve-members', message: members.reason })
  const ca = successfulBody(out, 'pve-ca')
  const digest = 'body' in ca ? /^([0-9a-f]{64})\s/.exec(ca.body)?.[1] : undefined
  if (sectionNamed(out, 'pve-ca') && !digest) {
    problems.push({ section: 'pve-ca', message: `${'reason' in ca ? ca.reason : 'no SHA-256 digest'}: the cluster's certificate tells same-named clusters apart; without it this node's guests keep ids another cluster's guests may share` })
  }
  return digest ? { name, caSha256: digest } : { name }
}

/** The scope of a cluster's guest ids: its name and the start of its certificate's digest (`pvec-3f9a1c2b`). */
export function clusterScope(identity: ProxmoxClusterIdentity): string | undefined {
  return identity.caSha256 ? `${identity.name}-${identity.caSha256.slice(0, 8)}` : undefined
}

/** The node's cluster for the engine (guests move only within it) and the admin (which lab's `pve` this is). */
function hostCluster(identity: ProxmoxClusterIdentity): HostCluster {
  return {
    id: `pve:${identity.name}:${identity.caSha256 ?? ''}`,
    name: identity.name,
    via: identity.caSha256 ? `SSH (CA SHA-256 ${identity.caSha256.slice(0, 8)})` : 'SSH',
  }
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
  if (!out.complete) problems.push({ section: 'script', message: 'output ended before DONE (cut off or timed out)', ref: msg('access.hostOutput.endedEarly') })
  const required = (name: string) => bodyOrProblem(out, name, problems) ?? { missing: problems[problems.length - 1]! }

  const versionBody = required('pveversion')
  if ('missing' in versionBody) {
    const { message, ref } = versionBody.missing
    return failed('pveversion', `${message}: is this a Proxmox VE node?`, { ref: msg('access.hostOutput.notProxmoxNode', { reason: ref ?? message }) })
  }
  const pve = detectProxmox(versionBody.text)
  if (!pve) {
    const output = JSON.stringify(versionBody.text.trim().slice(0, 80))
    return failed('pveversion', `not Proxmox VE: pveversion printed ${output}`, { ref: msg('access.hostOutput.notProxmox', { output }) })
  }

  const nameBody = required('nodename')
  if ('missing' in nameBody) return failedAs('nodename', nameBody.missing)
  const hostname = nameBody.text.trim()
  const node = nodeNameOf(hostname)
  if (!isSafeNodeName(node)) {
    const output = JSON.stringify(hostname.slice(0, 80))
    return failed('nodename', `${output} is not a Proxmox node name (letters, digits, dot, dash)`, { ref: msg('access.hostOutput.nodeName', { output }) })
  }

  const memBody = required('meminfo')
  if ('missing' in memBody) return failedAs('meminfo', memBody.missing)
  const mem = parseMeminfo(memBody.text, '/proc/meminfo', memBody.firstLine)
  if (!mem.ok) return mem

  const lscpuBody = required('lscpu')
  if ('missing' in lscpuBody) return failedAs('lscpu', lscpuBody.missing)
  const cpus = parseLscpuParsable(lscpuBody.text, 'lscpu', lscpuBody.firstLine)
  if (!cpus.ok) return cpus
  const topology = topologyOf(cpus.value)
  if (!topology.ok) return topology
  problems.push(...topology.warnings)

  const resourcesBody = required('cluster-resources')
  if ('missing' in resourcesBody) {
    const { message, ref } = resourcesBody.missing
    return failed('cluster-resources', `${message} (VirtPilot reads Proxmox VE through pvesh, which runs only as root)`, { ref: msg('access.hostOutput.onlyRoot', { reason: ref ?? message }) })
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

  const identity = clusterIdentity(out, node, problems)
  const scope = clusterScope(identity)
  const vmIdOf = (vmid: number) => proxmoxVmId(vmid, scope)
  const t = topology.value
  const host: Host = {
    id: opts.hostId,
    name: opts.hostName ?? node,
    source: 'proxmox',
    cluster: hostCluster(identity),
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
  if (!hostCheck.success) return failed('discover', msg('hostOutput.hostModel', { issues: hostCheck.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') }))

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
  const vmsParsed = proxmoxVms(mine, { hostIdOf: () => opts.hostId, vmIdOf, configs })
  if (!vmsParsed.ok) return vmsParsed
  problems.push(...vmsParsed.warnings)
  // The config file is fresher than pvestatd's copy of the name (stored every 10 s).
  const configByVmId = new Map([...configs].map(([vmid, c]) => [vmIdOf(vmid), c]))
  const managers = parseManagerSections(out)
  problems.push(...managers.problems)
  const vmidOf = new Map(mine.map((r) => [vmIdOf(r.vmid), r.vmid]))
  const vms: Vm[] = vmsParsed.value.map((vm) => {
    const name = configByVmId.get(vm.id)?.name
    const vmid = vmidOf.get(vm.id)
    const managedBy = (vmid !== undefined ? managerOfPveGuest(managers, vmid) : undefined) ?? managers.host
    return { ...vm, ...(name ? { name } : {}), ...(managedBy ? { managedBy } : {}) }
  })
  const details: ProxmoxVmDetails[] = mine
    .filter((r) => vms.some((v) => v.id === vmIdOf(r.vmid)))
    .map((r) => {
      const config = configs.get(r.vmid)
      if (!config) problems.push({ section: 'qemu-config', field: `vmid ${r.vmid}`, message: 'no readable config file on this node' })
      return { vmId: vmIdOf(r.vmid), vmid: r.vmid, resource: r, ...(config ? { config } : {}) }
    })

  const storage = readStorage(out, opts, details, storageCfg, qemuVersion, problems)

  return parsed({
    // History recorded under the ids before clusters were told apart (`pve-100`) carries on under the new ones.
    inventory: { hosts: [host], vms, ...(scope ? { formerIds: Object.fromEntries(vms.map((v) => [v.id, proxmoxVmId(vmidOf.get(v.id)!)])) } : {}) },
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
