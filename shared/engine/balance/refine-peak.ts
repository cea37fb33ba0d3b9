import { canHost, swapOrder } from './constraints'
import { stepScore, type GreedyOptions } from './moves'
import type { ClusterState } from './state'

/**
 * Phase 3 minimises a smooth maximum (log-sum-exp) of host loads, not the maximum itself: with
 * two hosts tied at the peak, unloading one is progress. Sharpness 1000 = hosts within about
 * 0.1 % of capacity of the peak count as tied with it.
 */
const PEAK_BETA = 1000
/** Hosts with more than this share of the smooth maximum's weight are where phase 3 moves VMs from. */
const HOT_SHARE = 0.01
/**
 * Hosts within this much load of the peak are tied with it. A step off one of n tied hosts is
 * credited 1/n of what it takes off (the drop in the mean of the n highest loads): each tied
 * host's move counts, so all of them come down rather than none passing the stopping rule alone.
 */
const TIE_TOLERANCE = 0.01
/** Improvement below which phase 3 stops (free re-targets could otherwise shuffle forever). */
const REFINE_EPS = 1e-7
/** Best steps kept per round: the first one that passes the rules is taken. */
const CANDIDATES = 8
/** Over-budget moves kept per round, for an undo of a phase-2 move to pay for. */
const WANTED = 6

/**
 * A step phase 3 may take. move: VM x to host b. swap: x to b, y to x's host. undo: y back to its
 * host before phase 2, which pays for moving x to b.
 */
type StepKind = 'move' | 'swap' | 'undo'

/**
 * Phase 3: lowers the weighted peak (cpuWeight x max CPU load + memWeight x max memory load) by
 * moving single-VM units off the hosts that set it, swapping them with a VM elsewhere, or, once
 * the budget is spent, undoing one of phase 2's moves to pay for a new one. A VM phase 2 already
 * moved goes elsewhere for free; sending it back home gives its migration back. Every step must
 * not raise the peak, and a step that adds migrations must pass phase 2's stopping rule with the
 * drop in (smooth) peak, or its share of a tie at the peak, as its gain. The spread may grow,
 * never above its value before balancing. Returns whether anything changed.
 */
export function refinePeak(state: ClusterState, origin: readonly number[], frozen: readonly boolean[], o: GreedyOptions, spreadCap: number, partner: Map<number, number>): boolean {
  const p = state.problem
  const w = p.cpuWeight + p.memWeight
  if (!(w > 0) || p.hosts.length < 2 || o.maxMigrations <= 0) return false
  const refiner = new PeakRefiner(state, origin, frozen, o, spreadCap, partner)
  let changed = false
  // Bounded: re-targets are free, so the step count is not bounded by the budget alone.
  for (let step = 0; step < 2 * o.maxMigrations + 20; step++) {
    if (!refiner.measure()) break
    refiner.search()
    if (!refiner.applyBest()) break
    changed = true
  }
  return changed
}

/** Phase 3's working state: flat arrays, reused every round, so the search allocates nothing per candidate. */
class PeakRefiner {
  private readonly H: number
  private readonly V: number
  /** Weights of CPU and memory in the peak, summing to 1. */
  private readonly wc: number
  private readonly wm: number
  private readonly cpu: Float64Array
  private readonly mem: Float64Array
  private readonly active: boolean[]
  private readonly host: number[]
  private readonly vmCpu: Float64Array
  private readonly vmMem: Float64Array
  private readonly invCores: Float64Array
  private readonly invMem: Float64Array
  /** Single-VM unit of each VM (-1: the VM is part of a larger unit). */
  private readonly unitOf: Int32Array
  /** Migration seconds of each VM, and whether phase 3 may move it. */
  private readonly cost: Float64Array
  private readonly ok: Uint8Array
  /** Migrations in the plan so far (VMs away from where phase 2 started). */
  private used = 0

  // This round: each active host's term in the smooth maxima, and the hosts that weigh in them.
  private readonly ec: Float64Array
  private readonly em: Float64Array
  private readonly hot: Uint8Array
  private Mc = 0
  private Mm = 0
  private Sc = 0
  private Sm = 0
  /** Smooth and hard weighted peak, migrations left in the budget, and the stopping rule's scale. */
  private F = 0
  private peak = 0
  private left = 0
  private scale = 0
  /** Scratch for the loads after a step (tie credit). */
  private readonly after: Float64Array

  // Up to four hosts change in one step: their new loads.
  private readonly hs = new Int32Array(4)
  private readonly nc = new Float64Array(4)
  private readonly nm = new Float64Array(4)
  private nh = 0

  // The best steps of this round by score, best first.
  private readonly cKind = new Array<StepKind>(CANDIDATES).fill('move')
  private readonly cX = new Int32Array(CANDIDATES)
  private readonly cY = new Int32Array(CANDIDATES)
  private readonly cB = new Int32Array(CANDIDATES)
  private readonly cScore = new Float64Array(CANDIDATES)
  private nCand = 0

  // Moves over budget by gain, best first.
  private readonly wX = new Int32Array(WANTED)
  private readonly wB = new Int32Array(WANTED)
  private readonly wG = new Float64Array(WANTED)
  private nWant = 0

  private readonly onHost: number[][]
  private readonly pairs: { a: number; b: number; bound: number }[] = []

  constructor(
    private readonly state: ClusterState,
    private readonly origin: readonly number[],
    frozen: readonly boolean[],
    private readonly o: GreedyOptions,
    private readonly spreadCap: number,
    private readonly partner: Map<number, number>,
  ) {
    const p = state.problem
    const H = p.hosts.length
    const V = p.vms.length
    const w = p.cpuWeight + p.memWeight
    this.H = H
    this.V = V
    this.wc = p.cpuWeight / w
    this.wm = p.memWeight / w
    this.cpu = state.cpuLoad
    this.mem = state.memLoad
    this.active = state.active
    this.host = state.vmHost
    this.vmCpu = state.vmCpu
    this.vmMem = state.vmMem
    this.invCores = state.invCores
    this.invMem = state.invMem
    const unitOf = new Int32Array(V).fill(-1)
    state.units.forEach((members, u) => { if (members.length === 1) unitOf[members[0]!] = u })
    const cost = new Float64Array(V)
    const ok = new Uint8Array(V)
    for (let v = 0; v < V; v++) {
      const vm = p.vms[v]!
      const net = o.migrationBandwidthMiBps - vm.memDirtyMiBps
      cost[v] = net > 0 ? vm.memUsedMiB / net : Infinity
      ok[v] = unitOf[v]! >= 0 && !frozen[v] && vm.movable && cost[v]! <= o.maxMigrationSeconds ? 1 : 0
    }
    this.unitOf = unitOf
    this.cost = cost
    this.ok = ok
    this.after = new Float64Array(H)
    for (let v = 0; v < V; v++) if (this.host[v] !== origin[v]) this.used++
    this.ec = new Float64Array(H)
    this.em = new Float64Array(H)
    this.hot = new Uint8Array(H)
    this.onHost = Array.from({ length: H }, () => [])
  }

  /** This round's peak, smooth peak and hot hosts; false when no host is active. */
  measure(): boolean {
    const { H, active, cpu, mem, ec, em, hot, wc, wm } = this
    const B = PEAK_BETA
    let Mc = -Infinity
    let Mm = -Infinity
    for (let h = 0; h < H; h++) if (active[h]) { if (cpu[h]! > Mc) Mc = cpu[h]!; if (mem[h]! > Mm) Mm = mem[h]! }
    if (Mc === -Infinity) return false
    let Sc = 0
    let Sm = 0
    for (let h = 0; h < H; h++) {
      ec[h] = active[h] ? Math.exp(B * (cpu[h]! - Mc)) : 0
      em[h] = active[h] ? Math.exp(B * (mem[h]! - Mm)) : 0
      Sc += ec[h]!
      Sm += em[h]!
    }
    for (let h = 0; h < H; h++) hot[h] = active[h] && (ec[h]! > HOT_SHARE * Sc || em[h]! > HOT_SHARE * Sm) ? 1 : 0
    this.Mc = Mc
    this.Mm = Mm
    this.Sc = Sc
    this.Sm = Sm
    this.F = wc * (Mc + Math.log(Sc) / B) + wm * (Mm + Math.log(Sm) / B)
    this.peak = wc * Mc + wm * Mm
    this.left = this.o.maxMigrations - this.used
    this.scale = this.state.imbalanceScale()
    return true
  }

  /** Collects this round's best steps: moves and swaps between host pairs, best bound first, then undos once the budget is spent. */
  search(): void {
    this.nCand = 0
    this.nWant = 0
    this.listHostPairs()
    for (const { a, b, bound } of this.pairs) {
      if (bound <= this.bar()) break
      // Moves both ways between the pair (b -> a only when b is hot too: else it cannot help).
      this.searchMoves(a, b)
      if (this.hot[b]) this.searchMoves(b, a)
      this.searchSwaps(a, b)
    }
    // Budget spent: give back one of phase 2's migrations to pay for one of the wanted moves.
    if (this.left < 1) this.searchUndos()
  }

  /** Takes the best step that passes the rules; false when none does. */
  applyBest(): boolean {
    let applied = false
    for (let k = 0; k < this.nCand && !applied; k++) applied = this.applyStep(this.cKind[k]!, this.cX[k]!, this.cY[k]!, this.cB[k]!)
    return applied
  }

  /** The movable VMs on each active host, and the host pairs (one hot) whose bound could beat REFINE_EPS. */
  private listHostPairs(): void {
    const { H, V, ok, active, host, hot, onHost, pairs } = this
    for (let h = 0; h < H; h++) onHost[h]!.length = 0
    for (let v = 0; v < V; v++) if (ok[v] && active[host[v]!]) onHost[host[v]!]!.push(v)
    pairs.length = 0
    for (let a = 0; a < H; a++) {
      if (!hot[a] || onHost[a]!.length === 0) continue
      for (let b = 0; b < H; b++) {
        if (b === a || !active[b] || (hot[b] && b < a)) continue
        const bound = this.pairBound(a, b)
        if (bound > REFINE_EPS) pairs.push({ a, b, bound })
      }
    }
    pairs.sort((p1, p2) => p2.bound - p1.bound)
  }

  /** Each VM on `from` moved to `to`; over budget, remembered in case undoing a phase-2 move pays for it. */
  private searchMoves(from: number, to: number): void {
    for (const x of this.onHost[from]!) {
      this.nh = 0
      this.shift(x, from, to)
      const added = this.extra(x, to)
      if (added > 0 && this.cost[x]! + this.copy(x, to) > this.o.maxMigrationSeconds) continue
      if (added <= this.left) this.consider('move', x, -1, to, added, added > 0 ? this.cost[x]! + this.copy(x, to) : 0)
      else if (added === 1 && this.used > 0) {
        const g = this.gainOf()
        if (g > REFINE_EPS) this.offerWant(x, to, g)
      }
    }
  }

  /** Each VM on a exchanged with each on b, when the exchange takes load off a hot host. */
  private searchSwaps(a: number, b: number): void {
    const { ec, em, hot, Sc, Sm, onHost, cost } = this
    const cHot = ec[a]! > HOT_SHARE * Sc
    const mHot = em[a]! > HOT_SHARE * Sm
    const bHotC = hot[b] && ec[b]! > HOT_SHARE * Sc
    const bHotM = hot[b] && em[b]! > HOT_SHARE * Sm
    for (const x of onHost[a]!) {
      const xca = this.dC(x, a), xma = this.dM(x, a), xcb = this.dC(x, b), xmb = this.dM(x, b)
      for (const y of onHost[b]!) {
        // Only an exchange that takes load off a hot host can lower the peak.
        const ax = this.extra(x, b)
        const ay = this.extra(y, a)
        if (ax + ay > this.left) continue
        // A disk copy may make one half too long to be worth a move.
        if ((ax > 0 && cost[x]! + this.copy(x, b) > this.o.maxMigrationSeconds) || (ay > 0 && cost[y]! + this.copy(y, a) > this.o.maxMigrationSeconds)) continue
        if (!((cHot && this.dC(y, a) < xca) || (mHot && this.dM(y, a) < xma) || (bHotC && xcb < this.dC(y, b)) || (bHotM && xmb < this.dM(y, b)))) continue
        this.nh = 0
        this.shift(x, a, b)
        this.shift(y, b, a)
        this.consider('swap', x, y, b, ax + ay, (ax > 0 ? cost[x]! + this.copy(x, b) : 0) + (ay > 0 ? cost[y]! + this.copy(y, a) : 0))
      }
    }
  }

  /** Each phase-2 move undone (its VM back home) together with each wanted move. */
  private searchUndos(): void {
    const { V, ok, host, origin, active, wX, wB } = this
    for (let y = 0; y < V; y++) {
      if (!ok[y] || host[y] === origin[y] || !active[origin[y]!]) continue
      for (let k = 0; k < this.nWant; k++) {
        const x = wX[k]!
        if (x === y) continue
        if (this.cost[x]! + this.copy(x, wB[k]!) > this.o.maxMigrationSeconds) continue
        this.nh = 0
        this.shift(y, host[y]!, origin[y]!)
        this.shift(x, host[x]!, wB[k]!)
        this.consider('undo', x, y, wB[k]!, 0, this.cost[x]! + this.copy(x, wB[k]!))
      }
    }
  }

  /** Seconds to copy VM v's local disks to host h (0 on shared storage, or when nothing was read). */
  private copy(v: number, h: number): number {
    return this.state.problem.vms[v]!.copies?.seconds(this.state.problem.hosts[h]!.id) ?? 0
  }

  private dC(v: number, h: number): number {
    return this.vmCpu[v]! * this.invCores[h]!
  }

  private dM(v: number, h: number): number {
    return this.vmMem[v]! * this.invMem[h]!
  }

  /** Migrations a VM's move to `to` adds to the plan: 1 from home, 0 re-targeted, -1 back home. */
  private extra(v: number, to: number): number {
    return this.host[v] === this.origin[v] ? 1 : to === this.origin[v] ? -1 : 0
  }

  /** Adds load to host h in the step being scored. */
  private touch(h: number, c: number, m: number): void {
    const { hs, nc, nm } = this
    const nh = this.nh
    for (let k = 0; k < nh; k++) if (hs[k] === h) { nc[k]! += c; nm[k]! += m; return }
    hs[nh] = h; nc[nh] = this.cpu[h]! + c; nm[nh] = this.mem[h]! + m; this.nh = nh + 1
  }

  /** VM v's load leaves `from` and arrives on `to` in the step being scored. */
  private shift(v: number, from: number, to: number): void {
    this.touch(from, -this.dC(v, from), -this.dM(v, from))
    this.touch(to, this.dC(v, to), this.dM(v, to))
  }

  /** Drop in the smooth peak once the touched hosts take their new loads; -1 when the hard peak rises. */
  private gainOf(): number {
    const { state, cpu, mem, active, hs, nc, nm, nh, ec, em, wc, wm, Mc, Mm, H } = this
    const B = PEAK_BETA
    let mc = state.maxOutside(cpu, state.topCpu, hs, nh)
    let mm = state.maxOutside(mem, state.topMem, hs, nh)
    for (let k = 0; k < nh; k++) {
      if (!active[hs[k]!]) continue
      if (nc[k]! > mc) mc = nc[k]!
      if (nm[k]! > mm) mm = nm[k]!
    }
    if (wc * mc + wm * mm > this.peak + 1e-12) return -1
    let sc = this.Sc
    let sm = this.Sm
    for (let k = 0; k < nh; k++) {
      const h = hs[k]!
      if (!active[h]) continue
      // Far below the peak a host weighs nothing (e^-40); skipping the exp is most of the speed.
      const xc = B * (nc[k]! - Mc)
      const xm = B * (nm[k]! - Mm)
      sc += (xc < -40 ? 0 : Math.exp(xc)) - ec[h]!
      sm += (xm < -40 ? 0 : Math.exp(xm)) - em[h]!
    }
    // Cancellation when the peak host itself drops: sum again.
    if (sc < 1e-6 || sm < 1e-6) {
      sc = 0
      sm = 0
      for (let h = 0; h < H; h++) {
        if (!active[h]) continue
        let k = 0
        while (k < nh && hs[k] !== h) k++
        sc += k < nh ? Math.exp(B * (nc[k]! - Mc)) : ec[h]!
        sm += k < nh ? Math.exp(B * (nm[k]! - Mm)) : em[h]!
      }
    }
    return this.F - (wc * (Mc + Math.log(sc) / B) + wm * (Mm + Math.log(sm) / B))
  }

  /** Scores the step whose hosts were touched; keeps it when within budget and worth its migrations. */
  private consider(kind: StepKind, x: number, y: number, b: number, added: number, seconds: number): void {
    if (added > this.left) return
    const g = this.gainOf()
    if (!(g > REFINE_EPS)) return
    if (added <= 0) return this.offer(kind, x, y, b, g)
    const score = stepScore(g, this.o.minGain * added, added, seconds, this.scale, this.o) ?? stepScore(Math.max(g, this.tieCredit()), this.o.minGain * added, added, seconds, this.scale, this.o)
    if (score !== null) this.offer(kind, x, y, b, score)
  }

  /** The step's share of bringing tied peak hosts down: per resource, the drop in the mean of the n highest loads (n hosts tied). */
  private tieCredit(): number {
    const { H, active, hs, nh, wc, wm } = this
    let credit = 0
    for (const [load, next, M, w] of [[this.cpu, this.nc, this.Mc, wc], [this.mem, this.nm, this.Mm, wm]] as const) {
      if (w <= 0) continue
      let n = 0
      let before = 0
      let touchesTie = false
      for (let h = 0; h < H; h++) {
        if (!active[h] || load[h]! < M - TIE_TOLERANCE) continue
        n++
        before += load[h]!
        for (let k = 0; k < nh; k++) if (hs[k] === h) touchesTie = true
      }
      if (n < 2 || !touchesTie) continue
      const after = this.after
      let m = 0
      for (let h = 0; h < H; h++) {
        if (!active[h]) continue
        let x = load[h]!
        for (let k = 0; k < nh; k++) if (hs[k] === h) x = next[k]!
        after[m++] = x
      }
      const top = after.subarray(0, m).sort().subarray(Math.max(0, m - n))
      let sum = 0
      for (const x of top) sum += x
      credit += (w * (before - sum)) / n
    }
    return credit
  }

  private offer(kind: StepKind, x: number, y: number, b: number, score: number): void {
    const { cKind, cX, cY, cB, cScore } = this
    const K = CANDIDATES
    if (this.nCand === K && score <= cScore[K - 1]!) return
    let k = this.nCand < K ? this.nCand++ : K - 1
    while (k > 0 && cScore[k - 1]! < score) {
      cKind[k] = cKind[k - 1]!; cX[k] = cX[k - 1]!; cY[k] = cY[k - 1]!; cB[k] = cB[k - 1]!; cScore[k] = cScore[k - 1]!
      k--
    }
    cKind[k] = kind; cX[k] = x; cY[k] = y; cB[k] = b; cScore[k] = score
  }

  private offerWant(x: number, b: number, g: number): void {
    const { wX, wB, wG } = this
    const W = WANTED
    if (this.nWant === W && g <= wG[W - 1]!) return
    let k = this.nWant < W ? this.nWant++ : W - 1
    while (k > 0 && wG[k - 1]! < g) { wX[k] = wX[k - 1]!; wB[k] = wB[k - 1]!; wG[k] = wG[k - 1]!; k-- }
    wX[k] = x; wB[k] = b; wG[k] = g
  }

  /** Score a step must beat to be kept: the worst kept one once the list is full. */
  private bar(): number {
    return this.nCand === CANDIDATES ? Math.max(REFINE_EPS, this.cScore[CANDIDATES - 1]!) : REFINE_EPS
  }

  /** Largest drop in the smooth peak any exchange of load between a and b could give. */
  private pairBound(a: number, b: number): number {
    const { cpu, mem, invCores, invMem, ec, em } = this
    const fc = smoothPairLevel(cpu[a]!, cpu[b]!, invCores[a]!, invCores[b]!, this.Mc, this.Sc, ec[a]!, ec[b]!)
    const fm = smoothPairLevel(mem[a]!, mem[b]!, invMem[a]!, invMem[b]!, this.Mm, this.Sm, em[a]!, em[b]!)
    return this.F - (this.wc * fc + this.wm * fm) + 1e-9
  }

  /** Rules, room and the spread cap for the chosen step; applies it when they hold. */
  private applyStep(kind: StepKind, x: number, y: number, b: number): boolean {
    const { state, host, origin, unitOf } = this
    const ux = unitOf[x]!
    const a = host[x]!
    const counted = (v: number) => (host[v] !== origin[v] ? 1 : 0)
    const before = counted(x) + (y >= 0 ? counted(y) : 0)
    let undo: () => void
    if (kind === 'move') {
      if (!canHost(state, ux, b)) return false
      state.move(ux, b)
      undo = () => state.move(ux, a)
    } else if (kind === 'swap') {
      const uy = unitOf[y]!
      if (swapOrder(state, ux, uy) === null) return false
      state.move(ux, b)
      state.move(uy, a)
      undo = () => { state.move(uy, b); state.move(ux, a) }
    } else {
      const uy = unitOf[y]!
      const c = host[y]!
      if (!canHost(state, uy, origin[y]!)) return false
      state.move(uy, origin[y]!)
      if (!canHost(state, ux, b)) { state.move(uy, c); return false }
      state.move(ux, b)
      undo = () => { state.move(ux, a); state.move(uy, c) }
    }
    if (state.imbalance() > this.spreadCap + 1e-12) {
      undo()
      return false
    }
    this.used += counted(x) + (y >= 0 ? counted(y) : 0) - before
    if (kind === 'swap') {
      this.partner.set(x, y)
      this.partner.set(y, x)
    } else {
      this.partner.delete(x)
      if (y >= 0) this.partner.delete(y)
    }
    return true
  }
}

/**
 * Lowest smooth maximum of one resource when hosts a and b (loads ca, cb; 1 / capacity ia, ib)
 * exchange load: the two hosts' terms are smallest where their slopes match. M and S: this round's
 * maximum and sum of terms; ea, eb: the two hosts' terms now.
 */
function smoothPairLevel(ca: number, cb: number, ia: number, ib: number, M: number, S: number, ea: number, eb: number): number {
  const B = PEAK_BETA
  const t = (B * (ca - cb) + Math.log(ia / ib)) / (B * (ia + ib))
  const e1 = Math.exp(B * (ca - t * ia - M))
  return M + Math.log(Math.max(0, S - ea - eb) + e1 * (1 + ia / ib)) / B
}
