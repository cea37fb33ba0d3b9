import { z } from 'zod'

/**
 * Usage history the engine reads: per-VM series in parallel arrays (what the store's rollups
 * produce), oldest first. `t` is epoch milliseconds.
 */
export interface VmUsageSeries {
  t: number[]
  /** Host CPU cores' worth used. */
  cpuUsedCores: number[]
  /** Guest working set (used, not cached) in MiB. */
  memUsedMiB: number[]
  /** Memory dirtied per second while running (MiB/s); drives migration cost. Optional. */
  memDirtyMiBps?: number[]
}

/** A migration already done, so balancing does not move the VM back within the cooldown. */
export interface PastMigration {
  vmId: string
  from: string
  to: string
  t: number
}

export interface History {
  vms: Record<string, VmUsageSeries>
  recentMigrations?: PastMigration[]
}

const finite = z.number().finite()

/** One VM's series in a history file: parallel arrays of the same length, oldest first. */
export const VmUsageSeriesSchema = z
  .object({
    t: z.array(finite),
    cpuUsedCores: z.array(finite.nonnegative()),
    memUsedMiB: z.array(finite.nonnegative()),
  })
  .strict()
  .refine((s) => s.cpuUsedCores.length === s.t.length && s.memUsedMiB.length === s.t.length, { message: 't, cpuUsedCores and memUsedMiB must have the same length' })
  .refine((s) => s.t.every((t, i) => i === 0 || t > s.t[i - 1]!), { message: 't must increase', path: ['t'] })

/**
 * The usage history a data file holds, as `virtpilot export-history` writes it and
 * `virtpilot recommend --history` reads it: 5-minute rollups (mean CPU, peak memory) per VM.
 */
export const HistoryFileSchema = z
  .object({
    version: z.literal(1),
    from: z.number().int().nonnegative(),
    to: z.number().int().nonnegative(),
    stepMs: z.number().int().positive(),
    vms: z.record(z.string().min(1), VmUsageSeriesSchema),
  })
  .strict()

export type HistoryFile = z.infer<typeof HistoryFileSchema>
