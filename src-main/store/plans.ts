import type Database from 'better-sqlite3'
import { english, msg } from '../../shared/i18n'
import { MessageRefSchema, PlanSchema, type AuditEntry, type MessageRef, type Plan } from '../../shared/model'

/** A stored message, if it still reads as one (an unreadable one leaves the English text alone). */
function storedRef(json: string): { messageRef?: MessageRef } {
  try {
    const parsed = MessageRefSchema.safeParse(JSON.parse(json))
    return parsed.success ? { messageRef: parsed.data } : {}
  } catch {
    return {}
  }
}

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

  /** Plans made since `t`, and every plan still ready or running: what automation's hourly cap counts. */
  listPlansSince(t: number): Plan[] {
    return (this.db.prepare("SELECT data FROM plans WHERE created_at >= ? OR state IN ('ready', 'running') ORDER BY created_at DESC").all(t) as { data: string }[]).map((r) => PlanSchema.parse(JSON.parse(r.data)))
  }

  /** Marks a plan as run by this process (see markInterrupted); cleared when the run ends. */
  claim(planId: string, runner: unknown): void {
    this.db.prepare('UPDATE plans SET runner = ? WHERE id = ?').run(runner === undefined ? null : JSON.stringify(runner), planId)
  }

  release(planId: string): void {
    this.db.prepare('UPDATE plans SET runner = NULL WHERE id = ?').run(planId)
  }

  /**
   * Plans that were running when the process running them stopped: marked interrupted, each step
   * keeping its last known state (the one that was running says so; what the host did is unknown
   * until it is read again). A plan whose runner is still alive (another VirtPilot on the same file)
   * is left alone.
   */
  markInterrupted(now: number, runnerAlive: (runner: unknown) => boolean): Plan[] {
    const rows = this.db.prepare("SELECT data, runner FROM plans WHERE state = 'running'").all() as { data: string; runner: string | null }[]
    const stopped = rows.filter((r) => r.runner === null || !runnerAlive(JSON.parse(r.runner))).map((r) => PlanSchema.parse(JSON.parse(r.data)))
    for (const plan of stopped) {
      for (const step of plan.steps) {
        if (step.state !== 'running' && step.state !== 'rolling-back') continue
        const was = step.state === 'running' ? `running${step.progress !== undefined && step.progress < 1 ? ` (${Math.round(step.progress * 100)} % done)` : ''}` : 'rolling back'
        step.message = `was ${was} when VirtPilot stopped${step.message ? `; before that: ${step.message}` : ''}`
        step.state = 'interrupted'
      }
      plan.state = 'interrupted'
      plan.endedAt = now
      this.savePlan(plan)
      this.release(plan.id)
      const ref = msg('apply.audit.interrupted')
      this.audit({ t: now, actor: 'virtpilot', kind: 'state', planId: plan.id, message: english(ref), messageRef: ref })
    }
    return stopped
  }

  /** Writes one entry, synced to disk before it returns (the id is the acknowledgement). */
  audit(entry: Omit<AuditEntry, 'id'>): number {
    const result = this.db
      .prepare(
        `INSERT INTO audit (t, actor, kind, plan_id, step_id, recommendation_id, host, argv, exit_code, output, message, message_ref)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
        entry.messageRef ? JSON.stringify(entry.messageRef) : null,
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
      host: string | null; argv: string | null; exit_code: number | null; output: string | null; message: string; message_ref: string | null
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
      ...(r.message_ref !== null ? storedRef(r.message_ref) : {}),
    }))
  }
}
