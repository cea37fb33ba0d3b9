import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import type { VmUsageSeries } from '../../../../shared/engine/history'

const dir = fileURLToPath(new URL('../../../fixtures/traces/', import.meta.url))

export interface BitbrainsVm {
  vm: string
  /** Cores provisioned (max seen; some rows report 0 during gaps). */
  cores: number
  memProvMiB: number
  series: VmUsageSeries
}

/** One Bitbrains GWA-T-12 VM: 5-minute rows; CPU MHz -> cores' worth, KB -> MiB. */
export function loadBitbrainsVm(vm: string): BitbrainsVm {
  const text = gunzipSync(readFileSync(`${dir}bitbrains/${vm}.csv.gz`)).toString('utf8')
  const lines = text.trim().split('\n').slice(1)
  const series: VmUsageSeries = { t: [], cpuUsedCores: [], memUsedMiB: [] }
  let cores = 0
  let memProvMiB = 0
  for (const line of lines) {
    const f = line.split(';').map((s) => Number(s.trim()))
    const [tSec, nCores, capMhz, usedMhz, , memProvKb, memUsedKb] = f as [number, number, number, number, number, number, number]
    if (!(nCores > 0 && capMhz > 0)) continue // gap rows
    cores = Math.max(cores, nCores)
    memProvMiB = Math.max(memProvMiB, memProvKb / 1024)
    series.t.push(tSec * 1000) // the header says ms; the values are seconds
    series.cpuUsedCores.push((usedMhz / capMhz) * nCores)
    series.memUsedMiB.push(memUsedKb / 1024)
  }
  return { vm, cores, memProvMiB, series }
}

export interface PlacementRow {
  vm: string
  vcpus: number
  memProvMiB: number
  cpuP80Cores: number
  memP80MiB: number
}

/** Derived per-VM sustained demand for all 500 Bitbrains VMs (see derive-placement.mjs). */
export function loadPlacement500(): PlacementRow[] {
  const lines = readFileSync(`${dir}placement-500vms.csv`, 'utf8').trim().split('\n').slice(1)
  return lines.map((l) => {
    const [vm, vcpus, mem, cpu, memUsed] = l.split(',')
    return { vm: vm!, vcpus: Number(vcpus), memProvMiB: Number(mem), cpuP80Cores: Number(cpu), memP80MiB: Number(memUsed) }
  })
}

/** Split a series at time `cut`: before is history to learn from, after is the future to judge on. */
export function splitAt(s: VmUsageSeries, cut: number): { train: VmUsageSeries; test: VmUsageSeries } {
  const pick = (keep: (t: number) => boolean): VmUsageSeries => {
    const idx = s.t.map((t, i) => (keep(t) ? i : -1)).filter((i) => i >= 0)
    return { t: idx.map((i) => s.t[i]!), cpuUsedCores: idx.map((i) => s.cpuUsedCores[i]!), memUsedMiB: idx.map((i) => s.memUsedMiB[i]!) }
  }
  return { train: pick((t) => t < cut), test: pick((t) => t >= cut) }
}
