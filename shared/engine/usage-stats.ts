/** Statistics over usage series: weighted percentiles, decay weights, busiest hour of the week. */

/** Weighted percentile (p in 0..1): smallest value whose cumulative weight reaches p. */
export function weightedPercentile(values: readonly number[], weights: readonly number[], p: number): number {
  const n = values.length
  if (n === 0) return 0
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!)
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
