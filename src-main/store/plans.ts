import type Database from 'better-sqlite3'
import { PlanSchema, type AuditEntry, type Plan } from '../../shared/model'

/** Plans and the audit log: what VirtPilot ran, step by step, and everything decided or run. */
export class PlansRepo {
  constructor(private readonly db: Database.Database) {}

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
