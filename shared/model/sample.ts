import { z } from 'zod'

const percent = z.number().min(0).max(100)
const rate = z.number().nonnegative()

/** One host's derived figures for one poll. `t` is epoch milliseconds. */
export const HostSampleSchema = z.object({
  hostId: z.string().min(1),
  t: z.number().int().nonnegative(),
  /** Share of all logical CPUs busy, 0-100. */
  cpuPct: percent,
  /** Busy logical CPUs (cores' worth). */
  cpuUsedCores: rate,
  memUsedMiB: rate,
  memTotalMiB: rate,
  diskReadBps: rate,
  diskWriteBps: rate,
  netRxBps: rate,
  netTxBps: rate,
  /** Share of the poll interval some task stalled on CPU, memory or I/O (/proc/pressure), %; absent without PSI. */
  cpuPressurePct: percent.optional(),
  memPressurePct: percent.optional(),
  ioPressurePct: percent.optional(),
  /** Swap traffic, bytes/s; absent when /proc/vmstat was not read. */
  swapInBps: rate.optional(),
  swapOutBps: rate.optional(),
  /** 1-minute load average (runnable and uninterruptible tasks). */
  load1: rate.optional(),
})

/** One VM's derived figures for one poll. */
export const VmSampleSchema = z.object({
  vmId: z.string().min(1),
  hostId: z.string().min(1),
  t: z.number().int().nonnegative(),
  /** Share of its own vCPUs busy, 0-100. */
  cpuPct: percent,
  /** Host CPU cores' worth it used. */
  cpuUsedCores: rate,
  /** Time its vCPUs were runnable but waiting for a host CPU (CPU ready), as % of its vCPUs. */
  cpuReadyPct: percent,
  memUsedMiB: rate,
  diskReadBps: rate,
  diskWriteBps: rate,
  diskReadIops: rate,
  diskWriteIops: rate,
  netRxBps: rate,
  netTxBps: rate,
})

export type HostSample = z.infer<typeof HostSampleSchema>
export type VmSample = z.infer<typeof VmSampleSchema>
