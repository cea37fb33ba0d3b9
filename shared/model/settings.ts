import { z } from 'zod'

export const LanguageSchema = z.enum(['en', 'zh-CN'])
export const ThemeSchema = z.enum(['light', 'dark', 'system'])

/** Preferences kept in the store, shared by the desktop app and serve mode. */
export const SettingsSchema = z.object({
  language: LanguageSchema,
  theme: ThemeSchema,
  /** Run the embedded demo cluster (the default while no real host is configured). */
  demoEnabled: z.boolean(),
  /** The engine analyses the hosts at start-up and then every this many minutes; 0 = only at start-up and on demand. */
  analysisIntervalMinutes: z.number().int().min(0).max(24 * 60),
})

export const defaultSettings: Settings = { language: 'en', theme: 'system', demoEnabled: true, analysisIntervalMinutes: 15 }

export type Language = z.infer<typeof LanguageSchema>
export type Theme = z.infer<typeof ThemeSchema>
export type Settings = z.infer<typeof SettingsSchema>
