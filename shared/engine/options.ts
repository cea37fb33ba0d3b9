import { DEFAULT_ALLOCATION_RATIO } from '../model/host'
import { defaultForecastOptions, type ForecastOptions } from './forecast'
import type { PlacementRules, VmResourceControls } from './placement-rules'

export type AllocationStrategy = 'static' | 'dynamic' | 'hybrid'

export interface RightsizeOptions {
  /** Percentile of CPU use to size for, 0-1. */
  cpuPercentile: number
  cpuHeadroom: number
  memHeadroom: number
  halfLifeMs: number
  minHistoryMs: number
  /** Memory is set in steps of this size. */
  memStepMiB: number
  minMemoryMiB: number
  /** Ignore changes smaller than this share of the current size (avoids churn). */
  minChangeRatio: number
}

export interface BalanceOptions {
  /**
   * Allocation ratios of hosts that carry none of their own (Host.allocationRatio): vCPUs per
   * logical CPU and guest memory per MiB of RAM; DEFAULT_ALLOCATION_RATIO says why 4:1 and 1:1.
   */
  cpuOvercommit: number
  memOvercommit: number
  /** Weights of CPU and memory load in the objective; memory counts only where a host may overcommit it (ratio above 1). */
  cpuWeight: number
  memWeight: number
  /**
   * The stopping rule, relative to the current imbalance (the spread of host load plus how far
   * the busiest host is above the mean): a move must remove at least `minRelativeGain` of it,
   * plus `relativeGainPerMigrationMinute` for each minute its live migration takes (memory in use
   * / (link speed - dirty rate)). Scale-free: the same rule on 4 hosts or 64.
   */
  minRelativeGain: number
  relativeGainPerMigrationMinute: number
  /** Absolute floor on a move's gain (load share of spread plus peak), charged again per migration minute; 0 unless the migration threshold is conservative. */
  minGain?: number
  /** Optional migrations per run: the admin's move limit (mandatory ones are not capped). */
  maxMigrations: number
  cooldownMs: number
  migrationBandwidthMiBps: number
  /** A move whose transfer time exceeds this is too expensive unless mandatory. */
  maxMigrationSeconds: number
  /** Run the exact HiGHS model when the cluster has at most this many VMs. */
  exactMaxVms: number
  exactTimeLimitS: number
}

export interface ConsolidateOptions {
  /** Keep this share of each host free after packing. */
  headroom: number
}

/** Contention: CPU ready at or above this share of a VM's vCPUs (sustained) is advice-worthy. */
export interface ContentionOptions {
  cpuReadyPct: number
  /** Window the CPU ready is averaged over. */
  windowMs: number
  /** Host CPU load (forecast) from which a host counts as saturated. */
  saturatedHostLoad: number
}

export interface EngineOptions {
  strategy: AllocationStrategy
  rightsize: RightsizeOptions
  balance: BalanceOptions
  /** How demand of the next horizon is forecast from history (balancing, consolidation). */
  forecast: ForecastOptions
  contention: ContentionOptions
  consolidate: ConsolidateOptions
  rules: PlacementRules
  controls: Record<string, VmResourceControls>
}

const hour = 3_600_000
const day = 24 * hour

export const defaultOptions: EngineOptions = {
  strategy: 'dynamic',
  rightsize: {
    cpuPercentile: 0.95,
    cpuHeadroom: 0.2,
    memHeadroom: 0.15,
    halfLifeMs: day,
    minHistoryMs: 7 * day,
    memStepMiB: 256,
    minMemoryMiB: 512,
    minChangeRatio: 0.1,
  },
  balance: {
    cpuOvercommit: DEFAULT_ALLOCATION_RATIO.cpu,
    memOvercommit: DEFAULT_ALLOCATION_RATIO.memory,
    cpuWeight: 0.5,
    memWeight: 0.5,
    minRelativeGain: 0.01,
    relativeGainPerMigrationMinute: 0.01,
    maxMigrations: 8,
    cooldownMs: 6 * hour,
    migrationBandwidthMiBps: 1000,
    maxMigrationSeconds: 300,
    exactMaxVms: 60,
    exactTimeLimitS: 2,
  },
  forecast: defaultForecastOptions,
  contention: { cpuReadyPct: 10, windowMs: hour, saturatedHostLoad: 0.9 },
  consolidate: { headroom: 0.2 },
  rules: { affinity: [], antiAffinity: [], pinned: {}, externallyManaged: [], preferred: {}, excluded: [] },
  controls: {},
}

export type PartialEngineOptions = Partial<{
  strategy: AllocationStrategy
  rightsize: Partial<RightsizeOptions>
  balance: Partial<BalanceOptions>
  forecast: Partial<ForecastOptions>
  contention: Partial<ContentionOptions>
  consolidate: Partial<ConsolidateOptions>
  rules: Partial<PlacementRules>
  controls: Record<string, VmResourceControls>
}>

export function withDefaults(partial: PartialEngineOptions = {}): EngineOptions {
  return {
    strategy: partial.strategy ?? defaultOptions.strategy,
    rightsize: { ...defaultOptions.rightsize, ...partial.rightsize },
    balance: { ...defaultOptions.balance, ...partial.balance },
    forecast: { ...defaultOptions.forecast, ...partial.forecast },
    contention: { ...defaultOptions.contention, ...partial.contention },
    consolidate: { ...defaultOptions.consolidate, ...partial.consolidate },
    rules: { ...defaultOptions.rules, ...partial.rules },
    controls: { ...partial.controls },
  }
}
