import type Database from 'better-sqlite3'

/** Small values VirtPilot keeps about the file itself (how far rollups reached, the plan key). */
export class MetaRepo {
  constructor(private readonly db: Database.Database) {}

  get(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value
  }

  set(key: string, value: string): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value)
  }
}
