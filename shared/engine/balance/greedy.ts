import type { RecommendationPriority } from '../../model/recommendation'
import { affinityUnits, summarizeLoads, type LoadSummary, type PlacementProblem } from '../placement'

export interface Move {
  vmId: string
  from: string
  to: string
  /** Priority 1: fixes a rule violation or empties a host in maintenance. */
  mandatory: boolean
  reason: string
  /** Imbalance (std dev of host load) before minus after this move, in plan order; a move made for the peak may raise it. */
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

export const PEAK_REASON = 'lowers the peak host load'

/**
 * Greedy balancing in three phases. 1: the mandatory moves (maintenance, pinning, affinity,
 * anti-affinity, overcommit limits), each to the host that leaves the cluster most even. 2: within
 * the migration budget, the single move or swap with the best gain net of its cost, until none is
 * worth it. 3: peak refinement, moves and swaps off the hosts that set the peak load; re-targeting
 * or undoing a VM phase 2 moved costs no new migration. VMs tied by affinity move together as one
 * unit (phase 3 leaves them where phase 2 put them).
 */
export function balanceGreedy(problem: PlacementProblem, options: GreedyOptions): BalanceResult {
  const state = new ClusterState(problem)
  const before = summarizeLoads(problem, (vm) => vm.hostId)
  const moves: Move[] = []
  const unresolved: string[] = []
  const stuck = new Set<number>()
  /** The VM each VM last swapped places with: the scheduler keeps such pairs together. */
  const partner = new Map<number, number>()

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
    partner.set(state.units[sw.x]![0]!, state.units[sw.y]![0]!)
    partner.set(state.units[sw.y]![0]!, state.units[sw.x]![0]!)
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
  unresolved.push(...state.unfixableViolations())
  const mandatoryCount = moves.length
  // Where the optional phases start from: their budget counts VMs that end elsewhere.
  const origin = state.vmHost.slice()

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
        if (state.lastSpread > spread + 1e-12) continue
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

  let finalHost = state.vmHost
  let plan = moves
  const phase2Host = state.vmHost.slice()
  const frozen = problem.vms.map(() => false)
  const vmIndex = new Map(problem.vms.map((vm, i) => [vm.id, i]))
  for (const m of moves.slice(0, mandatoryCount)) frozen[vmIndex.get(m.vmId)!] = true
  for (const u of stuck) for (const v of state.units[u]!) frozen[v] = true
  if (refinePeak(state, origin, frozen, options, before.imbalance, partner)) {
    const refined = scheduleMoves(problem, origin, state.vmHost, moves.slice(mandatoryCount), partner, options)
    if (refined) plan = [...moves.slice(0, mandatoryCount), ...refined]
    else finalHost = phase2Host
  }
  const hostOf = new Map(problem.vms.map((vm, i) => [vm.id, problem.hosts[finalHost[i]!]!.id]))
  return { moves: keepOrderUnderPriority(problem, plan), before, after: summarizeLoads(problem, (vm) => hostOf.get(vm.id)!), unresolved }
}

/**
 * Recommendations are listed (and applied) by priority. When that order would put a VM on a host
 * before another move makes room, each move instead gets at least the priority of the one before
 * it, so sorting keeps the plan's order (which fits, move by move).
 */
function keepOrderUnderPriority(p: PlacementProblem, moves: Move[]): Move[] {
  const hostIndex = new Map(p.hosts.map((h, i) => [h.id, i]))
  const vmIndex = new Map(p.vms.map((v, i) => [v.id, i]))
  const vcpus = new Float64Array(p.hosts.length)
  const alloc = new Float64Array(p.hosts.length)
  for (const vm of p.vms) {
    const h = hostIndex.get(vm.hostId)
    if (h === undefined) continue
    vcpus[h]! += vm.vcpus
    alloc[h]! += vm.memoryMiB
  }
  const sorted = moves.map((m, i) => ({ m, i })).sort((a, b) => a.m.priority - b.m.priority || a.i - b.i)
  const fits = sorted.every(({ m }) => {
    const vm = p.vms[vmIndex.get(m.vmId)!]!
    const from = hostIndex.get(m.from)!
    const to = hostIndex.get(m.to)!
    vcpus[from]! -= vm.vcpus
    alloc[from]! -= vm.memoryMiB
    vcpus[to]! += vm.vcpus
    alloc[to]! += vm.memoryMiB
    return vcpus[to]! <= p.hosts[to]!.vcpuLimit + 1e-9 && alloc[to]! <= p.hosts[to]!.memAllocLimitMiB + 1e-9
  })
  if (fits) return moves
  let floor: RecommendationPriority = 1
  return moves.map((m) => {
    floor = Math.max(floor, m.priority) as RecommendationPriority
    return floor === m.priority ? m : { ...m, priority: floor }
  })
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
  const H = state.problem.hosts.length
  const byHost: number[][] = Array.from({ length: H }, () => [])
  for (let u = 0; u < state.units.length; u++) {
    if (state.units[u]!.length !== 1 || moved.has(u) || stuck.has(u) || !state.movable(u)) continue
    if (unitCost[u]! > options.maxMigrationSeconds) continue
    const h = state.vmHost[state.units[u]![0]!]!
    if (state.activeHost(h)) byHost[h]!.push(u)
  }
  // One side of the swap sits on a host with the highest or lowest load; host pairs go best bound first.
  const extreme = state.extremeHosts()
  const pairs: { a: number; b: number; bound: number }[] = []
  for (const a of extreme) {
    if (byHost[a]!.length === 0) continue
    for (let b = 0; b < H; b++) {
      if (b === a || byHost[b]!.length === 0 || (extreme.has(b) && b < a)) continue
      const bound = current - state.objectiveBound(a, b)
      if (bound >= options.minGain && bound > mustBeat) pairs.push({ a, b, bound })
    }
  }
  pairs.sort((p, q) => q.bound - p.bound)
  let best: Swap | null = null
  const charge = options.minGain / 60
  for (const { a, b, bound } of pairs) {
    if (best && bound <= best.score) break
    for (const x of byHost[a]!) {
      const vx = state.units[x]![0]!
      for (const y of byHost[b]!) {
        const vy = state.units[y]![0]!
        const gain = current - state.objectiveAfterSwap(vx, vy)
        if (gain < options.minGain || state.lastSpread > spread + 1e-12) continue
        const score = gain - charge * (unitCost[x]! + unitCost[y]!)
        if (score <= mustBeat || (best && score <= best.score)) continue
        const order = state.swapOrder(x, y)
        if (order === null) continue
        best = { x, y, gain, score, xFirst: order }
      }
    }
  }
  return best
}

/**
 * Weight of the weighted peak load next to the spread in phase 2's objective (0 = spread only, as
 * DRS). With 1 a move that lowers the peak also counts when it barely changes the spread, and the
 * spread still may not grow; measured on the bench it is what lets phase 3 start close enough.
 */
const PEAK_WEIGHT: number = 1

/**
 * Phase 3 minimises a smooth maximum (log-sum-exp) of host loads, not the maximum itself: with
 * two hosts tied at the peak, unloading one is progress. Sharpness 1000 = hosts within about
 * 0.1 % of capacity of the peak count as tied with it.
 */
const PEAK_BETA = 1000
/** Hosts with more than this share of the smooth maximum's weight are where phase 3 moves VMs from. */
const HOT_SHARE = 0.01
/** Improvement below which phase 3 stops (free re-targets could otherwise shuffle forever). */
const REFINE_EPS = 1e-7

const OP_MOVE = 0
const OP_SWAP = 1
const OP_UNDO = 2

/**
 * Phase 3: lowers the weighted peak (cpuWeight x max CPU load + memWeight x max memory load) by
 * moving single-VM units off the hosts that set it, swapping them with a VM elsewhere, or, once
 * the budget is spent, undoing one of phase 2's moves to pay for a new one. A VM phase 2 already
 * moved goes elsewhere for free; sending it back home gives its migration back. Every step must
 * not raise the peak, and a step that adds migrations must pass phase 2's cost-benefit test with
 * the drop in (smooth) peak as its gain. The spread may grow, never above its value before
 * balancing. Returns whether anything changed.
 */
function refinePeak(state: ClusterState, origin: readonly number[], frozen: readonly boolean[], o: GreedyOptions, spreadCap: number, partner: Map<number, number>): boolean {
  const p = state.problem
  const H = p.hosts.length
  const V = p.vms.length
  const w = p.cpuWeight + p.memWeight
  if (!(w > 0) || H < 2 || o.maxMigrations <= 0) return false
  const wc = p.cpuWeight / w
  const wm = p.memWeight / w
  const B = PEAK_BETA
  const cpu = state.cpuLoad
  const mem = state.memLoad
  const active = state.active
  const host = state.vmHost
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
  const { vmCpu, vmMem, invCores, invMem } = state
  const dC = (v: number, h: number) => vmCpu[v]! * invCores[h]!
  const dM = (v: number, h: number) => vmMem[v]! * invMem[h]!
  const charge = o.minGain / 60
  let used = 0
  for (let v = 0; v < V; v++) if (host[v] !== origin[v]) used++
  /** Migrations a VM's move to `to` adds to the plan: 1 from home, 0 re-targeted, -1 back home. */
  const extra = (v: number, to: number) => (host[v] === origin[v] ? 1 : to === origin[v] ? -1 : 0)

  const ec = new Float64Array(H)
  const em = new Float64Array(H)
  const hot = new Uint8Array(H)
  // Up to four hosts change in one step: their new loads.
  const hs = new Int32Array(4)
  const nc = new Float64Array(4)
  const nm = new Float64Array(4)
  let nh = 0
  const touch = (h: number, c: number, m: number) => {
    for (let k = 0; k < nh; k++) if (hs[k] === h) { nc[k]! += c; nm[k]! += m; return }
    hs[nh] = h; nc[nh] = cpu[h]! + c; nm[nh] = mem[h]! + m; nh++
  }
  const shift = (v: number, from: number, to: number) => {
    touch(from, -dC(v, from), -dM(v, from))
    touch(to, dC(v, to), dM(v, to))
  }
  const K = 8
  const cKind = new Int8Array(K)
  const cX = new Int32Array(K)
  const cY = new Int32Array(K)
  const cB = new Int32Array(K)
  const cScore = new Float64Array(K)
  let nCand = 0
  const offer = (kind: number, x: number, y: number, b: number, score: number) => {
    if (nCand === K && score <= cScore[K - 1]!) return
    let k = nCand < K ? nCand++ : K - 1
    while (k > 0 && cScore[k - 1]! < score) {
      cKind[k] = cKind[k - 1]!; cX[k] = cX[k - 1]!; cY[k] = cY[k - 1]!; cB[k] = cB[k - 1]!; cScore[k] = cScore[k - 1]!
      k--
    }
    cKind[k] = kind; cX[k] = x; cY[k] = y; cB[k] = b; cScore[k] = score
  }

  const onHost: number[][] = Array.from({ length: H }, () => [])
  const pairs: { a: number; b: number; bound: number }[] = []
  const W = 6
  const wX = new Int32Array(W)
  const wB = new Int32Array(W)
  const wG = new Float64Array(W)
  let nWant = 0
  const offerWant = (x: number, b: number, g: number) => {
    if (nWant === W && g <= wG[W - 1]!) return
    let k = nWant < W ? nWant++ : W - 1
    while (k > 0 && wG[k - 1]! < g) { wX[k] = wX[k - 1]!; wB[k] = wB[k - 1]!; wG[k] = wG[k - 1]!; k-- }
    wX[k] = x; wB[k] = b; wG[k] = g
  }
  let changed = false
  // Bounded: re-targets are free, so the step count is not bounded by the budget alone.
  for (let step = 0; step < 2 * o.maxMigrations + 20; step++) {
    let Mc = -Infinity
    let Mm = -Infinity
    for (let h = 0; h < H; h++) if (active[h]) { if (cpu[h]! > Mc) Mc = cpu[h]!; if (mem[h]! > Mm) Mm = mem[h]! }
    if (Mc === -Infinity) break
    let Sc = 0
    let Sm = 0
    for (let h = 0; h < H; h++) {
      ec[h] = active[h] ? Math.exp(B * (cpu[h]! - Mc)) : 0
      em[h] = active[h] ? Math.exp(B * (mem[h]! - Mm)) : 0
      Sc += ec[h]!
      Sm += em[h]!
    }
    for (let h = 0; h < H; h++) hot[h] = active[h] && (ec[h]! > HOT_SHARE * Sc || em[h]! > HOT_SHARE * Sm) ? 1 : 0
    const F = wc * (Mc + Math.log(Sc) / B) + wm * (Mm + Math.log(Sm) / B)
    const peak = wc * Mc + wm * Mm
    const left = o.maxMigrations - used

    /** Drop in the smooth peak once the touched hosts take their new loads; -1 when the hard peak rises. */
    const gainOf = (): number => {
      let mc = state.maxOutside(cpu, state.topCpu, hs, nh)
      let mm = state.maxOutside(mem, state.topMem, hs, nh)
      for (let k = 0; k < nh; k++) {
        if (!active[hs[k]!]) continue
        if (nc[k]! > mc) mc = nc[k]!
        if (nm[k]! > mm) mm = nm[k]!
      }
      if (wc * mc + wm * mm > peak + 1e-12) return -1
      let sc = Sc
      let sm = Sm
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
      return F - (wc * (Mc + Math.log(sc) / B) + wm * (Mm + Math.log(sm) / B))
    }
    const consider = (kind: number, x: number, y: number, b: number, added: number, seconds: number) => {
      if (added > left) return
      const g = gainOf()
      if (!(g > REFINE_EPS)) return
      if (added > 0 && (g < o.minGain * added || g - charge * seconds <= 0)) return
      offer(kind, x, y, b, added > 0 ? g - charge * seconds : g)
    }

    /** Largest drop in the smooth peak any exchange of load between a and b could give. */
    const pairBound = (a: number, b: number): number => {
      const part = (ca: number, cb: number, ia: number, ib: number, M: number, S: number, ea: number, eb: number) => {
        // The two hosts' terms are smallest where their slopes match.
        const t = (B * (ca - cb) + Math.log(ia / ib)) / (B * (ia + ib))
        const e1 = Math.exp(B * (ca - t * ia - M))
        return M + Math.log(Math.max(0, S - ea - eb) + e1 * (1 + ia / ib)) / B
      }
      const fc = part(cpu[a]!, cpu[b]!, invCores[a]!, invCores[b]!, Mc, Sc, ec[a]!, ec[b]!)
      const fm = part(mem[a]!, mem[b]!, invMem[a]!, invMem[b]!, Mm, Sm, em[a]!, em[b]!)
      return F - (wc * fc + wm * fm) + 1e-9
    }
    const bar = () => (nCand === K ? Math.max(REFINE_EPS, cScore[K - 1]!) : REFINE_EPS)

    nCand = 0
    nWant = 0
    for (let h = 0; h < H; h++) onHost[h]!.length = 0
    for (let v = 0; v < V; v++) if (ok[v] && active[host[v]!]) onHost[host[v]!]!.push(v)
    pairs.length = 0
    for (let a = 0; a < H; a++) {
      if (!hot[a] || onHost[a]!.length === 0) continue
      for (let b = 0; b < H; b++) {
        if (b === a || !active[b] || (hot[b] && b < a)) continue
        const bound = pairBound(a, b)
        if (bound > REFINE_EPS) pairs.push({ a, b, bound })
      }
    }
    pairs.sort((p1, p2) => p2.bound - p1.bound)
    for (const { a, b, bound } of pairs) {
      if (bound <= bar()) break
      const cHot = ec[a]! > HOT_SHARE * Sc
      const mHot = em[a]! > HOT_SHARE * Sm
      // Moves both ways between the pair (b -> a only when b is hot too: else it cannot help).
      for (const [from, to] of hot[b] ? [[a, b], [b, a]] : [[a, b]]) {
        for (const x of onHost[from!]!) {
          nh = 0
          shift(x, from!, to!)
          const added = extra(x, to!)
          if (added <= left) consider(OP_MOVE, x, -1, to!, added, added > 0 ? cost[x]! : 0)
          else if (added === 1 && used > 0) {
            // Over budget: remembered in case undoing one of phase 2's moves pays for it.
            const g = gainOf()
            if (g > REFINE_EPS) offerWant(x, to!, g)
          }
        }
      }
      const bHotC = hot[b] && ec[b]! > HOT_SHARE * Sc
      const bHotM = hot[b] && em[b]! > HOT_SHARE * Sm
      for (const x of onHost[a]!) {
        const xca = dC(x, a), xma = dM(x, a), xcb = dC(x, b), xmb = dM(x, b)
        for (const y of onHost[b]!) {
          // Only an exchange that takes load off a hot host can lower the peak.
          const ax = extra(x, b)
          const ay = extra(y, a)
          if (ax + ay > left) continue
          if (!((cHot && dC(y, a) < xca) || (mHot && dM(y, a) < xma) || (bHotC && xcb < dC(y, b)) || (bHotM && xmb < dM(y, b)))) continue
          nh = 0
          shift(x, a, b)
          shift(y, b, a)
          consider(OP_SWAP, x, y, b, ax + ay, (ax > 0 ? cost[x]! : 0) + (ay > 0 ? cost[y]! : 0))
        }
      }
    }
    // Budget spent: give back one of phase 2's migrations to pay for one of the wanted moves.
    if (left < 1) {
      for (let y = 0; y < V; y++) {
        if (!ok[y] || host[y] === origin[y] || !active[origin[y]!]) continue
        for (let k = 0; k < nWant; k++) {
          const x = wX[k]!
          if (x === y) continue
          nh = 0
          shift(y, host[y]!, origin[y]!)
          shift(x, host[x]!, wB[k]!)
          consider(OP_UNDO, x, y, wB[k]!, 0, cost[x]!)
        }
      }
    }

    let applied = false
    for (let k = 0; k < nCand && !applied; k++) applied = applyStep(cKind[k]!, cX[k]!, cY[k]!, cB[k]!)
    if (!applied) break
    changed = true
  }
  return changed

  /** Rules, room and the spread cap for the chosen step; applies it when they hold. */
  function applyStep(kind: number, x: number, y: number, b: number): boolean {
    const ux = unitOf[x]!
    const a = host[x]!
    const counted = (v: number) => (host[v] !== origin[v] ? 1 : 0)
    const before = counted(x) + (y >= 0 ? counted(y) : 0)
    let undo: () => void
    if (kind === OP_MOVE) {
      if (!state.canHost(ux, b)) return false
      state.move(ux, b)
      undo = () => state.move(ux, a)
    } else if (kind === OP_SWAP) {
      const uy = unitOf[y]!
      if (state.swapOrder(ux, uy) === null) return false
      state.move(ux, b)
      state.move(uy, a)
      undo = () => { state.move(uy, b); state.move(ux, a) }
    } else {
      const uy = unitOf[y]!
      const c = host[y]!
      if (!state.canHost(uy, origin[y]!)) return false
      state.move(uy, origin[y]!)
      if (!state.canHost(ux, b)) { state.move(uy, c); return false }
      state.move(ux, b)
      undo = () => { state.move(ux, a); state.move(uy, c) }
    }
    if (state.imbalance() > spreadCap + 1e-12) {
      undo()
      return false
    }
    used += counted(x) + (y >= 0 ? counted(y) : 0) - before
    if (kind === OP_SWAP) {
      partner.set(x, y)
      partner.set(y, x)
    } else {
      partner.delete(x)
      if (y >= 0) partner.delete(y)
    }
    return true
  }
}

/**
 * The refined plan as moves from where phase 2 started: at each step the unit move or swap that
 * lowers the spread most among those whose target has room right then (as DRS orders them).
 * Gains and priorities are those of that order. Null when no order fits.
 */
function scheduleMoves(p: PlacementProblem, origin: readonly number[], final: readonly number[], recorded: readonly Move[], partner: Map<number, number>, o: GreedyOptions): Move[] | null {
  const sim = new ClusterState({ ...p, vms: p.vms.map((vm, i) => (p.hosts[origin[i]!]!.id === vm.hostId ? vm : { ...vm, hostId: p.hosts[origin[i]!]!.id })) })
  const recordedAs = new Map(recorded.map((m) => [`${m.vmId} ${m.from} ${m.to}`, m]))
  interface Job { u: number; to: number; other: number }
  const jobs: Job[] = []
  const jobOfVm = new Map<number, Job>()
  sim.units.forEach((members, u) => {
    const v = members.find((x) => final[x] !== origin[x])
    if (v === undefined) return
    const job = { u, to: final[v]!, other: -1 }
    jobs.push(job)
    if (members.length === 1) jobOfVm.set(v, job)
  })
  // Exact exchanges recorded as swaps run as one step.
  for (const [x, y] of partner) {
    const jx = jobOfVm.get(x)
    const jy = jobOfVm.get(y)
    if (!jx || !jy || x > y || jx.other >= 0 || jy.other >= 0) continue
    if (jx.to !== origin[y] || jy.to !== origin[x]) continue
    jx.other = jy.u
    jobs.splice(jobs.indexOf(jy), 1)
  }
  const out: Move[] = []
  const id = (v: number) => p.vms[v]!.id
  const hostId = (h: number) => p.hosts[h]!.id
  /** Phase 2's reason when phase 3 left the move (and its swap partner) as it was. */
  const reason = (v: number, to: number, swapWith?: number) => {
    const was = recordedAs.get(`${id(v)} ${hostId(sim.vmHost[v]!)} ${hostId(to)}`)
    if (was && was.swapWith === (swapWith === undefined ? undefined : id(swapWith))) return was.reason
    return swapWith === undefined ? PEAK_REASON : `${PEAK_REASON} (swaps places with ${id(swapWith)})`
  }
  while (jobs.length > 0) {
    let best = -1
    let bestGain = -Infinity
    let bestFirst = true
    for (let j = 0; j < jobs.length; j++) {
      const job = jobs[j]!
      let gain: number
      let first = true
      if (job.other >= 0) {
        const order = sim.swapOrder(job.u, job.other)
        if (order === null) continue
        first = order
        gain = sim.imbalance() - sim.imbalanceAfterSwap(sim.units[job.u]![0]!, sim.units[job.other]![0]!)
      } else {
        if (!sim.canHost(job.u, job.to)) continue
        gain = sim.imbalance() - sim.imbalanceAfter(job.u, job.to)
      }
      if (gain > bestGain) { best = j; bestGain = gain; bestFirst = first }
    }
    if (best < 0) return null
    const job = jobs.splice(best, 1)[0]!
    const priority = priorityForGain(bestGain)
    if (job.other >= 0) {
      const x = sim.units[job.u]![0]!
      const y = sim.units[job.other]![0]!
      const hx = sim.vmHost[x]!
      const hy = sim.vmHost[y]!
      const halves = [[x, job.u, hy, y], [y, job.other, hx, x]] as const
      for (const [v, u, to, other] of bestFirst ? halves : [halves[1], halves[0]]) {
        out.push({ vmId: id(v), from: hostId(sim.vmHost[v]!), to: hostId(to), mandatory: false, reason: reason(v, to, other), gain: bestGain / 2, costSeconds: sim.costSeconds(u, o.migrationBandwidthMiBps), priority, swapWith: id(other) })
      }
      sim.move(job.u, hy)
      sim.move(job.other, hx)
    } else {
      const costSeconds = sim.costSeconds(job.u, o.migrationBandwidthMiBps)
      for (const v of sim.units[job.u]!) {
        if (sim.vmHost[v] === job.to) continue
        out.push({ vmId: id(v), from: hostId(sim.vmHost[v]!), to: hostId(job.to), mandatory: false, reason: reason(v, job.to), gain: bestGain, costSeconds, priority })
      }
      sim.move(job.u, job.to)
    }
  }
  return out
}

/** Mutable assignment with running sums so each candidate move is scored in O(hosts touched). */
class ClusterState {
  readonly units: number[][]
  readonly vmHost: number[]
  readonly cpuLoad: Float64Array
  readonly memLoad: Float64Array
  /** Per VM: CPU (cores) and memory (MiB) claims; per host: 1 / capacity. Typed for the inner loops. */
  readonly vmCpu: Float64Array
  readonly vmMem: Float64Array
  readonly invCores: Float64Array
  readonly invMem: Float64Array
  private readonly vcpus: number[]
  private readonly memAlloc: number[]
  private readonly antiGroupsOf: number[][]
  private readonly antiCount: number[][]
  readonly active: boolean[]
  private readonly nActive: number
  private readonly vmIndex: Map<string, number>
  /** Affinity unit of each VM. */
  private readonly unitOf: Int32Array
  private readonly w: number

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

  /**
   * Whether single-VM units x (on a) and y (on b) may exchange hosts: rules for each at its new
   * host with the other gone, limits at the end, and room for one of them to go first.
   * Returns true when x goes first, false when y does, null when the swap is not allowed.
   */
  swapOrder(x: number, y: number): boolean | null {
    const vx = this.units[x]![0]!, vy = this.units[y]![0]!
    const a = this.vmHost[vx]!, b = this.vmHost[vy]!
    const ha = this.problem.hosts[a]!, hb = this.problem.hosts[b]!
    if (a === b || ha.maintenance || hb.maintenance) return null
    const X = this.problem.vms[vx]!, Y = this.problem.vms[vy]!
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
    return this.units[u]!.every((v) => this.problem.vms[v]!.movable)
  }

  /** Rules and limits for putting the whole unit on host h. */
  canHost(u: number, h: number): boolean {
    const host = this.problem.hosts[h]!
    if (host.maintenance || !this.movable(u)) return false
    let addVcpus = 0
    let addMem = 0
    for (const v of this.units[u]!) {
      const vm = this.problem.vms[v]!
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
    for (let h = 0; h < this.problem.hosts.length; h++) {
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
      const vm = this.problem.vms[v]!
      const net = bandwidthMiBps - vm.memDirtyMiBps
      // Pre-copy never converges when the guest dirties memory faster than the link copies it.
      if (net <= 0) return Infinity
      total += vm.memUsedMiB / net
    }
    return total
  }

  unitNames(u: number): string {
    return this.units[u]!.map((v) => this.problem.vms[v]!.id).join('+')
  }

  /** The next unit that breaks a rule or limit, with the reason; null when none do. */
  nextViolation(skip: Set<number>): { unit: number; reason: string } | null {
    for (let u = 0; u < this.units.length; u++) {
      if (skip.has(u) || !this.movable(u)) continue
      for (const v of this.units[u]!) {
        const vm = this.problem.vms[v]!
        const host = this.problem.hosts[this.vmHost[v]!]!
        if (host.maintenance) return { unit: u, reason: `host ${host.id} is in maintenance` }
        if (vm.allowedHosts && !vm.allowedHosts.includes(host.id))
          return { unit: u, reason: `${vm.id} is pinned to ${vm.allowedHosts.join(', ')}` }
        for (const g of this.antiGroupsOf[v]!)
          if (this.antiCount[g]![this.vmHost[v]!]! > 1 && this.firstOfGroupHere(g, this.vmHost[v]!) !== v && this.clashes(g, v))
            return { unit: u, reason: `${vm.id} shares host ${host.id} with an anti-affine VM` }
      }
      if (this.unitSplit(u)) return { unit: u, reason: `${this.unitNames(u)} must run together (affinity)` }
    }
    for (let h = 0; h < this.problem.hosts.length; h++) {
      const host = this.problem.hosts[h]!
      const overV = this.vcpus[h]! - host.vcpuLimit
      const overM = this.memAlloc[h]! - host.memAllocLimitMiB
      if (overV <= 1e-9 && overM <= 1e-9) continue
      // Fewest moves: a unit that removes most of the excess (up to all of it); among those, the
      // one whose move leaves the cluster most even, then the cheapest to move.
      const candidates = this.units.flatMap((members, u) => {
        if (skip.has(u) || !this.movable(u)) return []
        let vcpus = 0, alloc = 0, used = 0, here = false
        for (const v of members) {
          if (this.vmHost[v] !== h) continue
          here = true
          const vm = this.problem.vms[v]!
          vcpus += vm.vcpus
          alloc += vm.memoryMiB
          used += vm.memUsedMiB
        }
        if (!here) return []
        const cover = (overV > 1e-9 ? Math.min(vcpus, overV) / overV : 0) + (overM > 1e-9 ? Math.min(alloc, overM) / overM : 0)
        return [{ u, cover, used }]
      })
      candidates.sort((x, y) => y.cover - x.cover)
      let pick: { u: number; cover: number; used: number } | undefined
      let pickObjective = Infinity
      for (const c of candidates) {
        if (pick && c.cover < pick.cover - 1e-9) continue
        const to = this.bestDestination(c.u, false)
        if (to === null) continue
        const objective = this.objectiveAfter(c.u, to)
        const better = !pick || c.cover > pick.cover + 1e-9 || objective < pickObjective - 1e-12 || (objective <= pickObjective + 1e-12 && c.used < pick.used)
        if (better) { pick = c; pickObjective = objective }
      }
      pick ??= candidates[0]
      if (pick) return { unit: pick.u, reason: `host ${host.id} is over its overcommit limit` }
    }
    return null
  }

  /** The group member that stays on h: one another balancer manages if there is one (it cannot move), else the first. */
  private firstOfGroupHere(g: number, h: number): number {
    let first = -1
    for (const id of this.problem.antiAffinity[g]!) {
      const v = this.vmIndex.get(id) ?? -1
      if (v < 0 || this.vmHost[v] !== h) continue
      if (!this.problem.vms[v]!.movable) return v
      if (first < 0) first = v
    }
    return first
  }

  /** Whether another member of anti-affinity group g shares v's host outside v's affinity unit (inside it, moving cannot help). */
  private clashes(g: number, v: number): boolean {
    const h = this.vmHost[v]!
    for (const id of this.problem.antiAffinity[g]!) {
      const w = this.vmIndex.get(id)
      if (w !== undefined && w !== v && this.vmHost[w] === h && this.unitOf[w] !== this.unitOf[v]) return true
    }
    return false
  }

  /**
   * Rules no move here can fix, reported rather than chased: VMs another balancer manages, and
   * VMs that are both affine and anti-affine.
   */
  unfixableViolations(): string[] {
    const out: string[] = []
    this.problem.antiAffinity.forEach((group) => {
      const ids = [...new Set(group)].filter((id) => this.vmIndex.has(id))
      for (let i = 0; i < ids.length; i++)
        for (let j = i + 1; j < ids.length; j++)
          if (this.unitOf[this.vmIndex.get(ids[i]!)!] === this.unitOf[this.vmIndex.get(ids[j]!)!]) out.push(`${ids[i]} and ${ids[j]} must run together (affinity) and apart (anti-affinity)`)
    })
    this.problem.vms.forEach((vm, v) => {
      if (vm.movable) return
      const h = this.vmHost[v]!
      const host = this.problem.hosts[h]!
      if (host.maintenance) out.push(`host ${host.id} is in maintenance: ${vm.id} is managed by another balancer`)
      else if (vm.allowedHosts && !vm.allowedHosts.includes(host.id)) out.push(`${vm.id} is pinned to ${vm.allowedHosts.join(', ')}: it is managed by another balancer`)
      else if (this.antiGroupsOf[v]!.some((g) => this.antiCount[g]![h]! > 1 && this.firstOfGroupHere(g, h) !== v && this.clashes(g, v)))
        out.push(`${vm.id} shares host ${host.id} with an anti-affine VM another balancer also manages`)
    })
    this.units.forEach((members, u) => {
      if (!this.movable(u) && this.unitSplit(u)) out.push(`${this.unitNames(u)} must run together (affinity): another balancer manages some of them`)
    })
    return out
  }
}
