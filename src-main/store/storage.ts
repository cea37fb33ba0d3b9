import type Database from 'better-sqlite3'
import type { HostStorage, LinkSpeed, PoolSample } from '../../shared/model'
import { POOL_RETENTION_MS } from './retention'

interface PoolRow {
  host_id: string
  pool_id: string
  t: number
  capacity_bytes: number
  allocation_bytes: number
  available_bytes: number
  volume_capacity_bytes: number | null
  read_ms_per_op: number | null
  write_ms_per_op: number | null
  busy_pct: number | null
}

/** How many link measurements per host pair are kept (the newest). */
const LINK_SPEEDS_KEPT = 20

/** Storage over time: pool figures at each discovery, and measured migration throughput per host pair. */
export class StorageRepo {
  constructor(private readonly db: Database.Database) {}

  /** One sample per active pool of each host, at `t` (a second save at the same moment replaces it). */
  savePools(storages: readonly HostStorage[], t: number): void {
    const insert = this.db.prepare(
      `INSERT OR REPLACE INTO pool_samples (host_id, pool_id, t, capacity_bytes, allocation_bytes, available_bytes, volume_capacity_bytes, read_ms_per_op, write_ms_per_op, busy_pct)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    this.db.transaction(() => {
      for (const s of storages)
        for (const p of s.pools) {
          if (!p.active || p.capacityBytes <= 0) continue
          const volumes = p.volumes ? p.volumes.reduce((a, v) => a + v.capacityBytes, 0) : null
          insert.run(s.hostId, p.id, Math.round(t), p.capacityBytes, p.allocationBytes, p.availableBytes, volumes, p.io?.readMsPerOp ?? null, p.io?.writeMsPerOp ?? null, p.io?.busyPct ?? null)
        }
    })()
  }

  /** Samples in [from, to) of the given hosts (all when absent), per pool oldest first. */
  poolHistory(from: number, to: number, hostIds?: readonly string[]): PoolSample[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM pool_samples WHERE t >= ? AND t < ? AND (@only = 'null' OR host_id IN (SELECT value FROM json_each(@only)))
         ORDER BY host_id, pool_id, t`,
      )
      .all(from, to, { only: JSON.stringify(hostIds ?? null) }) as PoolRow[]
    return rows.map((r) => ({
      hostId: r.host_id,
      poolId: r.pool_id,
      t: r.t,
      capacityBytes: r.capacity_bytes,
      allocationBytes: r.allocation_bytes,
      availableBytes: r.available_bytes,
      ...(r.volume_capacity_bytes !== null ? { volumeCapacityBytes: r.volume_capacity_bytes } : {}),
      ...(r.read_ms_per_op !== null ? { readMsPerOp: r.read_ms_per_op } : {}),
      ...(r.write_ms_per_op !== null ? { writeMsPerOp: r.write_ms_per_op } : {}),
      ...(r.busy_pct !== null ? { busyPct: r.busy_pct } : {}),
    }))
  }

  /** Newest pool sample of these hosts before `before`, epoch ms; undefined when none. */
  latestPoolSample(hostIds: readonly string[], before = Infinity): number | undefined {
    const row = this.db.prepare('SELECT MAX(t) AS t FROM pool_samples WHERE t < ? AND host_id IN (SELECT value FROM json_each(?))').get(Number.isFinite(before) ? before : Number.MAX_SAFE_INTEGER, JSON.stringify(hostIds)) as { t: number | null }
    return row.t ?? undefined
  }

  /** A finished migration's throughput; only the newest few per host pair are kept. */
  saveLinkSpeed(speed: LinkSpeed): void {
    this.db.transaction(() => {
      this.db.prepare('INSERT OR REPLACE INTO link_speeds (from_host, to_host, t, bytes, seconds) VALUES (?, ?, ?, ?, ?)').run(speed.from, speed.to, Math.round(speed.t), speed.bytes, speed.seconds)
      this.db
        .prepare('DELETE FROM link_speeds WHERE from_host = ? AND to_host = ? AND t NOT IN (SELECT t FROM link_speeds WHERE from_host = ? AND to_host = ? ORDER BY t DESC LIMIT ?)')
        .run(speed.from, speed.to, speed.from, speed.to, LINK_SPEEDS_KEPT)
    })()
  }

  /** Every measurement kept, newest first. */
  linkSpeeds(): LinkSpeed[] {
    const rows = this.db.prepare('SELECT from_host, to_host, t, bytes, seconds FROM link_speeds ORDER BY t DESC').all() as { from_host: string; to_host: string; t: number; bytes: number; seconds: number }[]
    return rows.map((r) => ({ from: r.from_host, to: r.to_host, t: r.t, bytes: r.bytes, seconds: r.seconds }))
  }

  /** Drops pool samples retention no longer keeps. */
  prune(now: number): number {
    return this.db.prepare('DELETE FROM pool_samples WHERE t < ?').run(now - POOL_RETENTION_MS).changes
  }
}
