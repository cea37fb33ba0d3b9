import { english, msg } from '../../shared/i18n'
import type { MessageRef, MetricsSource, MetricsSourceStatus, Snapshot, Vm } from '../../shared/model'
import { Collector } from '../collect/collector'
import type { HostAdapter } from '../hosts/adapter'
import { StoreFleetAdapter, StoreStatsAdapter, storeHostId } from '../hosts/prometheus/adapter'
import { MetricStoreError, PrometheusClient, type StoreErrorKind } from '../hosts/prometheus/client'
import { FleetReader, type FleetDiscovery, type FleetHost } from '../hosts/prometheus/fleet'
import { matchHosts, type SshHostNames } from '../hosts/prometheus/match'
import { StoreRanges, type StoreVm } from '../hosts/prometheus/ranges'
import { resolveAuth, storeBaseUrl } from '../hosts/prometheus/source'
import type { Store } from '../store'

/** The store's read-only hosts read one moment before now at start, so the first poll already has rates (history comes from the store's ranges). */
const BACKFILL_MS = 0
/** SSH hosts are matched to the store's hosts at most this often (every host's poll asks). */
const MATCH_CACHE_MS = 2_000

export interface MetricsSourceOptions {
  store: Pick<Store, 'inventory' | 'samples'>
  clock: () => number
  pollIntervalMs: number
  /** The SSH hosts the admin added, by every name they go by (id, name, target, address). */
  sshHosts: () => SshHostNames[]
  onSnapshot: () => void
  log: (message: string) => void
}

interface Active {
  source: Extract<MetricsSource, { kind: 'prometheus' }>
  fleet: FleetReader
  ranges: StoreRanges
  adapter: StoreFleetAdapter
  collector: Collector
  /** The store's hosts as last discovered, and pve-exporter's nodes and containers. */
  hosts: FleetHost[]
  pve?: FleetDiscovery['pve']
  error?: string
  errorRef?: MessageRef
  errorKind?: StoreErrorKind | 'other'
  lastPollAt?: number
}

/**
 * The cluster's metrics source (Settings → Metrics source): SSH polling, or a Prometheus-compatible
 * store. With a store, the hosts it serves that VirtPilot also reaches over SSH read their
 * statistics from it (`wrap`), and the store's other hosts are shown read-only from one collector.
 */
export function createMetricsSource(options: MetricsSourceOptions) {
  let active: Active | undefined
  let matched: { at: number; of: FleetHost[]; map: Map<string, string> } | undefined

  /** SSH host id -> the store's name for it, from the last discovery. */
  function served(): Map<string, string> {
    if (!active) return new Map()
    const now = Date.now()
    if (!matched || matched.of !== active.hosts || now - matched.at > MATCH_CACHE_MS) matched = { at: now, of: active.hosts, map: matchHosts(active.hosts, options.sshHosts()) }
    return matched.map
  }

  async function configure(source: MetricsSource): Promise<void> {
    const previous = active
    active = undefined
    await previous?.collector.stop()
    if (source.kind !== 'prometheus') {
      options.onSnapshot()
      return
    }
    // A bad address or unreadable credential file fails here, before anything is replaced.
    const client = new PrometheusClient(storeBaseUrl(source.url), resolveAuth(source))
    const fleet = new FleetReader(client, { pollIntervalMs: options.pollIntervalMs, ...(source.hostMap ? { hostMap: source.hostMap } : {}), ...(source.clusterLabel ? { clusterLabel: source.clusterLabel } : {}) })
    const next: Partial<Active> & { source: typeof source; fleet: FleetReader; ranges: StoreRanges; hosts: FleetHost[] } = { source, fleet, ranges: new StoreRanges(fleet, options.clock), hosts: [] }
    const adapter = new StoreFleetAdapter(fleet, {
      exclude: () => new Set(served().values()),
      shareMs: Math.min(options.pollIntervalMs / 2, 5_000),
      onDiscovered: (d) => {
        next.hosts = d.hosts
        next.pve = d.pve
      },
      clock: options.clock,
    })
    const collector = new Collector({
      adapter,
      store: options.store,
      clock: options.clock,
      intervalMs: options.pollIntervalMs,
      backfillMs: BACKFILL_MS,
      onSnapshot: () => {
        next.error = undefined
        next.errorRef = undefined
        next.errorKind = undefined
        next.lastPollAt = options.clock()
        options.onSnapshot()
      },
      onError: (error) => {
        if (next.error !== error.message) options.log(`metrics store ${client.label}: ${error.message}`)
        next.error = error.message
        next.errorRef = error instanceof MetricStoreError ? error.messageRef : undefined
        next.errorKind = error instanceof MetricStoreError ? error.kind : 'other'
      },
    })
    active = Object.assign(next, { adapter, collector })
    await collector.start()
  }

  return {
    configure,

    /** Throws SourceConfigError when the source cannot work (address, credential or CA file). */
    async check(source: MetricsSource): Promise<void> {
      if (source.kind !== 'prometheus') return
      storeBaseUrl(source.url)
      resolveAuth(source)
    },

    /** Wraps an SSH host's adapter: its statistics come from the store while the store serves it. */
    wrap(ssh: HostAdapter, hostId: string): HostAdapter {
      return new StoreStatsAdapter(ssh, hostId, () => {
        const key = served().get(hostId)
        return key !== undefined && active ? { fleet: active.fleet, hostKey: key } : undefined
      })
    },

    /**
     * Where history lives for the hosts and VMs a store serves (its read-only hosts, and SSH hosts
     * it reads): dashboards and the engine ask its ranges; undefined for everything read over SSH.
     */
    history(): StoreHistoryRoute | undefined {
      const a = active
      if (!a) return undefined
      const servedKeys = served()
      const excluded = new Set(servedKeys.values())
      const readOnly = new Map(a.hosts.filter((h) => !excluded.has(h.key)).map((h) => [storeHostId(h.key), h.key]))
      const hostKey = (hostId: string) => servedKeys.get(hostId) ?? readOnly.get(hostId)
      return {
        ranges: a.ranges,
        hostKey,
        vm(vm) {
          const key = hostKey(vm.hostId)
          if (key === undefined) return undefined
          const domain = a.adapter.domains.get(vm.id) ?? vm.name
          const guestId = a.adapter.guests.get(vm.id)
          return { id: vm.id, hostKey: key, domain, ...(vm.uuid ? { uuid: vm.uuid } : {}), ...(guestId !== undefined ? { guestId } : {}) }
        },
      }
    },

    /** The store's read-only hosts, merged into the cluster like any other source. */
    snapshots(): Snapshot[] {
      const s = active?.collector.snapshot
      return s ? [s] : []
    },

    status(): MetricsSourceStatus {
      if (!active) return { kind: 'ssh' }
      const servedKeys = served()
      const sshHosts = options.sshHosts()
      const unmatched = pveUnmatched(active.hosts, sshHosts, new Set(servedKeys.values()))
      const problems = [...active.adapter.problems, ...(unmatched ? [english(unmatched)] : [])]
      const problemRefs = [...active.adapter.problemRefs, ...(unmatched ? [unmatched] : [])]
      return {
        kind: 'prometheus',
        url: active.fleet.client.label,
        ...(active.fleet.flavour ? { libvirtExporter: active.fleet.flavour } : {}),
        ...(active.pve ? { pve: { nodes: active.pve.nodes.length, containers: active.pve.containers.map((c) => ({ name: c.name, node: c.node })) } } : {}),
        hosts: active.hosts.length,
        viaSsh: servedKeys.size,
        readOnly: active.hosts.length - servedKeys.size,
        ...labelMismatch(active.hosts, sshHosts, servedKeys.size),
        ...(active.error ? { error: active.error, errorKind: active.errorKind ?? 'other', ...(active.errorRef ? { errorRef: active.errorRef } : {}) } : {}),
        problems,
        problemRefs,
        requests: active.fleet.client.traffic.requests,
        bytes: active.fleet.client.traffic.bytes,
        ...(active.lastPollAt ? { lastPollAt: active.lastPollAt } : {}),
      }
    },

    /** Resolves after the store's collector has polled `polls` more times (the CLI waits for samples). */
    async whenPolled(polls: number): Promise<void> {
      const collector = active?.collector
      if (!collector) return
      const target = collector.polls + polls
      while (active?.collector === collector && collector.polls < target && !active.error) await new Promise((r) => setTimeout(r, 50))
    },

    async stop(): Promise<void> {
      const previous = active
      active = undefined
      await previous?.collector.stop()
    },
  }
}

export type MetricsSourceService = ReturnType<typeof createMetricsSource>

/** How many names of each side the headline shows. */
const MISMATCH_EXAMPLES = 5

/** When the store knows hosts and SSH hosts exist but not one of them matched: names of each side. */
function labelMismatch(store: readonly FleetHost[], ssh: readonly SshHostNames[], matched: number): Pick<MetricsSourceStatus, 'labelMismatch'> {
  if (matched > 0 || store.length === 0 || ssh.length === 0) return {}
  return {
    labelMismatch: {
      sshHosts: ssh.slice(0, MISMATCH_EXAMPLES).map((h) => h.id),
      // The name a host-names line starts with (the instance's address), and what else the store calls it.
      storeHosts: store.slice(0, MISMATCH_EXAMPLES).map((h) => (h.nodename && h.nodename !== h.key ? `${h.key} (${h.nodename})` : h.key)),
      example: `${store[0]!.key} = ${ssh[0]!.id}`,
    },
  }
}

/**
 * pve-exporter's nodes match none of the SSH hosts while there are some: the Proxmox-worded fix
 * (a node is named by its short hostname). Undefined when one matched or a side is empty.
 */
function pveUnmatched(store: readonly FleetHost[], ssh: readonly SshHostNames[], served: ReadonlySet<string>): MessageRef | undefined {
  const nodes = store.filter((h) => h.pveNode !== undefined)
  if (nodes.length === 0 || ssh.length === 0 || nodes.some((h) => served.has(h.key))) return undefined
  const list = (names: string[]) => (names.length > MISMATCH_EXAMPLES ? `${names.slice(0, MISMATCH_EXAMPLES).join(', ')}, …` : names.join(', '))
  return msg('metricStore.pve.nodesUnmatched', { nodes: list(nodes.map((h) => h.pveNode!)), hosts: list(ssh.map((h) => h.id)), example: `${nodes[0]!.pveNode} = ${ssh[0]!.id}` })
}

/** The store's side of the history: its ranges, and its names for the hosts and VMs it serves. */
export interface StoreHistoryRoute {
  ranges: StoreRanges
  /** The store's key for a host it serves; undefined for a host read over SSH. */
  hostKey(hostId: string): string | undefined
  vm(vm: Pick<Vm, 'id' | 'hostId' | 'name' | 'uuid'>): StoreVm | undefined
}
