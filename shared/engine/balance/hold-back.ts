import type { PlacementProblem } from '../placement'
import type { Move } from './moves'

/**
 * The optional moves worth making once the forecast's error is counted: the plan is cut to the
 * prefix (in the order it runs) that lowers the busiest host's CPU load most on average over the
 * days the VMs actually had (each VM's same hours on each of the last days, and its recent level
 * held; PlacementVm.cpuScenarios). Moves whose gain exists only under the forecast, within its
 * error, are left out: on the Bitbrains bench that is what keeps a plan from making the next day
 * worse than no move. Mandatory moves always stay; a swap's halves stay together; a cut that
 * would leave a host above its cores in some forecast hour (worse than before) is not taken.
 * Returns the moves kept and how many were held back; the plan unchanged without scenarios.
 */
export function holdBack(problem: PlacementProblem, plan: readonly Move[]): { moves: Move[]; heldBack: number } {
  const S = Math.max(0, ...problem.vms.map((vm) => vm.cpuScenarios?.length ?? 0))
  if (S === 0 || problem.cpuWeight <= 0 || plan.every((m) => m.mandatory)) return { moves: [...plan], heldBack: 0 }
  const H = problem.hosts.length
  const hostIndex = new Map(problem.hosts.map((h, i) => [h.id, i]))
  const vmIndex = new Map(problem.vms.map((v, i) => [v.id, i]))
  const inv = Float64Array.from(problem.hosts, (h) => 1 / h.cpuCores)
  // Per VM and scenario (the same day for every VM): cores; its claim where it has no data that day.
  const scen = problem.vms.map((vm) => Float64Array.from({ length: S }, (_, s) => {
    const x = vm.cpuScenarios?.[s]
    return x === undefined || Number.isNaN(x) ? vm.cpuClaim : x
  }))
  const K = problem.vms.find((vm) => vm.cpuHigh)?.cpuHigh?.length ?? 0
  const load = new Float64Array(H * S)
  const high = new Float64Array(H * K)
  const shift = (v: number, h: number, sign: 1 | -1) => {
    const x = scen[v]!
    for (let s = 0; s < S; s++) load[h * S + s]! += sign * x[s]! * inv[h]!
    const top = problem.vms[v]!.cpuHigh
    for (let k = 0; k < K; k++) high[h * K + k]! += sign * (top?.[k] ?? problem.vms[v]!.cpuClaim)
  }
  problem.vms.forEach((vm, v) => shift(v, hostIndex.get(vm.hostId) ?? 0, 1))
  const startHigh = high.slice()
  const expectedPeak = () => {
    let sum = 0
    for (let s = 0; s < S; s++) {
      let top = 0
      for (let h = 0; h < H; h++) if (!problem.hosts[h]!.maintenance) top = Math.max(top, load[h * S + s]!)
      sum += top
    }
    return sum / S
  }
  const withinBand = () => {
    for (let h = 0; h < H; h++) {
      const cap = problem.hosts[h]!.cpuCores
      for (let k = 0; k < K; k++) if (high[h * K + k]! > Math.max(cap, startHigh[h * K + k]!) + 1e-9) return false
    }
    return true
  }
  const partnerIndex = new Map(plan.flatMap((m, i) => (m.swapWith ? [[m.vmId, i] as const] : [])))
  let best = { kept: plan.length, peak: Infinity }
  for (let k = 0; k <= plan.length; k++) {
    if (k > 0) {
      const m = plan[k - 1]!
      const v = vmIndex.get(m.vmId)
      if (v !== undefined) { shift(v, hostIndex.get(m.from)!, -1); shift(v, hostIndex.get(m.to)!, 1)}
    }
    // A cut may fall only where everything after it is optional and no swap is split.
    const rest = plan.slice(k)
    if (k < plan.length && rest.some((m) => m.mandatory)) continue
    if (rest.some((m) => m.swapWith && (partnerIndex.get(m.swapWith) ?? Infinity) < k)) continue
    if (k < plan.length && !withinBand()) continue
    const peak = expectedPeak()
    if (peak < best.peak - 1e-9) best = { kept: k, peak }
  }
  return { moves: plan.slice(0, best.kept), heldBack: plan.length - best.kept }
}
