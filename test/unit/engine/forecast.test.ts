import { describe, expect, it } from 'vitest'
import { forecastDemand } from '../../../shared/engine/demand'
import { defaultForecastOptions, forecastVm, levelOf, peakOf } from '../../../shared/engine/forecast'
import type { VmUsageSeries } from '../../../shared/engine/history'
import { host, snapshot, usage, vm } from './support/cluster'
import { loadHourly500, traceCluster } from './support/trace-cluster'

const hour = 3_600_000
const day = 24 * hour
// A Monday 00:00 UTC: hour k of the horizon from here is hour k of a Monday.
const monday = Date.UTC(2024, 0, 8)
const cap = { cpu: 8, mem: 8192 }

/** 5-minute samples from `from` to `to` (exclusive); cpu/mem as functions of time. */
function series(from: number, to: number, cpu: (t: number) => number, mem: (t: number) => number = () => 1000): VmUsageSeries {
  const s: VmUsageSeries = { t: [], cpuUsedCores: [], memUsedMiB: [] }
  for (let t = from; t < to; t += 5 * 60_000) {
    s.t.push(t)
    s.cpuUsedCores.push(cpu(t))
    s.memUsedMiB.push(mem(t))
  }
  return s
}
const hourOfDay = (t: number) => new Date(t).getUTCHours()
const isMonday = (t: number) => new Date(t).getUTCDay() === 1

describe('demand forecast', () => {
  it('learns a weekly job from three weeks: busy Monday 09-17 only, so Monday\'s forecast has it and the band says how sure', () => {
    const s = series(monday - 21 * day, monday, (t) => (isMonday(t) && hourOfDay(t) >= 9 && hourOfDay(t) < 17 ? 6 : 0.5))
    const f = forecastVm(s, monday, defaultForecastOptions, cap)!
    expect(f.basis).toBe('weekly')
    expect(f.periods).toBe(3)
    expect(f.cpu.profile[10]).toBeCloseTo(6, 6)
    expect(f.cpu.profile[3]).toBeCloseTo(0.5, 6)
    expect(f.cpu.high[10]).toBeCloseTo(6, 6)
    // A percentile of the last 24 h (a Sunday) would have planned 0.5 for all of Monday.
    expect(levelOf(f.cpu.profile)).toBeCloseTo((8 * 6 + 16 * 0.5) / 24, 6)
  })

  it('falls back to the same hour of the day with a few days, and to the window\'s mean with a few hours', () => {
    const daily = forecastVm(series(monday - 4 * day + 60_000, monday, (t) => (hourOfDay(t) === 12 ? 4 : 1)), monday, defaultForecastOptions, cap)!
    expect(daily.basis).toBe('daily')
    expect(daily.periods).toBe(4)
    expect(daily.cpu.profile[12]).toBeCloseTo(4, 6)
    expect(daily.cpu.profile[11]).toBeCloseTo(1, 6)
    const fresh = forecastVm(series(monday - 6 * hour, monday, () => 2), monday, defaultForecastOptions, cap)!
    expect(fresh.basis).toBe('window')
    expect(peakOf(fresh.cpu.profile)).toBeCloseTo(2, 6)
    expect(forecastVm(series(monday - 6 * hour, monday, () => 2), monday - 7 * hour, defaultForecastOptions, cap)).toBeNull()
  })

  it('counts a VM that just ramped up as ramped: the forecast rises toward the last 30 minutes, the band includes it', () => {
    const s = series(monday - 21 * day, monday, (t) => (t >= monday - 30 * 60_000 ? 8 : 0.2))
    const f = forecastVm(s, monday, defaultForecastOptions, cap)!
    expect(f.cpu.departed).toBe('up')
    expect(f.cpu.recent).toBeCloseTo(8, 6)
    expect(f.cpu.profile[0]).toBeGreaterThan(4)
    expect(levelOf(f.cpu.profile)).toBeGreaterThan(0.2 + 1)
    for (let k = 0; k < 24; k++) expect(f.cpu.high[k]).toBeCloseTo(8, 6)
    // Capped at the allocation: a 4-vCPU VM cannot be planned above 4 cores.
    expect(peakOf(forecastVm(s, monday, defaultForecastOptions, { cpu: 4, mem: 8192 })!.cpu.profile)).toBeLessThanOrEqual(4)
  })

  it('lets a departure fade as fast as the VM\'s own departures did: a noisy VM returns to its profile, one that runs for hours stays up', () => {
    // Noisy: an independent level each hour. Runs: 4 cores for 20 h, then idle for 20 h. Both end with 30 min at 4 cores, or at 0.
    let seed = 7
    const noise = new Map<number, number>()
    const noisyAt = (t: number) => {
      const h = Math.floor(t / hour)
      if (!noise.has(h)) { seed = (seed * 16807) % 2147483647; noise.set(h, (seed / 2147483647) * 4) }
      return noise.get(h)!
    }
    const runsAt = (t: number) => (Math.floor(t / (20 * hour)) % 2 === 0 ? 4 : 0)
    const ending = (f: (t: number) => number, last: number | null) => (t: number) => (last !== null && t >= monday - 30 * 60_000 ? last : f(t))
    const carried = (f: (t: number) => number) => {
      const withRamp = forecastVm(series(monday - 21 * day, monday, ending(f, 4)), monday, defaultForecastOptions, cap)!
      const without = forecastVm(series(monday - 21 * day, monday, ending(f, 0)), monday, defaultForecastOptions, cap)!
      return withRamp.cpu.profile[6]! - without.cpu.profile[6]!
    }
    expect(carried(runsAt)).toBeGreaterThan(1.5)
    expect(carried(noisyAt)).toBeLessThan(0.5)
  })

  it('keeps the days a plan is also judged on: the same hours of each of the last 14 days, aligned by day, then the recent level', () => {
    // 2 cores on odd days back, 1 on even ones; no samples 5 days back; 3 cores in the last 30 min.
    const daysBack = (t: number) => Math.ceil((monday - t) / day)
    const s = series(monday - 21 * day, monday, (t) => (t >= monday - 30 * 60_000 ? 3 : daysBack(t) % 2 === 1 ? 2 : 1))
    const gap = { ...s, t: s.t.filter((t) => daysBack(t) !== 5) }
    const kept = s.t.map((t) => daysBack(t) !== 5)
    gap.cpuUsedCores = s.cpuUsedCores.filter((_, i) => kept[i])
    gap.memUsedMiB = s.memUsedMiB.filter((_, i) => kept[i])
    const f = forecastVm(gap, monday, defaultForecastOptions, cap)!
    expect(f.cpuScenarios).toHaveLength(15)
    expect(f.cpuScenarios[0]).toBeCloseTo((23 * 2 + 2.5) / 24, 6) // yesterday, its last hour half at 3 cores
    expect(f.cpuScenarios[1]).toBeCloseTo(1, 6)
    expect(f.cpuScenarios[2]).toBeCloseTo(2, 6)
    expect(f.cpuScenarios[4]).toBeNaN()
    expect(f.cpuScenarios[14]).toBeCloseTo(3, 6)
  })

  it('compares the hour just past with the same hour in each of the weeks its profile uses, the oldest included', () => {
    // The hour before Monday 00:00 was at 1, 2 and 6 cores 1, 2 and 3 weeks back: 3 on average.
    const lastHourOf = (t: number) => monday - t <= 21 * day + hour && (monday - t) % (7 * day) <= hour && (monday - t) % (7 * day) > 0
    const level = (t: number) => (lastHourOf(t) ? [1, 2, 6][Math.floor((monday - t) / (7 * day)) - 1]! : 0.5)
    const full = forecastVm(series(monday - 22 * day, monday, level), monday, defaultForecastOptions, cap)!
    expect(full.cpu.expectedNow).toBeCloseTo(3, 6)
  })

  it('counts the CPU a VM waited for (CPU ready) as demand', () => {
    const v = vm('v', 'h1', { vcpus: 2 })
    const s = series(monday - 2 * day, monday, () => 0.6)
    const ready = { ...s, cpuReadyPct: s.t.map(() => 70) }
    const snap = snapshot([host('h1')], [v], [usage(v, 0.6, 1000, monday)], monday)
    const plain = forecastDemand(snap, { vms: { v: s } }, monday, defaultForecastOptions, hour).get('v')!
    const waiting = forecastDemand(snap, { vms: { v: ready } }, monday, defaultForecastOptions, hour).get('v')!
    expect(plain.cpuCores).toBeCloseTo(0.6, 6)
    expect(waiting.cpuCores).toBeCloseTo(2, 6) // 0.6 used + 70 % of 2 vCPUs waited, capped at 2
    expect(waiting.cpuReadyPct).toBeCloseTo(70, 6)
    // No history: the latest sample, its ready included.
    const sampled = forecastDemand(snapshot([host('h1')], [v], [{ ...usage(v, 0.3, 500, monday), cpuReadyPct: 35 }], monday), { vms: {} }, monday, defaultForecastOptions, hour).get('v')!
    expect(sampled.source).toBe('sample')
    expect(sampled.cpuCores).toBeCloseTo(1, 6)
  })

  it('on the Bitbrains trace predicts the next day\'s mean closer than the p80 of the last 24 h did, for 400 VMs at three decision hours', () => {
    const trace = loadHourly500()
    let forecastError = 0
    let p80Error = 0
    for (const at of [Date.UTC(2013, 6, 23, 16), Date.UTC(2013, 6, 25, 16), Date.UTC(2013, 6, 24, 8)]) {
      const c = traceCluster(trace, { hosts: 16, vms: 400, seed: 16, at })
      c.snapshot.vms.forEach((v, i) => {
        const s = c.history.vms[v.id]!
        const truth = c.nextDay[i]!.cpu.reduce((a, x) => a + x, 0) / 24
        const f = forecastVm(s, c.now, defaultForecastOptions, { cpu: v.allocation.vcpus, mem: v.allocation.memoryMiB })!
        const last = s.cpuUsedCores.filter((_, j) => s.t[j]! >= c.now - day).map((x) => Math.min(x, v.allocation.vcpus)).sort((x, y) => x - y)
        forecastError += Math.abs(levelOf(f.cpu.profile) - truth)
        p80Error += Math.abs(last[Math.floor(0.8 * (last.length - 1))]! - truth)
      })
    }
    expect(forecastError).toBeLessThan(0.8 * p80Error)
  })
})
