import type { PlacementProblem, PlacementVm } from './placement'
import type { MipSolver } from './solver'

export interface ConsolidationResult {
  /** Hosts (not in maintenance) that carry VMs today. */
  hostsInUse: number
  /** Hosts first-fit-decreasing keeps. */
  hostsNeeded: number
  /** No packing can use fewer hosts than this (capacity bound, or the exact optimum when solved). */
  lowerBound: number
  exact: 'optimal' | 'not-run' | 'timedout'
  keptHosts: string[]
  /** Hosts emptied: candidates for power-off. */
  freedHosts: string[]
  moves: { vmId: string; from: string; to: string }[]
  feasible: boolean
  reasons: string[]
}

/**
 * Fewest hosts that hold the demand with headroom. Keeps the fullest hosts (fewest migrations),
 * empties the others with first-fit-decreasing, and tries one host fewer until it no longer fits.
 * Within the allocation ratios of each host; with forecasts (cpuHigh), no kept host is planned
 * above its CPUs in any hour of the horizon.
 */
export function consolidate(problem: PlacementProblem, headroom: number, solver?: MipSolver, timeLimitS = 2): ConsolidationResult {
  const usable = problem.hosts.filter((h) => !h.maintenance)
  const cpuUsed = new Map(usable.map((h) => [h.id, 0]))
  const memUsed = new Map(usable.map((h) => [h.id, 0]))
  for (const vm of problem.vms) {
    cpuUsed.set(vm.hostId, (cpuUsed.get(vm.hostId) ?? 0) + vm.cpuClaim)
    memUsed.set(vm.hostId, (memUsed.get(vm.hostId) ?? 0) + vm.memClaim)
  }
  const mustKeep = new Set(problem.vms.filter((v) => !v.movable).map((v) => v.hostId))
  const usableById = new Map(usable.map((h) => [h.id, h]))
  const fullness = (id: string) => {
    const h = usableById.get(id)!
    return Math.max(cpuUsed.get(id)! / h.cpuCores, memUsed.get(id)! / h.memMiB)
  }
  const order = [...usable].sort((a, b) => Number(mustKeep.has(b.id)) - Number(mustKeep.has(a.id)) || fullness(b.id) - fullness(a.id))
  const withVms = new Set(problem.vms.map((v) => v.hostId))
  const hostsInUse = usable.filter((h) => withVms.has(h.id)).length
  const capBound = capacityBound(problem, order, headroom)
  const exactCount = solver ? exactHostCount(problem, headroom, solver, timeLimitS) : null
  const lowerBound = Math.max(capBound, exactCount?.hosts ?? 0, mustKeep.size)

  let best: { kept: string[]; moves: ConsolidationResult['moves'] } | null = null
  for (let k = Math.min(hostsInUse, order.length); k >= Math.max(1, lowerBound); k--) {
    const kept = order.slice(0, Math.max(k, mustKeep.size)).map((h) => h.id)
    const moves = firstFitDecreasing(problem, new Set(kept), headroom)
    if (!moves) break
    best = { kept, moves }
  }
  if (!best) {
    return {
      hostsInUse, hostsNeeded: hostsInUse, lowerBound, exact: exactCount?.status ?? 'not-run', keptHosts: [], freedHosts: [], moves: [],
      feasible: false,
      reasons: [`the VMs do not fit on ${hostsInUse} hosts with ${Math.round(headroom * 100)} % headroom; lower the headroom or add a host`],
    }
  }
  const keptSet = new Set(best.kept)
  return {
    hostsInUse,
    hostsNeeded: best.kept.length,
    lowerBound,
    exact: exactCount?.status ?? 'not-run',
    keptHosts: best.kept,
    freedHosts: usable.filter((h) => !keptSet.has(h.id)).map((h) => h.id),
    moves: best.moves,
    feasible: true,
    reasons: [],
  }
}

/** Place every VM not on a kept host into the kept hosts, largest first; null when one does not fit. */
function firstFitDecreasing(problem: PlacementProblem, kept: Set<string>, headroom: number) {
  const hosts = problem.hosts.filter((h) => kept.has(h.id))
  const K = problem.vms.find((vm) => vm.cpuHigh)?.cpuHigh?.length ?? 0
  const room = new Map(hosts.map((h) => [h.id, { cpu: h.cpuCores * (1 - headroom), mem: h.memMiB * (1 - headroom), vcpus: h.vcpuLimit, alloc: h.memAllocLimitMiB, band: new Float64Array(K).fill(h.cpuCores) }]))
  const where = new Map<string, string>()
  const highOf = (vm: PlacementVm, k: number) => vm.cpuHigh?.[k] ?? vm.cpuClaim
  const take = (vm: PlacementVm, hostId: string, sign = 1) => {
    const r = room.get(hostId)!
    r.cpu -= sign * vm.cpuClaim
    r.mem -= sign * vm.memClaim
    r.vcpus -= sign * vm.vcpus
    r.alloc -= sign * vm.memoryMiB
    for (let k = 0; k < K; k++) r.band[k]! -= sign * highOf(vm, k)
    if (sign > 0) where.set(vm.id, hostId)
  }
  const bandFits = (vm: PlacementVm, r: { band: Float64Array }) => {
    for (let k = 0; k < K; k++) if (r.band[k]! < highOf(vm, k) - 1e-9) return false
    return true
  }
  const staying = problem.vms.filter((v) => kept.has(v.hostId))
  for (const vm of staying) take(vm, vm.hostId)
  if ([...room.values()].some((r) => r.cpu < -1e-9 || r.mem < -1e-9)) return null
  const size = (v: PlacementVm) => Math.max(v.cpuClaim / hosts[0]!.cpuCores, v.memClaim / hosts[0]!.memMiB)
  const leaving = problem.vms.filter((v) => !kept.has(v.hostId)).sort((a, b) => size(b) - size(a))
  const antiPeers = (id: string) => problem.antiAffinity.filter((g) => g.includes(id)).flat().filter((x) => x !== id)
  const moves: ConsolidationResult['moves'] = []
  // Storage can leave a VM a long list of allowed hosts: looked up, not scanned, for every host tried.
  const allowed = new Map<PlacementVm, ReadonlySet<string>>()
  const allows = (vm: PlacementVm, hostId: string) => {
    if (!vm.allowedHosts) return true
    let set = allowed.get(vm)
    if (!set) allowed.set(vm, (set = new Set(vm.allowedHosts)))
    return set.has(hostId)
  }
  const fitFor = (vm: PlacementVm, except?: string) =>
    hosts.find((h) => {
      const r = room.get(h.id)!
      if (h.id === except) return false
      if (!allows(vm, h.id)) return false
      if (vm.cooldownHosts.includes(h.id)) return false
      if (antiPeers(vm.id).some((p) => where.get(p) === h.id)) return false
      return r.cpu >= vm.cpuClaim - 1e-9 && r.mem >= vm.memClaim - 1e-9 && r.vcpus >= vm.vcpus && r.alloc >= vm.memoryMiB - 1e-9 && bandFits(vm, r)
    })
  for (const vm of leaving) {
    if (!vm.movable) return null
    const fit = fitFor(vm)
    if (!fit) return null
    take(vm, fit.id)
    moves.push({ vmId: vm.id, from: vm.hostId, to: fit.id })
  }
  // A kept host the forecast puts above its CPUs in some hour gives VMs (largest hour first) to
  // kept hosts with room, where there are such: the packing leaves no host planned overloaded.
  const inGroup = new Set(problem.affinity.flat())
  for (const h of hosts) {
    const r = room.get(h.id)!
    const over = () => r.band.some((x) => x < -1e-9)
    if (!over()) continue
    const peak = (vm: PlacementVm) => { let m = 0; for (let k = 0; k < K; k++) m = Math.max(m, highOf(vm, k)); return m }
    const here = problem.vms.filter((vm) => where.get(vm.id) === h.id && vm.movable && !inGroup.has(vm.id)).sort((a, b) => peak(b) - peak(a))
    for (const vm of here) {
      if (!over()) break
      take(vm, h.id, -1)
      const fit = fitFor(vm, h.id)
      if (!fit) { take(vm, h.id); continue }
      take(vm, fit.id)
      const done = moves.findIndex((m) => m.vmId === vm.id)
      if (done >= 0) moves.splice(done, 1)
      if (fit.id !== vm.hostId) moves.push({ vmId: vm.id, from: vm.hostId, to: fit.id })
    }
  }
  // Affinity: a group split by the packing is not a valid consolidation.
  for (const g of problem.affinity) if (new Set(g.flatMap((id) => where.get(id) ?? [])).size > 1) return null
  return moves
}

/** Fewest hosts whose capacity (largest first) could hold the total claims with headroom. */
function capacityBound(problem: PlacementProblem, hosts: PlacementProblem['hosts'], headroom: number): number {
  const cpu = problem.vms.reduce((a, v) => a + v.cpuClaim, 0)
  const mem = problem.vms.reduce((a, v) => a + v.memClaim, 0)
  const bySize = [...hosts].sort((a, b) => b.cpuCores + b.memMiB / 4096 - (a.cpuCores + a.memMiB / 4096))
  let c = 0, m = 0
  for (let i = 0; i < bySize.length; i++) {
    c += bySize[i]!.cpuCores * (1 - headroom)
    m += bySize[i]!.memMiB * (1 - headroom)
    if (c >= cpu - 1e-9 && m >= mem - 1e-9) return i + 1
  }
  return bySize.length
}

/** Bin-packing MIP: minimum number of hosts (ignoring where VMs are today). */
function exactHostCount(problem: PlacementProblem, headroom: number, solver: MipSolver, timeLimitS: number): { hosts: number; status: 'optimal' | 'timedout' } | null {
  const H = problem.hosts.map((h, i) => ({ h, i })).filter(({ h }) => !h.maintenance)
  const rows: string[] = []
  problem.vms.forEach((vm, v) => {
    const allowed = H.filter(({ h }) => !vm.allowedHosts || vm.allowedHosts.includes(h.id))
    rows.push(` one${v}: ${allowed.map(({ i }) => `x${v}_${i}`).join(' + ')} = 1`)
  })
  for (const { h, i } of H) {
    const terms = (coef: (vm: PlacementVm) => number) => problem.vms.map((vm, v) => `${coef(vm)} x${v}_${i}`).join(' + ')
    rows.push(` cpu${i}: ${terms((vm) => vm.cpuClaim)} - ${h.cpuCores * (1 - headroom)} y${i} <= 0`)
    rows.push(` mem${i}: ${terms((vm) => vm.memClaim)} - ${h.memMiB * (1 - headroom)} y${i} <= 0`)
  }
  const xs = problem.vms.flatMap((_, v) => H.map(({ i }) => `x${v}_${i}`))
  const lp = ['Minimize', ` obj: ${H.map(({ i }) => `y${i}`).join(' + ')}`, 'Subject To', ...rows, 'Binary', ...xs.map((x) => ` ${x}`), ...H.map(({ i }) => ` y${i}`), 'End'].join('\n')
  const s = solver.solve(lp, { time_limit: timeLimitS, output_flag: false })
  if (s.Status === 'Optimal') return { hosts: Math.round(s.ObjectiveValue), status: 'optimal' }
  return null
}
