import type { RecommendationPriority } from '../../model/recommendation'
import type { PlacementProblem } from '../placement'
import { canHost, swapOrder } from './constraints'
import { PEAK_REASON, priorityForGain, type GreedyOptions, type Move } from './moves'
import { ClusterState } from './state'

/** One step of the refined plan: unit u to host `to`, or (other >= 0) u and `other` swapping hosts. */
interface Job {
  u: number
  to: number
  other: number
}

/**
 * The refined plan as moves from where phase 2 started: at each step the unit move or swap that
 * lowers the spread most among those whose target has room right then (as DRS orders them).
 * Gains and priorities are those of that order. Null when no order fits.
 */
export function scheduleMoves(p: PlacementProblem, origin: readonly number[], final: readonly number[], recorded: readonly Move[], partner: Map<number, number>, o: GreedyOptions): Move[] | null {
  const sim = new ClusterState({ ...p, vms: p.vms.map((vm, i) => (p.hosts[origin[i]!]!.id === vm.hostId ? vm : { ...vm, hostId: p.hosts[origin[i]!]!.id })) })
  const jobs = jobsFor(sim, origin, final, partner)
  const reason = reasons(sim, recorded)
  const out: Move[] = []
  while (jobs.length > 0) {
    const next = nextJob(sim, jobs)
    if (!next) return null
    const job = jobs.splice(next.index, 1)[0]!
    const priority = priorityForGain(next.gain)
    const id = (v: number) => p.vms[v]!.id
    const hostId = (h: number) => p.hosts[h]!.id
    if (job.other >= 0) {
      const x = sim.units[job.u]![0]!
      const y = sim.units[job.other]![0]!
      const hx = sim.vmHost[x]!
      const hy = sim.vmHost[y]!
      const halves = [[x, job.u, hy, y], [y, job.other, hx, x]] as const
      for (const [v, u, to, other] of next.first ? halves : [halves[1], halves[0]]) {
        out.push({ vmId: id(v), from: hostId(sim.vmHost[v]!), to: hostId(to), mandatory: false, reason: reason(v, to, other), gain: next.gain / 2, costSeconds: sim.costSeconds(u, o.migrationBandwidthMiBps), priority, swapWith: id(other) })
      }
      sim.move(job.u, hy)
      sim.move(job.other, hx)
    } else {
      const costSeconds = sim.costSeconds(job.u, o.migrationBandwidthMiBps)
      for (const v of sim.units[job.u]!) {
        if (sim.vmHost[v] === job.to) continue
        out.push({ vmId: id(v), from: hostId(sim.vmHost[v]!), to: hostId(job.to), mandatory: false, reason: reason(v, job.to), gain: next.gain, costSeconds, priority })
      }
      sim.move(job.u, job.to)
    }
  }
  return out
}

/** A job per unit that ends elsewhere; exact exchanges recorded as swaps run as one step. */
function jobsFor(sim: ClusterState, origin: readonly number[], final: readonly number[], partner: Map<number, number>): Job[] {
  const jobs: Job[] = []
  const jobOfVm = new Map<number, Job>()
  sim.units.forEach((members, u) => {
    const v = members.find((x) => final[x] !== origin[x])
    if (v === undefined) return
    const job = { u, to: final[v]!, other: -1 }
    jobs.push(job)
    if (members.length === 1) jobOfVm.set(v, job)
  })
  for (const [x, y] of partner) {
    const jx = jobOfVm.get(x)
    const jy = jobOfVm.get(y)
    if (!jx || !jy || x > y || jx.other >= 0 || jy.other >= 0) continue
    if (jx.to !== origin[y] || jy.to !== origin[x]) continue
    jx.other = jy.u
    jobs.splice(jobs.indexOf(jy), 1)
  }
  return jobs
}

/** The job that fits now and lowers the spread most (ties: the first), and for a swap whether its first unit goes first. */
function nextJob(sim: ClusterState, jobs: readonly Job[]): { index: number; gain: number; first: boolean } | null {
  let best = -1
  let bestGain = -Infinity
  let bestFirst = true
  for (let j = 0; j < jobs.length; j++) {
    const job = jobs[j]!
    let gain: number
    let first = true
    if (job.other >= 0) {
      const order = swapOrder(sim, job.u, job.other)
      if (order === null) continue
      first = order
      gain = sim.imbalance() - sim.imbalanceAfterSwap(sim.units[job.u]![0]!, sim.units[job.other]![0]!)
    } else {
      if (!canHost(sim, job.u, job.to)) continue
      gain = sim.imbalance() - sim.imbalanceAfter(job.u, job.to)
    }
    if (gain > bestGain) { best = j; bestGain = gain; bestFirst = first }
  }
  return best < 0 ? null : { index: best, gain: bestGain, first: bestFirst }
}

/** The reason of a move from where the VM is now: phase 2's when phase 3 left the move (and its swap partner) as it was. */
function reasons(sim: ClusterState, recorded: readonly Move[]): (v: number, to: number, swapWith?: number) => string {
  const p = sim.problem
  const recordedAs = new Map(recorded.map((m) => [`${m.vmId} ${m.from} ${m.to}`, m]))
  const id = (v: number) => p.vms[v]!.id
  return (v, to, swapWith) => {
    const was = recordedAs.get(`${id(v)} ${p.hosts[sim.vmHost[v]!]!.id} ${p.hosts[to]!.id}`)
    if (was && was.swapWith === (swapWith === undefined ? undefined : id(swapWith))) return was.reason
    return swapWith === undefined ? PEAK_REASON : `${PEAK_REASON} (swaps places with ${id(swapWith)})`
  }
}

/**
 * Recommendations are listed (and applied) by priority. When that order would put a VM on a host
 * before another move makes room, each move instead gets at least the priority of the one before
 * it, so sorting keeps the plan's order (which fits, move by move).
 */
export function keepOrderUnderPriority(p: PlacementProblem, moves: Move[]): Move[] {
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
