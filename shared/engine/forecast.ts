import type { VmUsageSeries } from './history'

/**
 * Demand of the next horizon (default 24 h) in buckets (default 1 h), forecast from a VM's
 * history. The profile: the mean of the same hour of the week over the last weeks where there are
 * enough of them, else of the same hour of the day over the last days, else the recent window's
 * mean. The recent level (last 30 min) corrects it: its difference from what the profile says for
 * the hour just past carries into the forecast and fades at the rate the VM's own departures from
 * its profile faded in the history (their hour-to-hour autocorrelation), so a VM that just ramped
 * up counts as ramped for as long as its ramps used to last. Each bucket carries a band: the
 * lowest and highest the same hour took, widened to the forecast, and for a VM that ramped up to
 * its recent level throughout. On the Bitbrains trace (bench next-day) this predicts the next
 * day's mean better than a percentile of the profile or of the last 24 h.
 */
export interface ForecastOptions {
  horizonMs: number
  bucketMs: number
  /** Weeks (days) the weekly (daily) profile looks back. */
  weeks: number
  days: number
  /** Fewest past weeks (days) per slot for a weekly (daily) profile. */
  minWeeks: number
  minDays: number
  /** The recent level: mean of the samples this close to now (or the newest sample, when they are further apart). */
  recentMs: number
  /** Window of the level used without a profile. */
  windowMs: number
  /** Past days whose same hours a plan is also judged on (their horizon-long CPU). */
  judgeDays: number
}

export type ForecastBasis = 'weekly' | 'daily' | 'window'

export interface ResourceForecast {
  /** Per bucket of the horizon: the expected level. */
  profile: Float64Array
  /** Per bucket: the band (lowest and highest the same hour took, widened to the forecast). */
  low: Float64Array
  high: Float64Array
  /** Mean of the last samples (recentMs); null without any. */
  recent: number | null
  /** What the profile alone says for the hour just past: the recent level departs from it or not. */
  expectedNow: number
  /** The recent level left the band of the hour just past (by 10 % of its top, and 5 % of the allocation at least). */
  departed: 'up' | 'down' | null
}

export interface VmForecast {
  basis: ForecastBasis
  /** Past weeks or days the profile drew on (most per slot); window: hours of the window. */
  periods: number
  /**
   * CPU (cores, the horizon's mean) the VM had over the same hours of each of the last
   * `judgeDays` days, newest first, then its recent level held: the days a plan is also judged
   * on (balance/hold-back.ts). NaN where it has no data that day.
   */
  cpuScenarios: number[]
  cpu: ResourceForecast
  mem: ResourceForecast
}

const HOUR = 3_600_000
const DAY = 24 * HOUR
const WEEK = 7 * DAY

export const defaultForecastOptions: ForecastOptions = {
  horizonMs: DAY,
  bucketMs: HOUR,
  weeks: 3,
  days: 7,
  minWeeks: 2,
  minDays: 3,
  recentMs: 30 * 60_000,
  windowMs: DAY,
  judgeDays: 14,
}

/** Buckets in the horizon. */
export function bucketsOf(o: ForecastOptions): number {
  return Math.max(1, Math.round(o.horizonMs / o.bucketMs))
}

/**
 * A VM's forecast, or null when its history has no sample within the look-back. `cap` bounds the
 * CPU and memory forecasts (the VM's allocation: it cannot use more than it has).
 */
export function forecastVm(series: VmUsageSeries, now: number, o: ForecastOptions, cap: { cpu: number; mem: number }): VmForecast | null {
  const b = o.bucketMs
  // One bucket more than the profile spans: the hour just past, as many weeks back as the profile uses (its reference for a departure).
  const lookBack = Math.max(o.weeks * WEEK, o.days * DAY, o.windowMs, o.judgeDays * DAY + o.horizonMs) + b
  const ages = Math.ceil(lookBack / b)
  // Mean per age bucket: bucket i holds samples stamped in [now - (i + 1) b, now - i b).
  const cpuSum = new Float64Array(ages)
  const memSum = new Float64Array(ages)
  const count = new Uint32Array(ages)
  let newest = -Infinity
  let beforeNewest = -Infinity
  for (let j = series.t.length - 1; j >= 0; j--) {
    const t = series.t[j]!
    if (t > now) continue
    if (t < now - lookBack) break
    if (t > newest) { beforeNewest = newest; newest = t } else if (t > beforeNewest) beforeNewest = t
    // A sample stamped t covers [t, t + its step): one stamped exactly b before now is in the last bucket.
    const i = Math.min(ages - 1, Math.max(0, Math.ceil((now - t) / b) - 1))
    cpuSum[i]! += series.cpuUsedCores[j]!
    memSum[i]! += series.memUsedMiB[j]!
    count[i]! += 1
  }
  if (newest === -Infinity) return null
  // Recent level: the last recentMs, or the newest sample when samples are further apart.
  const spacing = beforeNewest === -Infinity ? o.recentMs : newest - beforeNewest
  const recentFrom = now - Math.max(o.recentMs, spacing)
  let rc = 0, rm = 0, rn = 0
  for (let j = series.t.length - 1; j >= 0 && series.t[j]! >= recentFrom; j--) {
    if (series.t[j]! > now) continue
    rc += series.cpuUsedCores[j]!
    rm += series.memUsedMiB[j]!
    rn++
  }
  const K = bucketsOf(o)
  const perWeek = Math.round(WEEK / b)
  const perDay = Math.round(DAY / b)
  const slots = (period: number, n: number) => {
    // For bucket k of the horizon, the age buckets of the same time 1..n periods back.
    const out: number[][] = []
    let covered = 0
    for (let k = 0; k < K; k++) {
      const ids: number[] = []
      for (let p = 1; p <= n; p++) {
        const i = p * period - k - 1
        if (i >= 0 && i < ages && count[i]! > 0) ids.push(i)
      }
      out.push(ids)
      if (ids.length > 0) covered++
    }
    return { out, covered }
  }
  const enough = (s: { out: number[][] }, min: number) => s.out.filter((ids) => ids.length >= min).length >= 0.75 * K
  const weekly = slots(perWeek, o.weeks)
  const daily = slots(perDay, o.days)
  let basis: ForecastBasis
  let chosen: number[][] | null
  let period: number
  if (enough(weekly, o.minWeeks)) { basis = 'weekly'; chosen = weekly.out; period = perWeek }
  else if (enough(daily, o.minDays)) { basis = 'daily'; chosen = daily.out; period = perDay }
  else { basis = 'window'; chosen = null; period = 0 }
  // The same hour as now (the bucket just before now) in the periods used: the band a departure leaves.
  const nowIds: number[] = []
  if (chosen) for (let p = 1; p * period < ages; p++) if (count[p * period]! > 0 && nowIds.length < (basis === 'weekly' ? o.weeks : o.days)) nowIds.push(p * period)
  const windowIds: number[] = []
  for (let i = 0; i < Math.min(ages, Math.ceil(o.windowMs / b)); i++) if (count[i]! > 0) windowIds.push(i)
  const recent = rn > 0 ? { cpu: rc / rn, mem: rm / rn } : null
  const span = chosen ? Math.min(ages, period * (basis === 'weekly' ? o.weeks : o.days)) : Math.min(ages, Math.ceil(o.windowMs / b))
  /** Over the buckets `ids` of `means` (NaN: empty): mean, lowest and highest; n = 0 when none has data. */
  const stats = (means: Float64Array, ids: readonly number[]) => {
    let sum = 0, lo = Infinity, hi = -Infinity, n = 0
    for (const i of ids) {
      const x = means[i]!
      if (Number.isNaN(x)) continue
      sum += x; n++
      if (x < lo) lo = x
      if (x > hi) hi = x
    }
    return n > 0 ? { mean: sum / n, lo, hi, n } : { mean: 0, lo: 0, hi: 0, n: 0 }
  }
  const refIds = chosen ? nowIds : windowIds.filter((i) => i > 0)
  const meansOf = (sum: Float64Array, cap: number) => {
    const means = new Float64Array(ages)
    for (let i = 0; i < ages; i++) means[i] = count[i]! > 0 ? Math.min(cap, sum[i]! / count[i]!) : Number.NaN
    return means
  }
  const make = (means: Float64Array, cap: number, recentValue: number | null, floorMargin: number): ResourceForecast => {
    const fade = persistence(means, span, period, b / HOUR)
    const profile = new Float64Array(K)
    const low = new Float64Array(K)
    const high = new Float64Array(K)
    // Without a profile: the window's mean (the recent buckets left out of what the recent level
    // is compared with, so a ramp in the last hour shows as one).
    const windowStats = stats(means, windowIds)
    for (let k = 0; k < K; k++) {
      const ids = chosen && chosen[k]!.length > 0 ? chosen[k]! : null
      const x = ids ? stats(means, ids) : windowStats
      profile[k] = x.mean
      low[k] = x.lo
      high[k] = x.hi
    }
    const ref = stats(means, refIds)
    const expectedNow = ref.n > 0 ? ref.mean : windowStats.mean
    let departed: ResourceForecast['departed'] = null
    if (recentValue !== null) {
      const r = Math.min(cap, recentValue)
      if (ref.n > 0) {
        const margin = Math.max(floorMargin, 0.1 * ref.hi)
        if (r > ref.hi + margin) departed = 'up'
        else if (r < ref.lo - margin) departed = 'down'
      }
      // The departure from the profile carries over and fades.
      let carry = r - expectedNow
      for (let k = 0; k < K; k++) {
        carry *= fade
        profile[k] = Math.min(cap, Math.max(0, profile[k]! + carry))
        low[k] = Math.min(low[k]!, profile[k]!)
        high[k] = Math.max(high[k]!, profile[k]!, departed === 'up' ? r : 0)
      }
    }
    return { profile, low, high, recent: recentValue, expectedNow, departed }
  }
  const cpuMeans = meansOf(cpuSum, cap.cpu)
  const cpu = make(cpuMeans, cap.cpu, recent?.cpu ?? null, 0.05 * cap.cpu)
  const mem = make(meansOf(memSum, cap.mem), cap.mem, recent?.mem ?? null, 0.05 * cap.mem)
  const periods = chosen ? Math.max(...chosen.map((ids) => ids.length)) : Math.round((windowIds.length * b) / HOUR)
  const cpuScenarios = pastDays(cpuMeans, K, perDay, o.judgeDays)
  cpuScenarios.push(cpu.recent !== null ? Math.min(cap.cpu, cpu.recent) : Number.NaN)
  return { basis, periods, cpuScenarios, cpu, mem }
}

/** The mean over the K buckets of the same hours 1..days days back, newest first; NaN for a day without data (days stay aligned across VMs). */
function pastDays(means: Float64Array, K: number, perDay: number, days: number): number[] {
  const out: number[] = []
  for (let j = 1; j <= days; j++) {
    const from = j * perDay - K
    let sum = 0
    let n = 0
    for (let i = Math.max(0, from); i < from + K && i < means.length; i++) if (!Number.isNaN(means[i]!)) { sum += means[i]!; n++ }
    out.push(n > 0 ? sum / n : Number.NaN)
  }
  return out
}

/** Persistence of a VM whose history shows no departures to learn from: a 12 h half-life. */
const DEFAULT_PERSISTENCE = Math.pow(0.5, 1 / 12)

/**
 * How much of a departure from the profile carries from one bucket to the next: the lag-one
 * autocorrelation of the history's departures from its own profile (the mean of its slot; the
 * window's mean without a period), the bucket just past left out (it holds the departure being
 * forecast), clamped to 0-0.99. A VM that runs for hours once it starts keeps a ramp, a noisy one
 * returns to its profile at once; one that never departed keeps it with a 12 h half-life (per hour).
 */
function persistence(means: Float64Array, span: number, period: number, bucketHours: number): number {
  const slots = Math.max(1, period)
  const slotSum = new Float64Array(slots)
  const slotN = new Float64Array(slots)
  for (let i = 1; i < span; i++) {
    const x = means[i]!
    if (Number.isNaN(x)) continue
    const s = period > 0 ? i % period : 0
    slotSum[s]! += x
    slotN[s]! += 1
  }
  let num = 0
  let den = 0
  let prev = Number.NaN
  let pairs = 0
  let sumSq = 0
  for (let i = span - 1; i >= 1; i--) {
    const x = means[i]!
    const s = period > 0 ? i % period : 0
    const r = Number.isNaN(x) ? Number.NaN : x - slotSum[s]! / slotN[s]!
    if (!Number.isNaN(r)) {
      den += r * r
      if (!Number.isNaN(prev)) { num += r * prev; pairs++ }
      sumSq += x * x
    }
    prev = r
  }
  // Departures too few or too small (under 0.1 % of the signal) to measure: the default.
  if (pairs < 8 || den <= 1e-6 * sumSq || den <= 1e-12) return Math.pow(DEFAULT_PERSISTENCE, bucketHours)
  return Math.min(0.99, Math.max(0, num / den))
}


/** Mean of a profile: the level a forecast expects over the whole horizon. */
export function levelOf(profile: ArrayLike<number>): number {
  let s = 0
  for (let k = 0; k < profile.length; k++) s += profile[k]!
  return profile.length > 0 ? s / profile.length : 0
}

/** Highest value of a profile. */
export function peakOf(profile: ArrayLike<number>): number {
  let m = 0
  for (let k = 0; k < profile.length; k++) if (profile[k]! > m) m = profile[k]!
  return m
}
