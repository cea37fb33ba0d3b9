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
  /** Time its vCPUs waited for a host CPU, as % of its vCPUs (CPU ready). Optional. */
  cpuReadyPct?: number[]
  /** The virtualization layer's figures of the last LAYER_WINDOW_MS, for the tuning rules. Optional. */
  layer?: LayerSeries
}

/** How far back the tuning rules weigh the virtualization layer (and the store reads it for them). */
export const LAYER_WINDOW_MS = 3_600_000

/** Buckets (5-minute means) of the recent past, oldest first, each figure null where that bucket has none. */
export type LayerSeries = { t: number[] } & Partial<Record<LayerMetric, (number | null)[]>>

/**
 * What the tuning rules weigh of a VM's virtualization layer, by VmSample name: its QEMU threads
 * (cores), KVM's halt counters (per second, cores), and the disk and network load they served;
 * and the swap its guest read back (bytes/s), which rightsizing weighs before shrinking memory.
 */
export const layerMetrics = [
  'qemuVcpuCores',
  'qemuEmulatorCores',
  'qemuIothreadCores',
  'qemuVhostCores',
  'overheadCores',
  'kvmHaltExitsPs',
  'kvmHaltPollSuccessCores',
  'kvmHaltPollFailCores',
  'kvmHaltWaitCores',
  'diskReadIops',
  'diskWriteIops',
  'netRxBps',
  'netTxBps',
  'guestSwapInBps',
] as const

export type LayerMetric = (typeof layerMetrics)[number]

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

/** The virtualization layer's recent buckets in a history file: each figure as long as `t`, null where a bucket has none. */
const layerFigure = z.array(finite.nonnegative().nullable()).optional()
const LayerSeriesSchema = z
  .object({ t: z.array(finite), ...(Object.fromEntries(layerMetrics.map((m) => [m, layerFigure])) as Record<LayerMetric, typeof layerFigure>) })
  .strict()
  .refine((s) => layerMetrics.every((m) => (s[m] ?? s.t).length === s.t.length), { message: 'every layer figure must have as many buckets as t' })

/** One VM's series in a history file: parallel arrays of the same length, oldest first. */
export const VmUsageSeriesSchema = z
  .object({
    t: z.array(finite),
    cpuUsedCores: z.array(finite.nonnegative()),
    memUsedMiB: z.array(finite.nonnegative()),
    cpuReadyPct: z.array(finite.nonnegative()).optional(),
    layer: LayerSeriesSchema.optional(),
  })
  .strict()
  .refine((s) => s.cpuUsedCores.length === s.t.length && s.memUsedMiB.length === s.t.length && (s.cpuReadyPct ?? s.t).length === s.t.length, { message: 't, cpuUsedCores, memUsedMiB and cpuReadyPct must have the same length' })
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
