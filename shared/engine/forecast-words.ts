import type { VmDemand } from './demand'
import { levelOf, peakOf } from './forecast'

/** The demand balancing planned a VM for, and how sure it is, in the admin's words (one place for this phrasing). */

const cores = (x: number) => `${x.toFixed(x < 10 ? 2 : 1)} cores`

/**
 * E.g. "forecast for the next 24 h: 4.70 cores on average (band 0.10-8.00 cores), up to 8.00 in
 * its busiest hour; the mean of the same hour of the week over the last 3 weeks, raised toward
 * its last 30 min level (8.00 cores) because it ramped up".
 */
export function demandWords(d: VmDemand, horizonHours: number): string {
  const ready = d.cpuReadyPct !== null && d.cpuReadyPct >= 1 ? `, counting the ${d.cpuReadyPct.toFixed(0)} % CPU ready it waited for` : ''
  if (d.source === 'allocation') return `no use measured yet: planned at its allocation (${cores(d.cpuCores)})`
  if (d.source === 'sample' || !d.forecast) return `no history yet: planned at its latest sample (${cores(d.cpuCores)})${ready}`
  const f = d.forecast
  const basis =
    f.basis === 'weekly'
      ? `the mean of the same hour of the week over the last ${f.periods} weeks`
      : f.basis === 'daily'
        ? `the mean of the same hour over the last ${f.periods} days`
        : `the mean of its last ${f.periods} h (too little history for a daily profile)`
  const recent = f.cpu.recent ?? 0
  const departure =
    f.cpu.departed === 'up'
      ? `, raised toward its last 30 min level (${cores(recent)}) because it ramped up`
      : f.cpu.departed === 'down'
        ? `, lowered toward its last 30 min level (${cores(recent)}) because it dropped`
        : ''
  return (
    `forecast for the next ${horizonHours} h: ${cores(levelOf(f.cpu.profile))} on average ` +
    `(band ${levelOf(f.cpu.low).toFixed(2)}-${levelOf(f.cpu.high).toFixed(2)} cores), up to ${peakOf(f.cpu.profile).toFixed(2)} in its busiest hour; ` +
    `${basis}${departure}${ready}`
  )
}

/** What the last 30 minutes' demand says of a move the forecast chose. */
export function recentWords(check: { worse: boolean; peakBefore: number; peakAfter: number } | undefined): string {
  if (!check) return ''
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`
  return check.worse
    ? ` Good only under the forecast: with the last 30 minutes' demand this move would make balance worse (busiest host ${pct(check.peakBefore)} -> ${pct(check.peakAfter)}).`
    : ''
}
