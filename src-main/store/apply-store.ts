import type Database from 'better-sqlite3'
import { PlanSchema, RecommendationSchema, type AuditEntry, type Plan, type Recommendation } from '../../shared/model'

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

/** Recommendations, plans and the audit log: what the admin decided and what VirtPilot ran. */
export class ApplyStore {
  constructor(private readonly db: Database.Database) {}

  /**
   * Replaces the open recommendations with a fresh engine run. Decided ones (approved, planned,
   * applied, rejected, snoozed) stay as they are; an open one the engine no longer makes is
   * marked superseded.
   */
  replaceOpen(recommendations: readonly Recommendation[], now: number): void {
    this.db.transaction(() => {
      this.db.prepare("UPDATE recommendations SET status = 'superseded' WHERE status = 'open'").run()
      this.db.prepare("UPDATE recommendations SET status = 'open', snoozed_until = NULL WHERE status = 'snoozed' AND snoozed_until <= ?").run(now)
      const insert = this.db.prepare("INSERT OR IGNORE INTO recommendations (id, created_at, data, status) VALUES (?, ?, ?, 'open')")
      const reopen = this.db.prepare("UPDATE recommendations SET status = 'open', data = ?, created_at = ? WHERE id = ? AND status = 'superseded'")
      for (const r of recommendations) {
        if (insert.run(r.id, now, JSON.stringify(r)).changes === 0) reopen.run(JSON.stringify(r), now, r.id)
      }
    })()
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

  savePlan(plan: Plan): void {
    this.db
      .prepare('INSERT INTO plans (id, created_at, state, data) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET state = excluded.state, data = excluded.data')
      .run(plan.id, plan.createdAt, plan.state, JSON.stringify(plan))
  }

  getPlan(id: string): Plan | undefined {
    const row = this.db.prepare('SELECT data FROM plans WHERE id = ?').get(id) as { data: string } | undefined
    return row && PlanSchema.parse(JSON.parse(row.data))
  }

  listPlans(limit = 50): Plan[] {
    return (this.db.prepare('SELECT data FROM plans ORDER BY created_at DESC LIMIT ?').all(limit) as { data: string }[]).map((r) => PlanSchema.parse(JSON.parse(r.data)))
  }

  /**
   * Plans that were running when the app stopped: marked interrupted, with the step that was
   * running marked interrupted too (what the host did is unknown until it is read again).
   */
  markInterrupted(now: number): Plan[] {
    const running = (this.db.prepare("SELECT data FROM plans WHERE state = 'running'").all() as { data: string }[]).map((r) => PlanSchema.parse(JSON.parse(r.data)))
    for (const plan of running) {
      for (const step of plan.steps) if (step.state === 'running' || step.state === 'rolling-back') step.state = 'interrupted'
      plan.state = 'interrupted'
      plan.endedAt = now
      this.savePlan(plan)
      this.audit({ t: now, actor: 'virtpilot', kind: 'state', planId: plan.id, message: 'VirtPilot stopped while this plan ran; it is marked interrupted. Check the hosts (the last step may or may not have taken effect).' })
    }
    return running
  }

  audit(entry: Omit<AuditEntry, 'id'>): number {
    const result = this.db
      .prepare(
        `INSERT INTO audit (t, actor, kind, plan_id, step_id, recommendation_id, host, argv, exit_code, output, message)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        entry.t,
        entry.actor,
        entry.kind,
        entry.planId ?? null,
        entry.stepId ?? null,
        entry.recommendationId ?? null,
        entry.host ?? null,
        entry.argv ? JSON.stringify(entry.argv) : null,
        entry.exitCode ?? null,
        entry.output ?? null,
        entry.message,
      )
    return Number(result.lastInsertRowid)
  }

  listAudit(q: { from?: number; to?: number; planId?: string; limit?: number } = {}): AuditEntry[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM audit WHERE t >= ? AND t < ? AND (? IS NULL OR plan_id = ?) ORDER BY id DESC LIMIT ?`,
      )
      .all(q.from ?? 0, q.to ?? Number.MAX_SAFE_INTEGER, q.planId ?? null, q.planId ?? null, q.limit ?? 1000) as {
      id: number; t: number; actor: string; kind: AuditEntry['kind']; plan_id: string | null; step_id: string | null; recommendation_id: string | null
      host: string | null; argv: string | null; exit_code: number | null; output: string | null; message: string
    }[]
    return rows.map((r) => ({
      id: r.id,
      t: r.t,
      actor: r.actor,
      kind: r.kind,
      ...(r.plan_id !== null ? { planId: r.plan_id } : {}),
      ...(r.step_id !== null ? { stepId: r.step_id } : {}),
      ...(r.recommendation_id !== null ? { recommendationId: r.recommendation_id } : {}),
      ...(r.host !== null ? { host: r.host } : {}),
      ...(r.argv !== null ? { argv: JSON.parse(r.argv) as string[] } : {}),
      ...(r.exit_code !== null ? { exitCode: r.exit_code } : {}),
      ...(r.output !== null ? { output: r.output } : {}),
      message: r.message,
    }))
  }
}
