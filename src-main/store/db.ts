import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readSync, renameSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { english, msg } from '../../shared/i18n'
import type { MessageRef } from '../../shared/model'
import { migrations } from './migrations'
import { preparePrivateDatabase } from './private-files'

export interface DatabaseOptions {
  /** Path of a better_sqlite3.node built for another runtime (the Electron app in a checkout). */
  nativeBinding?: string
  /** The moment a damaged file is moved aside at (names the copy); now by default. */
  now?: () => number
}

/** What went wrong with the data file, so callers can tell a full disk from a damaged file. */
export type StoreProblem = 'disk-full' | 'read-only' | 'damaged' | 'not-a-data-file' | 'newer' | 'io' | 'conflict'

export class StoreError extends Error {
  override name = 'StoreError'
  constructor(
    /** What is wrong in VirtPilot's words, for the admin's language (the English is the message). */
    readonly messageRef: MessageRef,
    readonly problem: StoreProblem = 'conflict',
  ) {
    super(english(messageRef))
  }
}

/** What SQLite or the system said (verbatim), or VirtPilot's own words for a failure it made up. */
function detailOf(error: unknown): MessageRef | string {
  return (error as { messageRef?: MessageRef }).messageRef ?? (error as Error).message
}

/** The schema version a file is at (number of migrations applied). */
export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number
}

/**
 * An SQLite or file-system failure in the admin's words: which file, what is wrong, what to do.
 * Undefined for errors that are not about the file (constraint violations, bugs).
 */
export function storeFailure(error: unknown, file: string): StoreError | undefined {
  if (error instanceof StoreError) return error
  const code = String((error as { code?: unknown }).code ?? '')
  const said = { file, detail: detailOf(error) }
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') return new StoreError(msg('access.dataFile.diskFull', said), 'disk-full')
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return new StoreError(msg('access.dataFile.readOnly', said), 'read-only')
  if (code === 'SQLITE_CORRUPT' || code.startsWith('SQLITE_CORRUPT_')) return new StoreError(msg('access.dataFile.damaged', said), 'damaged')
  if (code === 'SQLITE_NOTADB') return new StoreError(msg('access.dataFile.notADataFile', said), 'not-a-data-file')
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN' || code === 'EIO') return new StoreError(msg('access.dataFile.io', said), 'io')
  return undefined
}

/**
 * Every statement, pragma and transaction of the connection rethrows a failure of the file as a
 * StoreError naming it (one place, so each caller gets the same clear message).
 */
function explained(db: Database.Database, file: string): Database.Database {
  const translate = (error: unknown) => storeFailure(error, file) ?? error
  const guard = <T extends object>(target: T): T => {
    const proxy: T = new Proxy(target, {
      get(object, key) {
        const value = Reflect.get(object, key, object) as unknown
        if (typeof value !== 'function') return value
        return (...args: unknown[]) => {
          try {
            const result = (value as (...a: unknown[]) => unknown).apply(object, args)
            if (result === object) return proxy
            // A transaction is a function that runs later: its COMMIT can fail too.
            if (key === 'transaction' && typeof result === 'function') return guardFunction(result as (...a: unknown[]) => unknown)
            if (key === 'prepare' && result && typeof result === 'object') return guard(result)
            return result
          } catch (error) {
            throw translate(error)
          }
        }
      },
    })
    return proxy
  }
  const guardFunction = (fn: (...a: unknown[]) => unknown) => (...args: unknown[]) => {
    try {
      return fn(...args)
    } catch (error) {
      throw translate(error)
    }
  }
  return guard(db)
}

/** Whether a file starts like an SQLite database (a damaged one still does; a plan or a log does not). */
function looksLikeSqlite(file: string): boolean {
  const header = Buffer.alloc(16)
  let fd: number | undefined
  try {
    fd = openSync(file, 'r')
    return readSync(fd, header, 0, 16, 0) === 16 && header.toString('latin1') === 'SQLite format 3\0'
  } catch {
    return false
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/** `virtpilot.db.damaged-20261205T101500Z`: where a damaged file goes, next to it. */
function asideName(file: string, now: number): string {
  return `${file}.damaged-${new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`
}

/** Moves the damaged file and its WAL and index files aside, never over an existing file. */
function moveAside(file: string, now: number): string {
  let aside = asideName(file, now)
  for (let n = 2; existsSync(aside); n++) aside = `${asideName(file, now)}-${n}`
  renameSync(file, aside)
  for (const suffix of ['-wal', '-shm']) if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix)
  return aside
}

/** Whether VirtPilot may write the file and create its WAL next to it (a read-only disk or file says no). */
function writable(file: string): boolean {
  if (file === ':memory:') return true
  try {
    accessSync(dirname(file), constants.W_OK)
    if (existsSync(file)) accessSync(file, constants.W_OK)
    return true
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return false
    throw error
  }
}

/**
 * SQLite's page cache per connection, in KiB. better-sqlite3 builds SQLite with 16 MiB per
 * connection, which a long-running app fills as its file grows (RSS rising for days). Reads of
 * history are served by the OS's file cache just as well (chart reads of a 3-host, 24-VM
 * cluster over 1 h, 24 h and 7 d took the same time with 4 and 16 MiB), and the durable
 * connection only writes plans and the audit.
 */
const PAGE_CACHE_KIB = 4096
const DURABLE_PAGE_CACHE_KIB = 1024

/** What both connections to a data file share: waiting on each other, overwriting deleted rows, a bounded cache. */
function configure(db: Database.Database, cacheKiB: number): void {
  db.pragma('busy_timeout = 5000')
  // Deleted rows (a forgotten secret, pruned host output) are overwritten, not left in free pages.
  db.pragma('secure_delete = ON')
  db.pragma(`cache_size = -${cacheKiB}`)
}

function connect(file: string, options: DatabaseOptions, readonly = false): Database.Database {
  return new Database(file, { readonly, ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}) })
}

/** Opens the file and checks that SQLite can read all of it; throws SqliteError when it cannot. */
function openChecked(file: string, options: DatabaseOptions, readonly: boolean): Database.Database {
  const db = connect(file, options, readonly)
  try {
    if (file !== ':memory:') {
      const check = db.pragma('quick_check', { simple: true }) as string
      if (check !== 'ok') {
        const ref = msg('access.dataFile.integrity', { detail: check })
        throw Object.assign(new Error(english(ref)), { code: 'SQLITE_CORRUPT', messageRef: ref })
      }
    }
    if (!readonly) db.pragma('journal_mode = WAL')
    return db
  } catch (error) {
    db.close()
    throw error
  }
}

export interface OpenedDatabase {
  db: Database.Database
  /** Set when the file was damaged and moved aside, or can only be read: what happened and what to do. */
  notice?: string
  /** The same as a message, for the admin's language. */
  noticeRef?: MessageRef
  /** The file or its disk is read-only: everything can be read, nothing recorded. */
  readonly: boolean
}

/**
 * Opens VirtPilot's SQLite file (WAL mode) and brings its schema up to date. A damaged file is
 * moved aside (never overwritten) and a new one started; a file that is not SQLite at all is
 * refused. Every failure of the file is a StoreError naming it and saying what to do.
 */
export function openDatabase(file: string, options: DatabaseOptions = {}): OpenedDatabase {
  let notice: MessageRef | undefined
  let db: Database.Database
  let readonly = false
  try {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
    readonly = !writable(file)
    if (readonly && !existsSync(file)) throw Object.assign(new Error(english(msg('access.dataFile.cannotCreate'))), { code: 'EROFS', messageRef: msg('access.dataFile.cannotCreate') })
    if (!readonly && file !== ':memory:') preparePrivateDatabase(file, dirname(file))
    try {
      db = openChecked(file, options, readonly)
    } catch (error) {
      if (readonly) {
        // SQLite keeps its journal next to the file: where that cannot be written, it cannot open it either.
        throw new StoreError(msg('access.dataFile.readOnlyDisk', { file, detail: detailOf(error) }), 'read-only')
      }
      const failure = storeFailure(error, file)
      if ((failure?.problem !== 'damaged' && failure?.problem !== 'not-a-data-file') || !looksLikeSqlite(file) || readonly) throw error
      const aside = moveAside(file, (options.now ?? Date.now)())
      preparePrivateDatabase(file, dirname(file))
      notice = msg('access.dataFile.movedAside', { file, detail: detailOf(error), aside })
      db = openChecked(file, options, readonly)
    }
  } catch (error) {
    throw storeFailure(error, file) ?? error
  }
  if (readonly) {
    notice = msg('access.dataFile.readOnlyNotice', { file })
  }
  const guarded = explained(db, file)
  try {
    // The samples of a poll may be lost with power (never corrupted); the audit has its own FULL connection.
    configure(guarded, PAGE_CACHE_KIB)
    const current = schemaVersion(guarded)
    if (readonly && current < migrations.length) throw new StoreError(msg('access.dataFile.readOnlyOld', { file, current, known: migrations.length }), 'read-only')
    if (!readonly) guarded.pragma('synchronous = NORMAL')
    if (current > migrations.length) {
      throw new StoreError(msg('access.dataFile.newer', { file, current, known: migrations.length }), 'newer')
    }
    for (let version = current; version < migrations.length; version++) {
      guarded.transaction(() => {
        guarded.exec(migrations[version]!)
        guarded.pragma(`user_version = ${version + 1}`)
      })()
    }
  } catch (error) {
    db.close()
    throw error
  }
  return { db: guarded, readonly, ...(notice ? { notice: english(notice), noticeRef: notice } : {}) }
}

/**
 * A second connection to an open data file whose every commit is synced to disk before it
 * returns (synchronous = FULL): what the audit log and plan states are written through, so an
 * entry that was acknowledged survives a crash or a power cut.
 */
export function openDurableConnection(file: string, options: DatabaseOptions = {}, readonly = false): Database.Database {
  let db: Database.Database
  try {
    db = connect(file, options, readonly)
  } catch (error) {
    throw storeFailure(error, file) ?? error
  }
  const guarded = explained(db, file)
  configure(guarded, DURABLE_PAGE_CACHE_KIB)
  if (!readonly) guarded.pragma('synchronous = FULL')
  return guarded
}
