import type { Settings } from './settings'

// Values only, no schema: the renderer starts with these without building any zod schema.

/**
 * Ratios of a host that sets none: CPU 4:1 is OpenStack's initial_cpu_allocation_ratio (a common
 * ceiling for mixed workloads); memory 1:1 never overcommits RAM.
 */
export const DEFAULT_ALLOCATION_RATIO = { cpu: 4, memory: 1 } as const

export const defaultSettings: Settings = { language: 'en', theme: 'system', demoEnabled: true, allocationRatios: { cluster: { ...DEFAULT_ALLOCATION_RATIO }, hosts: {} }, analysisIntervalMinutes: 15, migrationThreshold: 3, metricsSource: { kind: 'ssh' } }
