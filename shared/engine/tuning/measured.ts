import { msg } from '../../i18n'
import { layerMetrics, type LayerMetric, type VmUsageSeries } from '../../model/history'
import type { MessageRef } from '../../model/recommendation'
import { evidence, type Evidence, type TuningUsage } from './rule'

/** A figure a rule weighs: the layer's, or the VM's CPU use and CPU ready. */
export type MeasuredFigure = LayerMetric | 'cpuUsedCores' | 'cpuReadyPct'

/**
 * What was measured of a VM over the last window of history: the mean of each figure over the
 * buckets that have it. Absent figures were not measured (TCG has no KVM counters, Prometheus
 * hosts no thread split).
 */
export interface MeasuredWindow {
  /** Minutes the means cover: from the oldest bucket used to now, at most the window. */
  minutes: number
  /** Buckets (5-minute means) averaged. */
  buckets: number
  mean: Partial<Record<MeasuredFigure, number>>
}

/** The means of a VM's series over [now - windowMs, now); undefined when it has no bucket there. */
export function measuredWindow(series: VmUsageSeries | undefined, now: number, windowMs: number): MeasuredWindow | undefined {
  if (!series) return undefined
  // Buckets are named by their start: those starting within the window, up to now.
  const within = (ts: readonly number[]) => ts.map((t, i) => (t >= now - windowMs && t < now ? i : -1)).filter((i) => i >= 0)
  const average = (at: readonly number[], values: readonly (number | null | undefined)[] | undefined) => {
    const xs = at.map((i) => values?.[i]).filter((x): x is number => typeof x === 'number' && Number.isFinite(x))
    return xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined
  }
  const usage = within(series.t)
  const layer = series.layer ? within(series.layer.t) : []
  if (usage.length === 0 && layer.length === 0) return undefined
  const mean: Partial<Record<MeasuredFigure, number>> = {}
  for (const name of layerMetrics) {
    const m = average(layer, series.layer?.[name])
    if (m !== undefined) mean[name] = m
  }
  const used = average(usage, series.cpuUsedCores)
  const ready = average(usage, series.cpuReadyPct)
  if (used !== undefined) mean.cpuUsedCores = used
  if (ready !== undefined) mean.cpuReadyPct = ready
  const oldest = Math.min(...usage.map((i) => series.t[i]!), ...layer.map((i) => series.layer!.t[i]!))
  return { minutes: Math.max(1, Math.round(Math.min(windowMs, now - oldest) / 60_000)), buckets: Math.max(usage.length, layer.length), mean }
}

/** The sum of one figure over VMs that measured it, with how many did and the longest window among them. */
export function summed(usage: TuningUsage, vmIds: readonly string[], figure: MeasuredFigure): { total: number; count: number; minutes: number } | undefined {
  let total = 0
  let count = 0
  let minutes = 0
  for (const id of vmIds) {
    const w = usage.vms[id]?.measured
    const v = w?.mean[figure]
    if (v === undefined) continue
    total += v
    count++
    minutes = Math.max(minutes, w!.minutes)
  }
  return count > 0 ? { total, count, minutes } : undefined
}

/** Cores as the rules say them: two decimals, three below a tenth. */
export const coresText = (x: number) => (Math.abs(x) < 0.1 ? x.toFixed(3) : x.toFixed(2))

/** What a rule says and records when it had no measurement to weigh. */
export function fromConfiguration(): { sentence: MessageRef; evidence: Evidence } {
  return { sentence: msg('engine.tuning.measure.none'), evidence: evidence(msg('tuning.fact.measurement'), msg('tuning.value.fromConfiguration')) }
}

/** A measured figure as a rule's evidence, saying its window. */
export function measuredEvidence(fact: MessageRef, value: number, unit: string, minutes: number): Evidence {
  return evidence(msg('tuning.fact.measured', { fact, minutes }), +value.toFixed(3), unit)
}
