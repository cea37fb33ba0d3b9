import { z } from 'zod'
import { HostFactsSchema, HostStateSchema, SeriesSchema, VmFactsSchema } from '../model'
import { diskMetrics, hostMetrics, vmMetrics } from '../model/series'

/** Schemas of the dashboard channels (Overview summary, host and VM time series). */

export const HealthReasonSchema = z.object({
  code: z.enum(['offline', 'no-data', 'cpu', 'memory', 'cpu-ready', 'memory-pressure']),
  value: z.number(),
  penalty: z.number(),
  hostId: z.string().optional(),
})

export const HealthSchema = z.object({ score: z.number().nullable(), reasons: z.array(HealthReasonSchema) })

export const HostSummarySchema = z.object({
  hostId: z.string(),
  name: z.string(),
  state: HostStateSchema,
  health: HealthSchema,
  threads: z.number(),
  memoryMiB: z.number(),
  /** Means over the summary window; null without samples. */
  cpuPct: z.number().nullable(),
  memPct: z.number().nullable(),
  readyPct: z.number().nullable(),
  /** Share of its running VMs under memory pressure, %. */
  pressurePct: z.number().nullable(),
  pressuredVms: z.number().int(),
  runningVms: z.number().int(),
  vcpusAllocated: z.number(),
  memAllocatedMiB: z.number(),
})

const ResourceCapacitySchema = z.object({
  capacity: z.number(),
  allocated: z.number(),
  used: z.number(),
  /** allocated / capacity: above 1 the VMs were promised more than exists. */
  overcommit: z.number().nullable(),
})

export const ContendedVmSchema = z.object({
  vmId: z.string(),
  name: z.string(),
  hostId: z.string(),
  vcpus: z.number(),
  readyPct: z.number(),
  readyMaxPct: z.number(),
  /** Peak memory used as % of allocated memory over the window. */
  memUsedPct: z.number(),
  pressured: z.boolean(),
})

export const OverviewSummarySchema = z.object({
  t: z.number(),
  /** Length of the window the means cover, ms. */
  windowMs: z.number(),
  cluster: HealthSchema,
  hosts: z.array(HostSummarySchema),
  cpu: ResourceCapacitySchema.describe('cores: logical CPUs, allocated vCPUs, used cores'),
  memory: ResourceCapacitySchema.describe('MiB'),
  contended: z.array(ContendedVmSchema),
})

export { diskMetrics, hostMetrics, vmMetrics, type DiskMetric, type HostMetric, type VmMetric } from '../model/series'

const Range = {
  from: z.number().int().nonnegative(),
  to: z.number().int().nonnegative(),
  /** Points per series at most; the server downsamples with LTTB to stay under it. */
  maxPoints: z.number().int().min(3).max(2000).default(1000),
}

/** Each metric once (repeats are dropped), at most 32: one column each in the query. */
const metricList = <T extends readonly [string, ...string[]]>(names: T) =>
  z
    .array(z.enum(names))
    .min(1)
    .max(48)
    .transform((m) => [...new Set(m)])

export const SeriesQuerySchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('host'), id: z.string().min(1), metrics: metricList(hostMetrics), ...Range }).strict(),
    z.object({ kind: z.literal('vm'), id: z.string().min(1), metrics: metricList(vmMetrics), ...Range }).strict(),
  ])
  .refine((r) => r.to > r.from, { message: '`to` must be after `from`', path: ['to'] })

const seriesResult = <K extends 'host' | 'vm', M extends readonly [string, ...string[]]>(kind: K, metrics: M) =>
  z.object({
    kind: z.literal(kind),
    id: z.string(),
    from: z.number(),
    to: z.number(),
    /** raw: 10 s samples (kept 48 h); rollup: 5-minute means (peaks for memory); store: the metrics store's ranges (Prometheus). */
    source: z.enum(['raw', 'rollup', 'store']),
    /** Points read from the store, before downsampling. */
    pointsRead: z.number().int(),
    /** The metrics asked for, by name. */
    series: z.partialRecord(z.enum(metrics), SeriesSchema),
    /** 95th percentile of each metric over the range (of the stored points). */
    p95: z.partialRecord(z.enum(metrics), z.number().nullable()),
  })

export const HostSeriesResultSchema = seriesResult('host', hostMetrics)
export const VmSeriesResultSchema = seriesResult('vm', vmMetrics)
/** One host's or one VM's series: the one path for host detail, VM detail and a recommendation's evidence. */
export const SeriesResultSchema = z.discriminatedUnion('kind', [HostSeriesResultSchema, VmSeriesResultSchema])

export const HostHistoryRequestSchema = z
  .object({ hostId: z.string().min(1), ...Range, vmBuckets: z.number().int().min(2).max(500).default(180) })
  .strict()
  .refine((r) => r.to > r.from, { message: '`to` must be after `from`', path: ['to'] })

export const HostHistorySchema = z.object({
  host: HostSeriesResultSchema,
  /** The host's VMs in shared time buckets (for stacking): the busiest ones by name, the rest as one. */
  vms: z.object({
    t: z.array(z.number()),
    stepMs: z.number(),
    items: z.array(z.object({ vmId: z.string(), name: z.string(), cpuUsedCores: z.array(z.number()), memUsedMiB: z.array(z.number()) })),
    others: z.object({ count: z.number().int(), cpuUsedCores: z.array(z.number()), memUsedMiB: z.array(z.number()) }).nullable(),
  }),
  /** Its block devices as iostat -x shows them, one entry per device (none from hosts that do not say). */
  disks: z.object({
    source: z.enum(['raw', 'rollup', 'store']),
    devices: z.array(z.object({ device: z.string(), series: z.partialRecord(z.enum(diskMetrics), SeriesSchema) })),
  }),
})

export const HostFactsResultSchema = z.object({
  /** Null when discovery has not read the host's tuning facts (the demo cluster has none). */
  host: HostFactsSchema.nullable(),
  vms: z.array(VmFactsSchema),
})

export type HealthReasonView = z.infer<typeof HealthReasonSchema>
export type HostSummary = z.infer<typeof HostSummarySchema>
export type ContendedVm = z.infer<typeof ContendedVmSchema>
export type OverviewSummary = z.infer<typeof OverviewSummarySchema>
export type SeriesQuery = z.output<typeof SeriesQuerySchema>
export type SeriesResult = z.infer<typeof SeriesResultSchema>
export type HostSeriesResult = z.infer<typeof HostSeriesResultSchema>
export type VmSeriesResult = z.infer<typeof VmSeriesResultSchema>
export type HostHistory = z.infer<typeof HostHistorySchema>
export type HostFactsResult = z.infer<typeof HostFactsResultSchema>
