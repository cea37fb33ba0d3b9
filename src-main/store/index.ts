import type Database from 'better-sqlite3'
import type { MessageRef } from '../../shared/model'
import { openDatabase, openDurableConnection, schemaVersion, type DatabaseOptions } from './db'
import { InventoryRepo } from './inventory'
import { ManagedHostsRepo } from './managed-hosts'
import { MetaRepo } from './meta'
import { PlacementRulesRepo } from './placement-rules'
import { PlansRepo } from './plans'
import { RecommendationsRepo } from './recommendations'
import { SamplesRepo } from './samples'
import { ScenarioRepo } from './scenarios'
import { SecretsRepo } from './secrets'
import { SettingsRepo } from './settings'
import { StorageRepo } from './storage'
import { PerfRunsRepo } from './perf-runs'
import { AutomationRepo } from './automation'

export { StoreError, storeFailure, type StoreProblem } from './db'
export type { ManagedHostRow } from './managed-hosts'

/** VirtPilot's local data: one SQLite file, one repository per kind of thing kept in it. */
export interface Store {
  readonly file: string
  readonly schemaVersion: number
  /** Set when the file was damaged at open and moved aside: say it to the admin. */
  readonly notice: string | undefined
  /** The same as a message, for the admin's language. */
  readonly noticeRef: MessageRef | undefined
  settings: SettingsRepo
  meta: MetaRepo
  inventory: InventoryRepo
  samples: SamplesRepo
  recommendations: RecommendationsRepo
  plans: PlansRepo
  scenarios: ScenarioRepo
  managedHosts: ManagedHostsRepo
  secrets: SecretsRepo
  storage: StorageRepo
  perfRuns: PerfRunsRepo
  /** Placement rules and hosts in maintenance. */
  rules: PlacementRulesRepo
  /** Automation level, maintenance windows, cap, per-VM levels, pause. */
  automation: AutomationRepo
  /** Runs several repository calls as one transaction (all or nothing, and one disk sync). */
  transaction<T>(body: () => T): T
  close(): void
}

export function openStore(file: string, options: DatabaseOptions = {}): Store {
  const { db, notice, noticeRef, readonly } = openDatabase(file, options)
  // Plans and the audit go through a connection that syncs every commit (an in-memory file has one connection).
  const durable: Database.Database = file === ':memory:' ? db : openDurableConnection(file, options, readonly)
  const meta = new MetaRepo(db)
  return {
    file,
    notice,
    noticeRef,
    get schemaVersion() {
      return schemaVersion(db)
    },
    settings: new SettingsRepo(db),
    meta,
    inventory: new InventoryRepo(db),
    samples: new SamplesRepo(db, meta),
    recommendations: new RecommendationsRepo(db),
    plans: new PlansRepo(durable),
    scenarios: new ScenarioRepo(db),
    managedHosts: new ManagedHostsRepo(db),
    secrets: new SecretsRepo(db),
    storage: new StorageRepo(db),
    perfRuns: new PerfRunsRepo(db),
    rules: new PlacementRulesRepo(db),
    automation: new AutomationRepo(db),
    transaction: (body) => db.transaction(body)(),
    close: () => {
      if (durable !== db) durable.close()
      db.close()
    },
  }
}
