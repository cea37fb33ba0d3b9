/** Statistics over usage series: weighted percentiles, decay weights, busiest hour of the week. */

/** Weighted percentile (p in 0..1): smallest value whose cumulative weight reaches p. */
export function weightedPercentile(values: readonly number[], weights: readonly number[], p: number): number {
  const n = values.length
  if (n === 0) return 0
  const order = sortedOrder(values)
  let total = 0
  for (let i = 0; i < n; i++) total += weights[i]!
  if (total <= 0) return values[order[n - 1]!]!
  const goal = p * total
  let cumulative = 0
  for (const i of order) {
    cumulative += weights[i]!
    if (cumulative >= goal - 1e-12) return values[i]!
  }
  return values[order[n - 1]!]!
}

/**
 * Indices of `values` by value, ties in index order (what a stable sort by value gives): the
 * values sorted natively, then each index dropped into its value's next free slot. Rightsizing
 * asks this of every VM's weeks of 5-minute buckets; a comparator sort is several times slower.
 */
function sortedOrder(values: readonly number[]): Uint32Array {
  const n = values.length
  const sorted = Float64Array.from(values).sort()
  const next = new Int32Array(n).fill(-1)
  const order = new Uint32Array(n)
  for (let i = 0; i < n; i++) {
    const x = values[i]!
    // First slot of x's run in `sorted` (-0 and 0 are one value, as the comparator had them).
    let lo = 0
    let hi = n
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (sorted[mid]! < x) lo = mid + 1
      else hi = mid
    }
    if (next[lo] === -1) next[lo] = lo
    order[next[lo]!++] = i
  }
  return order
}

export function percentile(values: readonly number[], p: number): number {
  return weightedPercentile(values, values.map(() => 1), p)
}

/** Weight halves every `halfLifeMs` going back from `now`. */
export function decayWeights(t: readonly number[], now: number, halfLifeMs: number): number[] {
  return t.map((ti) => Math.pow(0.5, Math.max(0, now - ti) / halfLifeMs))
}

const hourMs = 3_600_000
const weekHours = 168

/**
 * Mean of the busiest hour-of-week slot (e.g. "Mondays 09:00"), averaged across weeks with the
 * decay weights, so a weekly batch job that is rare in a percentile still counts while an old
 * pattern fades. Null until a full week is seen.
 */
export function busiestWeeklyHour(t: readonly number[], values: readonly number[], weights: readonly number[]): number | null {
  if (t.length === 0 || t[t.length - 1]! - t[0]! < weekHours * hourMs) return null
  const sum = new Float64Array(weekHours)
  const count = new Float64Array(weekHours)
  for (let i = 0; i < t.length; i++) {
    const slot = Math.floor(t[i]! / hourMs) % weekHours
    sum[slot]! += values[i]! * weights[i]!
    count[slot]! += weights[i]!
  }
  let best = 0
  for (let s = 0; s < weekHours; s++) if (count[s]! > 1e-12) best = Math.max(best, sum[s]! / count[s]!)
  return best
}

export function maxOf(values: readonly number[]): number {
  let m = 0
  for (const v of values) if (v > m) m = v
  return m
}
