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
  cpuOvercommit: number
  memOvercommit: number
  cpuWeight: number
  memWeight: number
  /** Imbalance reduction below which a move is not worth it. */
  minGain: number
  /** Optional migrations per run (mandatory ones are not capped). */
  maxMigrations: number
  cooldownMs: number
  /** Window over which demand must be sustained. */
  demandWindowMs: number
  /** Percentile of the window used as sustained demand, 0-1. */
  demandPercentile: number
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

export interface EngineOptions {
  strategy: AllocationStrategy
  rightsize: RightsizeOptions
  balance: BalanceOptions
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
    cpuOvercommit: 4,
    memOvercommit: 1,
    cpuWeight: 0.5,
    memWeight: 0.5,
    minGain: 0.005,
    maxMigrations: 8,
    cooldownMs: 6 * hour,
    demandWindowMs: day,
    demandPercentile: 0.8,
    migrationBandwidthMiBps: 1000,
    maxMigrationSeconds: 300,
    exactMaxVms: 60,
    exactTimeLimitS: 2,
  },
  consolidate: { headroom: 0.2 },
  rules: { affinity: [], antiAffinity: [], pinned: {}, externallyManaged: [] },
  controls: {},
}

export type PartialEngineOptions = Partial<{
  strategy: AllocationStrategy
  rightsize: Partial<RightsizeOptions>
  balance: Partial<BalanceOptions>
  consolidate: Partial<ConsolidateOptions>
  rules: Partial<PlacementRules>
  controls: Record<string, VmResourceControls>
}>

export function withDefaults(partial: PartialEngineOptions = {}): EngineOptions {
  return {
    strategy: partial.strategy ?? defaultOptions.strategy,
    rightsize: { ...defaultOptions.rightsize, ...partial.rightsize },
    balance: { ...defaultOptions.balance, ...partial.balance },
    consolidate: { ...defaultOptions.consolidate, ...partial.consolidate },
    rules: { ...defaultOptions.rules, ...partial.rules },
    controls: { ...partial.controls },
  }
}
