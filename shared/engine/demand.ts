import type { Snapshot } from '../model/snapshot'
import type { History } from './history'
import { percentile } from './usage-stats'

/** What a VM needs right now, sustained over the window rather than one sample. */
export interface VmDemand {
  cpuCores: number
  memMiB: number
  /** MiB/s of memory dirtied; 0 when unknown. */
  memDirtyMiBps: number
  /** 'history' when the window had samples, else 'sample' (latest poll) or 'allocation'. */
  source: 'history' | 'sample' | 'allocation'
}

export function sustainedDemand(
  snapshot: Snapshot,
  history: History,
  now: number,
  windowMs: number,
  p: number,
): Map<string, VmDemand> {
  const latest = new Map(snapshot.vmSamples.map((s) => [s.vmId, s]))
  const out = new Map<string, VmDemand>()
  for (const vm of snapshot.vms) {
    const series = history.vms[vm.id]
    const from = now - windowMs
    const idx: number[] = []
    if (series) for (let i = 0; i < series.t.length; i++) if (series.t[i]! >= from && series.t[i]! <= now) idx.push(i)
    if (series && idx.length > 0) {
      out.set(vm.id, {
        cpuCores: percentile(idx.map((i) => series.cpuUsedCores[i]!), p),
        memMiB: percentile(idx.map((i) => series.memUsedMiB[i]!), p),
        memDirtyMiBps: series.memDirtyMiBps ? percentile(idx.map((i) => series.memDirtyMiBps![i]!), p) : 0,
        source: 'history',
      })
      continue
    }
    const sample = latest.get(vm.id)
    if (sample) {
      out.set(vm.id, { cpuCores: sample.cpuUsedCores, memMiB: sample.memUsedMiB, memDirtyMiBps: 0, source: 'sample' })
    } else if (vm.state === 'running') {
      // Unknown use: assume it uses what it was given, the safe side for placement.
      out.set(vm.id, { cpuCores: vm.allocation.vcpus, memMiB: vm.allocation.memoryMiB, memDirtyMiBps: 0, source: 'allocation' })
    } else {
      out.set(vm.id, { cpuCores: 0, memMiB: 0, memDirtyMiBps: 0, source: 'allocation' })
    }
  }
  return out
}
