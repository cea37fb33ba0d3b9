import { replay } from '../../../shared/engine/whatif'
import { PolicySetSchema, SCENARIO_VERSION, type Scenario } from '../../../shared/model/scenario'
import type { TraceCluster } from '../../unit/engine/support/trace-cluster'

/** Where each VM runs (snapshot order), as host indexes. */
export type Placement = Int32Array

export interface NextDay {
  migrations: number
  /** Mean over hosts in use of their CPU load over the 24 h (0-1). */
  meanLoad: number
  /** The busiest host's CPU load over the 24 h (0-1): what balancing lowers. */
  peakLoad: number
  /** Highest CPU load of any host in any hour (0-1). */
  busiestHour: number
  /** Hosts whose CPU demand is above their capacity in some hour. */
  hostsOver100: number
  /** Hosts that end above their vCPU or memory allocation ratio. */
  violations: number
  /** Hosts that carry VMs. */
  hostsInUse: number
  /** CPU the VMs demanded and did not get, in core-hours, from the what-if replay of the day. */
  unmetCoreHours: number
}

export function currentPlacement(c: TraceCluster): Placement {
  const index = new Map(c.snapshot.hosts.map((h, i) => [h.id, i]))
  return Int32Array.from(c.snapshot.vms, (v) => index.get(v.hostId)!)
}

/** A placement after moves (vmId -> host id), applied in order. */
export function placementAfter(c: TraceCluster, moves: readonly { vmId: string; to: string }[]): Placement {
  const p = currentPlacement(c)
  const vmIndex = new Map(c.snapshot.vms.map((v, i) => [v.id, i]))
  const hostIndex = new Map(c.snapshot.hosts.map((h, i) => [h.id, i]))
  for (const m of moves) p[vmIndex.get(m.vmId)!] = hostIndex.get(m.to)!
  return p
}

/** Per host and hour: CPU demand / threads, host-major (h * 24 + k). */
export function hourlyLoads(c: TraceCluster, p: Placement): Float64Array {
  const H = c.snapshot.hosts.length
  const load = new Float64Array(H * 24)
  c.nextDay.forEach((d, v) => {
    const h = p[v]!
    const inv = 1 / c.snapshot.hosts[h]!.cpu.threads
    for (let k = 0; k < 24; k++) load[h * 24 + k]! += d.cpu[k]! * inv
  })
  return load
}

/** Hosts above their vCPU or memory allocation ratio with the VMs where `p` puts them. */
export function ratioViolations(c: TraceCluster, p: Placement): number {
  const { hosts, vms } = c.snapshot
  const vcpus = new Float64Array(hosts.length)
  const mem = new Float64Array(hosts.length)
  vms.forEach((vm, v) => {
    vcpus[p[v]!]! += vm.allocation.vcpus
    mem[p[v]!]! += vm.allocation.memoryMiB
  })
  return hosts.filter((h, i) => vcpus[i]! > h.cpu.threads * h.allocationRatio!.cpu + 1e-9 || mem[i]! > h.memoryMiB * h.allocationRatio!.memory + 1e-6).length
}

/** The day after the decision with the VMs where `p` puts them. */
export function judge(c: TraceCluster, p: Placement): NextDay {
  const H = c.snapshot.hosts.length
  const load = hourlyLoads(c, p)
  const used = new Uint8Array(H)
  for (const h of p) used[h] = 1
  let meanSum = 0
  let peakLoad = 0
  let busiestHour = 0
  let hostsOver100 = 0
  for (let h = 0; h < H; h++) {
    let sum = 0
    let max = 0
    for (let k = 0; k < 24; k++) {
      sum += load[h * 24 + k]!
      max = Math.max(max, load[h * 24 + k]!)
    }
    if (used[h]) meanSum += sum / 24
    peakLoad = Math.max(peakLoad, sum / 24)
    busiestHour = Math.max(busiestHour, max)
    if (max > 1 + 1e-9) hostsOver100++
  }
  const start = currentPlacement(c)
  let migrations = 0
  for (let v = 0; v < p.length; v++) if (p[v] !== start[v]) migrations++
  return { migrations, meanLoad: meanSum / Math.max(1, used.reduce((a, b) => a + b, 0)), peakLoad, busiestHour, hostsOver100, violations: ratioViolations(c, p), hostsInUse: used.reduce((a, b) => a + b, 0), unmetCoreHours: whatifUnmet(c, p) }
}

/** The what-if engine replays the day hour by hour with the VMs placed (no balancing): CPU demand it could not grant. */
function whatifUnmet(c: TraceCluster, p: Placement): number {
  const hosts = c.snapshot.hosts.map((h) => ({ id: h.id, cpuCores: h.cpu.threads, memoryMiB: h.memoryMiB }))
  const scenario: Scenario = {
    version: SCENARIO_VERSION,
    name: `${c.name} next day`,
    start: c.now,
    stepSeconds: 3600,
    steps: 24,
    hosts,
    vms: c.snapshot.vms.map((vm, v) => ({ id: vm.id, hostId: hosts[p[v]!]!.id, vcpus: vm.allocation.vcpus, memoryMiB: vm.allocation.memoryMiB })),
    workload: c.snapshot.vms.map((vm, v) => ({ vm: vm.id, cpuCores: Array.from(c.nextDay[v]!.cpu), memMiB: Array.from(c.nextDay[v]!.mem, (m) => Math.min(m, vm.allocation.memoryMiB)) })),
    arrivals: [],
    arrivalStreams: [],
    rules: { affinity: [], antiAffinity: [] },
    edits: [],
  }
  const policy = PolicySetSchema.parse({ allocation: 'dynamic', cpuOvercommit: 64, memOvercommit: 4 })
  return replay(scenario, policy, { seed: 1 }).metrics.unmetCpuCoreHours
}

interface Limits {
  vcpus: Float64Array
  mem: Float64Array
  vcpuLimit: Float64Array
  memLimit: Float64Array
}

function limits(c: TraceCluster, p: Placement): Limits {
  const { hosts, vms } = c.snapshot
  const vcpus = new Float64Array(hosts.length)
  const mem = new Float64Array(hosts.length)
  vms.forEach((vm, v) => {
    vcpus[p[v]!]! += vm.allocation.vcpus
    mem[p[v]!]! += vm.allocation.memoryMiB
  })
  return {
    vcpus,
    mem,
    vcpuLimit: Float64Array.from(hosts, (h) => h.cpu.threads * h.allocationRatio!.cpu),
    memLimit: Float64Array.from(hosts, (h) => h.memoryMiB * h.allocationRatio!.memory),
  }
}

const fitsOn = (c: TraceCluster, l: Limits, v: number, h: number) =>
  l.vcpus[h]! + c.snapshot.vms[v]!.allocation.vcpus <= l.vcpuLimit[h]! + 1e-9 && l.mem[h]! + c.snapshot.vms[v]!.allocation.memoryMiB <= l.memLimit[h]! + 1e-6

function shift(c: TraceCluster, l: Limits, p: Placement, v: number, to: number): void {
  const vm = c.snapshot.vms[v]!
  l.vcpus[p[v]!]! -= vm.allocation.vcpus
  l.mem[p[v]!]! -= vm.allocation.memoryMiB
  l.vcpus[to]! += vm.allocation.vcpus
  l.mem[to]! += vm.allocation.memoryMiB
  p[v] = to
}

/**
 * Reference, not a product feature: a greedy that knows the next day's hourly CPU demand. Each
 * step makes the one move (within the allocation ratios, and taking no host above 100 % in any
 * hour) that lowers the busiest host's mean load over the day most, ties broken by the sum of
 * squares of the hosts' mean loads (so every host tied at the peak comes down); it stops after
 * `moves` moves or when no move helps. A VM moves once.
 */
export function foresightGreedy(c: TraceCluster, moves: number): Placement {
  const p = currentPlacement(c)
  const H = c.snapshot.hosts.length
  const V = p.length
  const l = limits(c, p)
  const load = hourlyLoads(c, p)
  const inv = Float64Array.from(c.snapshot.hosts, (h) => 1 / h.cpu.threads)
  const vmMean = Float64Array.from(c.nextDay, (d) => d.cpu.reduce((a, x) => a + x, 0) / 24)
  const mean = new Float64Array(H)
  p.forEach((h, v) => (mean[h]! += vmMean[v]! * inv[h]!))
  const moved = new Uint8Array(V)
  const staysUnder = (v: number, b: number) => {
    const cpu = c.nextDay[v]!.cpu
    for (let k = 0; k < 24; k++) if (load[b * 24 + k]! + cpu[k]! * inv[b]! > 1 + 1e-9) return false
    return true
  }
  for (let step = 0; step < moves; step++) {
    let top = 0
    let sq = 0
    for (let h = 0; h < H; h++) { top = Math.max(top, mean[h]!); sq += mean[h]! ** 2 }
    let best: { v: number; to: number; top: number; sq: number } | null = null
    for (let v = 0; v < V; v++) {
      if (moved[v]) continue
      const a = p[v]!
      const ma = mean[a]! - vmMean[v]! * inv[a]!
      for (let b = 0; b < H; b++) {
        if (b === a || !fitsOn(c, l, v, b)) continue
        const mb = mean[b]! + vmMean[v]! * inv[b]!
        let newTop = Math.max(ma, mb)
        for (let h = 0; h < H; h++) if (h !== a && h !== b) newTop = Math.max(newTop, mean[h]!)
        const newSq = sq - mean[a]! ** 2 - mean[b]! ** 2 + ma * ma + mb * mb
        const better = newTop < top - 1e-12 || (newTop <= top + 1e-12 && newSq < sq - 1e-12)
        if (!better) continue
        if (best && !(newTop < best.top - 1e-12 || (newTop <= best.top + 1e-12 && newSq < best.sq))) continue
        if (staysUnder(v, b)) best = { v, to: b, top: newTop, sq: newSq }
      }
    }
    if (!best) break
    const a = p[best.v]!
    const cpu = c.nextDay[best.v]!.cpu
    for (let k = 0; k < 24; k++) {
      load[a * 24 + k]! -= cpu[k]! * inv[a]!
      load[best.to * 24 + k]! += cpu[k]! * inv[best.to]!
    }
    mean[a]! -= vmMean[best.v]! * inv[a]!
    mean[best.to]! += vmMean[best.v]! * inv[best.to]!
    shift(c, l, p, best.v, best.to)
    moved[best.v] = 1
  }
  return p
}

/**
 * Reference: fewest hosts a packing that knows the next day reaches. Keeps the hosts with the most
 * vCPUs allocated, moves the others' VMs (largest next-day peak first) to the first kept host whose
 * hourly CPU stays within capacity all day and whose ratios hold; one host fewer until that fails.
 * A kept host above 100 % in some hour then gives VMs to kept hosts with room, where it can.
 */
export function foresightConsolidation(c: TraceCluster): Placement {
  const H = c.snapshot.hosts.length
  const start = currentPlacement(c)
  const l0 = limits(c, start)
  const order = Array.from({ length: H }, (_, h) => h).sort((a, b) => l0.vcpus[b]! - l0.vcpus[a]! || a - b)
  let best = start
  const inv = Float64Array.from(c.snapshot.hosts, (h) => 1 / h.cpu.threads)
  const peakOf = (v: number) => Math.max(...c.nextDay[v]!.cpu)
  for (let k = H; k >= 1; k--) {
    const keptHosts = order.slice(0, k)
    const kept = new Set(keptHosts)
    const p = Int32Array.from(start)
    const l = limits(c, p)
    const load = hourlyLoads(c, p)
    const fitsAllDay = (v: number, h: number) => fitsOn(c, l, v, h) && c.nextDay[v]!.cpu.every((x, t) => load[h * 24 + t]! + x * inv[h]! <= 1 + 1e-9)
    const place = (v: number, to: number) => {
      const cpu = c.nextDay[v]!.cpu
      for (let t = 0; t < 24; t++) { load[p[v]! * 24 + t]! -= cpu[t]! * inv[p[v]!]!; load[to * 24 + t]! += cpu[t]! * inv[to]! }
      shift(c, l, p, v, to)
    }
    const leaving = Array.from({ length: p.length }, (_, v) => v).filter((v) => !kept.has(p[v]!)).sort((x, y) => peakOf(y) - peakOf(x))
    let ok = true
    for (const v of leaving) {
      const to = keptHosts.find((h) => fitsAllDay(v, h))
      if (to === undefined) { ok = false; break }
      place(v, to)
    }
    if (!ok) break
    for (const h of keptHosts) {
      const over = () => { for (let t = 0; t < 24; t++) if (load[h * 24 + t]! > 1 + 1e-9) return true; return false }
      const here = Array.from({ length: p.length }, (_, v) => v).filter((v) => p[v] === h).sort((x, y) => peakOf(y) - peakOf(x))
      for (const v of here) {
        if (!over()) break
        const to = keptHosts.find((b) => b !== h && fitsAllDay(v, b))
        if (to !== undefined) place(v, to)
      }
    }
    best = p
  }
  return best
}

/** The VMs' demand in the hour before the decision: what a balancer reading current use sees. */
export function lastHour(c: TraceCluster): { cpu: number[]; mem: number[] } {
  const byId = new Map(c.snapshot.vmSamples.map((s) => [s.vmId, s]))
  return { cpu: c.snapshot.vms.map((v) => byId.get(v.id)!.cpuUsedCores), mem: c.snapshot.vms.map((v) => byId.get(v.id)!.memUsedMiB) }
}

/**
 * ProxLB-style (method cpu, mode used, balanciness 10): while the most and least CPU-used hosts
 * differ by more than 10 points of load, move the guest using the most CPU from the busiest host
 * to the least busy one, if its allocation fits there; stop when a move would not narrow the gap.
 */
export function proxlbStyle(c: TraceCluster, balanciness = 0.1): Placement {
  const p = currentPlacement(c)
  const l = limits(c, p)
  const { cpu } = lastHour(c)
  const H = c.snapshot.hosts.length
  const used = new Float64Array(H)
  p.forEach((h, v) => (used[h]! += cpu[v]! / c.snapshot.hosts[h]!.cpu.threads))
  const moved = new Uint8Array(p.length)
  for (let i = 0; i < 200; i++) {
    let hi = 0
    let lo = 0
    for (let h = 0; h < H; h++) {
      if (used[h]! > used[hi]!) hi = h
      if (used[h]! < used[lo]!) lo = h
    }
    if (used[hi]! - used[lo]! <= balanciness) break
    let pick = -1
    for (let v = 0; v < p.length; v++) if (p[v] === hi && !moved[v] && fitsOn(c, l, v, lo) && (pick < 0 || cpu[v]! > cpu[pick]!)) pick = v
    if (pick < 0) break
    const a = used[hi]! - cpu[pick]! / c.snapshot.hosts[hi]!.cpu.threads
    const b = used[lo]! + cpu[pick]! / c.snapshot.hosts[lo]!.cpu.threads
    if (Math.abs(a - b) >= used[hi]! - used[lo]!) break
    used[hi] = a
    used[lo] = b
    shift(c, l, p, pick, lo)
    moved[pick] = 1
  }
  return p
}

/**
 * First-fit-decreasing re-pack from scratch by a sustained demand (cores per VM): largest first,
 * each onto the least CPU-loaded host whose ratios hold. With `hostsToUse`, only that many hosts
 * (the consolidation baseline), each kept below 1 - headroom of CPU; null when it does not fit.
 */
export function ffd(c: TraceCluster, demand: readonly number[], hostsToUse?: number, headroom = 0.2): Placement | null {
  const H = hostsToUse ?? c.snapshot.hosts.length
  const p = currentPlacement(c)
  const start = Int32Array.from(p)
  const l: Limits = { ...limits(c, p), vcpus: new Float64Array(c.snapshot.hosts.length), mem: new Float64Array(c.snapshot.hosts.length) }
  const load = new Float64Array(c.snapshot.hosts.length)
  const order = Array.from({ length: p.length }, (_, v) => v).sort((x, y) => demand[y]! - demand[x]! || x - y)
  for (const v of order) {
    let best = -1
    for (let h = 0; h < H; h++) {
      if (!fitsOn(c, l, v, h)) continue
      const after = load[h]! + demand[v]! / c.snapshot.hosts[h]!.cpu.threads
      if (hostsToUse !== undefined && after > 1 - headroom + 1e-9) continue
      // Ties (equal load): the VM's own host, so a re-pack moves no more than it must.
      if (best < 0 || load[h]! < load[best]! - 1e-12 || (load[h]! <= load[best]! + 1e-12 && h === start[v])) best = h
    }
    if (best < 0) return null
    load[best]! += demand[v]! / c.snapshot.hosts[best]!.cpu.threads
    l.vcpus[best]! += c.snapshot.vms[v]!.allocation.vcpus
    l.mem[best]! += c.snapshot.vms[v]!.allocation.memoryMiB
    p[v] = best
  }
  return p
}

/**
 * How far another view of the next day (a forecast) is from the real one, per VM's 24 h mean
 * demand: sum over VMs of |view - real| / sum of real (0 = exact, 1 = off by as much as all use).
 */
export function dayMeanError(c: TraceCluster, view: TraceCluster): number {
  let err = 0
  let total = 0
  c.nextDay.forEach((d, v) => {
    const real = d.cpu.reduce((a, x) => a + x, 0)
    err += Math.abs(view.nextDay[v]!.cpu.reduce((a, x) => a + x, 0) - real)
    total += real
  })
  return total > 0 ? err / total : 0
}

/**
 * The real next day with each VM's day scaled by one random factor exp(sigma * N(0, 1)): a
 * forecast that knows every VM's daily shape and is off on its level by a chosen amount, with no
 * bias. Feeding it to the foresight greedy shows how good a forecast a target needs.
 */
export function withLevelError(c: TraceCluster, sigma: number, random: () => number): TraceCluster {
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
  return { ...c, nextDay: c.nextDay.map((d) => { const f = Math.exp(sigma * normal()); return { cpu: d.cpu.map((x) => x * f), mem: d.mem } }) }
}
