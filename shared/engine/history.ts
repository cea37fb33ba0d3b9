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

export const emptyHistory: History = { vms: {} }
