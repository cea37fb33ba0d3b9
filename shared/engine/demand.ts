import type { Snapshot } from '../model/snapshot'
import type { Vm } from '../model/vm'
import { forecastVm, levelOf, peakOf, type ForecastBasis, type ForecastOptions, type VmForecast } from './forecast'
import type { History, VmUsageSeries } from './history'
import { percentile } from './usage-stats'

/** What a VM is planned to need over the next horizon (balancing, consolidation). */
export interface VmDemand {
  /** Cores expected over the horizon (the forecast's mean): what balancing evens out. */
  cpuCores: number
  /** MiB planned for: the forecast's highest over the horizon. */
  memMiB: number
  /** MiB/s of memory dirtied; 0 when unknown. */
  memDirtyMiBps: number
  /** Per bucket of the horizon: the top of the CPU band in cores (no host is planned above capacity in any bucket). */
  cpuHigh: Float64Array
  /** The last 30 minutes' demand (cores, MiB): what a move is also checked against. Null when nothing was measured. */
  recent: { cpuCores: number; memMiB: number } | null
  /** CPU ready (share of its vCPUs, %) over the contention window, when measured: demand includes what it waited for. */
  cpuReadyPct: number | null
  /** 'forecast' when history had samples, else 'sample' (latest poll) or 'allocation' (nothing measured). */
  source: 'forecast' | 'sample' | 'allocation'
  forecast: VmForecast | null
}

/** A VM's planned demand as the engine's output carries it (plain numbers: it goes out as JSON). */
export interface DemandSummary {
  source: VmDemand['source']
  /** Where the forecast came from (null without history) and how many weeks, days or hours it drew on. */
  basis: ForecastBasis | null
  periods: number
  /** Cores expected on average over the horizon, its band, and the busiest hour. */
  cpuCores: number
  cpuBand: [number, number]
  cpuPeakHour: number
  memMiB: number
  departed: 'up' | 'down' | null
  recentCpuCores: number | null
  cpuReadyPct: number | null
}

export function summarizeDemand(d: VmDemand): DemandSummary {
  const f = d.forecast
  return {
    source: d.source,
    basis: f?.basis ?? null,
    periods: f?.periods ?? 0,
    cpuCores: d.cpuCores,
    cpuBand: f ? [levelOf(f.cpu.low), levelOf(f.cpu.high)] : [d.cpuCores, d.cpuCores],
    cpuPeakHour: f ? peakOf(f.cpu.profile) : d.cpuCores,
    memMiB: d.memMiB,
    departed: f?.cpu.departed ?? null,
    recentCpuCores: d.recent?.cpuCores ?? null,
    cpuReadyPct: d.cpuReadyPct,
  }
}

/**
 * Each VM's demand over the next horizon: the forecast from its history (forecast.ts), else the
 * latest sample as a flat level, else (running, nothing measured) its allocation, the safe side
 * for placement. CPU a VM waited for (CPU ready) counts as demand: it wanted that much and did
 * not get it.
 */
export function forecastDemand(snapshot: Snapshot, history: History, now: number, o: ForecastOptions, readyWindowMs: number): Map<string, VmDemand> {
  const latest = new Map(snapshot.vmSamples.map((s) => [s.vmId, s]))
  const K = Math.max(1, Math.round(o.horizonMs / o.bucketMs))
  const flat = (x: number) => new Float64Array(K).fill(x)
  const out = new Map<string, VmDemand>()
  for (const vm of snapshot.vms) {
    const series = history.vms[vm.id]
    const sample = latest.get(vm.id)
    const cap = { cpu: vm.allocation.vcpus, mem: vm.allocation.memoryMiB }
    const readySeries = series?.cpuReadyPct ? recentMean(series, series.cpuReadyPct, now, readyWindowMs) : null
    const cpuReadyPct = readySeries ?? (sample ? sample.cpuReadyPct : null)
    const fc = series ? forecastVm(withWaiting(series, vm), now, o, cap) : null
    if (fc) {
      const recent = fc.cpu.recent !== null && fc.mem.recent !== null ? { cpuCores: Math.min(cap.cpu, fc.cpu.recent), memMiB: Math.min(cap.mem, fc.mem.recent) } : null
      out.set(vm.id, {
        cpuCores: levelOf(fc.cpu.profile),
        memMiB: peakOf(fc.mem.profile),
        memDirtyMiBps: series?.memDirtyMiBps ? recentPercentile(series, series.memDirtyMiBps, now, o.windowMs, 0.8) : 0,
        cpuHigh: fc.cpu.high,
        recent,
        cpuReadyPct,
        source: 'forecast',
        forecast: fc,
      })
      continue
    }
    if (sample) {
      const cpu = Math.min(cap.cpu, sample.cpuUsedCores + (sample.cpuReadyPct / 100) * vm.allocation.vcpus)
      out.set(vm.id, { cpuCores: cpu, memMiB: sample.memUsedMiB, memDirtyMiBps: 0, cpuHigh: flat(cpu), recent: { cpuCores: cpu, memMiB: sample.memUsedMiB }, cpuReadyPct, source: 'sample', forecast: null })
    } else if (vm.state === 'running') {
      // Unknown use: assume it uses what it was given, the safe side for placement.
      out.set(vm.id, { cpuCores: cap.cpu, memMiB: cap.mem, memDirtyMiBps: 0, cpuHigh: flat(cap.cpu), recent: null, cpuReadyPct: null, source: 'allocation', forecast: null })
    } else {
      out.set(vm.id, { cpuCores: 0, memMiB: 0, memDirtyMiBps: 0, cpuHigh: flat(0), recent: null, cpuReadyPct: null, source: 'allocation', forecast: null })
    }
  }
  return out
}

/** The series with CPU ready added to CPU used (what the VM wanted), when ready was measured. */
function withWaiting(series: VmUsageSeries, vm: Vm): VmUsageSeries {
  const ready = series.cpuReadyPct
  if (!ready) return series
  const scale = vm.allocation.vcpus / 100
  return { ...series, cpuUsedCores: series.cpuUsedCores.map((c, i) => c + (ready[i] ?? 0) * scale) }
}

function recentMean(series: VmUsageSeries, values: readonly number[], now: number, windowMs: number): number | null {
  let sum = 0
  let n = 0
  for (let i = series.t.length - 1; i >= 0 && series.t[i]! > now - windowMs; i--) {
    if (series.t[i]! > now) continue
    sum += values[i]!
    n++
  }
  return n > 0 ? sum / n : null
}

function recentPercentile(series: VmUsageSeries, values: readonly number[], now: number, windowMs: number, p: number): number {
  const xs: number[] = []
  for (let i = series.t.length - 1; i >= 0 && series.t[i]! > now - windowMs; i--) if (series.t[i]! <= now) xs.push(values[i]!)
  return xs.length > 0 ? percentile(xs, p) : 0
}
