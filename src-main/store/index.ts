import type Database from 'better-sqlite3'
import { openDatabase, schemaVersion, type DatabaseOptions } from './db'
import { InventoryRepo } from './inventory'
import { ManagedHostsRepo } from './managed-hosts'
import { MetaRepo } from './meta'
import { PlansRepo } from './plans'
import { RecommendationsRepo } from './recommendations'
import { SamplesRepo } from './samples'
import { ScenarioRepo } from './scenarios'
import { SecretsRepo } from './secrets'
import { SettingsRepo } from './settings'

export { StoreError } from './db'
export type { ManagedHostRow } from './managed-hosts'

/** VirtPilot's local data: one SQLite file, one repository per kind of thing kept in it. */
export interface Store {
  readonly file: string
  readonly schemaVersion: number
  settings: SettingsRepo
  meta: MetaRepo
  inventory: InventoryRepo
  samples: SamplesRepo
  recommendations: RecommendationsRepo
  plans: PlansRepo
  scenarios: ScenarioRepo
  managedHosts: ManagedHostsRepo
  secrets: SecretsRepo
  /** Runs several repository calls as one transaction (all or nothing, and one disk sync). */
  transaction<T>(body: () => T): T
  close(): void
}

export function openStore(file: string, options: DatabaseOptions = {}): Store {
  const db: Database.Database = openDatabase(file, options)
  const meta = new MetaRepo(db)
  return {
    file,
    get schemaVersion() {
      return schemaVersion(db)
    },
    settings: new SettingsRepo(db),
    meta,
    inventory: new InventoryRepo(db),
    samples: new SamplesRepo(db, meta),
    recommendations: new RecommendationsRepo(db),
    plans: new PlansRepo(db),
    scenarios: new ScenarioRepo(db),
    managedHosts: new ManagedHostsRepo(db),
    secrets: new SecretsRepo(db),
    transaction: (body) => db.transaction(body)(),
    close: () => db.close(),
  }
}
