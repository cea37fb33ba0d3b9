import type { Arrival, Scenario, ScenarioHost, ScenarioVm } from '../../model/scenario'
import { expandStreams } from './arrivals'
import { seededRandom } from './prng'

const MONTH_MINUTES = 30 * 24 * 60

/** A VM as the replay starts it: the scenario's VMs after the start-time edits. */
export interface PreparedVm {
  vm: ScenarioVm
  /** Demand when there is no series (added VMs with constant demand, or none given: 0). */
  cpuConst: number
  memConst: number
  /** ln(growth per month), summed over the growth edits that apply to it. */
  growthLogPerMonth: number
}

/** A VM while the edits apply: its series (shared by copies) before growth. */
interface DraftVm extends PreparedVm {
  cpu: ArrayLike<number> | null
  mem: ArrayLike<number> | null
}

export interface TimedHostEvent {
  step: number
  kind: 'add' | 'remove' | 'fail' | 'recover' | 'maintenanceStart' | 'maintenanceEnd'
  hostId: string
}

/** Everything a replay needs that does not depend on the policy: done once per comparison. */
export interface PreparedScenario {
  scenario: Scenario
  stepMinutes: number
  hosts: ScenarioHost[]
  /** Host ids that join later (addHost with atMinute > 0) start absent. */
  initiallyAbsent: Set<string>
  vms: PreparedVm[]
  /**
   * Demand per step, growth applied, of the VMs whose demand varies: vms[i] is column[i] (-1: its
   * demand is cpuConst / memConst throughout), at step s cpu[s * columns + column[i]]. Step-major,
   * so a replay step reads one contiguous row.
   */
  demand: { columns: number; column: Int32Array; cpu: Float64Array; mem: Float64Array }
  arrivals: Arrival[]
  hostEvents: TimedHostEvent[]
  monthMinutes: number
}

/** Applies the start-time edits and expands arrival streams with the seed. */
export function prepareScenario(scenario: Scenario, seed: number): PreparedScenario {
  const stepMinutes = scenario.stepSeconds / 60
  const stepOf = (minute: number) => Math.min(scenario.steps, Math.floor(minute / stepMinutes + 1e-9))
  const series = new Map(scenario.workload.map((w) => [w.vm, w]))
  const hosts = [...scenario.hosts]
  const initiallyAbsent = new Set<string>()
  const hostEvents: TimedHostEvent[] = []
  const vms = new Map<string, DraftVm>(
    scenario.vms.map((vm) => {
      const w = series.get(vm.id)
      return [vm.id, { vm: { ...vm }, cpu: w?.cpuCores ?? null, mem: w?.memMiB ?? null, cpuConst: 0, memConst: 0, growthLogPerMonth: 0 }]
    }),
  )
  for (const edit of scenario.edits) {
    switch (edit.kind) {
      case 'addHost': {
        hosts.push(edit.host)
        const step = stepOf(edit.atMinute)
        if (step > 0) {
          initiallyAbsent.add(edit.host.id)
          hostEvents.push({ step, kind: 'add', hostId: edit.host.id })
        }
        break
      }
      case 'removeHost':
        hostEvents.push({ step: stepOf(edit.atMinute), kind: 'remove', hostId: edit.hostId })
        break
      case 'hostFailure':
        hostEvents.push({ step: stepOf(edit.atMinute), kind: 'fail', hostId: edit.hostId })
        if (edit.durationMinutes !== undefined) hostEvents.push({ step: stepOf(edit.atMinute + edit.durationMinutes), kind: 'recover', hostId: edit.hostId })
        break
      case 'maintenance':
        hostEvents.push({ step: stepOf(edit.fromMinute), kind: 'maintenanceStart', hostId: edit.hostId })
        hostEvents.push({ step: stepOf(edit.toMinute), kind: 'maintenanceEnd', hostId: edit.hostId })
        break
      case 'addVm': {
        const copy = edit.copyWorkloadOf !== undefined ? vms.get(edit.copyWorkloadOf) : undefined
        vms.set(edit.vm.id, {
          vm: { ...edit.vm },
          cpu: copy?.cpu ?? null,
          mem: copy?.mem ?? null,
          cpuConst: copy ? copy.cpuConst : (edit.cpuCores ?? 0),
          memConst: copy ? copy.memConst : (edit.memMiB ?? 0),
          growthLogPerMonth: 0,
        })
        break
      }
      case 'removeVm':
        vms.delete(edit.vmId)
        break
      case 'resizeVm': {
        const target = vms.get(edit.vmId)
        if (target) target.vm = { ...target.vm, vcpus: edit.vcpus ?? target.vm.vcpus, memoryMiB: edit.memoryMiB ?? target.vm.memoryMiB }
        break
      }
      case 'growth': {
        const rate = Math.log(1 + edit.percentPerMonth / 100)
        const only = edit.vmIds ? new Set(edit.vmIds) : null
        for (const [id, v] of vms) if (!only || only.has(id)) v.growthLogPerMonth += rate
        break
      }
    }
  }
  // Events at the same step run in a fixed order: arrivals of hosts first, failures last.
  const rank: Record<TimedHostEvent['kind'], number> = { add: 0, recover: 1, maintenanceEnd: 2, maintenanceStart: 3, remove: 4, fail: 5 }
  hostEvents.sort((a, b) => a.step - b.step || rank[a.kind] - rank[b.kind])
  // Stable: requests arriving in the same minute keep the file's order.
  const arrivals = [...scenario.arrivals, ...expandStreams(scenario.arrivalStreams, seededRandom(seed), (scenario.steps * scenario.stepSeconds) / 60)].sort((a, b) => a.atMinute - b.atMinute)
  const drafts = [...vms.values()]
  // Constant VMs get no column: a scenario of many constant VMs over many steps stays small.
  const column = new Int32Array(drafts.length).fill(-1)
  const varying: DraftVm[] = []
  drafts.forEach((v, i) => {
    if (v.cpu === null && v.mem === null && v.growthLogPerMonth === 0) return
    column[i] = varying.length
    varying.push(v)
  })
  const demand = { columns: varying.length, column, cpu: demandMatrix(varying, 'cpu', scenario.steps, stepMinutes), mem: demandMatrix(varying, 'mem', scenario.steps, stepMinutes) }
  const prepared = drafts.map(({ vm, cpuConst, memConst, growthLogPerMonth }) => ({ vm, cpuConst, memConst, growthLogPerMonth }))
  return { scenario, stepMinutes, hosts, initiallyAbsent, vms: prepared, demand, arrivals, hostEvents, monthMinutes: MONTH_MINUTES }
}

/**
 * Step-major demand of every VM, growth compounded monthly (the expression the replay once
 * evaluated per step, so the numbers are the same). Copied in blocks of steps to stay in cache.
 */
function demandMatrix(vms: readonly DraftVm[], resource: 'cpu' | 'mem', steps: number, stepMinutes: number): Float64Array {
  const n = vms.length
  const out = new Float64Array(n * steps)
  const BLOCK = 64
  for (let s0 = 0; s0 < steps; s0 += BLOCK) {
    const s1 = Math.min(steps, s0 + BLOCK)
    for (let i = 0; i < n; i++) {
      const v = vms[i]!
      const series = v[resource]
      const constant = resource === 'cpu' ? v.cpuConst : v.memConst
      const rate = v.growthLogPerMonth
      for (let s = s0; s < s1; s++) {
        const base = series ? series[s]! : constant
        out[s * n + i] = rate !== 0 ? base * Math.exp((rate * (s * stepMinutes)) / MONTH_MINUTES) : base
      }
    }
  }
  return out
}
