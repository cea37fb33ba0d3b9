import type { Inventory, Snapshot } from '../../shared/model'
import type { HostAdapter, RawStats } from '../hosts/adapter'
import type { InventoryRepo } from '../store/inventory'
import type { SamplesRepo } from '../store/samples'
import type { StorageRepo } from '../store/storage'
import { deriveSamples } from './rates'

export interface CollectorOptions {
  adapter: HostAdapter
  store: { inventory: InventoryRepo; samples: SamplesRepo; storage?: StorageRepo }
  clock: () => number
  intervalMs: number
  /** For adapters that can read the past: how much history to fill in when the store has none. */
  backfillMs: number
  /** For adapters that can read the past: how much pool history to fill in (pool figures are cheap). */
  storageBackfillMs?: number
  /** Inventory is read again this often, and whenever a poll shows a VM new or changed. */
  rediscoverMs?: number
  onSnapshot: (snapshot: Snapshot) => void
  onError: (error: Error) => void
  /** After a discovery, once a snapshot shows what it found (VirtPilot follows VMs that moved or went away). */
  onInventory?: (inventory: Inventory) => void
  /** After every poll, read or failed: for callers waiting for a number of samples. */
  onPolled?: () => void
  /** Round trips the adapter's connection has made so far, to count those each stats read costs. */
  roundTrips?: () => number
  /** Decides which VMs of a fresh inventory this host may report (see VmOwners); all by default. */
  admit?: (inventory: Inventory, now: number) => Inventory
}

// Adapters ask for discovery as soon as a poll shows a VM added or changed (inventoryStale), so
// the timer only catches what polls cannot see (host tuning files, VM tuning): discovery costs a
// host as much CPU as 20 to 60 polls.
export const REDISCOVER_MS = 30 * 60_000
/** How many recent polls the collector remembers the timing of (diagnostics, the cadence tests). */
const RECENT_POLLS = 64

/** When a poll started and ended (monotonic ms, performance.now()), and whether it read the host. */
export interface PollTiming {
  startedAt: number
  endedAt: number
  ok: boolean
}

/** Read moments every `intervalMs` from `start` up to (not including) `now`, aligned on `now`. */
function everyInterval(start: number, now: number, intervalMs: number): number[] {
  const times: number[] = []
  for (let t = now - Math.floor((now - start) / intervalMs) * intervalMs; t < now; t += intervalMs) times.push(t)
  return times
}

/**
 * Polls one adapter on a fixed cadence (a poll starts every interval after the previous one
 * started; a poll that overran starts the next one at once): raw counters -> rates -> store ->
 * snapshot event. Polls never overlap; a failed poll is reported and the next one tries again,
 * so a host that is down at start-up is picked up when it comes back.
 */
export class Collector {
  private inventory: Inventory | undefined
  /** When the inventory was last read (0: read it at the next poll). */
  discoveredAt = 0
  /** Running VMs whose absence from the stats last made us rediscover: not again for the same ones. */
  private missingSeen = ''
  /** When the inventory in `snapshot` was read (it lags `discoveredAt` until the next record). */
  snapshotDiscoveredAt = 0
  /** A discovery whose result no snapshot shows yet: onInventory waits for it. */
  private inventoryUnseen = false
  private previous: RawStats | undefined
  private latest: Snapshot | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private running = false
  private backfilled = false
  /** Completed polls (successful reads), for diagnostics and the one-exec-per-poll check. */
  polls = 0
  /** Round trips spent reading stats in those polls; updated at the same moment as `polls`. */
  statsRoundTrips = 0
  /** The latest polls' timing, oldest first. */
  readonly recent: PollTiming[] = []
  /** VMs the host reports that `admit` left out: their counters are dropped too. */
  private excluded = new Set<string>()

  constructor(private readonly options: CollectorOptions) {}

  get snapshot(): Snapshot | undefined {
    return this.latest
  }

  get hosts() {
    return this.inventory?.hosts ?? []
  }

  /** Runs the first poll (never throws: failures go to onError) and schedules the next ones. */
  async start(): Promise<void> {
    this.running = true
    await this.poll()
  }

  private async discover(now: number): Promise<Inventory> {
    const reported = await this.options.adapter.discover(now)
    if (reported.formerIds) this.options.store.inventory.adoptFormerIds(reported.formerIds)
    const inventory = this.options.admit ? this.options.admit(reported, now) : reported
    const kept = new Set(inventory.vms.map((v) => v.id))
    this.excluded = new Set(reported.vms.filter((v) => !kept.has(v.id)).map((v) => v.id))
    this.options.store.inventory.save(inventory, now)
    this.saveStorage(now)
    this.inventory = inventory
    this.discoveredAt = now
    this.inventoryUnseen = true
    return inventory
  }

  /** Pool figures at each discovery: the history a days-to-full forecast reads. */
  private saveStorage(t: number): void {
    const storage = this.options.adapter.storage?.(t)
    if (storage && storage.length > 0) this.options.store.storage?.savePools(storage, t)
  }

  /** Fills the gap since the newest stored sample (at most backfillMs), so charts are never empty. */
  private async backfill(now: number, inventory: Inventory): Promise<void> {
    const { adapter, store, intervalMs, backfillMs } = this.options
    const newest = store.samples.latestTime(inventory.hosts.map((h) => h.id)) ?? 0
    // At least one read before now, so the first live poll already yields rates.
    const start = Math.min(Math.max(newest, now - backfillMs), now - intervalMs)
    this.previous = undefined
    const step = this.options.rediscoverMs ?? REDISCOVER_MS
    const storageSince = Math.max(store.storage?.latestPoolSample(inventory.hosts.map((h) => h.id), now) ?? 0, now - (this.options.storageBackfillMs ?? 0))
    if (adapter.storage && store.storage) for (let t = storageSince + step; t < start; t += step) this.saveStorage(t)
    let storageAt = -Infinity
    const times = adapter.backfillTimes?.(start, now, intervalMs) ?? everyInterval(start, now, intervalMs)
    for (const t of times) {
      this.record(await adapter.readStats(t), inventory)
      // Pool figures as often as discovery would have read them.
      if (t - storageAt >= step) {
        this.saveStorage(t)
        storageAt = t
      }
    }
  }

  private record(raw: RawStats, inventory: Inventory): void {
    const threads = new Map(inventory.hosts.map((h) => [h.id, h.cpu.threads]))
    if (this.previous) {
      const { hostSamples, vmSamples, diskSamples } = deriveSamples(this.previous, raw, threads)
      // A store that keeps the history answers ranges itself: only the live snapshot is needed here.
      if (!this.options.adapter.historyInStore?.()) this.options.store.samples.save(hostSamples, vmSamples, diskSamples)
      this.latest = { t: Math.round(raw.t), hosts: inventory.hosts, vms: inventory.vms, hostSamples, vmSamples, ...(diskSamples.length > 0 ? { diskSamples } : {}) }
      this.snapshotDiscoveredAt = this.discoveredAt
      if (this.inventoryUnseen) {
        this.inventoryUnseen = false
        this.options.onInventory?.(inventory)
      }
    }
    this.previous = raw
  }

  /** 1 while the next poll is scheduled: a stopped collector holds no timer. */
  get timers(): number {
    return this.timer ? 1 : 0
  }

  private async poll(): Promise<void> {
    if (!this.running) return
    this.timer = undefined
    const { adapter, clock, intervalMs } = this.options
    const startedAt = performance.now()
    let ok = false
    try {
      const now = clock()
      let inventory = this.inventory
      if (!inventory || now - this.discoveredAt >= (this.options.rediscoverMs ?? REDISCOVER_MS)) inventory = await this.discover(now)
      if (adapter.canReadPast && !this.backfilled) {
        await this.backfill(now, inventory)
        this.backfilled = true
      }
      const tripsBefore = this.options.roundTrips?.() ?? 0
      // A host that does not answer within one interval is reported, and its session replaced.
      const read = await adapter.readStats(now, { timeoutMs: intervalMs })
      const raw = this.excluded.size > 0 ? { ...read, vms: read.vms.filter((v) => !this.excluded.has(v.vmId)) } : read
      const trips = (this.options.roundTrips?.() ?? 0) - tripsBefore
      if (this.inventoryChanged(inventory, raw) || adapter.inventoryStale?.()) inventory = await this.discover(now)
      this.record(raw, inventory)
      this.polls++
      this.statsRoundTrips += trips
      ok = true
      if (this.latest) this.options.onSnapshot(this.latest)
    } catch (error) {
      this.options.onError(error instanceof Error ? error : new Error(String(error)))
    }
    const endedAt = performance.now()
    this.recent.push({ startedAt, endedAt, ok })
    if (this.recent.length > RECENT_POLLS) this.recent.shift()
    this.options.onPolled?.()
    if (this.running && !this.timer) this.timer = setTimeout(() => void this.poll(), Math.max(0, startedAt + intervalMs - endedAt))
  }

  /**
   * Whether the stats show an inventory that no longer holds: a VM that is not listed (new, or
   * moved here), or a VM listed as running that has no stats (stopped, or moved away). The same
   * missing VMs trigger one rediscovery, not one per poll.
   */
  private inventoryChanged(inventory: Inventory, raw: RawStats): boolean {
    const known = new Set(inventory.vms.map((v) => v.id))
    if (raw.vms.some((v) => !known.has(v.vmId))) return true
    const read = new Set(raw.vms.map((v) => v.vmId))
    const missing = inventory.vms.filter((v) => v.state === 'running' && !read.has(v.id)).map((v) => v.id).sort().join(',')
    const changed = missing !== '' && missing !== this.missingSeen
    this.missingSeen = missing
    return changed
  }

  /** Discovers again at the next poll (after a change VirtPilot made, or one seen on another host). */
  async refresh(): Promise<void> {
    this.discoveredAt = 0
  }

  /** Polls right away (after the admin fixed something), then on the usual interval. */
  async pollNow(): Promise<void> {
    if (!this.running) return
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    await this.poll()
  }

  async stop(): Promise<void> {
    this.running = false
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    await this.options.adapter.close()
  }
}
