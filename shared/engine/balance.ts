import type { RecommendationPriority } from '../model/recommendation'
import { affinityUnits, summarizeLoads, type LoadSummary, type PlacementProblem } from './placement'

export interface Move {
  vmId: string
  from: string
  to: string
  /** Priority 1: fixes a rule violation or empties a host in maintenance. */
  mandatory: boolean
  reason: string
  /** Imbalance (std dev of host load) before minus after this move. */
  gain: number
  /** Estimated live-migration time: used memory / (bandwidth - dirty rate). */
  costSeconds: number
  priority: RecommendationPriority
}

export interface BalanceResult {
  moves: Move[]
  before: LoadSummary
  after: LoadSummary
  /** Violations no move could fix, in words (e.g. "no host can take vm-3"). Empty = feasible. */
  unresolved: string[]
}

export interface GreedyOptions {
  minGain: number
  maxMigrations: number
  migrationBandwidthMiBps: number
  maxMigrationSeconds: number
}

/** Priority from the imbalance a move removes, DRS-style (2 = large gain ... 5 = slight). */
export function priorityForGain(gain: number): RecommendationPriority {
  if (gain >= 0.1) return 2
  if (gain >= 0.05) return 3
  if (gain >= 0.02) return 4
  return 5
}

/**
 * Greedy balancing: first the mandatory moves (maintenance, pinning, affinity, anti-affinity,
 * overcommit limits), each to the host that leaves the cluster most even; then, within the
 * migration budget, the single move with the best gain net of its cost, until none is worth it.
 * VMs tied by affinity move together as one unit.
 */
export function balanceGreedy(problem: PlacementProblem, options: GreedyOptions): BalanceResult {
  const state = new ClusterState(problem)
  const before = summarizeLoads(problem, (vm) => vm.hostId)
  const moves: Move[] = []
  const unresolved: string[] = []
  const stuck = new Set<number>()

  const record = (u: number, to: number, mandatory: boolean, reason: string) => {
    const gain = state.imbalance() - state.imbalanceAfter(u, to)
    const costSeconds = state.costSeconds(u, options.migrationBandwidthMiBps)
    for (const v of state.units[u]!) {
      const from = state.vmHost[v]!
      if (from === to) continue
      moves.push({
        vmId: problem.vms[v]!.id,
        from: problem.hosts[from]!.id,
        to: problem.hosts[to]!.id,
        mandatory,
        reason,
        gain,
        costSeconds,
        priority: mandatory ? 1 : priorityForGain(gain),
      })
    }
    state.move(u, to)
  }

  // Mandatory phase: bounded, each unit is fixed or marked stuck at most once per violation.
  for (let guard = 0; guard < problem.vms.length * 2 + 10; guard++) {
    const violation = state.nextViolation(stuck)
    if (!violation) break
    const { unit, reason } = violation
    const to = state.bestDestination(unit, true)
    if (to === null) {
      stuck.add(unit)
      unresolved.push(`${reason}: no host can take ${state.unitNames(unit)} within capacity and rules`)
      continue
    }
    record(unit, to, true, reason)
  }

  const moved = new Set<number>()
  let optional = 0
  while (optional < options.maxMigrations) {
    const current = state.imbalance()
    let best: { u: number; to: number; gain: number; score: number } | null = null
    for (let u = 0; u < state.units.length; u++) {
      if (moved.has(u) || stuck.has(u) || !state.movable(u)) continue
      const members = state.units[u]!.length
      if (optional + members > options.maxMigrations) continue
      const cost = state.costSeconds(u, options.migrationBandwidthMiBps)
      if (cost > options.maxMigrationSeconds) continue
      for (let h = 0; h < problem.hosts.length; h++) {
        if (h === state.vmHost[state.units[u]![0]!] || !state.canHost(u, h)) continue
        const gain = current - state.imbalanceAfter(u, h)
        // A one-minute migration must buy back one extra minGain of balance.
        const score = gain - (options.minGain * cost) / 60
        if (gain >= options.minGain && score > 0 && (!best || score > best.score)) best = { u, to: h, gain, score }
      }
    }
    if (!best) break
    optional += state.units[best.u]!.length
    moved.add(best.u)
    record(best.u, best.to, false, 'evens out host load')
  }

  const finalHost = new Map(problem.vms.map((vm, i) => [vm.id, problem.hosts[state.vmHost[i]!]!.id]))
  return { moves, before, after: summarizeLoads(problem, (vm) => finalHost.get(vm.id)!), unresolved }
}

/** Mutable assignment with running sums so each candidate move is scored in O(hosts touched). */
class ClusterState {
  readonly units: number[][]
  readonly vmHost: number[]
  private readonly cpuLoad: number[]
  private readonly memLoad: number[]
  private readonly vcpus: number[]
  private readonly memAlloc: number[]
  private readonly antiGroupsOf: number[][]
  private readonly antiCount: number[][]
  private readonly active: boolean[]
  private readonly nActive: number
  private readonly w: number

  constructor(private readonly p: PlacementProblem) {
    const hostIndex = new Map(p.hosts.map((h, i) => [h.id, i]))
    const vmIndex = new Map(p.vms.map((v, i) => [v.id, i]))
    this.vmHost = p.vms.map((v) => hostIndex.get(v.hostId) ?? 0)
    this.units = affinityUnits(p.vms.length, p.affinity.map((g) => g.flatMap((id) => vmIndex.get(id) ?? [])))
    const H = p.hosts.length
    this.cpuLoad = new Array<number>(H).fill(0)
    this.memLoad = new Array<number>(H).fill(0)
    this.vcpus = new Array<number>(H).fill(0)
    this.memAlloc = new Array<number>(H).fill(0)
    p.vms.forEach((vm, i) => this.add(i, this.vmHost[i]!, 1))
    this.antiGroupsOf = p.vms.map(() => [])
    this.antiCount = p.antiAffinity.map((group, g) => {
      const count = new Array<number>(H).fill(0)
      for (const id of group) {
        const v = vmIndex.get(id)
        if (v === undefined) continue
        this.antiGroupsOf[v]!.push(g)
        count[this.vmHost[v]!]! += 1
      }
      return count
    })
    this.active = p.hosts.map((h) => !h.maintenance)
    this.nActive = this.active.filter(Boolean).length
    this.w = p.cpuWeight + p.memWeight
  }

  private add(v: number, h: number, sign: 1 | -1) {
    const vm = this.p.vms[v]!
    const host = this.p.hosts[h]!
    this.cpuLoad[h]! += (sign * vm.cpuClaim) / host.cpuCores
    this.memLoad[h]! += (sign * vm.memClaim) / host.memMiB
    this.vcpus[h]! += sign * vm.vcpus
    this.memAlloc[h]! += sign * vm.memoryMiB
  }

  move(u: number, to: number) {
    for (const v of this.units[u]!) {
      const from = this.vmHost[v]!
      if (from === to) continue
      this.add(v, from, -1)
      this.add(v, to, 1)
      for (const g of this.antiGroupsOf[v]!) {
        this.antiCount[g]![from]! -= 1
        this.antiCount[g]![to]! += 1
      }
      this.vmHost[v] = to
    }
  }

  private spread(cpu: (h: number) => number, mem: (h: number) => number): number {
    if (this.nActive === 0) return 0
    let c1 = 0, c2 = 0, m1 = 0, m2 = 0
    for (let h = 0; h < this.active.length; h++) {
      if (!this.active[h]) continue
      const c = cpu(h), m = mem(h)
      c1 += c; c2 += c * c; m1 += m; m2 += m * m
    }
    const n = this.nActive
    const varC = Math.max(0, c2 / n - (c1 / n) ** 2)
    const varM = Math.max(0, m2 / n - (m1 / n) ** 2)
    return Math.sqrt((this.p.cpuWeight * varC + this.p.memWeight * varM) / this.w)
  }

  imbalance(): number {
    return this.spread((h) => this.cpuLoad[h]!, (h) => this.memLoad[h]!)
  }

  imbalanceAfter(u: number, to: number): number {
    const dc = new Map<number, number>()
    const dm = new Map<number, number>()
    for (const v of this.units[u]!) {
      const from = this.vmHost[v]!
      if (from === to) continue
      const vm = this.p.vms[v]!
      dc.set(from, (dc.get(from) ?? 0) - vm.cpuClaim / this.p.hosts[from]!.cpuCores)
      dm.set(from, (dm.get(from) ?? 0) - vm.memClaim / this.p.hosts[from]!.memMiB)
      dc.set(to, (dc.get(to) ?? 0) + vm.cpuClaim / this.p.hosts[to]!.cpuCores)
      dm.set(to, (dm.get(to) ?? 0) + vm.memClaim / this.p.hosts[to]!.memMiB)
    }
    return this.spread((h) => this.cpuLoad[h]! + (dc.get(h) ?? 0), (h) => this.memLoad[h]! + (dm.get(h) ?? 0))
  }

  movable(u: number): boolean {
    return this.units[u]!.every((v) => this.p.vms[v]!.movable)
  }

  /** Rules and limits for putting the whole unit on host h. */
  canHost(u: number, h: number): boolean {
    const host = this.p.hosts[h]!
    if (host.maintenance || !this.movable(u)) return false
    let addVcpus = 0
    let addMem = 0
    for (const v of this.units[u]!) {
      const vm = this.p.vms[v]!
      if (vm.allowedHosts && !vm.allowedHosts.includes(host.id)) return false
      if (this.vmHost[v] !== h && vm.cooldownHosts.includes(host.id)) return false
      if (this.vmHost[v] === h) continue
      addVcpus += vm.vcpus
      addMem += vm.memoryMiB
      for (const g of this.antiGroupsOf[v]!) {
        const inUnitHere = this.units[u]!.filter((x) => this.vmHost[x] === h && this.antiGroupsOf[x]!.includes(g)).length
        if (this.antiCount[g]![h]! - inUnitHere > 0) return false
      }
    }
    return this.vcpus[h]! + addVcpus <= host.vcpuLimit + 1e-9 && this.memAlloc[h]! + addMem <= host.memAllocLimitMiB + 1e-9
  }

  bestDestination(u: number, allowCurrent: boolean): number | null {
    let best: number | null = null
    let bestImb = Infinity
    const here = this.vmHost[this.units[u]![0]!]!
    for (let h = 0; h < this.p.hosts.length; h++) {
      if (!allowCurrent && h === here) continue
      if (h === here && !this.unitSplit(u)) continue
      if (!this.canHost(u, h)) continue
      const imb = this.imbalanceAfter(u, h)
      if (imb < bestImb - 1e-12) {
        bestImb = imb
        best = h
      }
    }
    return best
  }

  private unitSplit(u: number): boolean {
    const hosts = new Set(this.units[u]!.map((v) => this.vmHost[v]))
    return hosts.size > 1
  }

  costSeconds(u: number, bandwidthMiBps: number): number {
    let total = 0
    for (const v of this.units[u]!) {
      const vm = this.p.vms[v]!
      const net = bandwidthMiBps - vm.memDirtyMiBps
      // Pre-copy never converges when the guest dirties memory faster than the link copies it.
      if (net <= 0) return Infinity
      total += vm.memUsedMiB / net
    }
    return total
  }

  unitNames(u: number): string {
    return this.units[u]!.map((v) => this.p.vms[v]!.id).join('+')
  }

  /** The next unit that breaks a rule or limit, with the reason; null when none do. */
  nextViolation(skip: Set<number>): { unit: number; reason: string } | null {
    for (let u = 0; u < this.units.length; u++) {
      if (skip.has(u) || !this.movable(u)) continue
      for (const v of this.units[u]!) {
        const vm = this.p.vms[v]!
        const host = this.p.hosts[this.vmHost[v]!]!
        if (host.maintenance) return { unit: u, reason: `host ${host.id} is in maintenance` }
        if (vm.allowedHosts && !vm.allowedHosts.includes(host.id))
          return { unit: u, reason: `${vm.id} is pinned to ${vm.allowedHosts.join(', ')}` }
        for (const g of this.antiGroupsOf[v]!)
          if (this.antiCount[g]![this.vmHost[v]!]! > 1 && this.firstOfGroupHere(g, this.vmHost[v]!) !== v)
            return { unit: u, reason: `${vm.id} shares host ${host.id} with an anti-affine VM` }
      }
      if (this.unitSplit(u)) return { unit: u, reason: `${this.unitNames(u)} must run together (affinity)` }
    }
    for (let h = 0; h < this.p.hosts.length; h++) {
      const host = this.p.hosts[h]!
      const over = this.vcpus[h]! > host.vcpuLimit + 1e-9 || this.memAlloc[h]! > host.memAllocLimitMiB + 1e-9
      if (!over) continue
      // Move off the largest unit that can go somewhere.
      const candidates = this.units
        .map((members, u) => ({ u, size: members.reduce((a, v) => a + this.p.vms[v]!.memoryMiB, 0) }))
        .filter(({ u }) => !skip.has(u) && this.movable(u) && this.units[u]!.some((v) => this.vmHost[v] === h))
        .sort((a, b) => b.size - a.size)
      const pick = candidates.find(({ u }) => this.bestDestination(u, false) !== null) ?? candidates[0]
      if (pick) return { unit: pick.u, reason: `host ${host.id} is over its overcommit limit` }
    }
    return null
  }

  private firstOfGroupHere(g: number, h: number): number {
    const group = this.p.antiAffinity[g]!
    for (const id of group) {
      const v = this.p.vms.findIndex((vm) => vm.id === id)
      if (v >= 0 && this.vmHost[v] === h) return v
    }
    return -1
  }
}

