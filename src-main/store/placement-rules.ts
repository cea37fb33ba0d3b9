import type Database from 'better-sqlite3'
import { HostMaintenanceSchema, PlacementRuleSchema, type HostMaintenance, type NewPlacementRule, type PlacementRule } from '../../shared/model'

interface RuleRow { seq: number; id: string; kind: string; vms: string; hosts: string; name: string | null; created_at: number; created_by: string }

/** The admin's placement rules and the hosts in maintenance. */
export class PlacementRulesRepo {
  constructor(private readonly db: Database.Database) {}

  /** Every rule in the order it was added; a row this version cannot read is left out. */
  list(): PlacementRule[] {
    const rows = this.db.prepare('SELECT * FROM placement_rules ORDER BY seq').all() as RuleRow[]
    return rows.flatMap((r) => {
      const parsed = PlacementRuleSchema.safeParse({ id: r.id, kind: r.kind, vms: JSON.parse(r.vms), hosts: JSON.parse(r.hosts), ...(r.name ? { name: r.name } : {}), createdAt: r.created_at, createdBy: r.created_by })
      return parsed.success ? [parsed.data] : []
    })
  }

  /** Adds a rule; its id is `r` and a number never used before in this file. */
  add(rule: NewPlacementRule, at: number, by: string): PlacementRule {
    return this.db.transaction(() => {
      const next = ((this.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'placement_rules'").get() as { seq: number } | undefined)?.seq ?? 0) + 1
      const id = `r${next}`
      this.db
        .prepare('INSERT INTO placement_rules (seq, id, kind, vms, hosts, name, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(next, id, rule.kind, JSON.stringify(rule.vms), JSON.stringify(rule.hosts ?? []), rule.name ?? null, at, by)
      return PlacementRuleSchema.parse({ ...rule, hosts: rule.hosts ?? [], id, createdAt: at, createdBy: by })
    })()
  }

  remove(id: string): boolean {
    return this.db.prepare('DELETE FROM placement_rules WHERE id = ?').run(id).changes > 0
  }

  maintenance(): HostMaintenance[] {
    const rows = this.db.prepare('SELECT host_id, since, by, plan_id FROM host_maintenance ORDER BY since, host_id').all() as { host_id: string; since: number; by: string; plan_id: string | null }[]
    return rows.map((r) => HostMaintenanceSchema.parse({ hostId: r.host_id, since: r.since, by: r.by, ...(r.plan_id ? { planId: r.plan_id } : {}) }))
  }

  enterMaintenance(hostId: string, at: number, by: string): void {
    this.db.prepare('INSERT INTO host_maintenance (host_id, since, by) VALUES (?, ?, ?) ON CONFLICT(host_id) DO NOTHING').run(hostId, at, by)
  }

  setEvacuationPlan(hostId: string, planId: string): void {
    this.db.prepare('UPDATE host_maintenance SET plan_id = ? WHERE host_id = ?').run(planId, hostId)
  }

  exitMaintenance(hostId: string): boolean {
    return this.db.prepare('DELETE FROM host_maintenance WHERE host_id = ?').run(hostId).changes > 0
  }
}
