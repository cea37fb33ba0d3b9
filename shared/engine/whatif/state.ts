import type { Arrival, PolicySet, Scenario } from '../../model/scenario'
import type { AllocationStrategy } from '../options'
import { createLedger, type Ledger } from './ledger'
import type { PreparedScenario } from './prepare'
import type { QueuedRequest } from './queue'
import type { RequestOutcome, WhatifEvent, WhatifEventKind } from './types'
import { VmTable, type VmRt } from './vm-table'

const EVENT_LIMIT = 300
/** cpu.shares of a VM that sets none. */
export const DEFAULT_SHARES = 1024

export interface HostRt {
  id: string
  cpuCores: number
  memMiB: number
  present: boolean
  failed: boolean
  maintenance: boolean
  asleep: boolean
}

/** Takes new VMs: present, up, not in maintenance, powered on. */
export const usable = (h: HostRt): boolean => h.present && !h.failed && !h.maintenance && !h.asleep
/** Runs VMs (and draws power): present, up, powered on. */
export const powered = (h: HostRt): boolean => h.present && !h.failed && !h.asleep

/** The request queue: what waits, what happened to each request, and the started jobs that end. */
export interface QueueState {
  waiting: QueuedRequest[]
  arrivalById: Map<string, Arrival>
  /** Next of prep.arrivals to join the queue. */
  nextArrival: number
  /** Minutes each started request waited. */
  waits: number[]
  outcomes: Map<string, RequestOutcome>
  rejected: number
  completedJobs: number
  /** VM indices of started requests that end, in VM order. */
  jobs: number[]
  /** The queue is re-examined only when something it depends on changed (priority ages every step). */
  dirty: boolean
}

/** Scratch of the balancing model (claims.ts, balance-pass.ts), reused across passes. */
export interface ClaimBuffers {
  /** Room for `window` values: a percentile over recent steps. */
  scratch: Float64Array
  /** The last n steps of the varying demand, column-major (recentCpu[col * n + k]: step - 1 - k). */
  recentCpu: Float64Array
  recentMem: Float64Array
  /** Claims of the VMs in the current model (room for every request too). */
  claimCpu: Float64Array
  claimMem: Float64Array
  claimUsedMem: Float64Array
  /** Host index -> its index in the current model (-1: not in it). */
  localOf: Int32Array
  /** Host ids a VM may run on (pinning), computed once per VM. */
  allowedIds: Map<number, string[] | null>
  /** Per host of the model: CPU and memory claims, and load (the larger over capacity). */
  hostCpuSum: Float64Array
  hostMemSum: Float64Array
  hostLoad: Float64Array
}

/**
 * Everything one replay changes as it steps: hosts, VMs, the queue, the balancing scratch, the
 * accounting, events and counters. One object read by module-level functions (not closures made
 * per replay), so V8 optimises each function once for every replay and policy.
 */
export class ReplayState {
  readonly scenario: Scenario
  readonly stepMinutes: number
  readonly steps: number
  readonly strategy: AllocationStrategy
  readonly hostIndex: Map<string, number>
  readonly hosts: HostRt[]
  readonly vms: VmTable
  readonly queue: QueueState
  readonly claims: ClaimBuffers
  readonly ledger: Ledger
  /** Steps between balancer passes, and between consolidation passes. */
  readonly balanceEvery: number
  readonly consolidateEvery: number
  /** Balancing looks at demand over the last `window` steps, read back from the prepared rows. */
  readonly window: number
  readonly needHistory: boolean
  readonly events: WhatifEvent[] = []
  eventsDropped = 0
  migrations = 0
  /** HA restarts after a host failure. */
  restarts = 0
  /** VMs down now. */
  downCount = 0
  /** A host was woken for load: the balancer runs at the next step, interval or not. */
  balanceDue = false
  /** Next of prep.hostEvents to apply. */
  nextEvent = 0

  constructor(
    readonly prep: PreparedScenario,
    readonly policy: PolicySet,
  ) {
    this.scenario = prep.scenario
    this.stepMinutes = prep.stepMinutes
    this.steps = prep.scenario.steps
    this.strategy = policy.allocation
    this.hostIndex = new Map(prep.hosts.map((h, i) => [h.id, i]))
    this.hosts = prep.hosts.map((h) => ({
      id: h.id,
      cpuCores: h.cpuCores,
      memMiB: h.memoryMiB,
      present: !prep.initiallyAbsent.has(h.id),
      failed: false,
      maintenance: false,
      asleep: false,
    }))
    const H = this.hosts.length
    const cap = prep.vms.length + prep.arrivals.length
    this.vms = new VmTable(cap, prep.demand)
    this.addScenarioVms()
    this.queue = { waiting: [], arrivalById: new Map(prep.arrivals.map((a) => [a.id, a])), nextArrival: 0, waits: [], outcomes: new Map(), rejected: 0, completedJobs: 0, jobs: [], dirty: true }
    this.balanceEvery = Math.max(1, Math.round(policy.balance.intervalMinutes / this.stepMinutes))
    this.consolidateEvery = Math.max(1, Math.round(policy.consolidation.intervalMinutes / this.stepMinutes))
    this.window = Math.max(this.balanceEvery, policy.consolidation.enabled ? this.consolidateEvery : 1)
    this.needHistory = policy.balance.enabled || policy.consolidation.enabled
    const W = prep.demand.columns
    this.claims = {
      scratch: new Float64Array(this.window),
      recentCpu: new Float64Array(this.needHistory ? W * this.window : 0),
      recentMem: new Float64Array(this.needHistory ? W * this.window : 0),
      claimCpu: new Float64Array(cap),
      claimMem: new Float64Array(cap),
      claimUsedMem: new Float64Array(cap),
      localOf: new Int32Array(H),
      allowedIds: new Map(),
      hostCpuSum: new Float64Array(H),
      hostMemSum: new Float64Array(H),
      hostLoad: new Float64Array(H),
    }
    for (let a = 0; a < this.vms.nAlive; a++) if (this.vms.hostOf[this.vms.alive[a]!]! < 0) this.downCount++
    this.ledger = createLedger(H, this.steps, this.needHistory ? this.window : 0)
  }

  /** The scenario's VMs; one whose host has not joined yet starts down and is placed like a restart. */
  private addScenarioVms(): void {
    for (const p of this.prep.vms) {
      const vm = p.vm
      const h = this.hostIndex.get(vm.hostId)!
      const v: VmRt = {
        id: vm.id,
        priority: vm.priority ?? 0,
        allowed: vm.pinnedHosts ? vm.pinnedHosts.flatMap((id) => this.hostIndex.get(id) ?? []) : null,
        endStep: Infinity,
        downSince: -1,
        lastMoveFrom: -1,
        lastMoveStep: 0,
      }
      const controls = {
        shares: vm.cpuShares ?? DEFAULT_SHARES,
        cpuRes: vm.cpuReservationCores ?? 0,
        cpuLim: vm.cpuLimitCores ?? Infinity,
        memRes: vm.memReservationMiB ?? 0,
        memLim: vm.memLimitMiB ?? Infinity,
      }
      this.vms.add(v, h >= 0 && !this.hosts[h]!.present ? -1 : h, vm.vcpus, vm.memoryMiB, controls, p.cpuConst, p.memConst)
    }
  }

  /** Records an event at `step`; past EVENT_LIMIT events are only counted. */
  log(step: number, kind: WhatifEventKind, extra: Omit<WhatifEvent, 'minute' | 'kind'> = {}): void {
    if (this.events.length < EVENT_LIMIT) this.events.push({ minute: step * this.stepMinutes, kind, ...extra })
    else this.eventsDropped++
  }

  /** vCPUs host h may carry under the policy's CPU overcommit. */
  vcpuLimit(h: HostRt): number {
    return h.cpuCores * this.policy.cpuOvercommit
  }

  /** Memory host h may allocate under the policy's memory overcommit. */
  memLimit(h: HostRt): number {
    return h.memMiB * this.policy.memOvercommit
  }
}
