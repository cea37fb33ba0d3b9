import { ref } from 'vue'
import type { Series } from '../../shared/model'
import { LIVE_WINDOW_MS } from './time-range'

/**
 * Points per series asked of the server (it downsamples with LTTB to stay under): about one per
 * pixel of a detail chart (two columns from 1280 px wide, one below), 300 to 1000. More would be
 * sent, parsed and drawn only for ECharts' own sampling to drop them again.
 */
export function detailMaxPoints(windowWidth = typeof window === 'undefined' ? 1440 : window.innerWidth): number {
  const chartWidth = windowWidth >= 1280 ? windowWidth / 2 : windowWidth
  return Math.round(Math.min(1000, Math.max(300, chartWidth)))
}

/** One more point at `t`, dropping points before `from`; a point not after the last one is ignored. */
export function appendPoint(series: Series | undefined, t: number, value: number, from: number): Series {
  const base = series ?? { t: [], values: [] }
  if (base.t.length > 0 && t <= base.t.at(-1)!) return base
  const start = base.t.findIndex((x) => x >= from)
  const keep = start === -1 ? base.t.length : start
  return { t: [...base.t.slice(keep), t], values: [...base.values.slice(keep), value] }
}

/** A loaded range of series keyed by metric (what series.query and host.history return). */
export interface MetricRange<M extends string> {
  from: number
  to: number
  series: Partial<Record<M, Series>>
}

/**
 * The live part host and VM detail share: the range shown, and each new sample added to the
 * series of the metrics loaded (the sample's field of the same name), older points dropped.
 */
export function useLiveSeries<M extends string>() {
  const range = ref<{ from: number; to: number } | null>(null)

  function extend<R extends MetricRange<M>>(current: R, sample: { t: number } & Partial<Record<M, number>>): R {
    const from = sample.t - LIVE_WINDOW_MS
    const series: Partial<Record<M, Series>> = { ...current.series }
    for (const metric of Object.keys(series) as M[]) {
      const value = sample[metric]
      if (typeof value === 'number') series[metric] = appendPoint(series[metric], sample.t, value, from)
    }
    range.value = { from, to: sample.t + 1 }
    return { ...current, series, from, to: sample.t + 1 }
  }

  return { range, extend }
}
