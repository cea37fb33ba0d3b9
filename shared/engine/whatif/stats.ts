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

/** The nearest-rank p50, p95 and max: the numbers sorting gives, by selection (hosts x steps values). */
export function distribution(values: Float64Array): Distribution {
  const n = values.length
  if (n === 0) return { p50: 0, p95: 0, max: 0 }
  const buf = values.slice()
  let max = buf[0]!
  for (let i = 1; i < n; i++) if (buf[i]! > max) max = buf[i]!
  const k95 = rankIndex(n, 0.95)
  const p95 = selectKth(buf, n, k95)
  // Selection leaves the k95 + 1 smallest values in front: p50 is among them.
  const p50 = selectKth(buf, k95 + 1, rankIndex(n, 0.5))
  return { p50, p95, max }
}

/** 0-based index of the nearest-rank p-percentile of n values. */
function rankIndex(n: number, p: number): number {
  return Math.min(n, Math.max(1, Math.ceil(p * n))) - 1
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
  return selectKth(buf, n, rankIndex(n, p))
}

/** The k-th smallest (0-based) of the first n values, reordering them so that it sits at index k. */
function selectKth(buf: Float64Array, n: number, k: number): number {
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
