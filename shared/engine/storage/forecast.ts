import type { PoolSample } from '../../model/storage'

const DAY_MS = 24 * 3600_000

export interface ForecastOptions {
  /** How far back the trend looks. */
  windowMs: number
  /** Less history than this (or fewer samples) gives no forecast. */
  minSpanMs: number
  minSamples: number
  /** A fall of allocation by this share of capacity is a clean-up: the trend starts after it. */
  cleanupShare: number
}

export const defaultForecastOptions: ForecastOptions = { windowMs: 14 * DAY_MS, minSpanMs: 3600_000, minSamples: 4, cleanupShare: 0.02 }

export interface PoolForecast {
  /** Least-squares growth of allocation over the trend, bytes per day (negative: shrinking). */
  growthBytesPerDay: number
  /** Days until allocation reaches capacity at that growth; null when it does not grow. */
  daysToFull: number | null
  /** The samples the trend was fitted to: from, to, how many. */
  basis: { from: number; to: number; samples: number }
  capacityBytes: number
  allocationBytes: number
}

/**
 * Days until a pool is full, from the trend of its allocation: a least-squares line over the last
 * `windowMs` of samples, starting after the last clean-up (a drop of at least `cleanupShare` of
 * capacity), so a deleted VM does not read as a shrinking pool for two weeks. Null without
 * enough history; daysToFull null when the pool is not growing.
 */
export function poolForecast(samples: readonly PoolSample[], now: number, options: Partial<ForecastOptions> = {}): PoolForecast | null {
  const o = { ...defaultForecastOptions, ...options }
  const recent = samples.filter((s) => s.t <= now && s.t >= now - o.windowMs).sort((a, b) => a.t - b.t)
  if (recent.length === 0) return null
  let start = 0
  for (let i = 1; i < recent.length; i++) {
    const drop = recent[i - 1]!.allocationBytes - recent[i]!.allocationBytes
    if (drop >= o.cleanupShare * recent[i]!.capacityBytes) start = i
  }
  const trend = recent.slice(start)
  const last = trend.at(-1)!
  const span = last.t - trend[0]!.t
  if (trend.length < o.minSamples || span < o.minSpanMs) return null
  // Least squares in days relative to the first sample (keeps the numbers small).
  const t0 = trend[0]!.t
  let sx = 0, sy = 0, sxx = 0, sxy = 0
  for (const s of trend) {
    const x = (s.t - t0) / DAY_MS
    sx += x
    sy += s.allocationBytes
    sxx += x * x
    sxy += x * s.allocationBytes
  }
  const n = trend.length
  const denominator = n * sxx - sx * sx
  const slope = denominator > 0 ? (n * sxy - sx * sy) / denominator : 0
  const free = Math.max(0, last.capacityBytes - last.allocationBytes)
  // Growth below a byte an hour is noise (metadata, logs rotating).
  const growing = slope > 24
  return {
    growthBytesPerDay: slope,
    daysToFull: growing ? free / slope : null,
    basis: { from: t0, to: last.t, samples: n },
    capacityBytes: last.capacityBytes,
    allocationBytes: last.allocationBytes,
  }
}
