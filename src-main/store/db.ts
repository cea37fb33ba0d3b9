import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { migrations } from './migrations'
import { preparePrivateDatabase } from './private-files'

export interface DatabaseOptions {
  /** Path of a better_sqlite3.node built for another runtime (the Electron app in a checkout). */
  nativeBinding?: string
}

export class StoreError extends Error {
  override name = 'StoreError'
}

/** The schema version a file is at (number of migrations applied). */
export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number
}

/**
 * Opens VirtPilot's SQLite file (WAL mode) and brings its schema up to date. Every repository of
 * the store works on the one connection this returns.
 */
export function openDatabase(file: string, options: DatabaseOptions = {}): Database.Database {
  if (file !== ':memory:') preparePrivateDatabase(file, dirname(file))
  const db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {})
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('busy_timeout = 5000')
  // Deleted rows (a forgotten secret, pruned host output) are overwritten, not left in free pages.
  db.pragma('secure_delete = ON')
  const current = schemaVersion(db)
  if (current > migrations.length) {
    db.close()
    throw new StoreError(`${file} was written by a newer VirtPilot (schema ${current}, this one knows ${migrations.length}). Upgrade VirtPilot or use another --data file.`)
  }
  for (let version = current; version < migrations.length; version++) {
    db.transaction(() => {
      db.exec(migrations[version]!)
      db.pragma(`user_version = ${version + 1}`)
    })()
  }
  return db
}
