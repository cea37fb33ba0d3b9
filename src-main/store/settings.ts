import type Database from 'better-sqlite3'
import { SettingsSchema, defaultSettings, type Settings } from '../../shared/model'

/** The admin's preferences, one row per setting (JSON values). */
export class SettingsRepo {
  constructor(private readonly db: Database.Database) {}

  get(): Settings {
    const rows = this.db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[]
    const stored: Record<string, unknown> = {}
    for (const row of rows) {
      try {
        stored[row.key] = JSON.parse(row.value)
      } catch {
        // A value this version cannot read falls back to its default below.
      }
    }
    const parsed = SettingsSchema.safeParse({ ...defaultSettings, ...stored })
    // Keep every stored value that is still valid, default the rest.
    if (parsed.success) return parsed.data
    const result: Record<string, unknown> = { ...defaultSettings }
    for (const key of Object.keys(defaultSettings) as (keyof Settings)[]) {
      const one = SettingsSchema.shape[key].safeParse(stored[key])
      if (one.success) result[key] = one.data
    }
    return result as Settings
  }

  update(patch: Partial<Settings>): Settings {
    const upsert = this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
    this.db.transaction(() => {
      for (const [key, value] of Object.entries(patch)) if (value !== undefined) upsert.run(key, JSON.stringify(value))
    })()
    return this.get()
  }
}
