import { MetricStoreError, type InstantSample, type PrometheusClient } from './client'
import { detectLibvirtFlavour, NODE, REQUIRED_NODE, type LibvirtNames } from './metric-names'

/** A hypervisor host as the store knows it: node_exporter and libvirt exporter instances joined by host. */
export interface FleetHost {
  /** The join key: the admin's mapping of the instance, else the instance's address without port. */
  key: string
  /** node_exporter's nodename (uname -n), when exported. */
  nodename?: string
  nodeInstances: string[]
  libvirtInstances: string[]
  /** Logical CPUs (node_cpu_seconds_total's `cpu` label values). */
  threads: number
  memTotalBytes: number
  cpuModel?: string
  cpuMhz?: number
}

export interface FleetVm {
  hostKey: string
  domain: string
  uuid?: string
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

  constructor(
    readonly client: PrometheusClient,
    private readonly options: FleetOptions,
  ) {}

  get flavour(): string | undefined {
    return this.names?.flavour
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
    if (missing.length > 0) {
      throw new MetricStoreError(
        'missing-metrics',
        `${this.client.label} holds no ${missing.join(', ')}: deploy node_exporter (Debian: prometheus-node-exporter) on every hypervisor host and add it to Prometheus' scrape_configs.`,
      )
    }
    this.names = detectLibvirtFlavour(names)
    this.discovered = true
    const problems: string[] = []
    if (!this.names) problems.push(`${this.client.label} holds no libvirt domain metrics (libvirt_domain_info_cpu_time_seconds_total): VMs cannot be read. Deploy a libvirt exporter (Debian: prometheus-libvirt-exporter, port 9177) on each host and scrape it.`)

    const q = (expr: string) => this.client.query(expr, now)
    const nodeSel = `${NODE.cpuSeconds}{mode="idle"}`
    const [threads, info, up, flat] = await Promise.all([
      q(`count by (instance) (${nodeSel})`),
      q(`{__name__=~"${NODE.uname}|${NODE.memTotal}"} or count by (instance, model_name) (${NODE.cpuInfo}) or max by (instance) (node_cpu_scaling_frequency_max_hertz)`),
      // Samples of `up` in the last minute (10 minutes for slow scrapes): the scrape interval, also in a store younger than 10 minutes.
      q('label_replace(count_over_time(up[1m]), "vp_window", "60", "", "") or label_replace(count_over_time(up[10m]), "vp_window", "600", "", "") or label_replace(up == 0, "vp_window", "down", "", "")'),
      this.names ? q(this.domainInfoExpr(this.names)) : Promise.resolve([] as InstantSample[]),
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
        problems.push(`${key}: node_exporter is scraped twice (${host.nodeInstances.join(', ')}); its figures come from ${host.nodeInstances[0]}`)
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
    this.hostsByKey = hosts
    this.vmsPerInstance = new Map()
    for (const h of hosts.values()) for (const i of h.libvirtInstances) this.vmsPerInstance.set(i, 0)
    for (const s of flat) {
      const i = s.labels.instance
      if (i !== undefined && this.vmsPerInstance.has(i) && s.labels.__name__ === this.names?.vcpus) this.vmsPerInstance.set(i, (this.vmsPerInstance.get(i) ?? 0) + 1)
    }
    for (const instance of unmatched) {
      problems.push(
        `the libvirt exporter at ${instance} matches no node_exporter host (hosts: ${[...hosts.keys()].join(', ') || 'none'}). Map "${instanceAddress(instance)}" to its host in Settings → Metrics source → host names, or give both exporters the same instance label.`,
      )
    }
    if (hosts.size === 0) {
      throw new MetricStoreError('missing-metrics', `${this.client.label} has no fresh ${NODE.cpuSeconds} series: node_exporter is not being scraped right now (check Prometheus' targets page).`)
    }
    for (const s of down) if (s.labels.instance) problems.push(`${s.labels.instance}${s.labels.job ? ` (job ${s.labels.job})` : ''} is down: Prometheus cannot scrape it. Is the exporter running and reachable from Prometheus?`)
    return {
      hosts: [...hosts.values()],
      vms: [...vms.values()].filter((v) => v.vcpus > 0),
      ...(this.names ? { flavour: this.names.flavour } : {}),
      scrapeIntervalS: this.scrapeIntervalS,
      problems,
    }
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
    const [hostSamples, vmSamples] = await Promise.all([this.client.query(hostRates, now), vmRates ? this.client.query(vmRates, now) : Promise.resolve([] as InstantSample[])])
    return this.assemble(now, hostSamples, vmSamples)
  }

  private assemble(now: number, hostSamples: InstantSample[], vmSamples: InstantSample[]): FleetReading {
    const problems: string[] = []
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
    // A host whose exporter stopped answering keeps its last value for the store's lookback (5 min): not a live figure.
    const staleAfterMs = Math.max(3 * this.scrapeIntervalS * 1000, 2 * this.options.pollIntervalMs)
    for (const [key, h] of hosts) {
      const cpuModes = Object.keys(h.cpu).length
      if (h.scrapedAt > 0 && now - h.scrapedAt > staleAfterMs) {
        hosts.delete(key)
        problems.push(`${key}: node_exporter was last scraped ${Math.round((now - h.scrapedAt) / 1000)} s ago; is it running and is Prometheus scraping it?`)
      } else if (h.memTotalBytes <= 0 || cpuModes === 0) {
        hosts.delete(key)
        problems.push(`${key}: node_exporter figures are incomplete (${cpuModes === 0 ? 'no CPU rate: fewer than two scrapes in the window' : 'no memory'})`)
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
    return { t: now, hosts, vms: out, problems }
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? 1
}
