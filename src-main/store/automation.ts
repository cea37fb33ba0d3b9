import type Database from 'better-sqlite3'
import { AutomationSettingsSchema, defaultAutomation, type AutomationSettings } from '../../shared/model'

const KEY = 'automation'

/**
 * The automation level, windows, cap, per-VM levels and pause, one JSON value in the meta table.
 * Read at every decision, so a pause from the CLI in another process counts at once.
 */
export class AutomationRepo {
  constructor(private readonly db: Database.Database) {}

  get(): AutomationSettings {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(KEY) as { value: string } | undefined
    const defaults = defaultAutomation()
    if (!row) return defaults
    let stored: Record<string, unknown>
    try {
      stored = JSON.parse(row.value) as Record<string, unknown>
    } catch {
      return defaults
    }
    const parsed = AutomationSettingsSchema.safeParse({ ...defaults, ...stored })
    if (parsed.success) return parsed.data
    // Keep every stored value that is still valid, default the rest (a pause is never dropped silently: it stays if readable).
    const result: Record<string, unknown> = { ...defaults }
    for (const key of Object.keys(AutomationSettingsSchema.shape) as (keyof AutomationSettings)[]) {
      const one = AutomationSettingsSchema.shape[key].safeParse(stored[key])
      if (one.success && one.data !== undefined) result[key] = one.data
    }
    return result as AutomationSettings
  }

  /** Changes some fields in one transaction (read, change, write), so two windows' edits do not undo each other. */
  update(change: (current: AutomationSettings) => AutomationSettings): AutomationSettings {
    return this.db.transaction(() => {
      const next = AutomationSettingsSchema.parse(change(this.get()))
      this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(KEY, JSON.stringify(next))
      return next
    })()
  }
}
