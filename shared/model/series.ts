import { z } from 'zod'

/** A downsampled time series for charts: parallel arrays keep the payload small. */
export const SeriesSchema = z.object({
  t: z.array(z.number()),
  values: z.array(z.number()),
})

/** Cluster-wide CPU and memory over time, summed across hosts. */
export const ClusterSeriesSchema = z.object({
  from: z.number(),
  to: z.number(),
  stepMs: z.number().positive(),
  cpuUsedCores: SeriesSchema,
  cpuCapacityCores: z.number().nonnegative(),
  memUsedMiB: SeriesSchema,
  memCapacityMiB: z.number().nonnegative(),
})

export type Series = z.infer<typeof SeriesSchema>
export type ClusterSeries = z.infer<typeof ClusterSeriesSchema>
