import { msg } from '../i18n'
import type { MessageRef } from '../model/recommendation'
import type { VmDemand } from './demand'
import { levelOf, peakOf } from './forecast'

/** The demand balancing planned a VM for, and how sure it is, in the admin's words (one place for this phrasing). */

const cores = (x: number) => x.toFixed(x < 10 ? 2 : 1)

/**
 * E.g. "forecast for the next 24 h: 4.70 cores on average (band 0.10-8.00 cores), up to 8.00 in
 * its busiest hour; the mean of the same hour of the week over the last 3 weeks, raised toward
 * its level of the last 30 min (8.00 cores) because it ramped up".
 */
export function demandWords(d: VmDemand, horizonHours: number): MessageRef {
  const ready = d.cpuReadyPct !== null && d.cpuReadyPct >= 1 ? msg('engine.demand.ready', { ready: `${d.cpuReadyPct.toFixed(0)} %` }) : ''
  if (d.source === 'allocation') return msg('engine.demand.allocation', { cores: cores(d.cpuCores) })
  if (d.source === 'sample' || !d.forecast) return msg('engine.demand.sample', { cores: cores(d.cpuCores), ready })
  const f = d.forecast
  const basis =
    f.basis === 'weekly'
      ? msg('engine.demand.weekly', { count: f.periods })
      : f.basis === 'daily'
        ? msg('engine.demand.daily', { count: f.periods })
        : msg('engine.demand.recent', { count: f.periods })
  const recent = f.cpu.recent ?? 0
  const departure = f.cpu.departed === 'up' ? msg('engine.demand.up', { cores: cores(recent) }) : f.cpu.departed === 'down' ? msg('engine.demand.down', { cores: cores(recent) }) : ''
  return msg('engine.demand.forecast', {
    hours: horizonHours,
    average: cores(levelOf(f.cpu.profile)),
    low: levelOf(f.cpu.low).toFixed(2),
    high: levelOf(f.cpu.high).toFixed(2),
    peak: peakOf(f.cpu.profile).toFixed(2),
    basis,
    departure,
    ready,
  })
}

/** What the last 30 minutes' demand says of a move the forecast chose. */
export function recentWords(check: { worse: boolean; peakBefore: number; peakAfter: number } | undefined): MessageRef | undefined {
  if (!check?.worse) return undefined
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`
  return msg('engine.migrate.worseRecently', { before: pct(check.peakBefore), after: pct(check.peakAfter) })
}
