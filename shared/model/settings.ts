import { z } from 'zod'
import { AllocationRatioSchema, DEFAULT_ALLOCATION_RATIO } from '../model/host'

export const LanguageSchema = z.enum(['en', 'zh-CN'])
export const ThemeSchema = z.enum(['light', 'dark', 'system'])

/** Preferences kept in the store, shared by the desktop app and serve mode. */
export const SettingsSchema = z.object({
  language: LanguageSchema,
  theme: ThemeSchema,
  /** Run the embedded demo cluster (the default while no real host is configured). */
  demoEnabled: z.boolean(),
  /**
   * How far hosts may be allocated (vCPUs per logical CPU, guest memory per MiB of RAM): the
   * cluster's ratios, and a host's own where it differs. Every snapshot carries each host's
   * (Host.allocationRatio); no recommendation takes a host above them.
   */
  allocationRatios: z.object({
    cluster: AllocationRatioSchema,
    hosts: z.record(z.string().min(1), AllocationRatioSchema),
  }),
  /** The engine analyses the hosts at start-up and then every this many minutes; 0 = only at start-up and on demand. */
  analysisIntervalMinutes: z.number().int().min(0).max(24 * 60),
})

export const defaultSettings: Settings = { language: 'en', theme: 'system', demoEnabled: true, allocationRatios: { cluster: { ...DEFAULT_ALLOCATION_RATIO }, hosts: {} }, analysisIntervalMinutes: 15 }

export type Language = z.infer<typeof LanguageSchema>
export type Theme = z.infer<typeof ThemeSchema>
export type Settings = z.infer<typeof SettingsSchema>
