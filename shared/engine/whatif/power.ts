import { consolidate } from '../consolidate'
import { applyMoves } from './balance-pass'
import { buildProblem, computeClaims } from './claims'
import type { QueuedRequest } from './queue'
import { usable, type ReplayState } from './state'

/**
 * Step 6's consolidation, at its interval: packs the VMs onto fewest hosts (sized for demand
 * sustained over the whole interval) and powers off the hosts it empties.
 */
export function consolidationPass(st: ReplayState, s: number): void {
  const { consolidation } = st.policy
  if (!consolidation.enabled || s === 0 || s % st.consolidateEvery !== 0) return
  const problem = buildProblem(st, computeClaims(st, s, usable, st.consolidateEvery), () => false, null)
  if (problem.vms.length === 0) return
  const plan = consolidate(problem, consolidation.headroom)
  if (!plan.feasible) return
  applyMoves(st, s, plan.moves)
  for (const id of plan.freedHosts) {
    const h = st.hostIndex.get(id)!
    if (st.vms.countOn(h) === 0) {
      st.hosts[h]!.asleep = true
      st.log(s, 'host-asleep', { host: id })
    }
  }
}

/** Powers on the largest sleeping host that could take `req` (any request when null); true when one woke. */
export function wakeFor(st: ReplayState, step: number, req: QueuedRequest | null): boolean {
  const { hosts } = st
  let best = -1
  for (let h = 0; h < hosts.length; h++) {
    const host = hosts[h]!
    if (!host.asleep || !host.present || host.failed || host.maintenance) continue
    if (req && ((req.allowedHosts && !req.allowedHosts.includes(h)) || req.vcpus > st.vcpuLimit(host) || req.memoryMiB > st.memLimit(host))) continue
    if (best < 0 || host.cpuCores + host.memMiB / 4096 > hosts[best]!.cpuCores + hosts[best]!.memMiB / 4096) best = h
  }
  if (best < 0) return false
  hosts[best]!.asleep = false
  st.log(step, 'host-woken', { host: hosts[best]!.id })
  return true
}
