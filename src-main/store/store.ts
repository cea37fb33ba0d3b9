import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { SettingsSchema, defaultSettings, type Settings } from '../../shared/api'
import type { ClusterSeries, HostSample, VmSample } from '../../shared/model'
import type { Inventory } from '../hosts/adapter'
import type { History } from '../../shared/engine/history'
import { migrations } from './migrations'
import { bucketStart, ROLLUP_MS, summarize } from './rollup'

export interface StoreOptions {
  /** Path of a better_sqlite3.node built for another runtime (the Electron app in a checkout). */
  nativeBinding?: string
}

/** A host the admin added, as stored. */
export interface ManagedHostRow {
  id: string
  target: string
  displayName: string
  tags: string[]
  addedAt: number
  lastSeenAt: number | null
}

export class StoreError extends Error {
  override name = 'StoreError'
}

/** VirtPilot's local history and settings: one SQLite file in WAL mode. */
export { ROLLUP_MS }

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

  /** For the store's sibling modules (plans, audit, scenarios) that keep their own tables here. */
  get database(): Database.Database {
    return this.db
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

  /**
   * Folds complete 5-minute buckets of raw samples into rollups (mean, max, p95), once each.
   * Returns the number of rollup rows written.
   */
  rollUp(now: number): number {
    const until = bucketStart(now)
    const since = Number(this.getMeta('rollup_until') ?? 0)
    if (until <= since) return 0
    return this.db.transaction(() => {
      let written = 0
      const hostRows = this.db
        .prepare('SELECT * FROM host_samples WHERE t >= ? AND t < ? ORDER BY host_id, t')
        .all(since, until) as Record<string, number | string>[]
      const insertHost = this.db.prepare(
        `INSERT OR REPLACE INTO host_rollups VALUES (@host_id, @t, @n, @cpu_pct_mean, @cpu_pct_max, @cpu_pct_p95,
           @cpu_used_cores_mean, @cpu_used_cores_max, @mem_used_mib_mean, @mem_used_mib_max, @mem_total_mib,
           @disk_read_bps_mean, @disk_write_bps_mean, @net_rx_bps_mean, @net_tx_bps_mean)`,
      )
      for (const group of groupByBucket(hostRows, 'host_id')) {
        const col = (name: string) => group.rows.map((r) => r[name] as number)
        const cpu = summarize(col('cpu_pct'))
        const cores = summarize(col('cpu_used_cores'))
        const mem = summarize(col('mem_used_mib'))
        insertHost.run({
          host_id: group.id, t: group.t, n: group.rows.length,
          cpu_pct_mean: cpu.mean, cpu_pct_max: cpu.max, cpu_pct_p95: cpu.p95,
          cpu_used_cores_mean: cores.mean, cpu_used_cores_max: cores.max,
          mem_used_mib_mean: mem.mean, mem_used_mib_max: mem.max, mem_total_mib: Math.max(...col('mem_total_mib')),
          disk_read_bps_mean: summarize(col('disk_read_bps')).mean, disk_write_bps_mean: summarize(col('disk_write_bps')).mean,
          net_rx_bps_mean: summarize(col('net_rx_bps')).mean, net_tx_bps_mean: summarize(col('net_tx_bps')).mean,
        })
        written++
      }
      const vmRows = this.db
        .prepare('SELECT * FROM vm_samples WHERE t >= ? AND t < ? ORDER BY vm_id, t')
        .all(since, until) as Record<string, number | string>[]
      const insertVm = this.db.prepare(
        `INSERT OR REPLACE INTO vm_rollups VALUES (@vm_id, @host_id, @t, @n, @cpu_used_cores_mean, @cpu_used_cores_max, @cpu_used_cores_p95,
           @cpu_ready_pct_mean, @cpu_ready_pct_max, @mem_used_mib_mean, @mem_used_mib_max, @mem_used_mib_p95,
           @disk_read_bps_mean, @disk_write_bps_mean, @disk_read_iops_mean, @disk_write_iops_mean, @net_rx_bps_mean, @net_tx_bps_mean)`,
      )
      for (const group of groupByBucket(vmRows, 'vm_id')) {
        const col = (name: string) => group.rows.map((r) => r[name] as number)
        const cores = summarize(col('cpu_used_cores'))
        const ready = summarize(col('cpu_ready_pct'))
        const mem = summarize(col('mem_used_mib'))
        insertVm.run({
          vm_id: group.id, host_id: group.rows[group.rows.length - 1]!.host_id, t: group.t, n: group.rows.length,
          cpu_used_cores_mean: cores.mean, cpu_used_cores_max: cores.max, cpu_used_cores_p95: cores.p95,
          cpu_ready_pct_mean: ready.mean, cpu_ready_pct_max: ready.max,
          mem_used_mib_mean: mem.mean, mem_used_mib_max: mem.max, mem_used_mib_p95: mem.p95,
          disk_read_bps_mean: summarize(col('disk_read_bps')).mean, disk_write_bps_mean: summarize(col('disk_write_bps')).mean,
          disk_read_iops_mean: summarize(col('disk_read_iops')).mean, disk_write_iops_mean: summarize(col('disk_write_iops')).mean,
          net_rx_bps_mean: summarize(col('net_rx_bps')).mean, net_tx_bps_mean: summarize(col('net_tx_bps')).mean,
        })
        written++
      }
      this.setMeta('rollup_until', String(until))
      return written
    })()
  }

  /** Drops rollups older than `before`; returns how many rows went. */
  pruneRollups(before: number): number {
    return this.db.transaction(() => {
      const hosts = this.db.prepare('DELETE FROM host_rollups WHERE t < ?').run(before).changes
      const vms = this.db.prepare('DELETE FROM vm_rollups WHERE t < ?').run(before).changes
      return hosts + vms
    })()
  }

  /**
   * Per-VM usage over [from, to) at rollup resolution, for the engine: mean CPU of each
   * 5-minute bucket (its p95 over a window is what sizing uses) and the bucket's peak memory.
   */
  usageHistory(vmIds: readonly string[], from: number, to: number): History {
    const rows = this.db
      .prepare(
        `SELECT vm_id, t, cpu_used_cores_mean AS cpu, mem_used_mib_max AS mem, cpu_ready_pct_mean AS ready FROM vm_rollups
         WHERE t >= ? AND t < ? AND vm_id IN (SELECT value FROM json_each(?)) ORDER BY vm_id, t`,
      )
      .all(from, to, JSON.stringify(vmIds)) as { vm_id: string; t: number; cpu: number; mem: number; ready: number }[]
    const history: History = { vms: {} }
    for (const row of rows) {
      const series = (history.vms[row.vm_id] ??= { t: [], cpuUsedCores: [], memUsedMiB: [], cpuReadyPct: [] })
      series.t.push(row.t)
      series.cpuUsedCores.push(row.cpu)
      series.memUsedMiB.push(row.mem)
      series.cpuReadyPct!.push(row.ready)
    }
    return history
  }

  /** Raw samples of one VM over [from, to), oldest first. */
  usageHistoryRaw(vmId: string, from: number, to: number): VmSample[] {
    return (
      this.db
        .prepare(
          `SELECT vm_id AS vmId, host_id AS hostId, t, cpu_pct AS cpuPct, cpu_used_cores AS cpuUsedCores, cpu_ready_pct AS cpuReadyPct,
             mem_used_mib AS memUsedMiB, disk_read_bps AS diskReadBps, disk_write_bps AS diskWriteBps, disk_read_iops AS diskReadIops,
             disk_write_iops AS diskWriteIops, net_rx_bps AS netRxBps, net_tx_bps AS netTxBps
           FROM vm_samples WHERE vm_id = ? AND t >= ? AND t < ? ORDER BY t`,
        )
        .all(vmId, from, to) as VmSample[]
    )
  }

  /**
   * One VM's CPU, CPU ready and memory over [from, to) in at most maxPoints buckets: from raw
   * samples while they are kept (48 h), from 5-minute rollups beyond.
   */
  vmSeries(vmId: string, from: number, to: number, maxPoints: number, rawKeptMs: number, now: number) {
    const stepMs = Math.max(1, Math.ceil((to - from) / maxPoints))
    const fromRaw = from >= now - rawKeptMs
    const sql = fromRaw
      ? `SELECT CAST((t - @from) / @step AS INTEGER) AS b, avg(cpu_used_cores) AS cpu, avg(cpu_ready_pct) AS ready, max(mem_used_mib) AS mem
         FROM vm_samples WHERE vm_id = @vm AND t >= @from AND t < @to GROUP BY b ORDER BY b`
      : `SELECT CAST((t - @from) / @step AS INTEGER) AS b, avg(cpu_used_cores_mean) AS cpu, avg(cpu_ready_pct_mean) AS ready, max(mem_used_mib_max) AS mem
         FROM vm_rollups WHERE vm_id = @vm AND t >= @from AND t < @to GROUP BY b ORDER BY b`
    const rows = this.db.prepare(sql).all({ vm: vmId, from, to, step: stepMs }) as { b: number; cpu: number; ready: number; mem: number }[]
    return {
      vmId,
      stepMs,
      t: rows.map((r) => from + r.b * stepMs),
      cpuUsedCores: rows.map((r) => r.cpu),
      cpuReadyPct: rows.map((r) => r.ready),
      memUsedMiB: rows.map((r) => r.mem),
      source: fromRaw ? ('raw' as const) : ('rollup' as const),
    }
  }

  /** Means of a VM's raw samples over [from, to): for before/after comparisons. */
  vmWindowMeans(vmId: string, from: number, to: number): { n: number; cpuUsedCores: number | null; cpuReadyPct: number | null; memUsedMiB: number | null } {
    return this.db
      .prepare('SELECT count(*) AS n, avg(cpu_used_cores) AS cpuUsedCores, avg(cpu_ready_pct) AS cpuReadyPct, avg(mem_used_mib) AS memUsedMiB FROM vm_samples WHERE vm_id = ? AND t >= ? AND t < ?')
      .get(vmId, from, to) as { n: number; cpuUsedCores: number | null; cpuReadyPct: number | null; memUsedMiB: number | null }
  }

  hostWindowMeans(hostId: string, from: number, to: number): { n: number; cpuPct: number | null; memUsedMiB: number | null } {
    return this.db
      .prepare('SELECT count(*) AS n, avg(cpu_pct) AS cpuPct, avg(mem_used_mib) AS memUsedMiB FROM host_samples WHERE host_id = ? AND t >= ? AND t < ?')
      .get(hostId, from, to) as { n: number; cpuPct: number | null; memUsedMiB: number | null }
  }

  listManagedHosts(): ManagedHostRow[] {
    const rows = this.db.prepare('SELECT * FROM managed_hosts ORDER BY added_at, id').all() as {
      id: string; target: string; display_name: string; tags: string; added_at: number; last_seen_at: number | null
    }[]
    return rows.map((r) => ({ id: r.id, target: r.target, displayName: r.display_name, tags: JSON.parse(r.tags) as string[], addedAt: r.added_at, lastSeenAt: r.last_seen_at }))
  }

  addManagedHost(host: Omit<ManagedHostRow, 'lastSeenAt'>): void {
    try {
      this.db
        .prepare('INSERT INTO managed_hosts (id, target, display_name, tags, added_at) VALUES (?, ?, ?, ?, ?)')
        .run(host.id, host.target, host.displayName, JSON.stringify(host.tags), host.addedAt)
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' || (error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new StoreError(`${host.target} is already added`)
      }
      throw error
    }
  }

  removeManagedHost(id: string): boolean {
    return this.db.prepare('DELETE FROM managed_hosts WHERE id = ?').run(id).changes > 0
  }

  touchManagedHost(id: string, seenAt: number): void {
    this.db.prepare('UPDATE managed_hosts SET last_seen_at = ? WHERE id = ?').run(seenAt, id)
  }

  getSecret(key: string): Buffer | undefined {
    return (this.db.prepare('SELECT value FROM secrets WHERE key = ?').get(key) as { value: Buffer } | undefined)?.value
  }

  setSecret(key: string, encrypted: Buffer): void {
    this.db.prepare('INSERT INTO secrets (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, encrypted)
  }

  deleteSecret(key: string): void {
    this.db.prepare('DELETE FROM secrets WHERE key = ?').run(key)
  }

  private getMeta(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value
  }

  private setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value)
  }

  countSamples(): { hostSamples: number; vmSamples: number } {
    const count = (table: string) => (this.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
    return { hostSamples: count('host_samples'), vmSamples: count('vm_samples') }
  }

  close(): void {
    this.db.close()
  }
}

/** Consecutive rows (sorted by id, t) grouped per id and rollup bucket. */
function* groupByBucket(rows: Record<string, number | string>[], idColumn: string): Generator<{ id: string; t: number; rows: Record<string, number | string>[] }> {
  let current: { id: string; t: number; rows: Record<string, number | string>[] } | undefined
  for (const row of rows) {
    const id = row[idColumn] as string
    const t = bucketStart(row.t as number)
    if (!current || current.id !== id || current.t !== t) {
      if (current) yield current
      current = { id, t, rows: [] }
    }
    current.rows.push(row)
  }
  if (current) yield current
}
