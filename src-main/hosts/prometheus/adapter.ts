import { english, msg } from '../../../shared/i18n'
import type { ClusterFacts, Host, HostCluster, HostStorage, MessageRef, Vm } from '../../../shared/model'
import { nameFromHost } from '../../../shared/text/control'
import type { HostAdapter, Inventory, RawStats, ReadOptions } from '../adapter'
import { MetricStoreError } from './client'
import { CounterIntegrator } from './counters'
import { vmKey, type FleetDiscovery, type FleetReader, type FleetHost, type FleetVm } from './fleet'

/** Tags on hosts read from the store: `prometheus` always, `read-only` when no SSH target serves them. */
export const STORE_TAG = 'prometheus'
export const READ_ONLY_TAG = 'read-only'

/** A VirtPilot host id from the store's host key: `10.0.0.5` -> `prom-10-0-0-5`. */
export function storeHostId(key: string): string {
  const slug = key.toLowerCase().replace(/[^a-z0-9]+/g, '-').split('-').filter(Boolean).join('-').slice(0, 40)
  return `prom-${slug || 'host'}`
}

/** A VM's id when the exporter gives no UUID (and no SSH discovery knows it): unique per host. */
export function storeVmId(hostKey: string, domain: string): string {
  return `${storeHostId(hostKey)}/${domain}`
}

/** A store VM's id: a Proxmox guest's `pve-VMID`, else libvirt's UUID, else host and domain name. */
function fleetVmId(v: FleetVm): string {
  return v.vmId ?? v.uuid ?? storeVmId(v.hostKey, v.domain)
}

/** libvirt's virDomainState codes; exporters without one list running domains only. */
function vmState(code: number | undefined): Vm['state'] {
  switch (code) {
    case undefined:
    case 1:
    case 2:
      return 'running'
    case 3:
      return 'paused'
    case 4:
    case 5:
      return 'shutoff'
    case 6:
      return 'crashed'
    case 7:
      return 'suspended'
    default:
      return 'other'
  }
}

/** A Proxmox node's cluster as this store tells it apart: same-named clusters of two labs are two clusters. */
function storeCluster(h: FleetHost, store: string, label: string | undefined): HostCluster | undefined {
  if (!h.pveCluster) return undefined
  const { name, group } = h.pveCluster
  return {
    id: `prometheus:${store}|pve:${label ? `${label}=${group}` : ''}|${name}`,
    name: nameFromHost(name).name,
    via: nameFromHost(label ? `${store} (${label}="${group}")` : store).name,
  }
}

function hostFromStore(h: FleetHost, store: string, label: string | undefined): Host {
  const threads = Math.max(1, Math.round(h.threads))
  const exporter = h.nodeInstances.length > 0 ? 'node_exporter' : 'pve-exporter'
  const cluster = storeCluster(h, store, label)
  return {
    id: storeHostId(h.key),
    // Two clusters' `pve1` are both named pve1: their cluster tells them apart.
    name: nameFromHost(h.nodename ?? h.key).name,
    source: h.pveNode !== undefined ? 'proxmox' : 'libvirt',
    ...(cluster ? { cluster } : {}),
    state: 'online',
    // The exporters give logical CPUs, not the socket/core/thread split: SSH discovery does.
    cpu: { model: h.cpuModel ?? `unknown (${exporter})`, sockets: 1, coresPerSocket: threads, threadsPerCore: 1, threads, mhz: h.cpuMhz && h.cpuMhz > 0 ? h.cpuMhz : 1 },
    memoryMiB: Math.max(1, h.memTotalBytes / 1024 / 1024),
    numa: [],
    tags: [STORE_TAG, READ_ONLY_TAG],
  }
}

/**
 * Hosts the store knows and no SSH target serves, read-only (advice, no apply): inventory and
 * statistics both from the store. `exclude` names the store's host keys SSH hosts serve.
 */
export class StoreFleetAdapter implements HostAdapter {
  readonly id: string
  readonly canReadPast = true
  private readonly counters = new CounterIntegrator()
  private discovery: FleetDiscovery | undefined
  /** Problems of the last discovery and read, for the admin (Settings → Metrics source), and their message keys where VirtPilot has them. */
  problems: string[] = []
  problemRefs: (MessageRef | null)[] = []
  /** Each VM's domain name as the exporter labels it, by VM id (history is read by it). */
  readonly domains = new Map<string, string>()
  /** Each Proxmox guest's `id` label (`qemu/100`), by VM id. */
  readonly guests = new Map<string, string>()

  constructor(
    private readonly fleet: FleetReader,
    private readonly options: {
      /** The store's host keys that SSH hosts serve: left to them. */
      exclude?: () => ReadonlySet<string>
      /** Hosts polled within this many ms share one reading. */
      shareMs?: number
      /** Told what each discovery found (SSH hosts are matched against its hosts). */
      onDiscovered?: (discovery: FleetDiscovery) => void
      clock?: () => number
    } = {},
  ) {
    this.id = `prometheus:${fleet.client.label}`
  }

  private exclude(): ReadonlySet<string> {
    return this.options.exclude?.() ?? new Set()
  }

  async discover(): Promise<Inventory> {
    const discovery = await this.fleet.discover((this.options.clock ?? Date.now)())
    this.discovery = discovery
    this.problems = discovery.problems
    this.problemRefs = discovery.problemRefs
    this.options.onDiscovered?.(discovery)
    const excluded = this.exclude()
    const hosts = discovery.hosts.filter((h) => !excluded.has(h.key))
    const keys = new Set(hosts.map((h) => h.key))
    this.domains.clear()
    this.guests.clear()
    for (const v of discovery.vms) {
      this.domains.set(fleetVmId(v), v.domain)
      if (v.guestId !== undefined) this.guests.set(fleetVmId(v), v.guestId)
    }
    const vms: Vm[] = discovery.vms
      .filter((v) => keys.has(v.hostKey))
      .map((v) => ({
        id: fleetVmId(v),
        name: nameFromHost(v.domain).name,
        ...(v.uuid ? { uuid: v.uuid } : {}),
        hostId: storeHostId(v.hostKey),
        state: vmState(v.stateCode),
        allocation: {
          vcpus: Math.max(1, Math.round(v.vcpus)),
          maxVcpus: Math.max(1, Math.round(v.vcpus)),
          memoryMiB: Math.max(1, (v.memoryBytes || v.maxMemoryBytes) / 1024 / 1024),
          maxMemoryMiB: Math.max(1, (v.maxMemoryBytes || v.memoryBytes) / 1024 / 1024),
        },
        tags: [STORE_TAG],
        ...(v.managedBy ? { managedBy: v.managedBy } : {}),
      }))
    return { hosts: hosts.map((h) => hostFromStore(h, this.fleet.client.label, this.fleet.pveScope.label)), vms }
  }

  async readStats(now: number): Promise<RawStats> {
    const reading = await this.fleet.readShared(now, this.options.shareMs ?? 2_000)
    this.problems = [...(this.discovery?.problems ?? []), ...reading.problems]
    this.problemRefs = [...(this.discovery?.problemRefs ?? []), ...reading.problemRefs]
    const excluded = this.exclude()
    const idOf = new Map((this.discovery?.vms ?? []).map((v) => [vmKey(v.hostKey, v.domain), fleetVmId(v)]))
    const hosts = [...reading.hosts].filter(([key]) => !excluded.has(key)).map(([key, r]) => this.counters.host(storeHostId(key), r, now))
    const vms = [...reading.vms]
      .filter(([, v]) => !excluded.has(v.hostKey))
      .map(([key, v]) => this.counters.vm(v.vmId ?? idOf.get(key) ?? storeVmId(v.hostKey, v.domain), storeHostId(v.hostKey), v, now))
    this.counters.keepOnly(new Set(hosts.map((h) => h.hostId)), new Set(vms.map((v) => v.vmId)))
    return { t: now, hosts, vms }
  }

  historyInStore(): boolean {
    return true
  }

  async close(): Promise<void> {}
}

/** Which store serves a host now, and under what name it knows it; undefined: read over SSH. */
export type StoreRoute = () => { fleet: FleetReader; hostKey: string } | undefined

/**
 * A host VirtPilot reaches over SSH whose statistics may come from a store: discovery (domain
 * XML, capabilities, tuning facts) and apply stay on SSH; while `route` names a store serving this
 * host, each poll reads the store instead of running the stats script on the host.
 */
export class StoreStatsAdapter implements HostAdapter {
  readonly id: string
  readonly canReadPast = false
  private counters = new CounterIntegrator()
  private countersOf: FleetReader | undefined
  /** The last read over SSH: the store's counters continue from it when the store takes over. */
  private lastSsh: RawStats | undefined
  private vmIdsByName = new Map<string, string>()
  private vmIds = new Set<string>()
  private running = new Set<string>()
  private stale = false
  /** Running domains the store did not list at the last check: one rediscovery per distinct set. */
  private missingSeen = ''

  constructor(
    private readonly ssh: HostAdapter,
    private readonly hostId: string,
    private readonly route: StoreRoute,
    private readonly shareMs = 2_000,
  ) {
    this.id = ssh.id
  }

  /** True while a store serves this host's statistics. */
  get servedByStore(): boolean {
    return this.route() !== undefined
  }

  async discover(now?: number): Promise<Inventory> {
    const inventory = await this.ssh.discover(now)
    this.vmIdsByName = new Map(inventory.vms.map((v) => [v.name, v.id]))
    this.vmIds = new Set(inventory.vms.map((v) => v.id))
    this.running = new Set(inventory.vms.filter((v) => v.state === 'running').map((v) => v.name))
    this.stale = false
    return inventory
  }

  async readStats(now: number, options?: ReadOptions): Promise<RawStats> {
    const route = this.route()
    if (!route) {
      this.countersOf = undefined
      this.lastSsh = await this.ssh.readStats(now, options)
      return this.lastSsh
    }
    const { fleet, hostKey } = route
    if (this.countersOf !== fleet) {
      this.counters = new CounterIntegrator()
      if (this.lastSsh) this.counters.seed(this.lastSsh)
      this.countersOf = fleet
    }
    const reading = await fleet.readShared(now, this.shareMs)
    const rates = reading.hosts.get(hostKey)
    if (!rates) {
      const at = reading.problems.findIndex((p) => p.startsWith(`${hostKey}:`))
      const ref = at >= 0 ? msg('access.metricsSource.storeSays', { store: fleet.client.label, why: reading.problemRefs[at]! }) : msg('access.metricsSource.noFreshHost', { store: fleet.client.label, host: hostKey })
      throw new MetricStoreError('stale', english(ref), ref)
    }
    const hosts = [this.counters.host(this.hostId, rates, now)]
    const vms = []
    const seen = new Set<string>()
    for (const v of reading.vms.values()) {
      if (v.hostKey !== hostKey) continue
      const name = nameFromHost(v.domain).name
      seen.add(name)
      // A Proxmox guest by its vmid (SSH discovery of Proxmox gives the same id), else by name.
      const id = v.vmId !== undefined && this.vmIds.has(v.vmId) ? v.vmId : this.vmIdsByName.get(name)
      if (id === undefined) {
        // A domain SSH discovery has not seen (new, or migrated here): discover again.
        this.stale = true
        continue
      }
      vms.push(this.counters.vm(id, this.hostId, v, now))
    }
    // A running domain the exporter no longer lists (stopped, migrated away): discover again, once per change.
    const missing = [...this.running].filter((name) => !seen.has(name)).sort().join('\u0000')
    if (missing !== '' && missing !== this.missingSeen) this.stale = true
    this.missingSeen = missing
    this.counters.keepOnly(new Set([this.hostId]), new Set(vms.map((v) => v.vmId)))
    return { t: now, hosts, vms }
  }

  inventoryStale(): boolean {
    return this.stale || (this.ssh.inventoryStale?.() ?? false)
  }

  historyInStore(): boolean {
    return this.servedByStore
  }

  facts(): ClusterFacts | undefined {
    return this.ssh.facts?.()
  }

  /** Pools and disks come from SSH discovery, whoever reads the statistics. */
  /** The last SSH poll's (while the store serves the statistics, VirtPilot does not see the threads). */
  qemuPid(vmId: string): number | undefined {
    return this.ssh.qemuPid?.(vmId)
  }

  storage(now: number): HostStorage[] {
    return this.ssh.storage?.(now) ?? []
  }

  async close(): Promise<void> {
    await this.ssh.close()
  }
}
