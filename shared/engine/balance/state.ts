import { affinityUnits, type PlacementProblem } from '../placement'

/**
 * Weight of the weighted peak load next to the spread in phase 2's objective (0 = spread only, as
 * DRS). With 1 a move that lowers the peak also counts when it barely changes the spread, and the
 * spread still may not grow; measured on the bench it is what lets phase 3 start close enough.
 */
const PEAK_WEIGHT: number = 1

/**
 * Mutable assignment with running sums so each candidate move is scored in O(hosts touched): host
 * loads, the spread and peak objective, and the allocation counts the rules (constraints.ts) read.
 */
export class ClusterState {
  readonly units: number[][]
  readonly vmHost: number[]
  readonly cpuLoad: Float64Array
  readonly memLoad: Float64Array
  /** Per VM: CPU (cores) and memory (MiB) claims; per host: 1 / capacity. Typed for the inner loops. */
  readonly vmCpu: Float64Array
  readonly vmMem: Float64Array
  readonly invCores: Float64Array
  readonly invMem: Float64Array
  /** Per host: vCPUs and memory allocated, what the overcommit limits check. */
  readonly vcpus: number[]
  readonly memAlloc: number[]
  /**
   * Forecast buckets (0: no hourly check): per VM and bucket the top of its CPU band (cores), per
   * host and bucket their sum; a move may not plan a host above its cores in any bucket.
   */
  readonly buckets: number
  readonly vmHigh: Float64Array
  readonly hostHigh: Float64Array
  /** Per VM: its anti-affinity groups; per group and host: its VMs there. */
  readonly antiGroupsOf: number[][]
  readonly antiCount: number[][]
  readonly active: boolean[]
  private readonly nActive: number
  readonly vmIndex: Map<string, number>
  /** Affinity unit of each VM. */
  readonly unitOf: Int32Array
  private readonly w: number
  /** Bytes the copies of VMs placed away from their disks put into each destination pool (poolFree keys). */
  readonly poolUsed = new Map<string, number>()

  constructor(readonly problem: PlacementProblem) {
    const p = problem
    const hostIndex = new Map(p.hosts.map((h, i) => [h.id, i]))
    const vmIndex = new Map(p.vms.map((v, i) => [v.id, i]))
    this.vmHost = p.vms.map((v) => hostIndex.get(v.hostId) ?? 0)
    this.units = affinityUnits(p.vms.length, p.affinity.map((g) => g.flatMap((id) => vmIndex.get(id) ?? [])))
    this.vmIndex = vmIndex
    this.unitOf = new Int32Array(p.vms.length)
    this.units.forEach((members, u) => { for (const v of members) this.unitOf[v] = u })
    const H = p.hosts.length
    this.cpuLoad = new Float64Array(H)
    this.memLoad = new Float64Array(H)
    this.vmCpu = Float64Array.from(p.vms, (vm) => vm.cpuClaim)
    this.vmMem = Float64Array.from(p.vms, (vm) => vm.memClaim)
    this.invCores = Float64Array.from(p.hosts, (h) => 1 / h.cpuCores)
    this.invMem = Float64Array.from(p.hosts, (h) => 1 / h.memMiB)
    this.vcpus = new Array<number>(H).fill(0)
    this.memAlloc = new Array<number>(H).fill(0)
    const K = p.vms.find((vm) => vm.cpuHigh)?.cpuHigh?.length ?? 0
    this.buckets = K
    this.vmHigh = new Float64Array(p.vms.length * K)
    this.hostHigh = new Float64Array(H * K)
    if (K > 0) p.vms.forEach((vm, v) => { for (let k = 0; k < K; k++) this.vmHigh[v * K + k] = vm.cpuHigh?.[k] ?? vm.cpuClaim })
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
    const vm = this.problem.vms[v]!
    this.cpuLoad[h]! += sign * this.vmCpu[v]! * this.invCores[h]!
    this.memLoad[h]! += sign * this.vmMem[v]! * this.invMem[h]!
    this.vcpus[h]! += sign * vm.vcpus
    this.memAlloc[h]! += sign * vm.memoryMiB
    const K = this.buckets
    for (let k = 0; k < K; k++) this.hostHigh[h * K + k]! += sign * this.vmHigh[v * K + k]!
    const needs = vm.copies?.needs(this.problem.hosts[h]!.id)
    if (needs) for (const n of needs) this.poolUsed.set(n.pool, (this.poolUsed.get(n.pool) ?? 0) + sign * n.bytes)
  }

  /**
   * Whether host h may take the VMs `adding` (and lose `leaving`) under the forecast band: in no
   * bucket may it end above its cores, unless no higher than the worst of itself and the hosts
   * the VMs come from were before (a move may shift an hourly overload, never worsen the worst
   * one). Always true without buckets.
   */
  withinBand(h: number, adding: readonly number[], leaving: readonly number[]): boolean {
    const K = this.buckets
    if (K === 0) return true
    const hosts = this.problem.hosts
    const cap = hosts[h]!.cpuCores
    for (let k = 0; k < K; k++) {
      const before = this.hostHigh[h * K + k]!
      let x = before
      for (const v of adding) x += this.vmHigh[v * K + k]!
      for (const v of leaving) x -= this.vmHigh[v * K + k]!
      if (x <= cap + 1e-9) continue
      let worst = before / cap
      for (const v of adding) {
        const s = this.vmHost[v]!
        if (s !== h) worst = Math.max(worst, this.hostHigh[s * K + k]! / hosts[s]!.cpuCores)
      }
      if (x > cap * worst + 1e-9) return false
    }
    return true
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
  private c1 = 0
  private c2 = 0
  private m1 = 0
  private m2 = 0

  private refreshSums() {
    let c1 = 0, c2 = 0, m1 = 0, m2 = 0
    for (let h = 0; h < this.active.length; h++) {
      if (!this.active[h]) continue
      const c = this.cpuLoad[h]!, m = this.memLoad[h]!
      c1 += c; c2 += c * c; m1 += m; m2 += m * m
    }
    this.c1 = c1; this.c2 = c2; this.m1 = m1; this.m2 = m2
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

  /** The three active hosts with the highest CPU (memory) load, highest first. */
  topCpu: number[] = []
  topMem: number[] = []

  private top3(load: ArrayLike<number>): number[] {
    const top: number[] = []
    for (let h = 0; h < load.length; h++) {
      if (!this.active[h]) continue
      let k = top.length
      while (k > 0 && load[top[k - 1]!]! < load[h]!) k--
      if (k < 3) { top.splice(k, 0, h); if (top.length > 3) top.pop() }
    }
    return top
  }

  /** Highest load among active hosts other than the first n of `hosts` (0 when there is none). */
  maxOutside(load: ArrayLike<number>, top: readonly number[], hosts: ArrayLike<number>, n: number): number {
    for (let t = 0; t < top.length; t++) {
      const h = top[t]!
      let k = 0
      while (k < n && hosts[k] !== h) k++
      if (k === n) return load[h]!
    }
    if (top.length < 3) return 0
    let max = 0
    for (let h = 0; h < load.length; h++) {
      if (!this.active[h]) continue
      let k = 0
      while (k < n && hosts[k] !== h) k++
      if (k === n && load[h]! > max) max = load[h]!
    }
    return max
  }

  /** Weighted peak: cpuWeight x max CPU load + memWeight x max memory load, as the exact model has it. */
  peak(): number {
    return (this.problem.cpuWeight * (this.cpuLoad[this.topCpu[0]!] ?? 0) + this.problem.memWeight * (this.memLoad[this.topMem[0]!] ?? 0)) / this.w
  }

  /** Balancing objective: spread plus PEAK_WEIGHT x peak; lower is better. */
  objective(): number {
    return this.imbalance() + PEAK_WEIGHT * this.peak()
  }

  /**
   * The current imbalance the stopping rule measures gains against: the objective minus its value
   * were every active host at the mean load (spread 0, peak = mean). Scale-free: load shares.
   */
  imbalanceScale(): number {
    if (this.nActive === 0) return 0
    const mean = (this.problem.cpuWeight * this.c1 + this.problem.memWeight * this.m1) / (this.nActive * this.w)
    return Math.max(0, this.imbalance() + PEAK_WEIGHT * (this.peak() - mean))
  }

  /** Spread after the last objectiveAfter / objectiveAfterSwap. */
  lastSpread = 0

  private spreadOf(c1: number, c2: number, m1: number, m2: number): number {
    if (this.nActive === 0) return 0
    const n = this.nActive
    const varC = Math.max(0, c2 / n - (c1 / n) ** 2)
    const varM = Math.max(0, m2 / n - (m1 / n) ** 2)
    return Math.sqrt((this.problem.cpuWeight * varC + this.problem.memWeight * varM) / this.w)
  }

  activeHost(h: number): boolean {
    return this.active[h]!
  }

  imbalance(): number {
    return this.spreadOf(this.c1, this.c2, this.m1, this.m2)
  }

  /** Objective once hosts a and b (distinct) take the given new loads; allocation-free. */
  private objectiveWithPair(a: number, ca2: number, ma2: number, b: number, cb2: number, mb2: number): number {
    let c1 = this.c1, c2 = this.c2, m1 = this.m1, m2 = this.m2
    const aOn = this.active[a]!, bOn = this.active[b]!
    if (aOn) {
      const c = this.cpuLoad[a]!, m = this.memLoad[a]!
      c1 += ca2 - c; c2 += ca2 * ca2 - c * c; m1 += ma2 - m; m2 += ma2 * ma2 - m * m
    }
    if (bOn) {
      const c = this.cpuLoad[b]!, m = this.memLoad[b]!
      c1 += cb2 - c; c2 += cb2 * cb2 - c * c; m1 += mb2 - m; m2 += mb2 * mb2 - m * m
    }
    this.lastSpread = this.spreadOf(c1, c2, m1, m2)
    if (PEAK_WEIGHT === 0) return this.lastSpread
    let maxC = 0, maxM = 0
    for (const h of this.topCpu) if (h !== a && h !== b) { maxC = this.cpuLoad[h]!; break }
    for (const h of this.topMem) if (h !== a && h !== b) { maxM = this.memLoad[h]!; break }
    if (aOn) { if (ca2 > maxC) maxC = ca2; if (ma2 > maxM) maxM = ma2 }
    if (bOn) { if (cb2 > maxC) maxC = cb2; if (mb2 > maxM) maxM = mb2 }
    return this.lastSpread + (PEAK_WEIGHT * (this.problem.cpuWeight * maxC + this.problem.memWeight * maxM)) / this.w
  }

  /**
   * Lowest objective any exchange of load between active hosts a and b can reach, load split
   * continuously: each resource's variance at its best split and the peak at the pair's even
   * level. Lets the swap search skip host pairs that cannot beat the best found so far.
   */
  objectiveBound(a: number, b: number): number {
    const n = this.nActive
    const varMin = (load: Float64Array, inv: Float64Array, s1: number, s2: number) => {
      const ia = inv[a]!, ib = inv[b]!
      const A = (ia * ia + ib * ib) / n - ((ib - ia) / n) ** 2
      const Bq = (2 * (ib * load[b]! - ia * load[a]!)) / n - (2 * s1 * (ib - ia)) / (n * n)
      const v0 = s2 / n - (s1 / n) ** 2
      return Math.max(0, A > 1e-18 ? v0 - (Bq * Bq) / (4 * A) : v0)
    }
    const { cpuWeight, memWeight } = this.problem
    const spread = Math.sqrt((cpuWeight * varMin(this.cpuLoad, this.invCores, this.c1, this.c2) + memWeight * varMin(this.memLoad, this.invMem, this.m1, this.m2)) / this.w)
    if (PEAK_WEIGHT === 0) return spread
    const level = (load: Float64Array, inv: Float64Array, top: number[]) => {
      const ia = inv[a]!, ib = inv[b]!
      let other = 0
      for (const h of top) if (h !== a && h !== b) { other = load[h]!; break }
      return Math.max(other, (load[a]! * ib + load[b]! * ia) / (ia + ib))
    }
    return spread + (PEAK_WEIGHT * (cpuWeight * level(this.cpuLoad, this.invCores, this.topCpu) + memWeight * level(this.memLoad, this.invMem, this.topMem))) / this.w
  }

  imbalanceAfter(u: number, to: number): number {
    this.objectiveAfter(u, to)
    return this.lastSpread
  }

  objectiveAfter(u: number, to: number): number {
    const members = this.units[u]!
    if (members.length === 1) {
      const v = members[0]!
      const from = this.vmHost[v]!
      if (from === to) {
        this.lastSpread = this.imbalance()
        return this.objective()
      }
      const c = this.vmCpu[v]!, m = this.vmMem[v]!
      return this.objectiveWithPair(
        from, this.cpuLoad[from]! - c * this.invCores[from]!, this.memLoad[from]! - m * this.invMem[from]!,
        to, this.cpuLoad[to]! + c * this.invCores[to]!, this.memLoad[to]! + m * this.invMem[to]!,
      )
    }
    // Affinity unit: its members may sit on several hosts.
    const hosts: number[] = []
    const dc: number[] = []
    const dm: number[] = []
    const at = (h: number) => {
      let k = hosts.indexOf(h)
      if (k < 0) { k = hosts.length; hosts.push(h); dc.push(0); dm.push(0) }
      return k
    }
    for (const v of members) {
      const from = this.vmHost[v]!
      if (from === to) continue
      const vm = this.problem.vms[v]!
      const kf = at(from)
      dc[kf]! -= vm.cpuClaim / this.problem.hosts[from]!.cpuCores
      dm[kf]! -= vm.memClaim / this.problem.hosts[from]!.memMiB
      const kt = at(to)
      dc[kt]! += vm.cpuClaim / this.problem.hosts[to]!.cpuCores
      dm[kt]! += vm.memClaim / this.problem.hosts[to]!.memMiB
    }
    let c1 = this.c1, c2 = this.c2, m1 = this.m1, m2 = this.m2
    let maxC = 0, maxM = 0
    for (let k = 0; k < hosts.length; k++) {
      const h = hosts[k]!
      if (!this.active[h]) continue
      const c = this.cpuLoad[h]!, m = this.memLoad[h]!
      const cn = c + dc[k]!, mn = m + dm[k]!
      c1 += dc[k]!; c2 += cn * cn - c * c
      m1 += dm[k]!; m2 += mn * mn - m * m
      maxC = Math.max(maxC, cn)
      maxM = Math.max(maxM, mn)
    }
    this.lastSpread = this.spreadOf(c1, c2, m1, m2)
    if (PEAK_WEIGHT === 0) return this.lastSpread
    maxC = Math.max(maxC, this.maxOutside(this.cpuLoad, this.topCpu, hosts, hosts.length))
    maxM = Math.max(maxM, this.maxOutside(this.memLoad, this.topMem, hosts, hosts.length))
    return this.lastSpread + (PEAK_WEIGHT * (this.problem.cpuWeight * maxC + this.problem.memWeight * maxM)) / this.w
  }

  /** Spread after VMs x and y (on different hosts) exchange hosts. O(1). */
  imbalanceAfterSwap(x: number, y: number): number {
    this.objectiveAfterSwap(x, y)
    return this.lastSpread
  }

  objectiveAfterSwap(x: number, y: number): number {
    const a = this.vmHost[x]!, b = this.vmHost[y]!
    const dc = this.vmCpu[y]! - this.vmCpu[x]!, dm = this.vmMem[y]! - this.vmMem[x]!
    return this.objectiveWithPair(
      a, this.cpuLoad[a]! + dc * this.invCores[a]!, this.memLoad[a]! + dm * this.invMem[a]!,
      b, this.cpuLoad[b]! - dc * this.invCores[b]!, this.memLoad[b]! - dm * this.invMem[b]!,
    )
  }

  movable(u: number): boolean {
    return this.units[u]!.every((v) => this.problem.vms[v]!.movable)
  }

  /** Whether the unit's VMs sit on more than one host (an affinity rule is broken). */
  unitSplit(u: number): boolean {
    const hosts = new Set(this.units[u]!.map((v) => this.vmHost[v]))
    return hosts.size > 1
  }

  /** Live-migration time of unit u: memory pre-copy, plus copying its local disks when `to` does not reach them. */
  costSeconds(u: number, bandwidthMiBps: number, to?: number): number {
    let total = 0
    for (const v of this.units[u]!) {
      const vm = this.problem.vms[v]!
      const net = bandwidthMiBps - vm.memDirtyMiBps
      // Pre-copy never converges when the guest dirties memory faster than the link copies it.
      if (net <= 0) return Infinity
      total += vm.memUsedMiB / net
    }
    return to === undefined ? total : total + this.copySeconds(u, to)
  }

  /** Seconds to copy the unit's local disks to host h: 0 where h reaches them (shared storage) or holds them. */
  copySeconds(u: number, h: number): number {
    const id = this.problem.hosts[h]!.id
    let seconds = 0
    for (const v of this.units[u]!) seconds += this.problem.vms[v]!.copies?.seconds(id) ?? 0
    return seconds
  }

  unitNames(u: number): string {
    return this.units[u]!.map((v) => this.problem.vms[v]!.id).join('+')
  }
}
