import type Database from 'better-sqlite3'
import { HostSchema, VmSchema, type Inventory } from '../../shared/model'

/** Hosts and VMs as discovery last saw them. */
export class InventoryRepo {
  constructor(private readonly db: Database.Database) {}

  /**
   * Saves one discovery. A VM the discovered hosts no longer list is removed (shut down and
   * undefined, or moved away: the destination's discovery has it).
   */
  save(inventory: Inventory, seenAt: number): void {
    const upsertHost = this.db.prepare(
      `INSERT INTO hosts (id, source, data, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET source = excluded.source, data = excluded.data, last_seen = excluded.last_seen`,
    )
    const upsertVm = this.db.prepare(
      `INSERT INTO vms (id, host_id, data, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET host_id = excluded.host_id, data = excluded.data, last_seen = excluded.last_seen`,
    )
    const dropGone = this.db.prepare('DELETE FROM vms WHERE host_id = ? AND id NOT IN (SELECT value FROM json_each(?))')
    this.db.transaction(() => {
      for (const h of inventory.hosts) upsertHost.run(h.id, h.source, JSON.stringify(h), seenAt, seenAt)
      for (const v of inventory.vms) upsertVm.run(v.id, v.hostId, JSON.stringify(v), seenAt, seenAt)
      for (const h of inventory.hosts) dropGone.run(h.id, JSON.stringify(inventory.vms.filter((v) => v.hostId === h.id).map((v) => v.id)))
    })()
  }

  /**
   * VMs whose id changed (new -> former, Inventory.formerIds): their samples, rollups, perf runs and
   * the placement rules naming them move to the new id, once: not when the new id already has history.
   */
  adoptFormerIds(formerIds: Readonly<Record<string, string>>): string[] {
    const has = this.db.prepare('SELECT 1 FROM vm_samples WHERE vm_id = ? UNION ALL SELECT 1 FROM vm_rollups WHERE vm_id = ? LIMIT 1')
    const moves = [
      this.db.prepare('UPDATE vm_samples SET vm_id = @to WHERE vm_id = @from'),
      this.db.prepare('UPDATE vm_rollups SET vm_id = @to WHERE vm_id = @from'),
      this.db.prepare('UPDATE perf_runs SET vm_id = @to WHERE vm_id = @from'),
      this.db.prepare('DELETE FROM vms WHERE id = @from'),
    ]
    const rules = this.db.prepare('SELECT seq, vms FROM placement_rules')
    const setRule = this.db.prepare('UPDATE placement_rules SET vms = ? WHERE seq = ?')
    const adopted: string[] = []
    this.db.transaction(() => {
      for (const [to, from] of Object.entries(formerIds)) {
        if (to === from || has.get(to, to) || !has.get(from, from)) continue
        for (const m of moves) m.run({ from, to })
        adopted.push(to)
      }
      const renamed = new Map(adopted.map((to) => [formerIds[to]!, to]))
      for (const r of rules.all() as { seq: number; vms: string }[]) {
        const vms = JSON.parse(r.vms) as string[]
        if (vms.some((v) => renamed.has(v))) setRule.run(JSON.stringify(vms.map((v) => renamed.get(v) ?? v)), r.seq)
      }
    })()
    return adopted
  }

  /** Everything stored, or only the given hosts and their VMs. */
  current(hostIds?: readonly string[]): Inventory {
    const only = JSON.stringify(hostIds ?? null)
    const hostRows = this.db.prepare("SELECT data FROM hosts WHERE @only = 'null' OR id IN (SELECT value FROM json_each(@only)) ORDER BY id").all({ only }) as { data: string }[]
    const vmRows = this.db.prepare("SELECT data FROM vms WHERE @only = 'null' OR host_id IN (SELECT value FROM json_each(@only)) ORDER BY host_id, id").all({ only }) as { data: string }[]
    return { hosts: hostRows.map((r) => HostSchema.parse(JSON.parse(r.data))), vms: vmRows.map((r) => VmSchema.parse(JSON.parse(r.data))) }
  }

  /** Forgets a host that was removed, and its VMs (their samples stay until retention drops them). */
  removeHost(hostId: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM vms WHERE host_id = ?').run(hostId)
      this.db.prepare('DELETE FROM hosts WHERE id = ?').run(hostId)
    })()
  }
}
