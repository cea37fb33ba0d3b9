import type { MessageRef } from '../model/recommendation'
import type { BalanceOptions } from './options'

/**
 * DRS's migration threshold, 1 (conservative) .. 5 (aggressive), as the engine's gain/cost rule
 * (BalanceOptions.minRelativeGain and relativeGainPerMigrationMinute): the share of the current
 * imbalance a move must remove, and as much more per minute its live migration takes. Level 1
 * makes only the moves rules, maintenance and limits require; level 3 is the engine's default.
 */
export type MigrationThreshold = 1 | 2 | 3 | 4 | 5

export const DEFAULT_MIGRATION_THRESHOLD: MigrationThreshold = 3

interface Level {
  balance: Pick<BalanceOptions, 'minRelativeGain' | 'relativeGainPerMigrationMinute'> & Partial<Pick<BalanceOptions, 'maxMigrations' | 'minGain'>>
  /** What the level does, in words and as a message key (params: gain and perMinute as percentages). */
  words: string
  ref: MessageRef
}

const level = (key: string, gain: number, perMinute: number, words: string, extra: Partial<Pick<BalanceOptions, 'maxMigrations' | 'minGain'>> = {}): Level => ({
  balance: { minRelativeGain: gain, relativeGainPerMigrationMinute: perMinute, ...extra },
  words,
  ref: { key: `placement.threshold.${key}`, params: {} },
})

export const THRESHOLD_LEVELS: Record<MigrationThreshold, Level> = {
  1: level('level1', 0, 0, 'Conservative: only the moves rules, maintenance and allocation limits require; nothing to even out load.', { maxMigrations: 0 }),
  2: level('level2', 0.1, 0.05, 'Only large gains: each move must take at least 5 points off host load (spread plus peak) and 10 % of the current imbalance, plus 5 % per minute of live migration.', { minGain: 0.05 }),
  3: level('level3', 0.01, 0.01, 'Each move must remove at least 1 % of the current imbalance, plus 1 % per minute of live migration (the default).'),
  4: level('level4', 0.003, 0.003, 'Each move must remove at least 0.3 % of the current imbalance, plus 0.3 % per minute of live migration.'),
  5: level('level5', 0.001, 0.0005, 'Aggressive: each move must remove at least 0.1 % of the current imbalance, plus 0.05 % per minute of live migration; even slight gains move VMs.'),
}

/** The balance options a threshold sets. */
export function thresholdBalance(threshold: MigrationThreshold): Partial<BalanceOptions> {
  return { ...THRESHOLD_LEVELS[threshold].balance }
}
