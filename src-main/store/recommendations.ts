import type Database from 'better-sqlite3'
import { RecommendationSchema, type Recommendation } from '../../shared/model'

export type RecommendationStatus = 'open' | 'approved' | 'rejected' | 'snoozed' | 'planned' | 'applied' | 'failed' | 'superseded'

export interface StoredRecommendation {
  recommendation: Recommendation
  createdAt: number
  status: RecommendationStatus
  reason?: string
  snoozedUntil?: number
  decidedAt?: number
  decidedBy?: string
  appliedAt?: number
  effect?: unknown
}

interface RecommendationRow {
  id: string
  created_at: number
  data: string
  status: RecommendationStatus
  reason: string | null
  snoozed_until: number | null
  decided_at: number | null
  decided_by: string | null
  applied_at: number | null
  effect: string | null
}

function fromRow(row: RecommendationRow): StoredRecommendation {
  return {
    recommendation: RecommendationSchema.parse(JSON.parse(row.data)),
    createdAt: row.created_at,
    status: row.status,
    ...(row.reason !== null ? { reason: row.reason } : {}),
    ...(row.snoozed_until !== null ? { snoozedUntil: row.snoozed_until } : {}),
    ...(row.decided_at !== null ? { decidedAt: row.decided_at } : {}),
    ...(row.decided_by !== null ? { decidedBy: row.decided_by } : {}),
    ...(row.applied_at !== null ? { appliedAt: row.applied_at } : {}),
    ...(row.effect !== null ? { effect: JSON.parse(row.effect) as unknown } : {}),
  }
}

/** The recommendations inbox: what the engine proposed and what the admin decided. */
export class RecommendationsRepo {
  constructor(private readonly db: Database.Database) {}

  /**
   * Replaces the open recommendations with a fresh engine run. Decided ones (approved, planned,
   * applied, rejected, snoozed) stay as they are, and so do the admin's own requests; an open
   * one the engine no longer makes is marked superseded.
   */
  replaceOpen(recommendations: readonly Recommendation[], now: number): void {
    this.db.transaction(() => {
      this.db.prepare("UPDATE recommendations SET status = 'superseded' WHERE status = 'open' AND json_extract(data, '$.requestedBy') IS NULL").run()
      this.db.prepare("UPDATE recommendations SET status = 'open', snoozed_until = NULL WHERE status = 'snoozed' AND snoozed_until <= ?").run(now)
      const insert = this.db.prepare("INSERT OR IGNORE INTO recommendations (id, created_at, data, status) VALUES (?, ?, ?, 'open')")
      const reopen = this.db.prepare("UPDATE recommendations SET status = 'open', data = ?, created_at = ? WHERE id = ? AND status = 'superseded'")
      for (const r of recommendations) {
        if (insert.run(r.id, now, JSON.stringify(r)).changes === 0) reopen.run(JSON.stringify(r), now, r.id)
      }
    })()
  }

  /** An admin's request, open for a decision like the engine's recommendations. */
  addRequest(recommendation: Recommendation, now: number): void {
    this.db.prepare("INSERT INTO recommendations (id, created_at, data, status) VALUES (?, ?, ?, 'open')").run(recommendation.id, now, JSON.stringify(recommendation))
  }

  listRecommendations(statuses?: readonly RecommendationStatus[]): StoredRecommendation[] {
    const rows = (
      statuses
        ? this.db.prepare(`SELECT * FROM recommendations WHERE status IN (SELECT value FROM json_each(?)) ORDER BY created_at DESC, id`).all(JSON.stringify(statuses))
        : this.db.prepare('SELECT * FROM recommendations ORDER BY created_at DESC, id').all()
    ) as RecommendationRow[]
    return rows.map(fromRow)
  }

  getRecommendation(id: string): StoredRecommendation | undefined {
    const row = this.db.prepare('SELECT * FROM recommendations WHERE id = ?').get(id) as RecommendationRow | undefined
    return row && fromRow(row)
  }

  setStatus(id: string, status: RecommendationStatus, fields: { reason?: string; snoozedUntil?: number; decidedAt?: number; decidedBy?: string; appliedAt?: number } = {}): void {
    this.db
      .prepare(
        `UPDATE recommendations SET status = ?, reason = coalesce(?, reason), snoozed_until = ?, decided_at = coalesce(?, decided_at),
           decided_by = coalesce(?, decided_by), applied_at = coalesce(?, applied_at) WHERE id = ?`,
      )
      .run(status, fields.reason ?? null, fields.snoozedUntil ?? null, fields.decidedAt ?? null, fields.decidedBy ?? null, fields.appliedAt ?? null, id)
  }

  /** A recommendation's record changed by a decision (the moves approved of a rebalance). */
  updateRecommendation(id: string, recommendation: Recommendation): void {
    this.db.prepare('UPDATE recommendations SET data = ? WHERE id = ?').run(JSON.stringify(recommendation), id)
  }

  setEffect(id: string, effect: unknown): void {
    this.db.prepare('UPDATE recommendations SET effect = ? WHERE id = ?').run(JSON.stringify(effect), id)
  }
}
