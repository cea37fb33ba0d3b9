/** Length of one rollup bucket: the long-term resolution of the history. */
export const ROLLUP_MS = 5 * 60_000

export function bucketStart(t: number): number {
  return Math.floor(t / ROLLUP_MS) * ROLLUP_MS
}

/** Nearest-rank percentile (the value an admin can find in the data), p in 0-100. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[rank - 1]!
}

export interface Summary {
  mean: number
  max: number
  p95: number
}

export function summarize(values: readonly number[]): Summary {
  let sum = 0
  let max = -Infinity
  for (const v of values) {
    sum += v
    if (v > max) max = v
  }
  return { mean: values.length ? sum / values.length : 0, max: values.length ? max : 0, p95: percentile(values, 95) }
}
