import type { Snapshot } from '../../shared/model'
import type { HostAdapter, Inventory, RawStats } from '../hosts/adapter'
import type { Store } from '../store/store'
import { deriveSamples } from './rates'

export interface CollectorOptions {
  adapter: HostAdapter
  store: Store
  clock: () => number
  intervalMs: number
  /** Raw samples older than this are pruned (issue: rollups keep the long view). */
  retentionMs: number
  /** For adapters that can read the past: how much history to fill in when the store has none. */
  backfillMs: number
  onSnapshot: (snapshot: Snapshot) => void
  onError: (error: Error) => void
}

const PRUNE_EVERY_MS = 10 * 60_000

/**
 * Polls one adapter on a fixed interval: raw counters -> rates -> store -> snapshot event.
 * Polls never overlap; a failed poll is reported and the next one tries again.
 */
export class Collector {
  private inventory: Inventory = { hosts: [], vms: [] }
  private previous: RawStats | undefined
  private latest: Snapshot | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private running = false
  private lastPrune = 0

  constructor(private readonly options: CollectorOptions) {}

  get snapshot(): Snapshot | undefined {
    return this.latest
  }

  get hosts() {
    return this.inventory.hosts
  }

  async start(): Promise<void> {
    const { adapter, store, clock } = this.options
    this.inventory = await adapter.discover()
    const now = clock()
    store.saveInventory(this.inventory, now)
    if (adapter.canReadPast) await this.backfill(now)
    this.running = true
    await this.poll()
  }

  /** Fills the gap since the newest stored sample (at most backfillMs), so charts are never empty. */
  private async backfill(now: number): Promise<void> {
    const { adapter, store, intervalMs, backfillMs } = this.options
    const newest = store.latestSampleTime(this.inventory.hosts.map((h) => h.id)) ?? 0
    // At least one read before now, so the first live poll already yields rates.
    const start = Math.min(Math.max(newest, now - backfillMs), now - intervalMs)
    let t = now - Math.floor((now - start) / intervalMs) * intervalMs
    this.previous = undefined
    for (; t < now; t += intervalMs) await this.record(await adapter.readStats(t))
  }

  private async record(raw: RawStats): Promise<void> {
    const threads = new Map(this.inventory.hosts.map((h) => [h.id, h.cpu.threads]))
    if (this.previous) {
      const { hostSamples, vmSamples } = deriveSamples(this.previous, raw, threads)
      this.options.store.saveSamples(hostSamples, vmSamples)
      this.latest = { t: Math.round(raw.t), hosts: this.inventory.hosts, vms: this.inventory.vms, hostSamples, vmSamples }
    }
    this.previous = raw
  }

  private async poll(): Promise<void> {
    if (!this.running) return
    const { adapter, clock, intervalMs, store, retentionMs } = this.options
    try {
      const now = clock()
      await this.record(await adapter.readStats(now))
      if (this.latest) this.options.onSnapshot(this.latest)
      if (now - this.lastPrune > PRUNE_EVERY_MS) {
        store.pruneSamples(now - retentionMs)
        this.lastPrune = now
      }
    } catch (error) {
      this.options.onError(error instanceof Error ? error : new Error(String(error)))
    }
    if (this.running) this.timer = setTimeout(() => void this.poll(), intervalMs)
  }

  async stop(): Promise<void> {
    this.running = false
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    await this.options.adapter.close()
  }
}
