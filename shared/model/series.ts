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

/** What the store keeps per host sample, by metric name (the columns of a host series). */
export const hostMetrics = [
  'cpuPct', 'cpuUsedCores', 'memUsedMiB', 'memTotalMiB', 'diskReadBps', 'diskWriteBps', 'netRxBps', 'netTxBps', 'cpuPressurePct', 'memPressurePct', 'ioPressurePct', 'swapInBps', 'swapOutBps', 'load1',
  'procsRunning', 'procsBlocked', 'swapUsedMiB', 'pageInKBps', 'pageOutKBps', 'interruptsPs', 'contextSwitchesPs', 'cpuUserPct', 'cpuSystemPct', 'cpuIdlePct', 'cpuIowaitPct', 'cpuStealPct',
  'kvmExitsPs', 'kvmHaltExitsPs', 'kvmIoExitsPs', 'kvmMmioExitsPs', 'kvmIrqInjectionsPs', 'kvmTlbFlushesPs', 'kvmRemoteTlbFlushesPs', 'kvmHaltPollSuccessCores', 'kvmHaltPollFailCores', 'kvmHaltWaitCores',
] as const
/** What the store keeps per VM sample, by metric name. */
export const vmMetrics = [
  'cpuUsedCores', 'cpuReadyPct', 'memUsedMiB', 'diskReadBps', 'diskWriteBps', 'diskReadIops', 'diskWriteIops', 'netRxBps', 'netTxBps',
  'qemuVcpuCores', 'qemuEmulatorCores', 'qemuIothreadCores', 'qemuVhostCores', 'qemuOtherCores', 'overheadCores',
  'kvmExitsPs', 'kvmHaltExitsPs', 'kvmIoExitsPs', 'kvmMmioExitsPs', 'kvmIrqInjectionsPs', 'kvmTlbFlushesPs', 'kvmRemoteTlbFlushesPs', 'kvmHaltPollSuccessCores', 'kvmHaltPollFailCores', 'kvmHaltWaitCores',
  'guestSwapInBps', 'guestSwapOutBps', 'guestMajorFaultsPs',
] as const
/** What the store keeps per block device sample (iostat -x), by metric name. */
export const diskMetrics = ['readsPs', 'writesPs', 'readKBps', 'writeKBps', 'readAwaitMs', 'writeAwaitMs', 'queueSize', 'utilPct'] as const
export type HostMetric = (typeof hostMetrics)[number]
export type VmMetric = (typeof vmMetrics)[number]
export type DiskMetric = (typeof diskMetrics)[number]

export type Series = z.infer<typeof SeriesSchema>
export type ClusterSeries = z.infer<typeof ClusterSeriesSchema>
