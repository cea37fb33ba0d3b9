import type { History, HostMetric, Series, VmMetric } from '../../../shared/model'
import type { RangeSeries } from './client'
import type { MatrixColumns } from './matrix'
import type { FleetReader } from './fleet'
import { NODE, PVE, type LibvirtNames, type PveIoNames } from './metric-names'
import { oneOf, quote, type PveScope } from './pve-scope'

/** One engine bucket, as SQLite's rollups: the engine's history from a store has the same grid. */
export const USAGE_STEP_MS = 5 * 60_000
/** Prometheus refuses a range of more than 11,000 steps; longer ones are read in parts. */
const MAX_STEPS = 10_000
/** Points one request may bring (instances are batched below it): about 8 MiB of JSON, seconds of a busy store's time. */
const POINTS_PER_REQUEST = 300_000
/** Range answers kept for dashboards (one per chart and range), the oldest dropped first. */
const CACHE_ENTRIES = 256
/** Requests under way at once for the engine's history. */
const PARALLEL = 2

/** What a dashboard series holds, as SQLite's series do (p95 of the points read). */
export interface StoreMetricSeries<M extends string> {
  source: 'store'
  pointsRead: number
  series: Record<M, Series>
  p95: Record<M, number | null>
}

/** A VM as the store knows it: the libvirt exporter's instance(s) join key and domain name. */
export interface StoreVm {
  id: string
  hostKey: string
  domain: string
  uuid?: string
  /** A Proxmox guest's `id` label (`qemu/100`; `qemu/100@lab-b` when the store holds several clusters): read from pve-exporter. */
  guestId?: string
}

/** The same devices FleetReader leaves out: VMs' taps, bridges, loopback; partitions and mappers. */
const VIRTUAL_NICS = 'lo|vnet[0-9].*|tap.*|macvtap.*|veth.*|virbr.*|br.*|docker.*|vxlan.*|bond.*|team.*|tun.*|wg.*|dummy.*|ovs-.*|genev.*|kube.*|cni.*|flannel.*|cali.*'
const VIRTUAL_DISKS = 'dm-.*|loop.*|zram.*|md.*|ram.*|nbd.*|sr.*|fd.*'

/** One Proxmox object's figure over the window: `max` keeps it once when several exporters give the whole cluster. */
const pveOne = (scope: PveScope, fn: string, name: string, id: string, w: number) => `max(${fn}(${name}{${scope.selectors([id])[0]!}}[${w}s]))`

/** A Proxmox node's metrics from pve-exporter: CPU is a gauge (the busy fraction of its CPUs), averaged over the step. */
function pveHostExpr(scope: PveScope, metric: HostMetric, node: string, w: number): string | undefined {
  const id = `node/${node}`
  const busy = pveOne(scope, 'avg_over_time', PVE.cpuRatio, id, w)
  switch (metric) {
    case 'cpuPct':
      return `100 * ${busy}`
    case 'cpuUsedCores':
      return `${busy} * ${pveOne(scope, 'max_over_time', PVE.cpuLimit, id, w)}`
    case 'memUsedMiB':
      return `${pveOne(scope, 'max_over_time', PVE.memUsed, id, w)} / 1048576`
    case 'memTotalMiB':
      return `${pveOne(scope, 'max_over_time', PVE.memSize, id, w)} / 1048576`
    // pve-exporter gives no node I/O, pressure, swap or load: those charts need node_exporter.
    default:
      return undefined
  }
}

/** A Proxmox guest's metrics from pve-exporter, by its `id` (`qemu/100`). */
function pveVmExpr(scope: PveScope, io: PveIoNames, metric: VmMetric, id: string, w: number): string | undefined {
  const rate = (name: string) => `max(rate(${name}{${scope.selectors([id])[0]!}}[${w}s]))`
  switch (metric) {
    case 'cpuUsedCores':
      return `${pveOne(scope, 'avg_over_time', PVE.cpuRatio, id, w)} * ${pveOne(scope, 'max_over_time', PVE.cpuLimit, id, w)}`
    case 'memUsedMiB':
      return `${pveOne(scope, 'max_over_time', PVE.memUsed, id, w)} / 1048576`
    case 'diskReadBps':
      return rate(io.diskRead)
    case 'diskWriteBps':
      return rate(io.diskWritten)
    case 'netRxBps':
      return rate(io.netRx)
    case 'netTxBps':
      return rate(io.netTx)
    // pve-exporter counts bytes, not requests, and no run delay.
    default:
      return undefined
  }
}

/** Per Proxmox `id` (a guest or a node, scoped) over a window: CPU cores used (the step's mean) and memory bytes (the step's peak); one part per cluster. */
function pveGuestFigures(scope: PveScope, ids: readonly string[], w: number): { cpu: string; mem: string } {
  const by = scope.by
  const parts = scope.selectors(ids).map((s) => ({
    cpu: `max by (${by}) (avg_over_time(${PVE.cpuRatio}{${s}}[${w}s])) * on (${by}) max by (${by}) (max_over_time(${PVE.cpuLimit}{${s}}[${w}s]))`,
    mem: `max by (${by}) (max_over_time(${PVE.memUsed}{${s}}[${w}s]))`,
  }))
  return { cpu: parts.map((p) => `(${p.cpu})`).join(' or '), mem: parts.map((p) => `(${p.mem})`).join(' or ') }
}

function p95(values: readonly number[]): number | null {
  if (values.length === 0) return null
  const sorted = Float64Array.from(values).sort()
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]!
}

/** Keeps at most `n` evenly spread points (the store already averaged each step). */
function thin(series: Series, n: number): Series {
  if (series.t.length <= n) return series
  const out: Series = { t: [], values: [] }
  const every = series.t.length / n
  for (let i = 0; i < n; i++) {
    const j = Math.floor(i * every)
    out.t.push(series.t[j]!)
    out.values.push(series.values[j]!)
  }
  return out
}

interface Grid {
  /** First and last evaluation time, epoch ms, multiples of the step. */
  start: number
  end: number
  stepMs: number
  /** The range each evaluation looks back over, seconds: the step, and never fewer than two scrapes. */
  windowS: number
}

/**
 * History read from the store with `query_range` instead of copied into SQLite: dashboards get
 * a step chosen for their pixels and range, the engine 5-minute buckets (mean CPU, peak memory) as
 * the rollups give. A point stands for the step before its time, so it carries that step's start.
 * Answers are cached: dashboard ranges by query, the engine's buckets per VM, so a later run asks
 * only for the buckets completed since.
 */
export class StoreRanges {
  private readonly cache = new Map<string, { at: number; series: RangeSeries[] }>()
  /** The engine's buckets: per store series (instance, domain, uuid) what the store answered, and the range it covers. */
  private usage: UsageColumns | undefined
  private usageFlavour: string | undefined

  constructor(
    private readonly fleet: FleetReader,
    private readonly clock: () => number = Date.now,
  ) {}

  private grid(from: number, to: number, maxPoints: number, minStepMs = 0): Grid {
    const scrapeMs = this.fleet.scrapeIntervalMs
    const want = Math.max(scrapeMs, minStepMs, Math.ceil((to - from) / Math.max(1, maxPoints)))
    // Whole seconds, a multiple of the scrape interval: the same range asks the same question (cache).
    const stepMs = Math.ceil(want / scrapeMs) * scrapeMs
    const start = Math.ceil(from / stepMs) * stepMs + stepMs
    const end = Math.max(start, Math.ceil(to / stepMs) * stepMs)
    return { start, end, stepMs, windowS: Math.max(stepMs, 2 * scrapeMs + 1000) / 1000 }
  }

  /** One range request through the cache: a range that ended over a step ago is history and kept; a recent one for one step. */
  private async range(expr: string, g: Grid): Promise<RangeSeries[]> {
    const key = `${g.start}/${g.end}/${g.stepMs}/${expr}`
    const now = this.clock()
    const hit = this.cache.get(key)
    if (hit && (g.end < hit.at - g.stepMs || now - hit.at < g.stepMs)) {
      this.cache.delete(key)
      this.cache.set(key, hit)
      return hit.series
    }
    const series: RangeSeries[] = []
    for (let start = g.start; start <= g.end; start += MAX_STEPS * g.stepMs) {
      const end = Math.min(g.end, start + (MAX_STEPS - 1) * g.stepMs)
      series.push(...(await this.fleet.client.queryRange(expr, start, end, g.stepMs)))
    }
    this.cache.set(key, { at: now, series })
    while (this.cache.size > CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!)
    return series
  }

  /** The Proxmox node name of a host read from pve-exporter alone (no node_exporter). */
  private pveOnly(hostKey: string): string | undefined {
    return this.fleet.instancesOf(hostKey, 'node').length === 0 ? this.fleet.pveNodeOf(hostKey) : undefined
  }

  private nodeSelector(hostKey: string): string {
    const instances = this.fleet.instancesOf(hostKey, 'node')
    return instances.length === 1 ? `instance=${quote(instances[0]!)}` : `instance=~${oneOf(instances)}`
  }

  private libvirtInstances(hostKeys: readonly string[]): string[] {
    return hostKeys.flatMap((k) => this.fleet.instancesOf(k, 'libvirt'))
  }

  /** Each host metric as PromQL over the window `w` (seconds), for the instances `s` selects. */
  private hostExpr(metric: HostMetric, s: string, w: number): string | undefined {
    const rate = (name: string, extra = '') => `sum(rate(${name}{${s}${extra}}[${w}s]))`
    const busyShare = `(${rate(NODE.cpuSeconds, ',mode!~"idle|iowait"')} / ${rate(NODE.cpuSeconds)})`
    switch (metric) {
      case 'cpuPct':
        return `100 * ${busyShare}`
      case 'cpuUsedCores':
        return `${busyShare} * scalar(count(${NODE.cpuSeconds}{${s},mode="idle"}))`
      case 'memUsedMiB':
        // The step's peak, as the rollups keep it: the most memory in use at any scrape.
        return `(max(max_over_time(${NODE.memTotal}{${s}}[${w}s])) - min(min_over_time(${NODE.memAvailable}{${s}}[${w}s]))) / 1048576`
      case 'memTotalMiB':
        return `max(max_over_time(${NODE.memTotal}{${s}}[${w}s])) / 1048576`
      case 'diskReadBps':
        return rate(NODE.diskRead, `,device!~"${VIRTUAL_DISKS}"`)
      case 'diskWriteBps':
        return rate(NODE.diskWritten, `,device!~"${VIRTUAL_DISKS}"`)
      case 'netRxBps':
        return rate(NODE.netRx, `,device!~"${VIRTUAL_NICS}"`)
      case 'netTxBps':
        return rate(NODE.netTx, `,device!~"${VIRTUAL_NICS}"`)
      case 'cpuPressurePct':
        return `100 * ${rate(NODE.psiCpu)}`
      case 'memPressurePct':
        return `100 * ${rate(NODE.psiMemory)}`
      case 'ioPressurePct':
        return `100 * ${rate(NODE.psiIo)}`
      case 'swapInBps':
        return `4096 * ${rate(NODE.swapIn)}`
      case 'swapOutBps':
        return `4096 * ${rate(NODE.swapOut)}`
      case 'load1':
        return `avg(avg_over_time(${NODE.load1}{${s}}[${w}s]))`
      // vmstat's columns come from SSH polls only: over a store those charts stay empty.
      default:
        return undefined
    }
  }

  /** A VM's memory in use: the guest's balloon figures where exported, else what QEMU holds, else the balloon size; the step's peak. */
  private vmMemoryExpr(n: LibvirtNames, s: string, w: number, by = ''): string {
    const max = (name: string) => `sum ${by}(max_over_time(${name}{${s}}[${w}s]))`
    const guest = n.balloonAvailable && n.balloonUnused ? `(${max(n.balloonAvailable)} - sum ${by}(min_over_time(${n.balloonUnused}{${s}}[${w}s])))` : undefined
    const rss = n.rss ? max(n.rss) : undefined
    return [guest, rss, max(n.memory)].filter(Boolean).join(' or ')
  }

  private vmExpr(n: LibvirtNames, metric: VmMetric, s: string, w: number): string | undefined {
    const rate = (name: string) => `sum(rate(${name}{${s}}[${w}s]))`
    switch (metric) {
      case 'cpuUsedCores':
        return rate(n.cpuTime)
      case 'memUsedMiB':
        return `(${this.vmMemoryExpr(n, s, w)}) / 1048576`
      case 'diskReadBps':
        return rate(n.blockReadBytes)
      case 'diskWriteBps':
        return rate(n.blockWriteBytes)
      case 'diskReadIops':
        return rate(n.blockReadReqs)
      case 'diskWriteIops':
        return rate(n.blockWriteReqs)
      case 'netRxBps':
        return rate(n.netRx)
      case 'netTxBps':
        return rate(n.netTx)
      // No exporter here gives vCPU run delay (CPU ready): the chart says so by staying empty.
      case 'cpuReadyPct':
        return undefined
    }
  }

  /** Several metrics in one request: each tagged with its name. */
  private async metricSeries<M extends string>(metrics: readonly M[], exprOf: (m: M, w: number) => string | undefined, from: number, to: number, maxPoints: number): Promise<StoreMetricSeries<M>> {
    const g = this.grid(from, to, maxPoints)
    const parts = metrics.flatMap((m) => {
      const e = exprOf(m, g.windowS)
      return e === undefined ? [] : [`label_replace(${e}, "vp_metric", ${quote(m)}, "", "")`]
    })
    const answer = parts.length > 0 ? await this.range(parts.join(' or '), g) : []
    const out = { source: 'store' as const, pointsRead: 0, series: {} as Record<M, Series>, p95: {} as Record<M, number | null> }
    for (const m of metrics) {
      const found = answer.find((r) => r.labels.vp_metric === m)
      const points = (found?.points ?? []).filter(([t, v]) => t - g.stepMs >= from - g.stepMs && t - g.stepMs < to && Number.isFinite(v))
      out.pointsRead += points.length
      const series = { t: points.map(([t]) => t - g.stepMs), values: points.map(([, v]) => v) }
      out.series[m] = thin(series, maxPoints)
      out.p95[m] = p95(series.values)
    }
    return out
  }

  /** One host's metrics over a range, for Host detail and a recommendation's evidence. */
  hostSeries(hostKey: string, metrics: readonly HostMetric[], from: number, to: number, maxPoints: number): Promise<StoreMetricSeries<HostMetric>> {
    const node = this.pveOnly(hostKey)
    if (node !== undefined) return this.metricSeries(metrics, (m, w) => pveHostExpr(this.fleet.pveScope, m, node, w), from, to, maxPoints)
    const s = this.nodeSelector(hostKey)
    return this.metricSeries(metrics, (m, w) => this.hostExpr(m, s, w), from, to, maxPoints)
  }

  /** One VM's metrics over a range, by its domain on its host's libvirt exporter. */
  vmSeries(vm: StoreVm, metrics: readonly VmMetric[], from: number, to: number, maxPoints: number): Promise<StoreMetricSeries<VmMetric>> {
    const io = this.fleet.pveIo
    if (vm.guestId !== undefined && io) return this.metricSeries(metrics, (m, w) => pveVmExpr(this.fleet.pveScope, io, m, vm.guestId!, w), from, to, maxPoints)
    const n = this.fleet.libvirtNames
    if (!n) return this.metricSeries(metrics, () => undefined, from, to, maxPoints)
    const s = this.vmSelector(vm)
    return this.metricSeries(metrics, (m, w) => this.vmExpr(n, m, s, w), from, to, maxPoints)
  }

  private vmSelector(vm: StoreVm): string {
    const instances = this.libvirtInstances([vm.hostKey])
    return `instance=~${oneOf(instances)},domain=${quote(vm.domain)}`
  }

  /**
   * A host's VMs in `buckets` shared buckets for stacking: the `top` busiest (mean CPU) by name,
   * the rest summed as one; one request for all of them.
   */
  async vmStack(hostKey: string, vms: readonly StoreVm[], q: { from: number; to: number; buckets: number; top: number; names: ReadonlyMap<string, string> }) {
    const n = this.fleet.libvirtNames
    const g = this.grid(q.from, q.to, q.buckets)
    const empty = { t: [] as number[], stepMs: g.stepMs, items: [] as { vmId: string; name: string; cpuUsedCores: number[]; memUsedMiB: number[] }[], others: null as { count: number; cpuUsedCores: number[]; memUsedMiB: number[] } | null }
    const w = g.windowS
    // A Proxmox node's guests by their `id`, a libvirt host's by domain name.
    const guests = this.fleet.pveIo ? vms.flatMap((v) => v.guestId ?? []) : []
    const instances = this.libvirtInstances([hostKey])
    let expr: string
    if (guests.length > 0) {
      const f = pveGuestFigures(this.fleet.pveScope, guests, w)
      expr = `label_replace(${f.cpu}, "vp_metric", "cpu", "", "") or label_replace(${f.mem}, "vp_metric", "mem", "", "")`
    } else if (n && instances.length > 0 && vms.length > 0) {
      const s = `instance=~${oneOf(instances)}`
      expr = `label_replace(sum by (domain) (rate(${n.cpuTime}{${s}}[${w}s])), "vp_metric", "cpu", "", "") or label_replace(${this.vmMemoryExpr(n, s, w, 'by (domain) ')}, "vp_metric", "mem", "", "")`
    } else return empty
    const answer = await this.range(expr, g)
    const label = guests.length > 0 ? 'id' : 'domain'
    const byDomain = new Map(vms.map((v) => [(label === 'id' ? v.guestId : v.domain) ?? '', v]))
    const times = [...new Set(answer.flatMap((r) => r.points.map(([t]) => t)))].filter((t) => t - g.stepMs < q.to).sort((a, b) => a - b)
    const slot = new Map(times.map((t, i) => [t, i]))
    const perVm = new Map<string, { cpu: number[]; mem: number[]; total: number }>()
    for (const r of answer) {
      const vm = byDomain.get((label === 'id' ? this.fleet.pveScope.key(r.labels) : r.labels.domain) ?? '')
      if (!vm) continue
      let e = perVm.get(vm.id)
      if (!e) perVm.set(vm.id, (e = { cpu: new Array<number>(times.length).fill(0), mem: new Array<number>(times.length).fill(0), total: 0 }))
      for (const [t, v] of r.points) {
        const i = slot.get(t)
        if (i === undefined || !Number.isFinite(v)) continue
        if (r.labels.vp_metric === 'cpu') {
          e.cpu[i] = v
          e.total += v
        } else e.mem[i] = v / 1048576
      }
    }
    const ranked = [...perVm.entries()].sort((a, b) => b[1].total - a[1].total)
    const items = ranked.slice(0, q.top).map(([vmId, e]) => ({ vmId, name: q.names.get(vmId) ?? vmId, cpuUsedCores: e.cpu, memUsedMiB: e.mem }))
    const rest = ranked.slice(q.top)
    const others =
      rest.length === 0
        ? null
        : { count: rest.length, cpuUsedCores: times.map((_, i) => rest.reduce((sum, [, e]) => sum + (e.cpu[i] ?? 0), 0)), memUsedMiB: times.map((_, i) => rest.reduce((sum, [, e]) => sum + (e.mem[i] ?? 0), 0)) }
    return { t: times.map((t) => t - g.stepMs), stepMs: g.stepMs, items, others }
  }

  /** CPU cores and memory (MiB) used, summed over these hosts, on the grid of `stepMs` buckets from `from` (bucket index -> value). */
  async clusterBuckets(hostKeys: readonly string[], from: number, to: number, stepMs: number): Promise<{ cpu: Map<number, number>; mem: Map<number, number> }> {
    const cpu = new Map<number, number>()
    const mem = new Map<number, number>()
    const instances = hostKeys.flatMap((k) => this.fleet.instancesOf(k, 'node'))
    const pveNodes = hostKeys.flatMap((k) => this.pveOnly(k) ?? [])
    if (instances.length === 0 && pveNodes.length === 0) return { cpu, mem }
    // Whole seconds and whole scrapes: the buckets are the caller's, the evaluation lands on their ends.
    const scrapeMs = this.fleet.scrapeIntervalMs
    const step = Math.max(scrapeMs, Math.ceil(stepMs / 1000) * 1000)
    const g: Grid = { start: from + step, end: Math.max(from + step, to), stepMs: step, windowS: Math.max(step, 2 * scrapeMs + 1000) / 1000 }
    const w = g.windowS
    const exprs: string[] = []
    if (instances.length > 0) {
      const s = `instance=~${oneOf(instances)}`
      const busy = `sum by (instance) (rate(${NODE.cpuSeconds}{${s},mode!~"idle|iowait"}[${w}s]))`
      const all = `sum by (instance) (rate(${NODE.cpuSeconds}{${s}}[${w}s]))`
      const threads = `count by (instance) (${NODE.cpuSeconds}{${s},mode="idle"})`
      exprs.push(`label_replace(sum(${busy} / ${all} * ${threads}), "vp_metric", "cpu", "", "") or label_replace(sum(max_over_time(${NODE.memTotal}{${s}}[${w}s]) - min_over_time(${NODE.memAvailable}{${s}}[${w}s])) / 1048576, "vp_metric", "mem", "", "")`)
    }
    if (pveNodes.length > 0) {
      // Nodes read from pve-exporter alone: the same figures from Proxmox's (a second request: both sums carry the same labels).
      const f = pveGuestFigures(this.fleet.pveScope, pveNodes.map((n) => `node/${n}`), w)
      exprs.push(`label_replace(sum(${f.cpu}), "vp_metric", "cpu", "", "") or label_replace(sum(${f.mem}) / 1048576, "vp_metric", "mem", "", "")`)
    }
    for (const answer of await Promise.all(exprs.map((e) => this.range(e, g)))) {
      for (const r of answer) {
        const into = r.labels.vp_metric === 'cpu' ? cpu : mem
        for (const [t, v] of r.points) {
          if (!Number.isFinite(v)) continue
          const b = Math.floor((t - step - from) / stepMs)
          into.set(b, (into.get(b) ?? 0) + v)
        }
      }
    }
    return { cpu, mem }
  }

  /**
   * The engine's history of these VMs over [from, to): per 5-minute bucket the mean CPU (cores)
   * and the peak memory (MiB), as SQLite's rollups give it. Whole fleets in few requests
   * (instances batched so an answer stays near a few hundred thousand points); buckets already
   * read are kept, so the next run asks for the new ones only.
   */
  async usageHistory(vms: readonly StoreVm[], from: number, to: number): Promise<History> {
    const n = this.fleet.libvirtNames
    const io = this.fleet.pveIo
    const history: History = { vms: {} }
    if ((!n && !io) || vms.length === 0) return history
    const flavour = `${n?.flavour ?? ''}/${io ? 'pve' : ''}`
    const step = USAGE_STEP_MS
    // Complete buckets only (as rollups): [first, last) by bucket start.
    const first = Math.ceil(from / step) * step
    const last = Math.floor(to / step) * step
    if (last <= first) return history
    if (this.usageFlavour !== flavour || !this.usage || this.usage.from > first || this.usage.to < first) this.usage = new UsageColumns(first)
    this.usageFlavour = flavour
    const cached = this.usage
    // A first read starts where the store's history does: no 30 days of empty steps for a week of data.
    if (cached.series.size === 0 && cached.to === first) cached.startAt(Math.min(last, await this.historyBegins(n, io, first, last)))
    if (cached.to < last) {
      await this.fetchUsage(n, io, cached, cached.to, last)
      cached.to = last
    }
    // Forget buckets no run asks for any more.
    cached.forgetBefore(first)
    const byUuid = new Map(vms.filter((v) => v.uuid).map((v) => [v.uuid!, v]))
    const byDomain = new Map(vms.map((v) => [`${v.hostKey}\u0000${v.domain}`, v]))
    const byGuest = new Map(vms.filter((v) => v.guestId !== undefined).map((v) => [v.guestId!, v]))
    const firstSlot = Math.max(0, (first - cached.base) / step)
    const lastSlot = (last - cached.base) / step
    for (const e of cached.series.values()) {
      const uuid = e.labels.uuid?.toLowerCase()
      const vm =
        e.labels.id !== undefined
          ? byGuest.get(e.labels.id)
          : ((uuid !== undefined ? byUuid.get(uuid) : undefined) ?? byDomain.get(`${this.fleet.hostKeyOfInstance(e.labels.instance ?? '')}\u0000${e.labels.domain ?? ''}`))
      if (!vm) continue
      const into = (history.vms[vm.id] ??= { t: [], cpuUsedCores: [], memUsedMiB: [] })
      // A bucket with one figure only (a counter's first scrape has no rate yet) is left out.
      for (let i = firstSlot; i < Math.min(lastSlot, e.cpu.length); i++) {
        if (Number.isNaN(e.cpu[i]!) || Number.isNaN(e.mem[i]!)) continue
        into.t.push(cached.base + i * step)
        into.cpuUsedCores.push(e.cpu[i]!)
        into.memUsedMiB.push(e.mem[i]!)
      }
    }
    // A VM that moved has a series per host: one line, oldest first.
    for (const h of Object.values(history.vms)) {
      if (h.t.every((t, i) => i === 0 || h.t[i - 1]! < t)) continue
      const order = h.t.map((_, i) => i).sort((a, b) => h.t[a]! - h.t[b]!)
      const t = order.map((i) => h.t[i]!)
      const cpu = order.map((i) => h.cpuUsedCores[i]!)
      const mem = order.map((i) => h.memUsedMiB[i]!)
      h.t = t
      h.cpuUsedCores = cpu
      h.memUsedMiB = mem
    }
    return history
  }

  /** The start of the first day in [from, to) the store holds VM CPU samples for (one cheap request, a point a day). */
  private async historyBegins(n: LibvirtNames | undefined, io: PveIoNames | undefined, from: number, to: number): Promise<number> {
    const day = 24 * 3600_000
    if (to - from <= day) return from
    const counts = [...(n ? [`count(count_over_time(${n.cpuTime}[1d]))`] : []), ...(io ? [`count(count_over_time(${PVE.cpuRatio}{id=~"qemu/.+"}[1d]))`] : [])]
    const answer = await this.fleet.client.queryRange(counts.join(' or '), from + day, to + day, day)
    const firstDay = answer[0]?.points.find(([, v]) => v > 0)?.[0]
    return firstDay === undefined ? to : Math.max(from, Math.floor((firstDay - day) / USAGE_STEP_MS) * USAGE_STEP_MS)
  }

  private async fetchUsage(n: LibvirtNames | undefined, io: PveIoNames | undefined, cached: UsageColumns, from: number, to: number): Promise<void> {
    const step = USAGE_STEP_MS
    const scrapeMs = this.fleet.scrapeIntervalMs
    const w = Math.max(step, 2 * scrapeMs + 1000) / 1000
    const steps = Math.round((to - from) / step)
    cached.extendTo(to)
    // Instances (Proxmox guests) in batches: the VMs each holds times the steps stay under the limit.
    const batchesOf = (sizes: Iterable<[string, number]>) => {
      const batches: string[][] = []
      let batch: string[] = []
      let points = 0
      for (const [name, vms] of sizes) {
        const cost = Math.max(1, vms) * Math.min(steps, MAX_STEPS)
        if (batch.length > 0 && points + cost > POINTS_PER_REQUEST) {
          batches.push(batch)
          batch = []
          points = 0
        }
        batch.push(name)
        points += cost
      }
      if (batch.length > 0) batches.push(batch)
      return batches
    }
    // One request per figure and batch: each domain's series as the store holds it (no `or` of two
    // figures, no label_replace or round: those cost the store more than the figures themselves).
    const exprs: { figure: 'cpu' | 'mem'; expr: string; scale: number }[] = []
    for (const b of n ? batchesOf(this.fleet.libvirtInstanceSizes()) : []) {
      const s = `instance=~${oneOf(b)}`
      const memory = n!.balloonAvailable || n!.rss ? this.vmMemoryExpr(n!, s, w, 'by (instance, domain, uuid) ') : `max_over_time(${n!.memory}{${s}}[${w}s])`
      exprs.push({ figure: 'cpu', expr: `rate(${n!.cpuTime}{${s}}[${w}s])`, scale: 1 }, { figure: 'mem', expr: memory, scale: 1048576 })
    }
    for (const b of io ? batchesOf(this.fleet.pveGuests().map((id) => [id, 1] as [string, number])) : []) {
      const f = pveGuestFigures(this.fleet.pveScope, b, w)
      exprs.push({ figure: 'cpu', expr: f.cpu, scale: 1 }, { figure: 'mem', expr: f.mem, scale: 1048576 })
    }
    const work = exprs.flatMap(({ figure, expr, scale }) => {
      const parts: (() => Promise<void>)[] = []
      // The value at t covers (t - step, t]: its bucket starts at t - step.
      for (let start = from + step; start <= to; start += MAX_STEPS * step) {
        const end = Math.min(to, start + (MAX_STEPS - 1) * step)
        parts.push(async () => take(figure, scale, await this.fleet.client.queryRangeColumns(expr, start, end, step)))
      }
      return parts
    })
    const take = (figure: 'cpu' | 'mem', scale: number, answer: MatrixColumns[]) => {
      for (const r of answer) {
        // A Proxmox guest by its id (one series whichever node it runs on), a domain by instance, name and UUID.
        const guest = r.labels.instance === undefined ? this.fleet.pveScope.key(r.labels) : undefined
        const key = guest !== undefined ? `pve\u0000${guest}` : `${r.labels.instance}\u0000${r.labels.domain}\u0000${r.labels.uuid ?? ''}`
        const labels: Record<string, string> = guest !== undefined ? { id: guest } : { instance: r.labels.instance ?? '', domain: r.labels.domain ?? '', ...(r.labels.uuid ? { uuid: r.labels.uuid } : {}) }
        const into = cached.seriesOf(key, labels)[figure]
        const round = figure === 'cpu' ? CPU_TO : MEM_TO
        for (let i = 0; i < r.t.length; i++) {
          const v = r.v[i]!
          if (!Number.isFinite(v)) continue
          const slot = (r.t[i]! - step - cached.base) / step
          if (!Number.isInteger(slot) || slot < 0 || slot >= into.length) continue
          const value = roundTo(v / scale, round)
          // The same domain twice in one answer (another job's labels): added up.
          into[slot] = Number.isNaN(into[slot]!) ? value : into[slot]! + value
        }
      }
    }
    let next = 0
    const worker = async () => {
      while (next < work.length) await work[next++]!()
    }
    await Promise.all(Array.from({ length: Math.min(PARALLEL, work.length) }, worker))
  }
}

/** Figures to a ten-thousandth of a core and a hundredth of a MiB, as the store's `round` gave them before: the advice is the same as it was. */
const CPU_TO = 0.0001
const MEM_TO = 0.01
/** Prometheus's round(v, to), to the bit: floor(v / to + 0.5) * to, with 1/to as it computes it. */
function roundTo(v: number, to: number): number {
  const inverse = 1 / to
  return Math.floor(v * inverse + 0.5) / inverse
}

/**
 * The engine's buckets as the store answered them: per store series (instance, domain, uuid; or a
 * Proxmox guest) a column of CPU and one of memory on one shared 5-minute grid from `base`
 * (NaN where a bucket has no figure). Eight bytes a figure: a fleet's week stays well under a GB.
 */
class UsageColumns {
  readonly series = new Map<string, { labels: Record<string, string>; cpu: Float64Array; mem: Float64Array }>()
  /** The first bucket of the grid (slot 0); `from`: the first bucket still asked for; `to`: the end of what was read. */
  base: number
  from: number
  to: number
  private slots = 0

  constructor(first: number) {
    this.base = first
    this.from = first
    this.to = first
  }

  /** The store's history begins at `t`: the grid starts there (no columns of empty days), nothing read yet. */
  startAt(t: number): void {
    this.base = t
    this.to = t
  }

  /** Room for the buckets up to `to` in every column (and in those made later). */
  extendTo(to: number): void {
    const slots = Math.max(0, Math.round((to - this.base) / USAGE_STEP_MS))
    if (slots <= this.slots) return
    this.slots = slots
    for (const e of this.series.values()) {
      e.cpu = grown(e.cpu, slots)
      e.mem = grown(e.mem, slots)
    }
  }

  seriesOf(key: string, labels: Record<string, string>) {
    let e = this.series.get(key)
    if (!e) this.series.set(key, (e = { labels, cpu: new Float64Array(this.slots).fill(Number.NaN), mem: new Float64Array(this.slots).fill(Number.NaN) }))
    return e
  }

  /** Drops the buckets before `first` once they are a day's worth: the grid moves on, a copy a day and not one a run. */
  forgetBefore(first: number): void {
    if (first <= this.from) return
    this.from = first
    const drop = Math.floor((first - this.base) / USAGE_STEP_MS)
    if (drop * USAGE_STEP_MS < 86_400_000) return
    for (const e of this.series.values()) {
      e.cpu = e.cpu.slice(drop)
      e.mem = e.mem.slice(drop)
    }
    this.base += drop * USAGE_STEP_MS
    this.slots -= drop
  }
}

function grown(column: Float64Array, slots: number): Float64Array {
  const out = new Float64Array(slots).fill(Number.NaN)
  out.set(column.subarray(0, Math.min(column.length, slots)))
  return out
}
