import type Database from 'better-sqlite3'
import { MessageRefSchema, type MessageRef } from '../../shared/model/message'
import { ScenarioSchema, type Scenario } from '../../shared/model/scenario'

/** A saved scenario as lists show it (without its workload). */
export interface ScenarioSummaryRow {
  id: string
  name: string
  /** The name VirtPilot gave it, as a message; absent once the admin named it. */
  nameRef?: MessageRef
  source: string
  hosts: number
  vms: number
  steps: number
  stepSeconds: number
  savedAt: number
}

interface Row {
  id: string
  name: string
  name_ref: string | null
  source: string
  hosts: number
  vms: number
  steps: number
  step_seconds: number
  saved_at: number
  data: string
}

/** A stored name message that no longer reads (an older or damaged row) leaves the English name alone. */
function nameRefOf(text: string | null): MessageRef | undefined {
  if (text === null) return undefined
  try {
    const parsed = MessageRefSchema.safeParse(JSON.parse(text))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

const toSummary = (r: Omit<Row, 'data'>, nameRef = nameRefOf(r.name_ref)): ScenarioSummaryRow => ({
  id: r.id,
  name: r.name,
  ...(nameRef ? { nameRef } : {}),
  source: r.source,
  hosts: r.hosts,
  vms: r.vms,
  steps: r.steps,
  stepSeconds: r.step_seconds,
  savedAt: r.saved_at,
})

/** What-if scenarios in the store's SQLite file; each is written in one statement, whole. */
export class ScenarioRepo {
  constructor(private readonly db: Database.Database) {}

  list(): ScenarioSummaryRow[] {
    const rows = this.db
      .prepare('SELECT id, name, name_ref, source, hosts, vms, steps, step_seconds, saved_at FROM whatif_scenarios ORDER BY saved_at DESC, id')
      .all() as Omit<Row, 'data'>[]
    return rows.map((r) => toSummary(r))
  }

  /**
   * Inserts or replaces; `scenario` must already be valid (it is re-checked on load). `data` is its
   * JSON when that was made elsewhere (an import serialises in its worker; `scenario` may then lack
   * its workload).
   */
  save(id: string, scenario: Scenario, savedAt: number, data: string = JSON.stringify(scenario)): ScenarioSummaryRow {
    const row: Row = {
      id,
      name: scenario.name,
      name_ref: scenario.nameRef ? JSON.stringify(scenario.nameRef) : null,
      source: scenario.source?.kind ?? 'file',
      hosts: scenario.hosts.length,
      vms: scenario.vms.length,
      steps: scenario.steps,
      step_seconds: scenario.stepSeconds,
      saved_at: savedAt,
      data,
    }
    this.db
      .prepare(
        `INSERT INTO whatif_scenarios (id, name, name_ref, source, hosts, vms, steps, step_seconds, saved_at, data)
         VALUES (@id, @name, @name_ref, @source, @hosts, @vms, @steps, @step_seconds, @saved_at, @data)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, name_ref = excluded.name_ref, source = excluded.source, hosts = excluded.hosts, vms = excluded.vms,
           steps = excluded.steps, step_seconds = excluded.step_seconds, saved_at = excluded.saved_at, data = excluded.data`,
      )
      .run(row)
    return toSummary(row)
  }

  /** The scenario, or undefined when there is none with that id (or it no longer validates). */
  get(id: string): { summary: ScenarioSummaryRow; scenario: Scenario } | undefined {
    const row = this.db.prepare('SELECT * FROM whatif_scenarios WHERE id = ?').get(id) as Row | undefined
    if (!row) return undefined
    const parsed = ScenarioSchema.safeParse(JSON.parse(row.data))
    if (!parsed.success) return undefined
    return { summary: toSummary(row), scenario: parsed.data }
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM whatif_scenarios WHERE id = ?').run(id).changes > 0
  }
}
