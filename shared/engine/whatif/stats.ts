/** Figures over replay samples: nearest-rank percentiles, means, and chart-sized series. */

/** Nearest-rank percentile of already sorted values, p in 0-1. */
export function sortedPercentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length
  if (n === 0) return 0
  const rank = Math.min(n, Math.max(1, Math.ceil(p * n)))
  return sorted[rank - 1]!
}

export interface Distribution {
  p50: number
  p95: number
  max: number
}

export function distribution(values: Float64Array): Distribution {
  const sorted = values.slice().sort()
  return { p50: sortedPercentile(sorted, 0.5), p95: sortedPercentile(sorted, 0.95), max: sorted.length ? sorted[sorted.length - 1]! : 0 }
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length
}

/** Averages consecutive steps into at most `maxPoints` buckets; returns bucket start indices too. */
export function downsample(values: ArrayLike<number>, maxPoints: number): { index: number[]; values: number[] } {
  const n = values.length
  const per = Math.max(1, Math.ceil(n / maxPoints))
  const index: number[] = []
  const out: number[] = []
  for (let i = 0; i < n; i += per) {
    let sum = 0
    const end = Math.min(n, i + per)
    for (let k = i; k < end; k++) sum += values[k]!
    index.push(i)
    out.push(sum / (end - i))
  }
  return { index, values: out }
}

/** At most `maxPoints` values of a sorted list, evenly spaced by rank, always keeping the last. */
export function thinSorted(sorted: readonly number[], maxPoints: number): number[] {
  if (sorted.length <= maxPoints) return [...sorted]
  const out: number[] = []
  for (let k = 0; k < maxPoints; k++) out.push(sorted[Math.round((k * (sorted.length - 1)) / (maxPoints - 1))]!)
  return out
}
