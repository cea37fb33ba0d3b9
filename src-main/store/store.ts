import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { SettingsSchema, defaultSettings, type Settings } from '../../shared/api'
import type { ClusterSeries, HostSample, VmSample } from '../../shared/model'
import type { Inventory } from '../hosts/adapter'
import { migrations } from './migrations'

export interface StoreOptions {
  /** Path of a better_sqlite3.node built for another runtime (the Electron app in a checkout). */
  nativeBinding?: string
}

export class StoreError extends Error {
  override name = 'StoreError'
}

/** VirtPilot's local history and settings: one SQLite file in WAL mode. */
export class Store {
  readonly file: string
  private readonly db: Database.Database
  private readonly insertHostSample: Database.Statement
  private readonly insertVmSample: Database.Statement

  constructor(file: string, options: StoreOptions = {}) {
    this.file = file
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
    this.db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {})
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = NORMAL')
    this.db.pragma('busy_timeout = 5000')
    this.migrate()
    this.insertHostSample = this.db.prepare(
      `INSERT OR REPLACE INTO host_samples (host_id, t, cpu_pct, cpu_used_cores, mem_used_mib, mem_total_mib,
         disk_read_bps, disk_write_bps, net_rx_bps, net_tx_bps)
       VALUES (@hostId, @t, @cpuPct, @cpuUsedCores, @memUsedMiB, @memTotalMiB, @diskReadBps, @diskWriteBps, @netRxBps, @netTxBps)`,
    )
    this.insertVmSample = this.db.prepare(
      `INSERT OR REPLACE INTO vm_samples (vm_id, host_id, t, cpu_pct, cpu_used_cores, cpu_ready_pct, mem_used_mib,
         disk_read_bps, disk_write_bps, disk_read_iops, disk_write_iops, net_rx_bps, net_tx_bps)
       VALUES (@vmId, @hostId, @t, @cpuPct, @cpuUsedCores, @cpuReadyPct, @memUsedMiB,
         @diskReadBps, @diskWriteBps, @diskReadIops, @diskWriteIops, @netRxBps, @netTxBps)`,
    )
  }

  /** The schema version this file is at (number of migrations applied). */
  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number
  }

  private migrate(): void {
    const current = this.schemaVersion
    if (current > migrations.length) {
      throw new StoreError(
        `${this.file} was written by a newer VirtPilot (schema ${current}, this one knows ${migrations.length}). Upgrade VirtPilot or use another --data file.`,
      )
    }
    for (let version = current; version < migrations.length; version++) {
      this.db.transaction(() => {
        this.db.exec(migrations[version]!)
        this.db.pragma(`user_version = ${version + 1}`)
      })()
    }
  }

  getSettings(): Settings {
    const rows = this.db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[]
    const stored: Record<string, unknown> = {}
    for (const row of rows) {
      try {
        stored[row.key] = JSON.parse(row.value)
      } catch {
        // A value this version cannot read falls back to its default below.
      }
    }
    const merged = { ...defaultSettings, ...stored }
    const parsed = SettingsSchema.safeParse(merged)
    // Keep every stored value that is still valid, default the rest.
    if (parsed.success) return parsed.data
    const result: Record<string, unknown> = { ...defaultSettings }
    for (const key of Object.keys(defaultSettings) as (keyof Settings)[]) {
      const one = SettingsSchema.shape[key].safeParse(stored[key])
      if (one.success) result[key] = one.data
    }
    return result as Settings
  }

  updateSettings(patch: Partial<Settings>): Settings {
    const upsert = this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
    this.db.transaction(() => {
      for (const [key, value] of Object.entries(patch)) if (value !== undefined) upsert.run(key, JSON.stringify(value))
    })()
    return this.getSettings()
  }

  saveInventory(inventory: Inventory, seenAt: number): void {
    const upsertHost = this.db.prepare(
      `INSERT INTO hosts (id, source, data, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET source = excluded.source, data = excluded.data, last_seen = excluded.last_seen`,
    )
    const upsertVm = this.db.prepare(
      `INSERT INTO vms (id, host_id, data, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET host_id = excluded.host_id, data = excluded.data, last_seen = excluded.last_seen`,
    )
    this.db.transaction(() => {
      for (const h of inventory.hosts) upsertHost.run(h.id, h.source, JSON.stringify(h), seenAt, seenAt)
      for (const v of inventory.vms) upsertVm.run(v.id, v.hostId, JSON.stringify(v), seenAt, seenAt)
    })()
  }

  /** One poll's samples in one transaction: all or nothing. */
  saveSamples(hostSamples: readonly HostSample[], vmSamples: readonly VmSample[]): void {
    this.db.transaction(() => {
      for (const s of hostSamples) this.insertHostSample.run(s)
      for (const s of vmSamples) this.insertVmSample.run(s)
    })()
  }

  /** Newest sample time of the given hosts, or undefined when none is stored. */
  latestSampleTime(hostIds: readonly string[]): number | undefined {
    if (hostIds.length === 0) return undefined
    const row = this.db
      .prepare(`SELECT max(t) AS t FROM host_samples WHERE host_id IN (${hostIds.map(() => '?').join(',')})`)
      .get(...hostIds) as { t: number | null }
    return row.t ?? undefined
  }

  /**
   * Cluster CPU and memory used over [from, to), summed over `hostIds`, averaged into at most
   * `maxPoints` buckets so a chart never receives more points than it can draw.
   */
  clusterHistory(q: { from: number; to: number; maxPoints: number; hostIds: readonly string[]; cpuCapacityCores: number; memCapacityMiB: number }): ClusterSeries {
    const stepMs = Math.max(1, Math.ceil((q.to - q.from) / q.maxPoints))
    const empty = { t: [] as number[], values: [] as number[] }
    const series: ClusterSeries = {
      from: q.from,
      to: q.to,
      stepMs,
      cpuUsedCores: structuredClone(empty),
      cpuCapacityCores: q.cpuCapacityCores,
      memUsedMiB: structuredClone(empty),
      memCapacityMiB: q.memCapacityMiB,
    }
    if (q.hostIds.length === 0) return series
    // Average each host within a bucket, then add hosts up.
    const rows = this.db
      .prepare(
        `SELECT bucket, sum(cpu) AS cpu, sum(mem) AS mem FROM (
           SELECT CAST((t - @from) / @step AS INTEGER) AS bucket, host_id, avg(cpu_used_cores) AS cpu, avg(mem_used_mib) AS mem
           FROM host_samples
           WHERE t >= @from AND t < @to AND host_id IN (SELECT value FROM json_each(@hosts))
           GROUP BY bucket, host_id)
         GROUP BY bucket ORDER BY bucket`,
      )
      .all({ from: q.from, to: q.to, step: stepMs, hosts: JSON.stringify(q.hostIds) }) as { bucket: number; cpu: number; mem: number }[]
    for (const row of rows) {
      const t = q.from + row.bucket * stepMs
      series.cpuUsedCores.t.push(t)
      series.cpuUsedCores.values.push(row.cpu)
      series.memUsedMiB.t.push(t)
      series.memUsedMiB.values.push(row.mem)
    }
    return series
  }

  /** Drops raw samples older than `before` (epoch ms); returns how many rows went. */
  pruneSamples(before: number): number {
    return this.db.transaction(() => {
      const hosts = this.db.prepare('DELETE FROM host_samples WHERE t < ?').run(before).changes
      const vms = this.db.prepare('DELETE FROM vm_samples WHERE t < ?').run(before).changes
      return hosts + vms
    })()
  }

  countSamples(): { hostSamples: number; vmSamples: number } {
    const count = (table: string) => (this.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
    return { hostSamples: count('host_samples'), vmSamples: count('vm_samples') }
  }

  close(): void {
    this.db.close()
  }
}
