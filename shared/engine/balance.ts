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
  /** Set on both halves of a swap: the VM that moves the other way (the pair must run together). */
  swapWith?: string
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

  /** Both halves of a swap, the one that fits first first; each carries half the pair's gain. */
  const recordSwap = (sw: Swap) => {
    const gain = state.imbalance() - state.imbalanceAfterSwap(state.units[sw.x]![0]!, state.units[sw.y]![0]!)
    const priority = priorityForGain(gain)
    const [first, second] = sw.xFirst ? [sw.x, sw.y] : [sw.y, sw.x]
    const hostOf = (u: number) => state.vmHost[state.units[u]![0]!]!
    const a = hostOf(first)
    const b = hostOf(second)
    const vmOf = (u: number) => problem.vms[state.units[u]![0]!]!.id
    for (const [u, from, to, other] of [[first, a, b, second], [second, b, a, first]] as const) {
      moves.push({
        vmId: vmOf(u),
        from: problem.hosts[from]!.id,
        to: problem.hosts[to]!.id,
        mandatory: false,
        reason: `evens out host load (swaps places with ${vmOf(other)})`,
        gain: gain / 2,
        costSeconds: state.costSeconds(u, options.migrationBandwidthMiBps),
        priority,
        swapWith: vmOf(other),
      })
    }
    state.move(first, b)
    state.move(second, a)
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
  const bw = options.migrationBandwidthMiBps
  const unitCost = state.units.map((_, u) => state.costSeconds(u, bw))
  while (optional < options.maxMigrations) {
    const current = state.objective()
    const spread = state.imbalance()
    let best: { u: number; to: number; gain: number; score: number } | null = null
    for (let u = 0; u < state.units.length; u++) {
      if (moved.has(u) || stuck.has(u) || !state.movable(u)) continue
      const members = state.units[u]!.length
      if (optional + members > options.maxMigrations) continue
      const cost = unitCost[u]!
      if (cost > options.maxMigrationSeconds) continue
      // Cheapest first: the score needs no rule check, so only a would-be best is checked.
      for (let h = 0; h < problem.hosts.length; h++) {
        if (h === state.vmHost[state.units[u]![0]!]) continue
        const gain = current - state.objectiveAfter(u, h)
        if (state.lastSpread > spread + SPREAD_SLACK) continue
        // A one-minute migration must buy back one extra minGain of balance.
        const score = gain - (options.minGain * cost) / 60
        if (gain >= options.minGain && score > 0 && (!best || score > best.score) && state.canHost(u, h)) best = { u, to: h, gain, score }
      }
    }
    // A swap (two migrations) when no single move is worth it, or when it buys more per migration.
    const swap = optional + 2 <= options.maxMigrations ? bestSwap(state, moved, stuck, unitCost, current, spread, options, best ? best.score * 2 : 0) : null
    if (swap) {
      optional += 2
      moved.add(swap.x)
      moved.add(swap.y)
      recordSwap(swap)
      continue
    }
    if (!best) break
    optional += state.units[best.u]!.length
    moved.add(best.u)
    record(best.u, best.to, false, 'evens out host load')
  }

  const finalHost = new Map(problem.vms.map((vm, i) => [vm.id, problem.hosts[state.vmHost[i]!]!.id]))
  return { moves, before, after: summarizeLoads(problem, (vm) => finalHost.get(vm.id)!), unresolved }
}

interface Swap {
  x: number
  y: number
  gain: number
  score: number
  /** Whether x's migration goes first (its target has room while y is still there). */
  xFirst: boolean
}

/**
 * Best exchange of two single-VM units on different hosts, by gain net of both migrations' cost
 * (the same test as a single move: gain >= minGain and the one-minute-per-minGain charge), that
 * beats `mustBeat`. Scoring is O(1) per pair on running sums, so every pair is scored and only a
 * would-be best is checked against the rules.
 */
function bestSwap(state: ClusterState, moved: Set<number>, stuck: Set<number>, unitCost: number[], current: number, spread: number, options: GreedyOptions, mustBeat: number): Swap | null {
  const cand: number[] = []
  for (let u = 0; u < state.units.length; u++) {
    if (state.units[u]!.length !== 1 || moved.has(u) || stuck.has(u) || !state.movable(u)) continue
    if (unitCost[u]! > options.maxMigrationSeconds) continue
    if (!state.activeHost(state.vmHost[state.units[u]![0]!]!)) continue
    cand.push(u)
  }
  let best: Swap | null = null
  const charge = options.minGain / 60
  // Pruning: one side of the swap sits on a host with the highest or lowest load.
  const extreme = state.extremeHosts()
  const hostOf = (u: number) => state.vmHost[state.units[u]![0]!]!
  const from = cand.filter((u) => extreme.has(hostOf(u)))
  for (const x of from) {
    const vx = state.units[x]![0]!
    const a = state.vmHost[vx]!
    for (const y of cand) {
      const vy = state.units[y]![0]!
      const b = state.vmHost[vy]!
      if (a === b || (extreme.has(b) && y < x)) continue
      const gain = current - state.objectiveAfterSwap(vx, vy)
      if (gain < options.minGain || state.lastSpread > spread + SPREAD_SLACK) continue
      const score = gain - charge * (unitCost[x]! + unitCost[y]!)
      if (score <= mustBeat || (best && score <= best.score)) continue
      const order = state.swapOrder(x, y)
      if (order === null) continue
      best = { x, y, gain, score, xFirst: order }
    }
  }
  return best
}

/**
 * Weight of the peak load next to the spread in the balancing objective. 0 = spread only (DRS).
 * Measured on the bench: 1 lowers the gap on 4/8 Bitbrains hosts and Alibaba but raises it on 16 hosts.
 */
const PEAK_WEIGHT = 0
/** How much the spread may grow in a move that lowers the peak (Infinity = no limit). */
const SPREAD_SLACK = 0

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
    this.refreshSums()
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
    this.refreshSums()
  }

  /** Sums of load and squared load over active hosts, refreshed after every move. */
  private sums = { c1: 0, c2: 0, m1: 0, m2: 0 }

  private refreshSums() {
    let c1 = 0, c2 = 0, m1 = 0, m2 = 0
    for (let h = 0; h < this.active.length; h++) {
      if (!this.active[h]) continue
      const c = this.cpuLoad[h]!, m = this.memLoad[h]!
      c1 += c; c2 += c * c; m1 += m; m2 += m * m
    }
    this.sums = { c1, c2, m1, m2 }
    this.topCpu = this.top3(this.cpuLoad)
    this.topMem = this.top3(this.memLoad)
  }

  /** Hosts holding the highest or lowest CPU or memory load: where a swap can move the peak or the spread most. */
  extremeHosts(): Set<number> {
    const out = new Set<number>([...this.topCpu.slice(0, 2), ...this.topMem.slice(0, 2)])
    for (const load of [this.cpuLoad, this.memLoad]) {
      const low = this.top3(load.map((x) => -x))
      for (const h of low.slice(0, 2)) out.add(h)
    }
    return out
  }

  private topCpu: number[] = []
  private topMem: number[] = []

  private top3(load: number[]): number[] {
    const top: number[] = []
    for (let h = 0; h < load.length; h++) {
      if (!this.active[h]) continue
      let k = top.length
      while (k > 0 && load[top[k - 1]!]! < load[h]!) k--
      if (k < 3) { top.splice(k, 0, h); if (top.length > 3) top.pop() }
    }
    return top
  }

  /** Highest load once the listed hosts change; the cached top three cover up to two changed hosts. */
  private maxWith(load: number[], top: number[], hosts: number[], d: number[]): number {
    let max = 0
    let found = false
    for (const h of top) {
      if (hosts.includes(h)) continue
      max = load[h]!
      found = true
      break
    }
    if (!found) {
      for (let h = 0; h < load.length; h++) if (this.active[h] && !hosts.includes(h)) max = Math.max(max, load[h]!)
    }
    for (let k = 0; k < hosts.length; k++) if (this.active[hosts[k]!]) max = Math.max(max, load[hosts[k]!]! + d[k]!)
    return max
  }

  /** Weighted peak: cpuWeight x max CPU load + memWeight x max memory load, as the exact model has it. */
  peak(): number {
    return this.peakWith([], [], [])
  }

  private peakWith(hosts: number[], dc: number[], dm: number[]): number {
    return (this.p.cpuWeight * this.maxWith(this.cpuLoad, this.topCpu, hosts, dc) + this.p.memWeight * this.maxWith(this.memLoad, this.topMem, hosts, dm)) / this.w
  }

  /** Balancing objective: spread plus PEAK_WEIGHT x peak; lower is better. */
  objective(): number {
    return this.imbalance() + PEAK_WEIGHT * this.peak()
  }

  /** [spread, objective] after a move of unit u to host h. */
  lastSpread = 0

  private spreadOf(c1: number, c2: number, m1: number, m2: number): number {
    if (this.nActive === 0) return 0
    const n = this.nActive
    const varC = Math.max(0, c2 / n - (c1 / n) ** 2)
    const varM = Math.max(0, m2 / n - (m1 / n) ** 2)
    return Math.sqrt((this.p.cpuWeight * varC + this.p.memWeight * varM) / this.w)
  }

  activeHost(h: number): boolean {
    return this.active[h]!
  }

  imbalance(): number {
    const { c1, c2, m1, m2 } = this.sums
    return this.spreadOf(c1, c2, m1, m2)
  }

  /** Spread once the listed per-host load changes (distinct hosts) are applied. */
  private spreadWith(hosts: number[], dc: number[], dm: number[]): number {
    let { c1, c2, m1, m2 } = this.sums
    for (let k = 0; k < hosts.length; k++) {
      const h = hosts[k]!
      if (!this.active[h]) continue
      const c = this.cpuLoad[h]!, m = this.memLoad[h]!
      const c2n = c + dc[k]!, m2n = m + dm[k]!
      c1 += dc[k]!; c2 += c2n * c2n - c * c
      m1 += dm[k]!; m2 += m2n * m2n - m * m
    }
    this.lastSpread = this.spreadOf(c1, c2, m1, m2)
    return this.lastSpread + PEAK_WEIGHT * this.peakWith(hosts, dc, dm)
  }

  imbalanceAfter(u: number, to: number): number {
    this.objectiveAfter(u, to)
    return this.lastSpread
  }

  objectiveAfter(u: number, to: number): number {
    const hosts: number[] = []
    const dc: number[] = []
    const dm: number[] = []
    const at = (h: number) => {
      let k = hosts.indexOf(h)
      if (k < 0) { k = hosts.length; hosts.push(h); dc.push(0); dm.push(0) }
      return k
    }
    for (const v of this.units[u]!) {
      const from = this.vmHost[v]!
      if (from === to) continue
      const vm = this.p.vms[v]!
      const kf = at(from)
      dc[kf]! -= vm.cpuClaim / this.p.hosts[from]!.cpuCores
      dm[kf]! -= vm.memClaim / this.p.hosts[from]!.memMiB
      const kt = at(to)
      dc[kt]! += vm.cpuClaim / this.p.hosts[to]!.cpuCores
      dm[kt]! += vm.memClaim / this.p.hosts[to]!.memMiB
    }
    return this.spreadWith(hosts, dc, dm)
  }

  /** Spread after VMs x and y (on different hosts) exchange hosts. O(1). */
  imbalanceAfterSwap(x: number, y: number): number {
    this.objectiveAfterSwap(x, y)
    return this.lastSpread
  }

  objectiveAfterSwap(x: number, y: number): number {
    const a = this.vmHost[x]!, b = this.vmHost[y]!
    const vx = this.p.vms[x]!, vy = this.p.vms[y]!
    const ha = this.p.hosts[a]!, hb = this.p.hosts[b]!
    // Allocation-free two-host form of spreadWith + peakWith (both hosts active: checked by the caller).
    const ca = this.cpuLoad[a]!, cb = this.cpuLoad[b]!, ma = this.memLoad[a]!, mb = this.memLoad[b]!
    const ca2 = ca + (vy.cpuClaim - vx.cpuClaim) / ha.cpuCores, cb2 = cb + (vx.cpuClaim - vy.cpuClaim) / hb.cpuCores
    const ma2 = ma + (vy.memClaim - vx.memClaim) / ha.memMiB, mb2 = mb + (vx.memClaim - vy.memClaim) / hb.memMiB
    const { c1, c2, m1, m2 } = this.sums
    this.lastSpread = this.spreadOf(
      c1 + ca2 - ca + cb2 - cb, c2 + ca2 * ca2 - ca * ca + cb2 * cb2 - cb * cb,
      m1 + ma2 - ma + mb2 - mb, m2 + ma2 * ma2 - ma * ma + mb2 * mb2 - mb * mb,
    )
    const otherMax = (load: number[], top: number[]) => {
      for (const h of top) if (h !== a && h !== b) return load[h]!
      return 0
    }
    const maxC = Math.max(otherMax(this.cpuLoad, this.topCpu), ca2, cb2)
    const maxM = Math.max(otherMax(this.memLoad, this.topMem), ma2, mb2)
    return this.lastSpread + PEAK_WEIGHT * ((this.p.cpuWeight * maxC + this.p.memWeight * maxM) / this.w)
  }

  /**
   * Whether single-VM units x (on a) and y (on b) may exchange hosts: rules for each at its new
   * host with the other gone, limits at the end, and room for one of them to go first.
   * Returns true when x goes first, false when y does, null when the swap is not allowed.
   */
  swapOrder(x: number, y: number): boolean | null {
    const vx = this.units[x]![0]!, vy = this.units[y]![0]!
    const a = this.vmHost[vx]!, b = this.vmHost[vy]!
    const ha = this.p.hosts[a]!, hb = this.p.hosts[b]!
    if (a === b || ha.maintenance || hb.maintenance) return null
    const X = this.p.vms[vx]!, Y = this.p.vms[vy]!
    if (!X.movable || !Y.movable) return null
    const rulesOk = (vm: typeof X, v: number, other: number, to: typeof ha, h: number) => {
      if (vm.allowedHosts && !vm.allowedHosts.includes(to.id)) return false
      if (vm.cooldownHosts.includes(to.id)) return false
      for (const g of this.antiGroupsOf[v]!) {
        // Anti-affine with the VM it swaps with: they would share a host between the two steps.
        if (this.antiGroupsOf[other]!.includes(g)) return false
        if (this.antiCount[g]![h]! > 0) return false
      }
      return true
    }
    if (!rulesOk(X, vx, vy, hb, b) || !rulesOk(Y, vy, vx, ha, a)) return null
    const eps = 1e-9
    const endA = this.vcpus[a]! - X.vcpus + Y.vcpus <= ha.vcpuLimit + eps && this.memAlloc[a]! - X.memoryMiB + Y.memoryMiB <= ha.memAllocLimitMiB + eps
    const endB = this.vcpus[b]! - Y.vcpus + X.vcpus <= hb.vcpuLimit + eps && this.memAlloc[b]! - Y.memoryMiB + X.memoryMiB <= hb.memAllocLimitMiB + eps
    if (!endA || !endB) return null
    if (this.vcpus[b]! + X.vcpus <= hb.vcpuLimit + eps && this.memAlloc[b]! + X.memoryMiB <= hb.memAllocLimitMiB + eps) return true
    if (this.vcpus[a]! + Y.vcpus <= ha.vcpuLimit + eps && this.memAlloc[a]! + Y.memoryMiB <= ha.memAllocLimitMiB + eps) return false
    return null
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

