import { english, msg } from '../../../shared/i18n'
import type { MessageRef, VmManager } from '../../../shared/model'
import { nameFromHost } from '../../../shared/text/control'
import { MetricStoreError, type InstantSample, type PrometheusClient } from './client'
import { detectLibvirtFlavour, detectPve, NODE, PVE, REQUIRED_NODE, type LibvirtNames, type PveIoNames } from './metric-names'
import { PveScope, splitScoped } from './pve-scope'

/** A hypervisor host as the store knows it: node_exporter and libvirt exporter instances joined by host. */
export interface FleetHost {
  /** The join key: the admin's mapping of the instance, else the instance's address without port. */
  key: string
  /** node_exporter's nodename (uname -n), when exported. */
  nodename?: string
  nodeInstances: string[]
  libvirtInstances: string[]
  /** The Proxmox node name, when pve-exporter knows this host (its guests are the host's VMs); scoped (`pve1@lab-b`) when the store holds several clusters. */
  pveNode?: string
  /** The Proxmox VE cluster of that node: its name (a standalone node's own) and the cluster label's value that tells it apart in the store ('' with one cluster). */
  pveCluster?: { name: string; group: string }
  /** Logical CPUs (node_cpu_seconds_total's `cpu` label values, else Proxmox's maxcpu). */
  threads: number
  memTotalBytes: number
  cpuModel?: string
  cpuMhz?: number
}

export interface FleetVm {
  hostKey: string
  /** The libvirt domain name; a Proxmox guest's name. */
  domain: string
  uuid?: string
  /** A Proxmox guest's `id` label (`qemu/100`) and VirtPilot id (`pve-100`, as SSH discovery of Proxmox names it). */
  guestId?: string
  vmId?: string
  /** Proxmox VE HA manages the guest (pve_ha_state): advice only, as SSH discovery says from ha/resources.cfg. */
  managedBy?: VmManager
  /** libvirt's virDomainState code, when the exporter gives it (1 running). */
  stateCode?: number
  vcpus: number
  maxMemoryBytes: number
  memoryBytes: number
}

export interface FleetDiscovery {
  hosts: FleetHost[]
  vms: FleetVm[]
  /** The libvirt exporter flavour the store's names matched, if any. */
  flavour?: string
  /** Seconds between scrapes, estimated from `up`'s samples. */
  scrapeIntervalS: number
  /** What an admin should fix (a libvirt exporter with no host, an exporter down), worded with the fix. */
  problems: string[]
  /** The same problems as message keys where VirtPilot has them (null: English only), one per problem. */
  problemRefs: (MessageRef | null)[]
  /** pve-exporter's view, when the store holds it: its nodes, and the containers (lxc) listed but not managed. */
  pve?: { nodes: string[]; containers: { id: string; name: string; node: string }[] }
}

export interface HostRates {
  /** CPU seconds per second by mode (user, system, idle, ...), summed over CPUs. */
  cpu: Partial<Record<string, number>>
  memTotalBytes: number
  memAvailableBytes: number
  /** When the memory gauge was last scraped, epoch ms: the host's freshness. */
  scrapedAt: number
  diskReadBps: number
  diskWriteBps: number
  netRxBps: number
  netTxBps: number
  load1?: number
  psi: { cpu?: number; memory?: number; io?: number }
  swapInPps?: number
  swapOutPps?: number
}

export interface VmRates {
  hostKey: string
  domain: string
  /** A Proxmox guest's VirtPilot id (`pve-100`): the same on whichever node it runs. */
  vmId?: string
  vcpus: number
  cpuCores: number
  memUsedBytes: number
  diskReadBps: number
  diskWriteBps: number
  diskReadIops: number
  diskWriteIops: number
  netRxBps: number
  netTxBps: number
}

export interface FleetReading {
  t: number
  hosts: Map<string, HostRates>
  /** Keyed by `hostKey` + NUL + domain name. */
  vms: Map<string, VmRates>
  /** Hosts left out and why (stale, exporter down). */
  problems: string[]
  /** The same problems as messages, one per problem. */
  problemRefs: MessageRef[]
}

/** A Proxmox guest's or node's figures as one read gives them, by `id`. */
interface PveFigures {
  ratio?: number
  limit?: number
  used?: number
  size?: number
  up?: number
  scrapedAt?: number
  diskRead?: number
  diskWrite?: number
  netRx?: number
  netTx?: number
}

/**
 * A Proxmox guest's VirtPilot id: `pve-VMID` (vmids are unique in a cluster) while the store holds
 * one cluster, `pve-VMID@GROUP` when it holds several (the cluster label's value tells them apart).
 */
function proxmoxVmId(scopedId: string): string | undefined {
  const { id, group } = splitScoped(scopedId)
  const vmid = Number(id.replace(/^qemu\//, ''))
  if (!Number.isInteger(vmid) || vmid <= 0) return undefined
  return group === '' && !scopedId.includes('@') ? `pve-${vmid}` : `pve-${vmid}@${group}`
}

export const vmKey = (hostKey: string, domain: string) => `${hostKey}\u0000${domain}`

/** `10.0.0.5:9100` -> `10.0.0.5`, `[fe80::1]:9100` -> `fe80::1`, `kvm1` -> `kvm1`. */
export function instanceAddress(instance: string): string {
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(instance)
  if (v6?.[1]) return v6[1]
  const colon = instance.lastIndexOf(':')
  if (colon > 0 && instance.indexOf(':') === colon && /^\d+$/.test(instance.slice(colon + 1))) return instance.slice(0, colon)
  return instance
}

/** Network devices that carry someone else's traffic (VMs' taps, bridges, loopback): as over SSH. */
const VIRTUAL_NICS = 'lo|vnet[0-9].*|tap.*|macvtap.*|veth.*|virbr.*|br.*|docker.*|vxlan.*|bond.*|team.*|tun.*|wg.*|dummy.*|ovs-.*|genev.*|kube.*|cni.*|flannel.*|cali.*'
/** Block devices that are not whole physical disks (node_exporter already drops partitions). */
const VIRTUAL_DISKS = 'dm-.*|loop.*|zram.*|md.*|ram.*|nbd.*|sr.*|fd.*'

export interface FleetOptions {
  /** The admin's mapping of instance, address or nodename to a host name. */
  hostMap?: Record<string, string>
  /** The scrape label whose values tell Proxmox VE clusters apart in the store (default `job`). */
  clusterLabel?: string
  /** How often VirtPilot reads: the rate window is never shorter. */
  pollIntervalMs: number
}

/**
 * Reads a whole fleet from a Prometheus-compatible store with one request per kind of read,
 * whatever the number of hosts and VMs: discovery (names, sizes, the exporter flavour) and
 * rates (every counter family as `rate()` over a window that spans several scrapes, so counter
 * resets and missed scrapes are the store's business, as they are in Grafana).
 */
export class FleetReader {
  private names: LibvirtNames | undefined
  private discovered = false
  private scrapeIntervalS = 15
  /** The last reading and the promise of the one under way: hosts polled together share one. */
  private last: { at: number; reading: Promise<FleetReading> } | undefined
  /** The last discovery's hosts and how many VMs each libvirt exporter instance lists (range reads select by instance). */
  private hostsByKey = new Map<string, FleetHost>()
  private vmsPerInstance = new Map<string, number>()
  /** pve-exporter's I/O names, when the store holds pve-exporter; whether it holds node_exporter. */
  private pve: PveIoNames | undefined
  private hasNode = true
  /** Proxmox node name -> host key, and the QEMU guests' ids (`qemu/100`), as last discovered. */
  private pveHostKeys = new Map<string, string>()
  private pveGuestIds: string[] = []
  /** How Proxmox ids are told apart when the store holds several clusters. */
  private scope = new PveScope()

  constructor(
    readonly client: PrometheusClient,
    private readonly options: FleetOptions,
  ) {}

  get flavour(): string | undefined {
    return this.names?.flavour
  }

  /** pve-exporter's guest I/O names, when the last discovery found pve-exporter in the store. */
  get pveIo(): PveIoNames | undefined {
    return this.pve
  }

  /** The Proxmox node a host is (pve-exporter's `node/NAME`), if any. */
  pveNodeOf(hostKey: string): string | undefined {
    return this.hostsByKey.get(hostKey)?.pveNode
  }

  /** Every QEMU guest pve-exporter lists on a known node, by `id` (`qemu/100`; scoped, `qemu/100@lab-b`, with several clusters). */
  pveGuests(): readonly string[] {
    return this.pveGuestIds
  }

  /** How Proxmox ids of this store are scoped (one cluster, or several told apart by a label). */
  get pveScope(): PveScope {
    return this.scope
  }

  /** The libvirt exporter's metric names the last discovery detected. */
  get libvirtNames(): LibvirtNames | undefined {
    return this.names
  }

  get scrapeIntervalMs(): number {
    return this.scrapeIntervalS * 1000
  }

  /** The exporter instances the store labels a host's series with (as last discovered). */
  instancesOf(hostKey: string, exporter: 'node' | 'libvirt'): string[] {
    const h = this.hostsByKey.get(hostKey)
    return (exporter === 'node' ? h?.nodeInstances : h?.libvirtInstances) ?? []
  }

  /** Every libvirt exporter instance of a known host, with the number of VMs it listed. */
  libvirtInstanceSizes(): Map<string, number> {
    return this.vmsPerInstance
  }

  /** The host key a series' instance label names (the admin's mapping applied). */
  hostKeyOfInstance(instance: string): string {
    return this.hostKeyOf(instance)
  }

  /** The rate window: at least four scrapes and one poll, so every rate sees two samples or more. */
  get windowS(): number {
    return Math.max(Math.ceil(4 * this.scrapeIntervalS), Math.ceil(this.options.pollIntervalMs / 1000), 30)
  }

  private mapped(...candidates: (string | undefined)[]): string | undefined {
    const map = this.options.hostMap ?? {}
    for (const c of candidates) if (c !== undefined && Object.hasOwn(map, c)) return map[c]
    return undefined
  }

  private hostKeyOf(instance: string, nodename?: string): string {
    return this.mapped(instance, instanceAddress(instance), nodename) ?? instanceAddress(instance)
  }

  async discover(now: number): Promise<FleetDiscovery> {
    const names = new Set(await this.client.labelValues('__name__', [], now - 3_600_000, now))
    const missing = REQUIRED_NODE.filter((n) => !names.has(n))
    this.pve = detectPve(names)
    // A Proxmox cluster with pve-exporter alone is readable: its nodes are the hosts.
    if (missing.length > 0 && !this.pve) {
      const ref = msg('metricStore.missing.nodeExporter', { store: this.client.label, metrics: missing.join(', ') })
      throw new MetricStoreError('missing-metrics', english(ref), ref)
    }
    this.hasNode = missing.length === 0
    this.names = detectLibvirtFlavour(names)
    this.discovered = true
    const problems: string[] = []
    const problemRefs: (MessageRef | null)[] = []
    const note = (text: string, ref: MessageRef | null = null) => {
      problems.push(text)
      problemRefs.push(ref)
    }
    const say = (ref: MessageRef) => note(english(ref), ref)
    if (!this.hasNode) say(msg('metricStore.pve.noNodeExporter', { store: this.client.label }))

    const q = (expr: string) => this.client.query(expr, now)
    const nodeSel = `${NODE.cpuSeconds}{mode="idle"}`
    const [threads, info, up, flat, pveInfo] = await Promise.all([
      this.hasNode ? q(`count by (instance) (${nodeSel})`) : Promise.resolve([] as InstantSample[]),
      this.hasNode ? q(`{__name__=~"${NODE.uname}|${NODE.memTotal}"} or count by (instance, model_name) (${NODE.cpuInfo}) or max by (instance) (node_cpu_scaling_frequency_max_hertz)`) : Promise.resolve([] as InstantSample[]),
      // Samples of `up` in the last minute (10 minutes for slow scrapes): the scrape interval, also in a store younger than 10 minutes.
      q('label_replace(count_over_time(up[1m]), "vp_window", "60", "", "") or label_replace(count_over_time(up[10m]), "vp_window", "600", "", "") or label_replace(up == 0, "vp_window", "down", "", "")'),
      this.names ? q(this.domainInfoExpr(this.names)) : Promise.resolve([] as InstantSample[]),
      this.pve ? q(`${PVE.nodeInfo} or ${PVE.guestInfo} or {__name__=~"${PVE.cpuLimit}|${PVE.memSize}|${PVE.up}",id=~"(node|qemu|cluster)/.+"} or label_replace(${PVE.haState}{id=~"qemu/.+"} == 1, "vp_family", "ha", "", "")`) : Promise.resolve([] as InstantSample[]),
    ])
    // n samples in a window are n - 1 scrape intervals apart; the minute is exact enough from 3 samples on.
    const perWindow = (w: string) => up.filter((s) => s.labels.vp_window === w).map((s) => s.value).filter((v) => v > 1)
    const minute = perWindow('60')
    const tenMinutes = perWindow('600')
    if (minute.length > 0 && median(minute) >= 3) this.scrapeIntervalS = Math.max(1, Math.round(60 / (median(minute) - 1)))
    else if (tenMinutes.length > 0) this.scrapeIntervalS = Math.max(1, Math.round(600 / (median(tenMinutes) - 1)))
    const down = up.filter((s) => s.labels.vp_window === 'down')

    const nodenames = new Map<string, string>()
    const memTotal = new Map<string, number>()
    const models = new Map<string, string>()
    const mhz = new Map<string, number>()
    for (const s of info) {
      const instance = s.labels.instance
      if (instance === undefined) continue
      if (s.labels.__name__ === NODE.uname && s.labels.nodename) nodenames.set(instance, s.labels.nodename)
      else if (s.labels.__name__ === NODE.memTotal) memTotal.set(instance, s.value)
      else if (s.labels.model_name !== undefined) models.set(instance, s.labels.model_name)
      else mhz.set(instance, s.value / 1e6)
    }
    const hosts = new Map<string, FleetHost>()
    for (const s of threads) {
      const instance = s.labels.instance
      if (instance === undefined) continue
      const nodename = nodenames.get(instance)
      const key = this.hostKeyOf(instance, nodename)
      const host = hosts.get(key)
      if (host) {
        host.nodeInstances.push(instance)
        say(msg('access.metricsSource.scrapedTwice', { host: key, instances: host.nodeInstances.join(', '), first: host.nodeInstances[0]! }))
        continue
      }
      const cpuModel = models.get(instance)
      const cpuMhz = mhz.get(instance)
      hosts.set(key, {
        key,
        ...(nodename !== undefined ? { nodename } : {}),
        nodeInstances: [instance],
        libvirtInstances: [],
        threads: s.value,
        memTotalBytes: memTotal.get(instance) ?? 0,
        ...(cpuModel !== undefined ? { cpuModel } : {}),
        ...(cpuMhz !== undefined ? { cpuMhz } : {}),
      })
    }

    const vms = new Map<string, FleetVm>()
    const unmatched = new Set<string>()
    for (const s of flat) {
      const { instance, domain } = s.labels
      if (instance === undefined || domain === undefined) continue
      const hostKey = this.hostKeyOf(instance)
      const host = hosts.get(hostKey)
      if (!host) {
        unmatched.add(instance)
        continue
      }
      if (!host.libvirtInstances.includes(instance)) host.libvirtInstances.push(instance)
      const key = vmKey(hostKey, domain)
      const vm = vms.get(key) ?? { hostKey, domain, vcpus: 0, maxMemoryBytes: 0, memoryBytes: 0 }
      const name = s.labels.__name__
      if (name === this.names?.vcpus) vm.vcpus = s.value
      else if (name === this.names?.maxMemory) vm.maxMemoryBytes = s.value
      else if (name === this.names?.memory) vm.memoryBytes = s.value
      else if (name === this.names?.state) vm.stateCode = s.value
      // libvirt's UUID, where the exporter labels domains with it: the id SSH discovery gives too.
      if (s.labels.uuid) vm.uuid = s.labels.uuid.toLowerCase()
      vms.set(key, vm)
    }
    this.pveHostKeys = new Map()
    this.pveGuestIds = []
    const pve = this.pve ? this.pveInventory(pveInfo, hosts, vms, say) : undefined
    // Hosts that are no Proxmox node need a libvirt exporter for their VMs.
    if (!this.names && [...hosts.values()].some((h) => h.pveNode === undefined)) {
      say(msg('access.metricsSource.noLibvirt', { store: this.client.label }))
    }
    this.hostsByKey = hosts
    this.vmsPerInstance = new Map()
    for (const h of hosts.values()) for (const i of h.libvirtInstances) this.vmsPerInstance.set(i, 0)
    for (const s of flat) {
      const i = s.labels.instance
      if (i !== undefined && this.vmsPerInstance.has(i) && s.labels.__name__ === this.names?.vcpus) this.vmsPerInstance.set(i, (this.vmsPerInstance.get(i) ?? 0) + 1)
    }
    for (const instance of unmatched) {
      const known = [...hosts.keys()].join(', ')
      say(msg('access.metricsSource.unmatchedLibvirt', { instance, hosts: known || msg('access.metricsSource.none'), address: instanceAddress(instance) }))
    }
    if (hosts.size === 0) {
      const ref = this.hasNode
        ? msg('access.metricsSource.noFreshNode', { store: this.client.label, series: NODE.cpuSeconds })
        : msg('access.metricsSource.noFreshPve', { store: this.client.label, info: PVE.nodeInfo, limit: `${PVE.cpuLimit}{id="node/…"}` })
      throw new MetricStoreError('missing-metrics', english(ref), ref)
    }
    for (const s of down) if (s.labels.instance) say(s.labels.job ? msg('access.metricsSource.downJob', { instance: s.labels.instance, job: s.labels.job }) : msg('access.metricsSource.down', { instance: s.labels.instance }))
    return {
      hosts: [...hosts.values()],
      vms: [...vms.values()].filter((v) => v.vcpus > 0),
      ...(this.names ? { flavour: this.names.flavour } : {}),
      scrapeIntervalS: this.scrapeIntervalS,
      problems,
      problemRefs,
      ...(pve ? { pve } : {}),
    }
  }

  /**
   * Proxmox nodes and guests from pve-exporter: a node joins the node_exporter host whose
   * nodename (or its first label: Proxmox names a node by its short hostname) or mapped name is
   * the node's, else it is a host of its own; its QEMU guests are its VMs; containers are listed.
   */
  private pveInventory(samples: InstantSample[], hosts: Map<string, FleetHost>, vms: Map<string, FleetVm>, say: (ref: MessageRef) => void): NonNullable<FleetDiscovery['pve']> {
    // Two clusters (two labs' `pve`) in one store differ by the cluster label only: scope every id by it when it has several values.
    const label = this.options.clusterLabel ?? 'job'
    const groups = new Set(samples.filter((s) => s.labels.id !== undefined).map((s) => s.labels[label] ?? ''))
    const scope = (this.scope = new PveScope(groups.size > 1 ? label : undefined))
    const clusterNames = new Map<string, string>()
    const figures = new Map<string, PveFigures>()
    const guests = new Map<string, { name: string; node: string; type: string; template: boolean }>()
    const nodes = new Set<string>()
    const ha = new Map<string, string>()
    for (const s of samples) {
      const id = scope.key(s.labels)
      if (id === undefined || !Number.isFinite(s.value)) continue
      const bare = s.labels.id!
      const name = s.labels.__name__
      if (bare.startsWith('cluster/')) clusterNames.set(s.labels[label] ?? '', bare.slice('cluster/'.length))
      else if (s.labels.vp_family === 'ha') ha.set(id, s.labels.state ?? '')
      else if (name === PVE.nodeInfo) nodes.add(scope.name(s.labels.name || bare.replace(/^node\//, ''), s.labels))
      else if (name === PVE.guestInfo && s.labels.node) guests.set(id, { name: s.labels.name ?? '', node: scope.name(s.labels.node, s.labels), type: s.labels.type ?? bare.split('/')[0]!, template: s.labels.template === '1' })
      else {
        if (id.startsWith('node/')) nodes.add(id.slice('node/'.length))
        const f = figures.get(id) ?? {}
        if (name === PVE.cpuLimit) f.limit = s.value
        else if (name === PVE.memSize) f.size = s.value
        else if (name === PVE.up) f.up = s.value
        figures.set(id, f)
      }
    }
    for (const g of guests.values()) nodes.add(g.node)
    const byNodename = new Map<string, FleetHost>()
    for (const h of hosts.values()) {
      if (!h.nodename) continue
      byNodename.set(h.nodename.toLowerCase(), h)
      byNodename.set(h.nodename.toLowerCase().split('.')[0]!, h)
    }
    // A cluster's name from pve_up{id="cluster/NAME"}; a standalone node (no cluster) is its own.
    const clusterOf = (node: string) => {
      const { id: bare, group } = splitScoped(node)
      return { name: (scope.label ? clusterNames.get(group) : [...clusterNames.values()][0]) ?? bare, group }
    }
    for (const node of [...nodes].sort()) {
      const bare = splitScoped(node).id
      const mapped = this.mapped(node, bare)
      const joined = (mapped !== undefined ? hosts.get(mapped) : undefined) ?? hosts.get(node) ?? byNodename.get(bare.toLowerCase())
      if (joined) {
        if (joined.pveNode === undefined) {
          joined.pveNode = node
          joined.pveCluster = clusterOf(node)
          this.pveHostKeys.set(node, joined.key)
        } else say(msg('access.metricsSource.twoNodes', { host: joined.key, a: joined.pveNode, b: node }))
        continue
      }
      const key = mapped ?? node
      const f = figures.get(`node/${node}`) ?? {}
      hosts.set(key, { key, nodename: bare, pveNode: node, pveCluster: clusterOf(node), nodeInstances: [], libvirtInstances: [], threads: f.limit ?? 0, memTotalBytes: f.size ?? 0 })
      this.pveHostKeys.set(node, key)
    }
    const containers: NonNullable<FleetDiscovery['pve']>['containers'] = []
    for (const [id, g] of [...guests].sort(([a], [b]) => a.localeCompare(b))) {
      const hostKey = this.pveHostKeys.get(g.node)
      if (hostKey === undefined || g.template) continue
      if (g.type === 'lxc') {
        containers.push({ id, name: g.name || id, node: g.node })
        continue
      }
      if (g.type !== 'qemu') continue
      const vmId = proxmoxVmId(id)
      if (vmId === undefined) continue
      const vmid = Number(splitScoped(id).id.slice('qemu/'.length))
      const f = figures.get(id) ?? {}
      const haState = ha.get(id)
      this.pveGuestIds.push(id)
      vms.set(vmKey(hostKey, id), {
        hostKey,
        domain: g.name || `VM ${vmid}`,
        guestId: id,
        vmId,
        // pve_up: 1 running, 0 stopped (libvirt's codes 1 and 5).
        stateCode: f.up === 0 ? 5 : 1,
        vcpus: f.limit ?? 0,
        maxMemoryBytes: f.size ?? 0,
        memoryBytes: f.size ?? 0,
        ...(haState !== undefined ? { managedBy: { manager: 'proxmox-ha' as const, ref: `vm:${vmid}`, source: `${PVE.haState} (pve-exporter)`, detail: nameFromHost(`state=${haState}`).name } } : {}),
      })
    }
    return { nodes: [...nodes].sort(), containers }
  }

  private domainInfoExpr(n: LibvirtNames): string {
    return `{__name__=~"${[n.vcpus, n.maxMemory, n.memory, n.state].filter(Boolean).join('|')}"}`
  }

  /**
   * One reading for every host polled within `shareMs` of each other (each host's collector
   * polls on its own timer): the fleet costs the same requests whether 1 or 200 hosts ask.
   */
  readShared(now: number, shareMs: number): Promise<FleetReading> {
    if (this.last && Math.abs(now - this.last.at) <= shareMs) return this.last.reading
    const reading = this.read(now)
    this.last = { at: now, reading }
    reading.catch(() => {
      if (this.last?.reading === reading) this.last = undefined
    })
    return reading
  }

  /** Every family's rate for every host and VM at `now`: two requests, whatever the fleet's size. */
  async read(now: number): Promise<FleetReading> {
    if (!this.discovered) await this.discover(now)
    const w = `${this.windowS}s`
    const tag = (family: string, expr: string) => `label_replace(${expr}, "vp_family", "${family}", "", "")`
    const byInstance = (metric: string, filter = '') => `sum by (instance) (rate(${metric}${filter}[${w}]))`
    const hostRates = [
      tag('cpu', `sum by (instance, mode) (rate(${NODE.cpuSeconds}[${w}]))`),
      tag('diskRead', byInstance(NODE.diskRead, `{device!~"${VIRTUAL_DISKS}"}`)),
      tag('diskWrite', byInstance(NODE.diskWritten, `{device!~"${VIRTUAL_DISKS}"}`)),
      tag('netRx', byInstance(NODE.netRx, `{device!~"${VIRTUAL_NICS}"}`)),
      tag('netTx', byInstance(NODE.netTx, `{device!~"${VIRTUAL_NICS}"}`)),
      tag('psiCpu', byInstance(NODE.psiCpu)),
      tag('psiMemory', byInstance(NODE.psiMemory)),
      tag('psiIo', byInstance(NODE.psiIo)),
      tag('swapIn', byInstance(NODE.swapIn)),
      tag('swapOut', byInstance(NODE.swapOut)),
      tag('scrapedAt', `timestamp(${NODE.memAvailable})`),
      `{__name__=~"${NODE.memTotal}|${NODE.memAvailable}|${NODE.load1}"}`,
    ].join(' or ')
    const n = this.names
    const byDomain = (family: string, metric: string | undefined) => (metric ? [tag(family, `sum by (instance, domain) (rate(${metric}[${w}]))`)] : [])
    const vmRates = n
      ? [
          ...byDomain('cpu', n.cpuTime),
          ...byDomain('diskRead', n.blockReadBytes),
          ...byDomain('diskWrite', n.blockWriteBytes),
          ...byDomain('diskReadReqs', n.blockReadReqs),
          ...byDomain('diskWriteReqs', n.blockWriteReqs),
          ...byDomain('netRx', n.netRx),
          ...byDomain('netTx', n.netTx),
          `{__name__=~"${[n.vcpus, n.memory, n.balloonAvailable, n.balloonUnused, n.rss].filter(Boolean).join('|')}"}`,
        ].join(' or ')
      : undefined
    const io = this.pve
    // Proxmox's figures once per object (`max by (id)`: every node's exporter may give the whole cluster), and where each guest runs now.
    const pveRates = io
      ? [
          `{__name__=~"${PVE.cpuRatio}|${PVE.cpuLimit}|${PVE.memUsed}|${PVE.memSize}|${PVE.up}",id=~"(node|qemu)/.+"}`,
          `${PVE.guestInfo}{type="qemu"}`,
          tag('scrapedAt', `max by (${this.scope.by}) (timestamp(${PVE.memUsed}{id=~"node/.+"}))`),
          ...(['diskRead', 'diskWrite', 'netRx', 'netTx'] as const).map((f) => tag(f, `max by (${this.scope.by}) (rate(${io[f === 'diskWrite' ? 'diskWritten' : f]}{id=~"qemu/.+"}[${w}]))`)),
        ].join(' or ')
      : undefined
    const none = Promise.resolve([] as InstantSample[])
    const [hostSamples, vmSamples, pveSamples] = await Promise.all([
      this.hasNode ? this.client.query(hostRates, now) : none,
      vmRates ? this.client.query(vmRates, now) : none,
      pveRates ? this.client.query(pveRates, now) : none,
    ])
    return this.assemble(now, hostSamples, vmSamples, pveSamples)
  }

  private assemble(now: number, hostSamples: InstantSample[], vmSamples: InstantSample[], pveSamples: InstantSample[] = []): FleetReading {
    const problems: string[] = []
    const problemRefs: MessageRef[] = []
    const say = (ref: MessageRef) => {
      problems.push(english(ref))
      problemRefs.push(ref)
    }
    const hosts = new Map<string, HostRates>()
    const hostOf = (instance: string) => {
      const key = this.hostKeyOf(instance)
      let h = hosts.get(key)
      if (!h) {
        h = { cpu: {}, memTotalBytes: 0, memAvailableBytes: 0, scrapedAt: 0, diskReadBps: 0, diskWriteBps: 0, netRxBps: 0, netTxBps: 0, psi: {} }
        hosts.set(key, h)
      }
      return h
    }
    for (const s of hostSamples) {
      const instance = s.labels.instance
      if (instance === undefined || !Number.isFinite(s.value)) continue
      const h = hostOf(instance)
      const family = s.labels.vp_family ?? s.labels.__name__
      switch (family) {
        case 'cpu':
          if (s.labels.mode) h.cpu[s.labels.mode] = s.value
          break
        case 'diskRead': h.diskReadBps = s.value; break
        case 'diskWrite': h.diskWriteBps = s.value; break
        case 'netRx': h.netRxBps = s.value; break
        case 'netTx': h.netTxBps = s.value; break
        case 'psiCpu': h.psi.cpu = s.value; break
        case 'psiMemory': h.psi.memory = s.value; break
        case 'psiIo': h.psi.io = s.value; break
        case 'swapIn': h.swapInPps = s.value; break
        case 'swapOut': h.swapOutPps = s.value; break
        case 'scrapedAt': h.scrapedAt = s.value * 1000; break
        case NODE.memTotal: h.memTotalBytes = s.value; break
        case NODE.memAvailable: h.memAvailableBytes = s.value; break
        case NODE.load1: h.load1 = s.value; break
      }
    }
    const pve = this.pveFigures(pveSamples)
    for (const [node, key] of this.pveHostKeys) {
      // A node with node_exporter is read from it (finer figures); a node without, from Proxmox's.
      if ((this.hostsByKey.get(key)?.nodeInstances.length ?? 0) > 0) continue
      const f = pve.figures.get(`node/${node}`)
      if (!f) continue
      const cpus = f.limit ?? 0
      const busy = Math.min(1, Math.max(0, f.ratio ?? 0))
      hosts.set(key, {
        // Proxmox gives one busy fraction: busy as user time, the rest idle.
        cpu: cpus > 0 && f.ratio !== undefined ? { user: busy * cpus, idle: (1 - busy) * cpus } : {},
        memTotalBytes: f.size ?? 0,
        memAvailableBytes: Math.max(0, (f.size ?? 0) - (f.used ?? 0)),
        scrapedAt: (f.scrapedAt ?? 0) * 1000,
        // pve-exporter gives no node disk, network or pressure figures: node_exporter does.
        diskReadBps: 0,
        diskWriteBps: 0,
        netRxBps: 0,
        netTxBps: 0,
        psi: {},
      })
    }
    // A host whose exporter stopped answering keeps its last value for the store's lookback (5 min): not a live figure.
    const staleAfterMs = Math.max(3 * this.scrapeIntervalS * 1000, 2 * this.options.pollIntervalMs)
    for (const [key, h] of hosts) {
      const cpuModes = Object.keys(h.cpu).length
      if (h.scrapedAt > 0 && now - h.scrapedAt > staleAfterMs) {
        hosts.delete(key)
        say(msg('access.metricsSource.lastScraped', { host: key, exporter: this.exporterOf(key), seconds: Math.round((now - h.scrapedAt) / 1000) }))
      } else if (h.memTotalBytes <= 0 || cpuModes === 0) {
        hosts.delete(key)
        say(msg('access.metricsSource.incomplete', { host: key, exporter: this.exporterOf(key), what: msg(cpuModes === 0 ? 'access.metricsSource.noCpuRate' : 'access.metricsSource.noMemory') }))
      }
    }

    const n = this.names
    const vms = new Map<string, VmRates & { available?: number; unused?: number; rss?: number }>()
    for (const s of vmSamples) {
      const { instance, domain } = s.labels
      if (instance === undefined || domain === undefined || !Number.isFinite(s.value)) continue
      const hostKey = this.hostKeyOf(instance)
      const key = vmKey(hostKey, domain)
      let v = vms.get(key)
      if (!v) {
        v = { hostKey, domain, vcpus: 0, cpuCores: 0, memUsedBytes: 0, diskReadBps: 0, diskWriteBps: 0, diskReadIops: 0, diskWriteIops: 0, netRxBps: 0, netTxBps: 0 }
        vms.set(key, v)
      }
      const family = s.labels.vp_family ?? s.labels.__name__
      switch (family) {
        case 'cpu': v.cpuCores = s.value; break
        case 'diskRead': v.diskReadBps = s.value; break
        case 'diskWrite': v.diskWriteBps = s.value; break
        case 'diskReadReqs': v.diskReadIops = s.value; break
        case 'diskWriteReqs': v.diskWriteIops = s.value; break
        case 'netRx': v.netRxBps = s.value; break
        case 'netTx': v.netTxBps = s.value; break
        case n?.vcpus: v.vcpus = s.value; break
        case n?.memory: v.memUsedBytes ||= s.value; break
        case n?.balloonAvailable: v.available = s.value; break
        case n?.balloonUnused: v.unused = s.value; break
        case n?.rss: v.rss = s.value; break
      }
    }
    const out = new Map<string, VmRates>()
    for (const [key, { available, unused, rss, ...v }] of vms) {
      // As over SSH: what the guest uses when it reports its balloon, else what QEMU holds.
      if (available !== undefined && unused !== undefined && available > 0) v.memUsedBytes = Math.max(0, available - unused)
      else if (rss !== undefined) v.memUsedBytes = rss
      // A domain with no CPU rate yet (just started) or on a host left out has no reading this time.
      if (v.vcpus > 0 && hosts.has(v.hostKey)) out.set(key, v)
    }
    for (const [id, f] of pve.figures) {
      const node = pve.nodeOf.get(id)
      const hostKey = node !== undefined ? this.pveHostKeys.get(node) : undefined
      // A guest on a node discovery has not seen (new) waits for the next discovery; a stopped one has no reading.
      const vmId = proxmoxVmId(id)
      if (hostKey === undefined || !hosts.has(hostKey) || f.up === 0 || !f.limit || vmId === undefined) continue
      out.set(vmKey(hostKey, id), {
        hostKey,
        domain: pve.names.get(id) || `VM ${splitScoped(id).id.slice('qemu/'.length)}`,
        vmId,
        vcpus: f.limit,
        // Proxmox's cpu is the busy fraction of the guest's vCPUs.
        cpuCores: Math.max(0, f.ratio ?? 0) * f.limit,
        memUsedBytes: f.used ?? 0,
        diskReadBps: f.diskRead ?? 0,
        diskWriteBps: f.diskWrite ?? 0,
        // pve-exporter counts bytes, not requests.
        diskReadIops: 0,
        diskWriteIops: 0,
        netRxBps: f.netRx ?? 0,
        netTxBps: f.netTx ?? 0,
      })
    }
    return { t: now, hosts, vms: out, problems, problemRefs }
  }

  /** Which exporter a host's figures come from, for messages. */
  private exporterOf(hostKey: string): string {
    const h = this.hostsByKey.get(hostKey)
    return h && h.nodeInstances.length === 0 && h.pveNode !== undefined ? 'pve-exporter' : 'node_exporter'
  }

  /** One read's pve-exporter samples by `id`: the figures, and each QEMU guest's node and name. */
  private pveFigures(samples: InstantSample[]) {
    const figures = new Map<string, PveFigures>()
    const nodeOf = new Map<string, string>()
    const names = new Map<string, string>()
    for (const s of samples) {
      const id = this.scope.key(s.labels)
      if (id === undefined || !Number.isFinite(s.value)) continue
      if (s.labels.__name__ === PVE.guestInfo) {
        if (s.labels.node) nodeOf.set(id, this.scope.name(s.labels.node, s.labels))
        if (s.labels.name) names.set(id, s.labels.name)
        continue
      }
      let f = figures.get(id)
      if (!f) figures.set(id, (f = {}))
      const family = s.labels.vp_family ?? s.labels.__name__
      // Several exporters giving the same object: the largest figure (they should agree).
      const keep = (v: number | undefined) => (v === undefined ? s.value : Math.max(v, s.value))
      switch (family) {
        case PVE.cpuRatio: f.ratio = keep(f.ratio); break
        case PVE.cpuLimit: f.limit = keep(f.limit); break
        case PVE.memUsed: f.used = keep(f.used); break
        case PVE.memSize: f.size = keep(f.size); break
        case PVE.up: f.up = keep(f.up); break
        case 'scrapedAt': f.scrapedAt = keep(f.scrapedAt); break
        case 'diskRead': f.diskRead = keep(f.diskRead); break
        case 'diskWrite': f.diskWrite = keep(f.diskWrite); break
        case 'netRx': f.netRx = keep(f.netRx); break
        case 'netTx': f.netTx = keep(f.netTx); break
      }
    }
    // Guests only: nodes are read above by their `node/NAME` id.
    for (const id of figures.keys()) if (!id.startsWith('qemu/') && !id.startsWith('node/')) figures.delete(id)
    return {
      figures: new Map([...figures].filter(([id]) => id.startsWith('node/') || nodeOf.has(id))),
      nodeOf,
      names,
    }
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? 1
}
