import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs'

/**
 * The data folder and the SQLite file hold the inventory, the audit log (host output) and the
 * host list: readable by this user only, whatever the umask. A folder VirtPilot creates is 0700;
 * the database and its WAL and shared-memory files are 0600 (SQLite creates the latter two with
 * the database's own mode).
 */
export function preparePrivateDatabase(file: string, dir: string): void {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 })
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600))
  for (const path of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(path)) chmodSync(path, 0o600)
}
