/** The rules and limits a move must keep: where a unit may go, and whether two VMs may swap. */
import type { ClusterState } from './state'

/**
 * Rules and limits for putting the whole unit on host h; with `band`, also the forecast: h stays
 * within its cores in every bucket of the horizon.
 */
export function canHost(state: ClusterState, u: number, h: number, band = true): boolean {
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
  if (state.vcpus[h]! + addVcpus > host.vcpuLimit + 1e-9 || state.memAlloc[h]! + addMem > host.memAllocLimitMiB + 1e-9) return false
  if (!copiesFit(state, state.units[u]!, h)) return false
  return !band || state.buckets === 0 || state.withinBand(h, state.units[u]!.filter((v) => state.vmHost[v] !== h), [])
}

/** Whether the disk copies of these VMs (those not on h yet) fit in h's pools with the copies already planned there. */
function copiesFit(state: ClusterState, members: readonly number[], h: number): boolean {
  const free = state.problem.poolFree
  if (!free) return true
  const id = state.problem.hosts[h]!.id
  let added: Map<string, number> | undefined
  for (const v of members) {
    if (state.vmHost[v] === h) continue
    for (const n of state.problem.vms[v]!.copies?.needs(id) ?? []) {
      added ??= new Map()
      added.set(n.pool, (added.get(n.pool) ?? 0) + n.bytes)
    }
  }
  if (!added) return true
  for (const [pool, bytes] of added) if ((state.poolUsed.get(pool) ?? 0) + bytes > (free[pool] ?? 0) + 1e-6) return false
  return true
}

/**
 * Whether single-VM units x (on a) and y (on b) may exchange hosts: rules for each at its new
 * host with the other gone, limits (and with `band` the forecast band) at the end, and room for
 * one of them to go first. Returns true when x goes first, false when y does, null when the swap
 * is not allowed.
 */
export function swapOrder(state: ClusterState, x: number, y: number, band = true): boolean | null {
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
  if (!endA || !endB || !copiesFit(state, [vx], b) || !copiesFit(state, [vy], a)) return null
  if (band && (!state.withinBand(a, [vy], [vx]) || !state.withinBand(b, [vx], [vy]))) return null
  if (state.vcpus[b]! + X.vcpus <= hb.vcpuLimit + eps && state.memAlloc[b]! + X.memoryMiB <= hb.memAllocLimitMiB + eps) return true
  if (state.vcpus[a]! + Y.vcpus <= ha.vcpuLimit + eps && state.memAlloc[a]! + Y.memoryMiB <= ha.memAllocLimitMiB + eps) return false
  return null
}

/**
 * The host (not its own unless the unit is split) that may take the unit and leaves the spread
 * lowest; null when none may. A mandatory move keeps to the forecast band where it can, and
 * breaks it rather than not happen.
 */
export function bestDestination(state: ClusterState, u: number, allowCurrent: boolean): number | null {
  // A host its should-run rules prefer first, where one can take it.
  const preferred = preferredOf(state, u)
  if (preferred) {
    const to = destination(state, u, allowCurrent, true, preferred) ?? destination(state, u, allowCurrent, false, preferred)
    if (to !== null) return to
  }
  return destination(state, u, allowCurrent, true) ?? destination(state, u, allowCurrent, false)
}

/** The host the unit's should-run rules prefer that may take it (keeping the forecast band) and leaves the spread lowest; null when none may. */
export function preferredDestination(state: ClusterState, u: number): number | null {
  const preferred = preferredOf(state, u)
  return preferred ? destination(state, u, false, true, preferred) : null
}

/** Hosts every member's should-run rule names; null when none has one. */
function preferredOf(state: ClusterState, u: number): Set<string> | null {
  let out: Set<string> | null = null
  for (const v of state.units[u]!) {
    const hosts = state.problem.vms[v]!.preferredHosts
    if (!hosts) continue
    out = out ? new Set(hosts.filter((h) => out!.has(h))) : new Set(hosts)
  }
  return out
}

function destination(state: ClusterState, u: number, allowCurrent: boolean, band: boolean, only?: Set<string>): number | null {
  let best: number | null = null
  let bestImb = Infinity
  const here = state.vmHost[state.units[u]![0]!]!
  for (let h = 0; h < state.problem.hosts.length; h++) {
    if (!allowCurrent && h === here) continue
    if (h === here && !state.unitSplit(u)) continue
    if (only && !only.has(state.problem.hosts[h]!.id)) continue
    if (!canHost(state, u, h, band)) continue
    const imb = state.imbalanceAfter(u, h)
    if (imb < bestImb - 1e-12) {
      bestImb = imb
      best = h
    }
  }
  return best
}
