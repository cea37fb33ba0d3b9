import type Database from 'better-sqlite3'

/** Passphrases and passwords sealed by the OS keychain (never plain text; see services/credentials.ts). */
export class SecretsRepo {
  constructor(private readonly db: Database.Database) {}

  get(key: string): Buffer | undefined {
    return (this.db.prepare('SELECT value FROM secrets WHERE key = ?').get(key) as { value: Buffer } | undefined)?.value
  }

  set(key: string, encrypted: Buffer): void {
    this.db.prepare('INSERT INTO secrets (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, encrypted)
  }

  delete(key: string): void {
    this.db.prepare('DELETE FROM secrets WHERE key = ?').run(key)
  }

  /** Forgets every kept secret, also from the file's older pages (the WAL is checkpointed into it). */
  deleteAll(): void {
    this.db.prepare('DELETE FROM secrets').run()
    this.db.pragma('wal_checkpoint(TRUNCATE)')
  }
}
