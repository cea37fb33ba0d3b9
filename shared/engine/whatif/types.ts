import type { WhatifEvent, WhatifEventKind, WhatifMetrics } from '../../api/whatif'
import type { PolicySet } from '../../model/scenario'

/**
 * A replay of a scenario under one policy set, step by step, and what it measures (metrics and
 * events are the api's types: shared/api/whatif.ts). Pure and deterministic: the same scenario,
 * policy and seed give the same result. Every VM is, at every step, either on a host or counted
 * as down (its demand unmet).
 */
export type { WhatifEvent, WhatifEventKind, WhatifMetrics }

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
