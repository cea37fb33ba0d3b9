import type { PolicySet, Scenario } from '../../model/scenario'
import type { AllocationStrategy } from '../options'
import { balanceGreedy } from '../balance'
import { consolidate } from '../consolidate'
import type { PlacementProblem, PlacementVm } from '../placement'
import { canEverFit, chooseHost, scheduleQueue, type QueueHost, type QueuedRequest, type RunningAllocation } from './queue'
import { prepareScenario, type PreparedScenario } from './prepare'
import { growShareBuffers, shareBuffers, shareResource, type ShareBuffers } from './share'
import { distribution, downsample, mean, selectPercentile, sortedPercentile, thinSorted, type Distribution } from './stats'

/**
 * Replays a scenario step by step under one policy set and measures what an admin compares:
 * demand the VMs did not get, host utilization, migrations, powered hosts, queue waits and
 * memory overcommit. Pure and deterministic: the same scenario, policy and seed give the same
 * result. Every VM is, at every step, either on a host or counted as down (its demand unmet).
 */
export interface WhatifMetrics {
  /** VM-minutes in which a VM got less CPU or memory than it demanded. */
  unmetVmMinutes: number
  /** unmetVmMinutes / VM-minutes, 0-1. */
  unmetShare: number
  cpuUnmetVmMinutes: number
  memUnmetVmMinutes: number
  /** Of the unmet VM-minutes, those where demand was above the VM's own allocation (a sizing issue, not contention). */
  aboveAllocationVmMinutes: number
  /** CPU demand not granted, in core-hours, and as a share of all CPU demand (0-1). */
  unmetCpuCoreHours: number
  unmetCpuShare: number
  /** VM-minutes spent down (host failed or removed and no room elsewhere). */
  downVmMinutes: number
  /** Per host and step, what its VMs ran (entitlement up to demand) / capacity (0-1), over powered hosts. */
  hostCpuUtil: Distribution
  hostMemUtil: Distribution
  migrations: number
  /** HA restarts after a host failure. */
  restarts: number
  activeHostHours: number
  queue: {
    requests: number
    started: number
    rejected: number
    waitingAtEnd: number
    /** Of started requests, minutes from arrival to start. */
    waitMinutes: { mean: number; p95: number; max: number }
  }
  /** Highest allocated memory / physical memory of any powered host at any step. */
  peakMemOvercommit: number
}

export type WhatifEventKind =
  | 'host-added'
  | 'host-removed'
  | 'host-failed'
  | 'host-recovered'
  | 'maintenance-start'
  | 'maintenance-end'
  | 'host-asleep'
  | 'host-woken'
  | 'vm-down'
  | 'vm-restarted'
  | 'evacuation-incomplete'
  | 'request-rejected'

export interface WhatifEvent {
  minute: number
  kind: WhatifEventKind
  host?: string
  vm?: string
  detail?: string
}

export interface WhatifSeries {
  /** Epoch ms of each point (bucket start). */
  t: number[]
  /** CPU the VMs ran (granted, up to demand) / capacity of powered hosts, 0-100. */
  cpuPct: number[]
  memPct: number[]
  /** CPU demand / capacity of powered hosts, 0-100 (above 100: the cluster is short). */
  cpuDemandPct: number[]
  activeHosts: number[]
  /** VMs with unmet demand at that time (bucket mean). */
  unmetVms: number[]
}

export interface WhatifRun {
  policy: PolicySet
  metrics: WhatifMetrics
  series: WhatifSeries
  /** Sorted queue waits (minutes) of started requests, thinned for a CDF chart. */
  waitMinutes: number[]
  events: WhatifEvent[]
  /** Events beyond the first EVENT_LIMIT are counted, not listed. */
  eventsDropped: number
  /** Every request: when it arrived, started (null: never) and where, or why it was rejected. */
  requests: RequestOutcome[]
  /** Where every VM and started request ended: a host id, or null when down. Nothing disappears. */
  finalPlacement: Record<string, string | null>
  accounting: { vmSteps: number; placedVmSteps: number; downVmSteps: number; completedJobs: number }
}

export interface RequestOutcome {
  id: string
  arrivalMinute: number
  startMinute: number | null
  host: string | null
  outcome: 'started' | 'waiting' | 'rejected'
}

export interface WhatifComparison {
  scenario: { name: string; hosts: number; vms: number; steps: number; stepSeconds: number; start: number; requests: number }
  seed: number
  runs: WhatifRun[]
}

export interface ReplayOptions {
  seed: number
  /** Points per chart series (default 300). */
  maxPoints?: number
}

const EVENT_LIMIT = 300
const COOLDOWN_MINUTES = 6 * 60
const MIGRATION_BANDWIDTH_MIBPS = 1000
const MAX_MIGRATION_SECONDS = 300
const DEFAULT_SHARES = 1024

interface HostRt {
  id: string
  cpuCores: number
  memMiB: number
  present: boolean
  failed: boolean
  maintenance: boolean
  asleep: boolean
}

/** What the replay keeps per VM besides the numbers the hot loops read from typed arrays. */
interface VmRt {
  id: string
  priority: number
  allowed: number[] | null
  /** Requests: the step after their last; workload VMs: Infinity. */
  endStep: number
  downSince: number
  lastMoveFrom: number
  lastMoveStep: number
}

export function compareScenario(scenario: Scenario, policies: readonly PolicySet[], options: ReplayOptions): WhatifComparison {
  return comparePrepared(prepareScenario(scenario, options.seed), policies, options)
}

/** compareScenario on a scenario prepared with options.seed (a worker prepares once, replays several). */
export function comparePrepared(prepared: PreparedScenario, policies: readonly PolicySet[], options: ReplayOptions): WhatifComparison {
  const scenario = prepared.scenario
  return {
    scenario: {
      name: scenario.name,
      hosts: prepared.hosts.length,
      vms: prepared.vms.length,
      steps: scenario.steps,
      stepSeconds: scenario.stepSeconds,
      start: scenario.start,
      requests: prepared.arrivals.length,
    },
    seed: options.seed,
    runs: policies.map((policy) => replayPrepared(prepared, policy, options)),
  }
}

export function replay(scenario: Scenario, policy: PolicySet, options: ReplayOptions): WhatifRun {
  return replayPrepared(prepareScenario(scenario, options.seed), policy, options)
}

export function replayPrepared(prep: PreparedScenario, policy: PolicySet, options: ReplayOptions): WhatifRun {
  const { scenario, stepMinutes } = prep
  const steps = scenario.steps
  const strategy = policy.allocation
  const hostIndex = new Map(prep.hosts.map((h, i) => [h.id, i]))
  const hosts: HostRt[] = prep.hosts.map((h) => ({
    id: h.id,
    cpuCores: h.cpuCores,
    memMiB: h.memoryMiB,
    present: !prep.initiallyAbsent.has(h.id),
    failed: false,
    maintenance: false,
    asleep: false,
  }))
  const H = hosts.length
  const events: WhatifEvent[] = []
  let eventsDropped = 0
  const log = (step: number, kind: WhatifEventKind, extra: Omit<WhatifEvent, 'minute' | 'kind'> = {}) => {
    if (events.length < EVENT_LIMIT) events.push({ minute: step * stepMinutes, kind, ...extra })
    else eventsDropped++
  }

  // Per-VM numbers in flat arrays, with room for every request that may start so nothing grows
  // mid-run: the step loop touches them hosts x VMs x steps times.
  const cap = prep.vms.length + prep.arrivals.length
  const vms: VmRt[] = []
  const hostOf = new Int32Array(cap)
  const vcpusOf = new Float64Array(cap)
  const memOf = new Float64Array(cap)
  const sharesOf = new Float64Array(cap)
  const cpuResOf = new Float64Array(cap)
  const cpuLimOf = new Float64Array(cap)
  const memResOf = new Float64Array(cap)
  const memLimOf = new Float64Array(cap)
  // Demand that varies comes from the prepared step-major rows (column colOf[i], W per row);
  // constant VMs and requests (colOf -1) have constCpu / constMem.
  const W = prep.demand.columns
  const rowsCpu = prep.demand.cpu
  const rowsMem = prep.demand.mem
  const colOf = new Int32Array(cap).fill(-1)
  colOf.set(prep.demand.column)
  const constCpu = new Float64Array(cap)
  const constMem = new Float64Array(cap)
  const activeOf = new Uint8Array(cap)
  /** Indices of the running VMs in increasing order: every sum runs in this order. */
  const alive = new Int32Array(cap)
  let nAlive = 0
  const vmIndexById = new Map<string, number>()
  const addVm = (v: VmRt, host: number, vcpus: number, memoryMiB: number, c: { shares: number; cpuRes: number; cpuLim: number; memRes: number; memLim: number }): number => {
    const i = vms.length
    vms.push(v)
    vmIndexById.set(v.id, i)
    hostOf[i] = host
    vcpusOf[i] = vcpus
    memOf[i] = memoryMiB
    sharesOf[i] = c.shares
    cpuResOf[i] = c.cpuRes
    cpuLimOf[i] = c.cpuLim
    memResOf[i] = c.memRes
    memLimOf[i] = c.memLim
    activeOf[i] = 1
    alive[nAlive++] = i
    return i
  }
  for (const p of prep.vms) {
    const vm = p.vm
    const h = hostIndex.get(vm.hostId)!
    const v: VmRt = {
      id: vm.id,
      priority: vm.priority ?? 0,
      allowed: vm.pinnedHosts ? vm.pinnedHosts.flatMap((id) => hostIndex.get(id) ?? []) : null,
      endStep: Infinity,
      downSince: -1,
      lastMoveFrom: -1,
      lastMoveStep: 0,
    }
    // A VM whose host has not joined yet starts down and is placed like a restart.
    const i = addVm(v, h >= 0 && !hosts[h]!.present ? -1 : h, vm.vcpus, vm.memoryMiB, {
      shares: vm.cpuShares ?? DEFAULT_SHARES,
      cpuRes: vm.cpuReservationCores ?? 0,
      cpuLim: vm.cpuLimitCores ?? Infinity,
      memRes: vm.memReservationMiB ?? 0,
      memLim: vm.memLimitMiB ?? Infinity,
    })
    constCpu[i] = p.cpuConst
    constMem[i] = p.memConst
  }

  // Queue state.
  const waiting: QueuedRequest[] = []
  const arrivalById = new Map(prep.arrivals.map((a) => [a.id, a]))
  let nextArrival = 0
  const waits: number[] = []
  const outcomes = new Map<string, RequestOutcome>()
  let rejected = 0
  let completedJobs = 0

  // Metrics accumulators (the per-step ones are in the ledger below).
  let migrations = 0
  let restarts = 0

  const usable = (h: HostRt) => h.present && !h.failed && !h.maintenance && !h.asleep
  const powered = (h: HostRt) => h.present && !h.failed && !h.asleep
  const vcpuLimit = (h: HostRt) => h.cpuCores * policy.cpuOvercommit
  const memLimit = (h: HostRt) => h.memMiB * policy.memOvercommit

  // Demand of each VM at the current step (raw: may exceed its allocation); written in step 7.
  const demandCpu = new Float64Array(cap)
  const demandMem = new Float64Array(cap)
  const balanceEvery = Math.max(1, Math.round(policy.balance.intervalMinutes / stepMinutes))
  const consolidateEvery = Math.max(1, Math.round(policy.consolidation.intervalMinutes / stepMinutes))
  // Balancing looks at demand over the last `window` steps: read back from the prepared rows
  // (requests are constant), so nothing is recorded per step.
  const window = Math.max(balanceEvery, policy.consolidation.enabled ? consolidateEvery : 1)
  const needHistory = policy.balance.enabled || policy.consolidation.enabled
  let balanceDue = false

  const queueHosts = (): QueueHost[] => {
    const q = hosts.map((h) => ({ vcpuLimit: vcpuLimit(h), memLimitMiB: memLimit(h), usedVcpus: 0, usedMemMiB: 0, open: usable(h) }))
    for (let a = 0; a < nAlive; a++) {
      const i = alive[a]!
      const h = hostOf[i]!
      if (h < 0) continue
      q[h]!.usedVcpus += vcpusOf[i]!
      q[h]!.usedMemMiB += memOf[i]!
    }
    return q
  }
  const asRequest = (i: number): QueuedRequest => ({ id: vms[i]!.id, arrivalMinute: 0, durationMinutes: null, priority: vms[i]!.priority, vcpus: vcpusOf[i]!, memoryMiB: memOf[i]!, seq: 0, allowedHosts: vms[i]!.allowed })
  const countOn = (h: number): number => {
    let n = 0
    for (let a = 0; a < nAlive; a++) if (hostOf[alive[a]!] === h) n++
    return n
  }

  /** Powers on the largest sleeping host that could take `req`; true when one woke. */
  const wakeFor = (step: number, req: QueuedRequest | null): boolean => {
    let best = -1
    for (let h = 0; h < H; h++) {
      const host = hosts[h]!
      if (!host.asleep || !host.present || host.failed || host.maintenance) continue
      if (req && ((req.allowedHosts && !req.allowedHosts.includes(h)) || req.vcpus > vcpuLimit(host) || req.memoryMiB > memLimit(host))) continue
      if (best < 0 || host.cpuCores + host.memMiB / 4096 > hosts[best]!.cpuCores + hosts[best]!.memMiB / 4096) best = h
    }
    if (best < 0) return false
    hosts[best]!.asleep = false
    log(step, 'host-woken', { host: hosts[best]!.id })
    return true
  }

  /** Balancing's numeric model of the current state, claims from recent demand. */
  const scratch = new Float64Array(window)
  const percentile = policy.balance.demandPercentile
  // The last n steps of the varying demand, column-major (recentCpu[col * n + k]: step - 1 - k).
  const recentCpu = new Float64Array(needHistory ? W * window : 0)
  const recentMem = new Float64Array(needHistory ? W * window : 0)
  const gatherRecent = (rows: Float64Array, out: Float64Array, step: number, n: number) => {
    for (let k = 0; k < n; k++) {
      const row = (step - 1 - k) * W
      for (let col = 0; col < W; col++) out[col * n + k] = rows[row + col]!
    }
  }
  const recentPercentile = (recent: Float64Array, col: number, n: number): number => {
    for (let k = 0; k < n; k++) scratch[k] = recent[col * n + k]!
    return selectPercentile(scratch, n, percentile)
  }
  // Claims of the VMs in the current model, reused across passes (room for every request too).
  const claimCpu = new Float64Array(cap)
  const claimMem = new Float64Array(cap)
  const claimUsedMem = new Float64Array(cap)
  const localOf = new Int32Array(H)
  const EMPTY_IDS: string[] = []
  /** Host ids a VM may run on (pinning), computed once per VM. */
  const allowedIds = new Map<number, string[] | null>()
  const allowedIdsOf = (i: number): string[] | null => {
    let ids = allowedIds.get(i)
    if (ids === undefined) {
      const a = vms[i]!.allowed
      ids = a ? a.map((h) => hosts[h]!.id) : null
      allowedIds.set(i, ids)
    }
    return ids
  }
  interface Claims {
    hostMap: number[]
    vmMap: number[]
    step: number
  }
  /** The numbers of the model (which hosts and VMs take part, and each VM's claims), no objects yet. */
  const computeClaims = (step: number, only: (h: HostRt) => boolean, span: number): Claims => {
    const hostMap: number[] = []
    for (let h = 0; h < H; h++) {
      if (only(hosts[h]!)) {
        localOf[h] = hostMap.length
        hostMap.push(h)
      } else localOf[h] = -1
    }
    const vmMap: number[] = []
    const filled = needHistory ? Math.min(window, step) : 0
    const isStatic = strategy === 'static'
    // Demand percentile over the last n steps (a constant demand is its own percentile).
    const n = filled > 0 ? Math.min(span, step, window) : 0
    if (n > 0) {
      if (!isStatic) gatherRecent(rowsCpu, recentCpu, step, n)
      gatherRecent(rowsMem, recentMem, step, n)
    }
    for (let a = 0; a < nAlive; a++) {
      const i = alive[a]!
      const h = hostOf[i]!
      if (h < 0 || localOf[h]! < 0) continue
      const vcpus = vcpusOf[i]!
      const mem = memOf[i]!
      // Static claims allocations: no need to look at demand.
      const col = colOf[i]!
      const cpuDemand = isStatic ? vcpus : n > 0 ? (col >= 0 ? recentPercentile(recentCpu, col, n) : constCpu[i]!) : demandCpu[i]!
      const memDemand = n > 0 ? (col >= 0 ? recentPercentile(recentMem, col, n) : constMem[i]!) : demandMem[i]!
      vmMap.push(i)
      claimCpu[i] = isStatic ? vcpus : Math.min(cpuDemand, vcpus, cpuLimOf[i]!)
      claimMem[i] = isStatic ? mem : Math.min(memDemand, mem, memLimOf[i]!)
      claimUsedMem[i] = Math.min(memDemand, mem)
    }
    return { hostMap, vmMap, step }
  }
  /** The placement problem for the claims; `pinned(i)` marks VMs the optional phase leaves alone. */
  const buildProblem = (c: Claims, treatAsMaintenance: (h: HostRt) => boolean, pinned: ((i: number) => boolean) | null): PlacementProblem => {
    const { hostMap, vmMap, step } = c
    const pvms: PlacementVm[] = new Array<PlacementVm>(vmMap.length)
    for (let k = 0; k < vmMap.length; k++) {
      const i = vmMap[k]!
      const v = vms[i]!
      pvms[k] = {
        id: v.id,
        hostId: hosts[hostOf[i]!]!.id,
        cpuClaim: claimCpu[i]!,
        memClaim: claimMem[i]!,
        vcpus: vcpusOf[i]!,
        memoryMiB: memOf[i]!,
        memUsedMiB: claimUsedMem[i]!,
        memDirtyMiBps: 0,
        movable: pinned ? !pinned(i) : true,
        allowedHosts: v.allowed ? allowedIdsOf(i) : null,
        cooldownHosts: v.lastMoveFrom >= 0 && (step - v.lastMoveStep) * stepMinutes < COOLDOWN_MINUTES ? [hosts[v.lastMoveFrom]!.id] : EMPTY_IDS,
      }
    }
    const { affinity, antiAffinity } = scenario.rules
    const present = affinity.length + antiAffinity.length > 0 ? new Set(pvms.map((v) => v.id)) : null
    const groups = (gs: string[][]) => (gs.length === 0 || !present ? [] : gs.map((g) => g.filter((id) => present.has(id))).filter((g) => g.length > 1))
    return {
      hosts: hostMap.map((h) => {
        const host = hosts[h]!
        return { id: host.id, cpuCores: host.cpuCores, memMiB: host.memMiB, vcpuLimit: vcpuLimit(host), memAllocLimitMiB: memLimit(host), maintenance: treatAsMaintenance(host) }
      }),
      vms: pvms,
      affinity: groups(affinity),
      antiAffinity: groups(antiAffinity),
      cpuWeight: 0.5,
      memWeight: 0.5,
    }
  }
  const placementProblem = (step: number, only: (h: HostRt) => boolean, treatAsMaintenance: (h: HostRt) => boolean, span: number): PlacementProblem =>
    buildProblem(computeClaims(step, only, span), treatAsMaintenance, null)

  const applyMoves = (step: number, moves: readonly { vmId: string; to: string }[]) => {
    for (const m of moves) {
      const i = vmIndexById.get(m.vmId)!
      const v = vms[i]!
      const to = hostIndex.get(m.to)!
      if (hostOf[i] === to) continue
      v.lastMoveFrom = hostOf[i]!
      v.lastMoveStep = step
      hostOf[i] = to
      migrations++
      queueDirty = true
    }
  }

  const hostCpuSum = new Float64Array(H)
  const hostMemSum = new Float64Array(H)
  const hostLoad = new Float64Array(H)
  /**
   * Balancer pass; with `maxMigrations` 0 only the mandatory moves (evacuations, rule fixes) run.
   * Optional passes run only when some host's sustained load is above the policy's threshold,
   * and only VMs on hosts above the average load are candidates (moving load off hot hosts).
   */
  const runBalancer = (step: number, maxMigrations: number) => {
    const claims = computeClaims(step, (h) => h.present && !h.failed && !h.asleep, balanceEvery)
    const { hostMap, vmMap } = claims
    if (vmMap.length === 0 || hostMap.length === 0) return
    let pinned: ((i: number) => boolean) | null = null
    if (maxMigrations > 0) {
      // Per-host load: the larger of its CPU and memory claims over capacity (summed in VM order).
      hostCpuSum.fill(0, 0, hostMap.length)
      hostMemSum.fill(0, 0, hostMap.length)
      let mandatoryPending = false
      for (const i of vmMap) {
        const l = localOf[hostOf[i]!]!
        hostCpuSum[l] = hostCpuSum[l]! + claimCpu[i]!
        hostMemSum[l] = hostMemSum[l]! + claimMem[i]!
        if (hosts[hostMap[l]!]!.maintenance) mandatoryPending = true
      }
      let hottest = 0
      let sum = 0
      let count = 0
      for (let l = 0; l < hostMap.length; l++) {
        const host = hosts[hostMap[l]!]!
        if (host.maintenance) {
          hostLoad[l] = -1
          continue
        }
        const load = Math.max(hostCpuSum[l]! / host.cpuCores, hostMemSum[l]! / host.memMiB)
        hostLoad[l] = load
        if (load > hottest) hottest = load
        sum += load
        count++
      }
      if (hottest <= policy.balance.thresholdLoad && !mandatoryPending) return
      const average = sum / Math.max(1, count)
      // Only load on hosts above the average moves: far fewer candidates, the same useful moves.
      pinned = (i) => {
        const l = localOf[hostOf[i]!]!
        return !hosts[hostMap[l]!]!.maintenance && hostLoad[l]! <= average
      }
    }
    const problem = buildProblem(claims, (h) => h.maintenance, pinned)
    const result = balanceGreedy(problem, {
      minGain: policy.balance.minGain,
      maxMigrations,
      migrationBandwidthMiBps: MIGRATION_BANDWIDTH_MIBPS,
      maxMigrationSeconds: MAX_MIGRATION_SECONDS,
    })
    applyMoves(step, result.moves)
  }

  const evacuate = (step: number, h: number): number => {
    runBalancer(step, 0)
    return countOn(h)
  }

  const placeDown = (step: number) => {
    if (downCount === 0) return
    const down: number[] = []
    for (let a = 0; a < nAlive; a++) {
      const i = alive[a]!
      if (hostOf[i]! < 0 && vms[i]!.downSince < step) down.push(i)
    }
    if (down.length === 0) return
    down.sort((a, b) => vms[b]!.priority - vms[a]!.priority || memOf[b]! - memOf[a]! || (vms[a]!.id < vms[b]!.id ? -1 : 1))
    let q = queueHosts()
    for (const i of down) {
      const v = vms[i]!
      let h = chooseHost(q, asRequest(i))
      if (h < 0 && wakeFor(step, asRequest(i))) {
        q = queueHosts()
        h = chooseHost(q, asRequest(i))
      }
      if (h < 0) continue
      hostOf[i] = h
      v.downSince = -1
      downCount--
      queueDirty = true
      q[h]!.usedVcpus += vcpusOf[i]!
      q[h]!.usedMemMiB += memOf[i]!
      restarts++
      log(step, 'vm-restarted', { vm: v.id, host: hosts[h]!.id })
    }
  }

  const goDown = (step: number, i: number, why: string) => {
    const v = vms[i]!
    log(step, 'vm-down', { vm: v.id, host: hostOf[i]! >= 0 ? hosts[hostOf[i]!]!.id : undefined, detail: why })
    hostOf[i] = -1
    v.downSince = step
    downCount++
  }
  const takeDownOn = (step: number, h: number, why: string) => {
    for (let a = 0; a < nAlive; a++) if (hostOf[alive[a]!] === h) goDown(step, alive[a]!, why)
  }

  let downCount = 0
  for (let a = 0; a < nAlive; a++) if (hostOf[alive[a]!]! < 0) downCount++
  // The queue is re-examined only when something it depends on changed (priority ages every step).
  let queueDirty = true
  const jobs: number[] = []
  let nextEvent = 0
  const hostLoadRing = new Float64Array(needHistory ? H * window : 0)
  const L: Ledger = {
    strategy,
    hosts,
    rowsCpu,
    rowsMem,
    W,
    colOf,
    constCpu,
    constMem,
    alive,
    hostOf,
    vcpusOf,
    memOf,
    sharesOf,
    cpuResOf,
    cpuLimOf,
    memResOf,
    memLimOf,
    demandCpu,
    demandMem,
    members: hosts.map(() => new Int32Array(64)),
    memberN: new Int32Array(H),
    cpuBuf: shareBuffers(64),
    memBuf: shareBuffers(64),
    hostLoadRing,
    window: needHistory ? window : 0,
    vmSteps: 0,
    downSteps: 0,
    unmetAnySteps: 0,
    unmetCpuSteps: 0,
    unmetMemSteps: 0,
    aboveAllocSteps: 0,
    cpuDemandSum: 0,
    cpuUnmetSum: 0,
    activeHostSteps: 0,
    peakMemOvercommit: 0,
    cpuUtil: new Float64Array(H * steps),
    memUtil: new Float64Array(H * steps),
    utilN: 0,
    clusterCpu: new Float64Array(steps),
    clusterMem: new Float64Array(steps),
    clusterCpuDemand: new Float64Array(steps),
    activeHostsAt: new Float64Array(steps),
    unmetVmsAt: new Float64Array(steps),
  }
  /** The demand-percentile of a host's load over the last window of steps is above the threshold. */
  const sustainedHot = (step: number): boolean => {
    const filled = Math.min(window, step)
    if (filled === 0) return false
    for (let h = 0; h < H; h++) {
      if (!powered(hosts[h]!)) continue
      scratch.set(hostLoadRing.subarray(h * window, h * window + filled))
      if (selectPercentile(scratch, filled, policy.balance.demandPercentile) > policy.balance.thresholdLoad) return true
    }
    return false
  }

  for (let s = 0; s < steps; s++) {
    const minute = s * stepMinutes

    // 1. Host events of this step.
    while (nextEvent < prep.hostEvents.length && prep.hostEvents[nextEvent]!.step <= s) {
      const e = prep.hostEvents[nextEvent++]!
      queueDirty = true
      const h = hostIndex.get(e.hostId)!
      const host = hosts[h]!
      switch (e.kind) {
        case 'add':
          host.present = true
          log(s, 'host-added', { host: host.id })
          break
        case 'recover':
          host.failed = false
          log(s, 'host-recovered', { host: host.id })
          break
        case 'maintenanceStart': {
          host.maintenance = true
          log(s, 'maintenance-start', { host: host.id })
          const left = evacuate(s, h)
          if (left > 0) log(s, 'evacuation-incomplete', { host: host.id, detail: `${left} VMs fit on no other host and keep running there` })
          break
        }
        case 'maintenanceEnd':
          host.maintenance = false
          log(s, 'maintenance-end', { host: host.id })
          break
        case 'remove': {
          host.maintenance = true
          const left = evacuate(s, h)
          if (left > 0) log(s, 'evacuation-incomplete', { host: host.id, detail: `${left} VMs fit on no other host and go down` })
          takeDownOn(s, h, `host ${host.id} removed`)
          host.present = false
          log(s, 'host-removed', { host: host.id })
          break
        }
        case 'fail':
          // Restarts happen from the next step: a failure always costs its VMs at least one step.
          log(s, 'host-failed', { host: host.id })
          host.failed = true
          takeDownOn(s, h, `host ${host.id} failed`)
          break
      }
    }

    // 2. Jobs that ended free their allocation.
    let ended = false
    for (let k = jobs.length - 1; k >= 0; k--) {
      const i = jobs[k]!
      if (activeOf[i] === 1 && vms[i]!.endStep <= s) {
        activeOf[i] = 0
        ended = true
        if (hostOf[i]! < 0) downCount--
        completedJobs++
        queueDirty = true
        jobs.splice(k, 1)
      }
    }
    if (ended) {
      let w = 0
      for (let a = 0; a < nAlive; a++) if (activeOf[alive[a]!] === 1) alive[w++] = alive[a]!
      nAlive = w
    }

    // 3. HA restarts of VMs that went down before this step.
    placeDown(s)

    // 4. Arrivals join the queue; requests that fit no host even when empty are rejected.
    while (nextArrival < prep.arrivals.length && Math.ceil(prep.arrivals[nextArrival]!.atMinute / stepMinutes - 1e-9) <= s) {
      const a = prep.arrivals[nextArrival]!
      const req: QueuedRequest = {
        id: a.id,
        arrivalMinute: a.atMinute,
        durationMinutes: a.durationMinutes ?? null,
        priority: a.priority,
        vcpus: a.vcpus,
        memoryMiB: a.memoryMiB,
        seq: nextArrival,
      }
      nextArrival++
      const everHosts = hosts.map((h) => ({ vcpuLimit: vcpuLimit(h), memLimitMiB: memLimit(h), usedVcpus: 0, usedMemMiB: 0, open: h.present }))
      outcomes.set(a.id, { id: a.id, arrivalMinute: a.atMinute, startMinute: null, host: null, outcome: 'waiting' })
      if (!canEverFit(everHosts, req)) {
        outcomes.get(a.id)!.outcome = 'rejected'
        rejected++
        log(s, 'request-rejected', { vm: a.id, detail: `${a.vcpus} vCPUs / ${Math.round(a.memoryMiB)} MiB fits no host` })
        continue
      }
      waiting.push(req)
      queueDirty = true
    }
    if (policy.maxWaitMinutes !== undefined) {
      for (let i = waiting.length - 1; i >= 0; i--) {
        if (minute - waiting[i]!.arrivalMinute > policy.maxWaitMinutes) {
          log(s, 'request-rejected', { vm: waiting[i]!.id, detail: `waited more than ${policy.maxWaitMinutes} min` })
          outcomes.get(waiting[i]!.id)!.outcome = 'rejected'
          waiting.splice(i, 1)
          rejected++
        }
      }
    }

    // 5. The queue.
    if (waiting.length > 0 && (queueDirty || policy.scheduling === 'priority')) {
      queueDirty = false
      // Only EASY backfilling looks at running allocations, and only at those that end (jobs, kept
      // in VM order): workload VMs and open-ended requests never free their room.
      const running: RunningAllocation[] = []
      if (policy.scheduling === 'easy') {
        for (const i of jobs) {
          if (activeOf[i] !== 1 || hostOf[i]! < 0) continue
          running.push({ host: hostOf[i]!, vcpus: vcpusOf[i]!, memoryMiB: memOf[i]!, endMinute: vms[i]!.endStep * stepMinutes })
        }
      }
      const out = scheduleQueue({ now: minute, policy: policy.scheduling, agingPerHour: policy.agingPerHour, waiting, hosts: queueHosts(), running })
      for (const start of out.starts) {
        const a = arrivalById.get(start.request.id)!
        waits.push(minute - a.atMinute)
        Object.assign(outcomes.get(a.id)!, { startMinute: minute, host: hosts[start.host]!.id, outcome: 'started' })
        waiting.splice(waiting.indexOf(start.request), 1)
        const v: VmRt = {
          id: a.id,
          priority: a.priority,
          allowed: null,
          endStep: a.durationMinutes === undefined ? Infinity : s + Math.max(1, Math.ceil(a.durationMinutes / stepMinutes - 1e-9)),
          downSince: -1,
          lastMoveFrom: -1,
          lastMoveStep: 0,
        }
        const i = addVm(v, start.host, a.vcpus, a.memoryMiB, { shares: DEFAULT_SHARES, cpuRes: 0, cpuLim: Infinity, memRes: 0, memLim: Infinity })
        constCpu[i] = a.cpuCores ?? a.vcpus
        constMem[i] = a.memMiB ?? a.memoryMiB
        if (Number.isFinite(v.endStep)) jobs.push(i)
      }
      if (out.starts.length === 0 && waiting.length > 0 && policy.consolidation.enabled) {
        const head = waiting.find((r) => r.id === out.reservation?.requestId) ?? waiting[0]!
        wakeFor(s, head)
      }
    }

    // 6. Balancing and consolidation at their intervals.
    if (policy.balance.enabled && ((s > 0 && s % balanceEvery === 0 && sustainedHot(s)) || balanceDue)) {
      runBalancer(s, policy.balance.maxMigrations)
      balanceDue = false
    } else if (balanceDue) {
      runBalancer(s, Math.max(policy.balance.maxMigrations, 8))
      balanceDue = false
    }
    if (policy.consolidation.enabled && s > 0 && s % consolidateEvery === 0) {
      // Consolidation sizes hosts for demand sustained over its whole interval.
      const problem = placementProblem(s, usable, () => false, consolidateEvery)
      if (problem.vms.length > 0) {
        const plan = consolidate(problem, policy.consolidation.headroom)
        if (plan.feasible) {
          applyMoves(s, plan.moves)
          for (const id of plan.freedHosts) {
            const h = hostIndex.get(id)!
            if (countOn(h) === 0) {
              hosts[h]!.asleep = true
              log(s, 'host-asleep', { host: id })
            }
          }
        }
      }
    }

    // 7. Demand, entitlements and unmet demand on each host.
    const short = accountStep(L, s, nAlive)
    // A short host with a sleeping one available: wake it and spread the load next step.
    if (short && policy.consolidation.enabled && wakeFor(s, null)) balanceDue = true
  }

  const finalPlacement: Record<string, string | null> = {}
  for (let a = 0; a < nAlive; a++) {
    const i = alive[a]!
    finalPlacement[vms[i]!.id] = hostOf[i]! >= 0 ? hosts[hostOf[i]!]!.id : null
  }

  const { vmSteps, downSteps, unmetAnySteps, unmetCpuSteps, unmetMemSteps, aboveAllocSteps, cpuDemandSum, cpuUnmetSum, activeHostSteps, peakMemOvercommit } = L
  const { cpuUtil, memUtil, utilN, clusterCpu, clusterMem, clusterCpuDemand, activeHostsAt, unmetVmsAt } = L
  const sortedWaits = [...waits].sort((a, b) => a - b)
  const vmMinutes = vmSteps * stepMinutes
  const maxPoints = options.maxPoints ?? 300
  const ds = (values: Float64Array) => downsample(values, maxPoints)
  const cpuSeries = ds(clusterCpu)
  return {
    policy,
    metrics: {
      unmetVmMinutes: unmetAnySteps * stepMinutes,
      unmetShare: vmMinutes > 0 ? (unmetAnySteps * stepMinutes) / vmMinutes : 0,
      cpuUnmetVmMinutes: unmetCpuSteps * stepMinutes,
      memUnmetVmMinutes: unmetMemSteps * stepMinutes,
      aboveAllocationVmMinutes: aboveAllocSteps * stepMinutes,
      unmetCpuCoreHours: (cpuUnmetSum * stepMinutes) / 60,
      unmetCpuShare: cpuDemandSum > 0 ? cpuUnmetSum / cpuDemandSum : 0,
      downVmMinutes: downSteps * stepMinutes,
      hostCpuUtil: distribution(cpuUtil.subarray(0, utilN)),
      hostMemUtil: distribution(memUtil.subarray(0, utilN)),
      migrations,
      restarts,
      activeHostHours: (activeHostSteps * stepMinutes) / 60,
      queue: {
        requests: prep.arrivals.length,
        started: waits.length,
        rejected,
        waitingAtEnd: waiting.length,
        waitMinutes: { mean: mean(sortedWaits), p95: sortedPercentile(sortedWaits, 0.95), max: sortedWaits.at(-1) ?? 0 },
      },
      peakMemOvercommit,
    },
    series: {
      t: cpuSeries.index.map((i) => scenario.start + i * scenario.stepSeconds * 1000),
      cpuPct: cpuSeries.values,
      memPct: ds(clusterMem).values,
      cpuDemandPct: ds(clusterCpuDemand).values,
      activeHosts: ds(activeHostsAt).values,
      unmetVms: ds(unmetVmsAt).values,
    },
    waitMinutes: thinSorted(sortedWaits, 200),
    events,
    eventsDropped,
    requests: [...outcomes.values()],
    finalPlacement,
    accounting: { vmSteps, placedVmSteps: vmSteps - downSteps, downVmSteps: downSteps, completedJobs },
  }
}

/**
 * Step 7 of the replay, and what it reads and updates. A module-level function over one object,
 * not a closure of replayPrepared: V8 optimizes it once for every replay and policy, where the
 * closures made per replay would be re-specialized (and at times left unoptimized) per run.
 */
interface Ledger {
  strategy: AllocationStrategy
  hosts: HostRt[]
  /** Varying demand: step-major rows of W columns (colOf[i], -1: constCpu / constMem). */
  rowsCpu: Float64Array
  rowsMem: Float64Array
  W: number
  colOf: Int32Array
  constCpu: Float64Array
  constMem: Float64Array
  alive: Int32Array
  hostOf: Int32Array
  vcpusOf: Float64Array
  memOf: Float64Array
  sharesOf: Float64Array
  cpuResOf: Float64Array
  cpuLimOf: Float64Array
  memResOf: Float64Array
  memLimOf: Float64Array
  /** This step's demand per VM, read by balancing in the next steps. */
  demandCpu: Float64Array
  demandMem: Float64Array
  /** The VMs on each host this step, in index order (grown on demand: hosts x requests can be large). */
  members: Int32Array[]
  memberN: Int32Array
  cpuBuf: ShareBuffers
  memBuf: ShareBuffers
  /** Each host's demand load over the last `window` steps (window 0: not kept). */
  hostLoadRing: Float64Array
  window: number
  vmSteps: number
  downSteps: number
  unmetAnySteps: number
  unmetCpuSteps: number
  unmetMemSteps: number
  aboveAllocSteps: number
  cpuDemandSum: number
  cpuUnmetSum: number
  activeHostSteps: number
  peakMemOvercommit: number
  cpuUtil: Float64Array
  memUtil: Float64Array
  utilN: number
  clusterCpu: Float64Array
  clusterMem: Float64Array
  clusterCpuDemand: Float64Array
  activeHostsAt: Float64Array
  unmetVmsAt: Float64Array
}

/** Demand, entitlements and unmet demand of step s on each powered host; true when a host is short. */
function accountStep(L: Ledger, s: number, nAlive: number): boolean {
  const { hosts, rowsCpu, rowsMem, W, colOf, constCpu, constMem, alive, hostOf, vcpusOf, memOf, cpuResOf, cpuLimOf, memResOf, memLimOf, demandCpu, demandMem, members, memberN, strategy } = L
  const { hostLoadRing, window, cpuUtil, memUtil, clusterCpu, clusterMem, clusterCpuDemand, activeHostsAt, unmetVmsAt } = L
  const H = hosts.length
  const hybrid = strategy === 'hybrid'
  // The running sums continue from the ledger, in the same order as ever.
  let { vmSteps, downSteps, unmetAnySteps, unmetCpuSteps, unmetMemSteps, aboveAllocSteps, cpuDemandSum, cpuUnmetSum, peakMemOvercommit, utilN } = L
  memberN.fill(0)
  let unmetNow = 0
  const row = s * W
  for (let a = 0; a < nAlive; a++) {
    const i = alive[a]!
    const col = colOf[i]!
    const c = col >= 0 ? rowsCpu[row + col]! : constCpu[i]!
    const m = col >= 0 ? rowsMem[row + col]! : constMem[i]!
    demandCpu[i] = c
    demandMem[i] = m
    vmSteps++
    cpuDemandSum += c
    const h = hostOf[i]!
    if (h < 0) {
      downSteps++
      cpuUnmetSum += c
      if (c > tolerance(c) || m > tolerance(m)) {
        unmetAnySteps++
        unmetNow++
        if (c > tolerance(c)) unmetCpuSteps++
        if (m > tolerance(m)) unmetMemSteps++
      }
      continue
    }
    const k = memberN[h]!
    if (k === members[h]!.length) {
      const grown = new Int32Array(2 * k)
      grown.set(members[h]!)
      members[h] = grown
    }
    members[h]![k] = i
    memberN[h] = k + 1
  }

  let cpuGranted = 0
  let memGranted = 0
  let cpuCapacity = 0
  let memCapacity = 0
  let cpuDemandPowered = 0
  let activeHosts = 0
  let short = false
  for (let h = 0; h < H; h++) {
    const host = hosts[h]!
    if (!host.present || host.failed || host.asleep) continue
    const list = members[h]!
    const n = memberN[h]!
    activeHosts++
    cpuCapacity += host.cpuCores
    memCapacity += host.memMiB
    // Sums for the closed-form (no contention) case of each strategy.
    let allocCpu = 0
    let allocMem = 0
    let cappedCpu = 0
    let cappedMem = 0
    let baseCpu = 0
    let baseMem = 0
    let ceilCpu = 0
    let ceilMem = 0
    for (let k = 0; k < n; k++) {
      const i = list[k]!
      const vcpus = vcpusOf[i]!
      const mem = memOf[i]!
      const cc = Math.min(demandCpu[i]!, vcpus)
      const cm = Math.min(demandMem[i]!, mem)
      allocCpu += vcpus
      allocMem += mem
      cappedCpu += cc
      cappedMem += cm
      if (hybrid) {
        const bc = Math.min(cpuResOf[i]!, cc)
        const bm = Math.min(memResOf[i]!, cm)
        baseCpu += bc
        baseMem += bm
        ceilCpu += Math.max(0, Math.min(cc, cpuLimOf[i]!) - bc)
        ceilMem += Math.max(0, Math.min(cm, memLimOf[i]!) - bm)
      }
    }
    const cpuFast = strategy === 'static' || (strategy === 'dynamic' ? cappedCpu <= host.cpuCores : baseCpu <= host.cpuCores && ceilCpu <= host.cpuCores - baseCpu)
    const memFast = strategy === 'static' || (strategy === 'dynamic' ? cappedMem <= host.memMiB : baseMem <= host.memMiB && ceilMem <= host.memMiB - baseMem)
    const cpuScale = strategy === 'static' && allocCpu > host.cpuCores ? host.cpuCores / allocCpu : 1
    const memScale = strategy === 'static' && allocMem > host.memMiB ? host.memMiB / allocMem : 1
    // Under contention the engine's entitlement model shares the host (fills the buffers).
    if (!cpuFast) shareResource(strategy, host.cpuCores, (L.cpuBuf = fillBuffers(L, L.cpuBuf, list, n, true)))
    if (!memFast) shareResource(strategy, host.memMiB, (L.memBuf = fillBuffers(L, L.memBuf, list, n, false)))
    if (cappedCpu > host.cpuCores * (1 + 1e-9) || cappedMem > host.memMiB * (1 + 1e-9)) short = true
    cpuDemandPowered += cappedCpu
    // What the host actually runs: each VM's entitlement, but no more than it wants.
    let usedCpu = 0
    let usedMem = 0
    const cpuEnt = L.cpuBuf.entitlement
    const memEnt = L.memBuf.entitlement
    for (let k = 0; k < n; k++) {
      const i = list[k]!
      const vcpus = vcpusOf[i]!
      const mem = memOf[i]!
      const c = demandCpu[i]!
      const m = demandMem[i]!
      const cc = Math.min(c, vcpus)
      const cm = Math.min(m, mem)
      const entCpu = !cpuFast
        ? cpuEnt[k]!
        : strategy === 'static'
          ? vcpus * cpuScale
          : hybrid
            ? Math.max(Math.min(cpuResOf[i]!, cc), Math.min(cc, cpuLimOf[i]!))
            : cc
      const entMem = !memFast
        ? memEnt[k]!
        : strategy === 'static'
          ? mem * memScale
          : hybrid
            ? Math.max(Math.min(memResOf[i]!, cm), Math.min(cm, memLimOf[i]!))
            : cm
      usedCpu += c < entCpu ? c : entCpu
      usedMem += m < entMem ? m : entMem
      const cpuShort = c - entCpu > 1e-6 * (c > 1 ? c : 1)
      const memShort = m - entMem > 1e-6 * (m > 1 ? m : 1)
      if (c > entCpu) cpuUnmetSum += c - entCpu
      if (cpuShort || memShort) {
        unmetAnySteps++
        unmetNow++
        if (cpuShort) unmetCpuSteps++
        if (memShort) unmetMemSteps++
        if (c > vcpus + tolerance(c) || m > mem + tolerance(m)) aboveAllocSteps++
      }
    }
    cpuUtil[utilN] = usedCpu / host.cpuCores
    memUtil[utilN] = usedMem / host.memMiB
    utilN++
    // Sustained-load trigger of the balancer: each host's recent demand load.
    if (window > 0) hostLoadRing[h * window + (s % window)] = Math.max(cappedCpu / host.cpuCores, cappedMem / host.memMiB)
    cpuGranted += usedCpu
    memGranted += usedMem
    const overcommit = allocMem / host.memMiB
    if (overcommit > peakMemOvercommit) peakMemOvercommit = overcommit
  }
  L.activeHostSteps += activeHosts
  clusterCpu[s] = cpuCapacity > 0 ? (100 * cpuGranted) / cpuCapacity : 0
  clusterMem[s] = memCapacity > 0 ? (100 * memGranted) / memCapacity : 0
  clusterCpuDemand[s] = cpuCapacity > 0 ? (100 * cpuDemandPowered) / cpuCapacity : 0
  activeHostsAt[s] = activeHosts
  unmetVmsAt[s] = unmetNow
  L.vmSteps = vmSteps
  L.downSteps = downSteps
  L.unmetAnySteps = unmetAnySteps
  L.unmetCpuSteps = unmetCpuSteps
  L.unmetMemSteps = unmetMemSteps
  L.aboveAllocSteps = aboveAllocSteps
  L.cpuDemandSum = cpuDemandSum
  L.cpuUnmetSum = cpuUnmetSum
  L.peakMemOvercommit = peakMemOvercommit
  L.utilN = utilN
  return short
}

/** The share buffers (grown if needed) filled with the n VMs of `list`, CPU or memory. */
function fillBuffers(L: Ledger, buffers: ShareBuffers, list: Int32Array, n: number, cpu: boolean): ShareBuffers {
  const b = growShareBuffers(buffers, n)
  const demand = cpu ? L.demandCpu : L.demandMem
  b.n = n
  for (let k = 0; k < n; k++) {
    const i = list[k]!
    b.demand[k] = demand[i]!
    b.allocation[k] = cpu ? L.vcpusOf[i]! : L.memOf[i]!
    b.reservation[k] = cpu ? L.cpuResOf[i]! : L.memResOf[i]!
    b.limit[k] = cpu ? L.cpuLimOf[i]! : L.memLimOf[i]!
    b.shares[k] = cpu ? L.sharesOf[i]! : DEFAULT_SHARES
  }
  return b
}

/** Below this a shortfall is rounding, not contention. */
function tolerance(demand: number): number {
  return 1e-6 * Math.max(1, demand)
}
