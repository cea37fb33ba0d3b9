/** The rules and limits a move must keep: where a unit may go, and whether two VMs may swap. */
import type { ClusterState } from './state'

/** Rules and limits for putting the whole unit on host h. */
export function canHost(state: ClusterState, u: number, h: number): boolean {
  const host = state.problem.hosts[h]!
  if (host.maintenance || !state.movable(u)) return false
  let addVcpus = 0
  let addMem = 0
  for (const v of state.units[u]!) {
    const vm = state.problem.vms[v]!
    if (vm.allowedHosts && !vm.allowedHosts.includes(host.id)) return false
    if (state.vmHost[v] !== h && vm.cooldownHosts.includes(host.id)) return false
    if (state.vmHost[v] === h) continue
    addVcpus += vm.vcpus
    addMem += vm.memoryMiB
    for (const g of state.antiGroupsOf[v]!) {
      const inUnitHere = state.units[u]!.filter((x) => state.vmHost[x] === h && state.antiGroupsOf[x]!.includes(g)).length
      if (state.antiCount[g]![h]! - inUnitHere > 0) return false
    }
  }
  return state.vcpus[h]! + addVcpus <= host.vcpuLimit + 1e-9 && state.memAlloc[h]! + addMem <= host.memAllocLimitMiB + 1e-9
}

/**
 * Whether single-VM units x (on a) and y (on b) may exchange hosts: rules for each at its new
 * host with the other gone, limits at the end, and room for one of them to go first.
 * Returns true when x goes first, false when y does, null when the swap is not allowed.
 */
export function swapOrder(state: ClusterState, x: number, y: number): boolean | null {
  const vx = state.units[x]![0]!, vy = state.units[y]![0]!
  const a = state.vmHost[vx]!, b = state.vmHost[vy]!
  const ha = state.problem.hosts[a]!, hb = state.problem.hosts[b]!
  if (a === b || ha.maintenance || hb.maintenance) return null
  const X = state.problem.vms[vx]!, Y = state.problem.vms[vy]!
  if (!X.movable || !Y.movable) return null
  const rulesOk = (vm: typeof X, v: number, other: number, to: typeof ha, h: number) => {
    if (vm.allowedHosts && !vm.allowedHosts.includes(to.id)) return false
    if (vm.cooldownHosts.includes(to.id)) return false
    for (const g of state.antiGroupsOf[v]!) {
      // Anti-affine with the VM it swaps with: they would share a host between the two steps.
      if (state.antiGroupsOf[other]!.includes(g)) return false
      if (state.antiCount[g]![h]! > 0) return false
    }
    return true
  }
  if (!rulesOk(X, vx, vy, hb, b) || !rulesOk(Y, vy, vx, ha, a)) return null
  const eps = 1e-9
  const endA = state.vcpus[a]! - X.vcpus + Y.vcpus <= ha.vcpuLimit + eps && state.memAlloc[a]! - X.memoryMiB + Y.memoryMiB <= ha.memAllocLimitMiB + eps
  const endB = state.vcpus[b]! - Y.vcpus + X.vcpus <= hb.vcpuLimit + eps && state.memAlloc[b]! - Y.memoryMiB + X.memoryMiB <= hb.memAllocLimitMiB + eps
  if (!endA || !endB) return null
  if (state.vcpus[b]! + X.vcpus <= hb.vcpuLimit + eps && state.memAlloc[b]! + X.memoryMiB <= hb.memAllocLimitMiB + eps) return true
  if (state.vcpus[a]! + Y.vcpus <= ha.vcpuLimit + eps && state.memAlloc[a]! + Y.memoryMiB <= ha.memAllocLimitMiB + eps) return false
  return null
}

/** The host (not its own unless the unit is split) that may take the unit and leaves the spread lowest; null when none may. */
export function bestDestination(state: ClusterState, u: number, allowCurrent: boolean): number | null {
  let best: number | null = null
  let bestImb = Infinity
  const here = state.vmHost[state.units[u]![0]!]!
  for (let h = 0; h < state.problem.hosts.length; h++) {
    if (!allowCurrent && h === here) continue
    if (h === here && !state.unitSplit(u)) continue
    if (!canHost(state, u, h)) continue
    const imb = state.imbalanceAfter(u, h)
    if (imb < bestImb - 1e-12) {
      bestImb = imb
      best = h
    }
  }
  return best
}
