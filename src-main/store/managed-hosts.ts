import { msg } from '../../shared/i18n'
import type Database from 'better-sqlite3'
import { StoreError } from './db'

/** A host the admin added, as stored. */
export interface ManagedHostRow {
  id: string
  target: string
  displayName: string
  tags: string[]
  addedAt: number
  lastSeenAt: number | null
}

/** The hosts the admin added (the app's Hosts page, `virtpilot hosts add`). */
export class ManagedHostsRepo {
  constructor(private readonly db: Database.Database) {}

  list(): ManagedHostRow[] {
    const rows = this.db.prepare('SELECT * FROM managed_hosts ORDER BY added_at, id').all() as {
      id: string; target: string; display_name: string; tags: string; added_at: number; last_seen_at: number | null
    }[]
    return rows.map((r) => ({ id: r.id, target: r.target, displayName: r.display_name, tags: JSON.parse(r.tags) as string[], addedAt: r.added_at, lastSeenAt: r.last_seen_at }))
  }

  add(host: Omit<ManagedHostRow, 'lastSeenAt'>): void {
    try {
      this.db
        .prepare('INSERT INTO managed_hosts (id, target, display_name, tags, added_at) VALUES (?, ?, ?, ?, ?)')
        .run(host.id, host.target, host.displayName, JSON.stringify(host.tags), host.addedAt)
    } catch (error) {
      const code = (error as { code?: string }).code
      if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new StoreError(msg('access.target.alreadyAdded', { target: host.target }))
      throw error
    }
  }

  remove(id: string): boolean {
    return this.db.prepare('DELETE FROM managed_hosts WHERE id = ?').run(id).changes > 0
  }

  touch(id: string, seenAt: number): void {
    this.db.prepare('UPDATE managed_hosts SET last_seen_at = ? WHERE id = ?').run(seenAt, id)
  }
}
