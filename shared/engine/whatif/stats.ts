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

/**
 * Nearest-rank percentile of the first `n` values of `buf`, reordering them in place (quickselect):
 * the same value sortedPercentile gives on the sorted copy, in O(n) and without allocating.
 */
export function selectPercentile(buf: Float64Array, n: number, p: number): number {
  if (n === 0) return 0
  const k = Math.min(n, Math.max(1, Math.ceil(p * n))) - 1
  let lo = 0
  let hi = n - 1
  while (hi > lo) {
    // Median of three as the pivot value; Hoare-style partition around it.
    const mid = (lo + hi) >>> 1
    const a = buf[lo]!, b = buf[mid]!, c = buf[hi]!
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b
    let i = lo
    let j = hi
    while (i <= j) {
      while (buf[i]! < pivot) i++
      while (buf[j]! > pivot) j--
      if (i <= j) {
        const t = buf[i]!
        buf[i] = buf[j]!
        buf[j] = t
        i++
        j--
      }
    }
    if (k <= j) hi = j
    else if (k >= i) lo = i
    else return buf[k]!
  }
  return buf[k]!
}
