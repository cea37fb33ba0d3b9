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
