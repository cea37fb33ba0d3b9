import { summarizeLoads, type PlacementProblem } from '../placement'

/** How one planned move does under another demand than the forecast (the last 30 minutes'). */
export interface RecentCheck {
  /** The move raises the objective (spread + peak) under that demand. */
  worse: boolean
  /** Weighted peak host load just before and after the move, under that demand. */
  peakBefore: number
  peakAfter: number
}

/**
 * The plan's moves replayed in order on the recent demand (cores and MiB per VM id; VMs without
 * one keep their forecast claims): for each move, whether it would make balance worse there.
 */
export function checkUnderRecentDemand(problem: PlacementProblem, recent: ReadonlyMap<string, { cpuCores: number; memMiB: number }>, moves: readonly { vmId: string; to: string }[]): Map<string, RecentCheck> {
  const p: PlacementProblem = {
    ...problem,
    vms: problem.vms.map((vm) => {
      const r = recent.get(vm.id)
      return r ? { ...vm, cpuClaim: Math.min(r.cpuCores, vm.vcpus), memClaim: Math.min(r.memMiB, vm.memoryMiB) } : vm
    }),
  }
  const where = new Map(p.vms.map((vm) => [vm.id, vm.hostId]))
  const measure = () => summarizeLoads(p, (vm) => where.get(vm.id)!)
  const out = new Map<string, RecentCheck>()
  let before = measure()
  for (const m of moves) {
    if (!where.has(m.vmId)) continue
    where.set(m.vmId, m.to)
    const after = measure()
    const worse = after.imbalance + after.peakLoad > before.imbalance + before.peakLoad + 1e-9
    out.set(m.vmId, { worse, peakBefore: before.peakLoad, peakAfter: after.peakLoad })
    before = after
  }
  return out
}
