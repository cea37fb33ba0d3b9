import type { PolicySet } from '../../model/scenario'
import type { Distribution } from './stats'

/**
 * Replays a scenario step by step under one policy set and measures what an admin compares:
 * demand the VMs did not get, host utilization, migrations, powered hosts, queue waits and
 * memory overcommit. Pure and deterministic: the same scenario, policy and seed give the same
 * result. Every VM is, at every step, either on a host or counted as down (its demand unmet).
 */
export interface WhatifMetrics {
  /** VM-minutes in which a VM got less CPU or memory than it demanded. */
  unmetVmMinutes: number
  /** unmetVmMinutes / VM-minutes, 0-1. */
  unmetShare: number
  cpuUnmetVmMinutes: number
  memUnmetVmMinutes: number
  /** Of the unmet VM-minutes, those where demand was above the VM's own allocation (a sizing issue, not contention). */
  aboveAllocationVmMinutes: number
  /** CPU demand not granted, in core-hours, and as a share of all CPU demand (0-1). */
  unmetCpuCoreHours: number
  unmetCpuShare: number
  /** VM-minutes spent down (host failed or removed and no room elsewhere). */
  downVmMinutes: number
  /** Per host and step, what its VMs ran (entitlement up to demand) / capacity (0-1), over powered hosts. */
  hostCpuUtil: Distribution
  hostMemUtil: Distribution
  migrations: number
  /** HA restarts after a host failure. */
  restarts: number
  activeHostHours: number
  queue: {
    requests: number
    started: number
    rejected: number
    waitingAtEnd: number
    /** Of started requests, minutes from arrival to start. */
    waitMinutes: { mean: number; p95: number; max: number }
  }
  /** Highest allocated memory / physical memory of any powered host at any step. */
  peakMemOvercommit: number
}

export type WhatifEventKind =
  | 'host-added'
  | 'host-removed'
  | 'host-failed'
  | 'host-recovered'
  | 'maintenance-start'
  | 'maintenance-end'
  | 'host-asleep'
  | 'host-woken'
  | 'vm-down'
  | 'vm-restarted'
  | 'evacuation-incomplete'
  | 'request-rejected'

export interface WhatifEvent {
  minute: number
  kind: WhatifEventKind
  host?: string
  vm?: string
  detail?: string
}

export interface WhatifSeries {
  /** Epoch ms of each point (bucket start). */
  t: number[]
  /** CPU the VMs ran (granted, up to demand) / capacity of powered hosts, 0-100. */
  cpuPct: number[]
  memPct: number[]
  /** CPU demand / capacity of powered hosts, 0-100 (above 100: the cluster is short). */
  cpuDemandPct: number[]
  activeHosts: number[]
  /** VMs with unmet demand at that time (bucket mean). */
  unmetVms: number[]
}

export interface WhatifRun {
  policy: PolicySet
  metrics: WhatifMetrics
  series: WhatifSeries
  /** Sorted queue waits (minutes) of started requests, thinned for a CDF chart. */
  waitMinutes: number[]
  events: WhatifEvent[]
  /** Events beyond the first EVENT_LIMIT are counted, not listed. */
  eventsDropped: number
  /** Every request: when it arrived, started (null: never) and where, or why it was rejected. */
  requests: RequestOutcome[]
  /** Where every VM and started request ended: a host id, or null when down. Nothing disappears. */
  finalPlacement: Record<string, string | null>
  accounting: { vmSteps: number; placedVmSteps: number; downVmSteps: number; completedJobs: number }
}

export interface RequestOutcome {
  id: string
  arrivalMinute: number
  startMinute: number | null
  host: string | null
  outcome: 'started' | 'waiting' | 'rejected'
}

export interface WhatifComparison {
  scenario: { name: string; hosts: number; vms: number; steps: number; stepSeconds: number; start: number; requests: number }
  seed: number
  runs: WhatifRun[]
}

export interface ReplayOptions {
  seed: number
  /** Points per chart series (default 300). */
  maxPoints?: number
}
