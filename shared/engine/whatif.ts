import type { PolicySet, Scenario } from '../model/scenario'
import { balanceGreedy } from './balance'
import { consolidate } from './consolidate'
import type { PlacementProblem, PlacementVm } from './placement'
import { canEverFit, chooseHost, scheduleQueue, type QueueHost, type QueuedRequest, type RunningAllocation } from './queue'
import { prepareScenario, type PreparedScenario, type PreparedVm } from './whatif/prepare'
import { growShareBuffers, shareBuffers, shareResource } from './whatif/share'
import { distribution, downsample, mean, selectPercentile, sortedPercentile, thinSorted, type Distribution } from './whatif/stats'

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

interface VmRt {
  id: string
  vcpus: number
  memoryMiB: number
  shares: number
  cpuRes: number
  cpuLim: number
  memRes: number
  memLim: number
  priority: number
  allowed: number[] | null
  host: number
  cpu: Float64Array | null
  mem: Float64Array | null
  cpuConst: number
  memConst: number
  growth: number
  active: boolean
  /** Requests: the step after their last; workload VMs: Infinity. */
  endStep: number
  downSince: number
  lastMoveFrom: number
  lastMoveStep: number
}

export function compareScenario(scenario: Scenario, policies: readonly PolicySet[], options: ReplayOptions): WhatifComparison {
  const prepared = prepareScenario(scenario, options.seed)
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

  const vms: VmRt[] = prep.vms.map((p) => vmFrom(p, hostIndex))
  // A VM whose host has not joined yet starts down and is placed like a restart.
  for (const v of vms) if (v.host >= 0 && !hosts[v.host]!.present) v.host = -1
  const vmIndexById = new Map(vms.map((v, i) => [v.id, i]))

  // Queue state.
  const waiting: QueuedRequest[] = []
  const arrivalById = new Map(prep.arrivals.map((a) => [a.id, a]))
  let nextArrival = 0
  const waits: number[] = []
  const outcomes = new Map<string, RequestOutcome>()
  let rejected = 0
  let completedJobs = 0

  // Metrics accumulators.
  let vmSteps = 0
  let downSteps = 0
  let unmetAnySteps = 0
  let unmetCpuSteps = 0
  let unmetMemSteps = 0
  let aboveAllocSteps = 0
  let cpuDemandSum = 0
  let cpuUnmetSum = 0
  let migrations = 0
  let restarts = 0
  let activeHostSteps = 0
  let peakMemOvercommit = 0
  const cpuUtil = new Float64Array(H * steps)
  const memUtil = new Float64Array(H * steps)
  let utilN = 0
  const clusterCpu = new Float64Array(steps)
  const clusterMem = new Float64Array(steps)
  const clusterCpuDemand = new Float64Array(steps)
  const activeHostsAt = new Float64Array(steps)
  const unmetVmsAt = new Float64Array(steps)

  const usable = (h: HostRt) => h.present && !h.failed && !h.maintenance && !h.asleep
  const powered = (h: HostRt) => h.present && !h.failed && !h.asleep
  const vcpuLimit = (h: HostRt) => h.cpuCores * policy.cpuOvercommit
  const memLimit = (h: HostRt) => h.memMiB * policy.memOvercommit

  // Demand of VM v at step s (raw: may exceed its allocation).
  // Room for every request that may start, so the buffers never grow mid-run.
  const demandCpu = new Float64Array(vms.length + prep.arrivals.length)
  const demandMem = new Float64Array(vms.length + prep.arrivals.length)
  // Recent demand for balancing: a ring of the last `window` steps per VM.
  const balanceEvery = Math.max(1, Math.round(policy.balance.intervalMinutes / stepMinutes))
  const consolidateEvery = Math.max(1, Math.round(policy.consolidation.intervalMinutes / stepMinutes))
  const window = Math.max(balanceEvery, policy.consolidation.enabled ? consolidateEvery : 1)
  const needHistory = policy.balance.enabled || policy.consolidation.enabled
  let recentCpu: Float64Array[] = needHistory ? vms.map(() => new Float64Array(window)) : []
  let recentMem: Float64Array[] = needHistory ? vms.map(() => new Float64Array(window)) : []
  let balanceDue = false

  const queueHosts = (): QueueHost[] => {
    const q = hosts.map((h) => ({ vcpuLimit: vcpuLimit(h), memLimitMiB: memLimit(h), usedVcpus: 0, usedMemMiB: 0, open: usable(h) }))
    for (const v of vms) {
      if (!v.active || v.host < 0) continue
      q[v.host]!.usedVcpus += v.vcpus
      q[v.host]!.usedMemMiB += v.memoryMiB
    }
    return q
  }
  const asRequest = (v: VmRt): QueuedRequest => ({ id: v.id, arrivalMinute: 0, durationMinutes: null, priority: v.priority, vcpus: v.vcpus, memoryMiB: v.memoryMiB, seq: 0, allowedHosts: v.allowed })

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
  /** Demand percentile of VM i over the last `span` steps (the ring holds the last `window`). */
  const recentPercentile = (ring: Float64Array, step: number, span: number): number => {
    const n = Math.min(span, step, window)
    for (let k = 0; k < n; k++) scratch[k] = ring[(step - 1 - k) % window]!
    return selectPercentile(scratch, n, policy.balance.demandPercentile)
  }
  // Claims of the VMs in the current model, reused across passes (room for every request too).
  const claimCap = vms.length + prep.arrivals.length
  const claimCpu = new Float64Array(claimCap)
  const claimMem = new Float64Array(claimCap)
  const claimUsedMem = new Float64Array(claimCap)
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
    for (let i = 0; i < vms.length; i++) {
      const v = vms[i]!
      if (!v.active || v.host < 0 || localOf[v.host]! < 0) continue
      // Static claims allocations: no need to look at demand.
      const cpuDemand = isStatic ? v.vcpus : filled > 0 ? recentPercentile(recentCpu[i]!, step, span) : demandCpu[i]!
      const memDemand = filled > 0 ? recentPercentile(recentMem[i]!, step, span) : demandMem[i]!
      vmMap.push(i)
      claimCpu[i] = isStatic ? v.vcpus : Math.min(cpuDemand, v.vcpus, v.cpuLim)
      claimMem[i] = isStatic ? v.memoryMiB : Math.min(memDemand, v.memoryMiB, v.memLim)
      claimUsedMem[i] = Math.min(memDemand, v.memoryMiB)
    }
    return { hostMap, vmMap, step }
  }
  /** The placement problem for the claims; `pinned(i)` marks VMs the optional phase leaves alone. */
  const buildProblem = (c: Claims, treatAsMaintenance: (h: HostRt) => boolean, pinned: ((i: number) => boolean) | null): PlacementProblem => {
    const { hostMap, vmMap, step } = c
    const pvms: PlacementVm[] = new Array<PlacementVm>(vmMap.length)
    const present = new Set<string>()
    for (let k = 0; k < vmMap.length; k++) {
      const i = vmMap[k]!
      const v = vms[i]!
      present.add(v.id)
      pvms[k] = {
        id: v.id,
        hostId: hosts[v.host]!.id,
        cpuClaim: claimCpu[i]!,
        memClaim: claimMem[i]!,
        vcpus: v.vcpus,
        memoryMiB: v.memoryMiB,
        memUsedMiB: claimUsedMem[i]!,
        memDirtyMiBps: 0,
        movable: pinned ? !pinned(i) : true,
        allowedHosts: v.allowed ? allowedIdsOf(i) : null,
        cooldownHosts:
          v.lastMoveFrom >= 0 && (step - v.lastMoveStep) * stepMinutes < COOLDOWN_MINUTES ? [hosts[v.lastMoveFrom]!.id] : EMPTY_IDS,
      }
    }
    const groups = (gs: string[][]) => (gs.length === 0 ? [] : gs.map((g) => g.filter((id) => present.has(id))).filter((g) => g.length > 1))
    return {
      hosts: hostMap.map((h) => {
        const host = hosts[h]!
        return { id: host.id, cpuCores: host.cpuCores, memMiB: host.memMiB, vcpuLimit: vcpuLimit(host), memAllocLimitMiB: memLimit(host), maintenance: treatAsMaintenance(host) }
      }),
      vms: pvms,
      affinity: groups(scenario.rules.affinity),
      antiAffinity: groups(scenario.rules.antiAffinity),
      cpuWeight: 0.5,
      memWeight: 0.5,
    }
  }
  const placementProblem = (step: number, only: (h: HostRt) => boolean, treatAsMaintenance: (h: HostRt) => boolean, span: number): PlacementProblem =>
    buildProblem(computeClaims(step, only, span), treatAsMaintenance, null)

  const applyMoves = (step: number, moves: readonly { vmId: string; to: string }[]) => {
    for (const m of moves) {
      const v = vms[vmIndexById.get(m.vmId)!]!
      const to = hostIndex.get(m.to)!
      if (v.host === to) continue
      v.lastMoveFrom = v.host
      v.lastMoveStep = step
      v.host = to
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
        const l = localOf[vms[i]!.host]!
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
        const l = localOf[vms[i]!.host]!
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
    let left = 0
    for (const v of vms) if (v.active && v.host === h) left++
    return left
  }

  const placeDown = (step: number) => {
    if (downCount === 0) return
    const down = vms.filter((v) => v.active && v.host < 0 && v.downSince < step)
    if (down.length === 0) return
    down.sort((a, b) => b.priority - a.priority || b.memoryMiB - a.memoryMiB || (a.id < b.id ? -1 : 1))
    let q = queueHosts()
    for (const v of down) {
      let h = chooseHost(q, asRequest(v))
      if (h < 0 && wakeFor(step, asRequest(v))) {
        q = queueHosts()
        h = chooseHost(q, asRequest(v))
      }
      if (h < 0) continue
      v.host = h
      v.downSince = -1
      downCount--
      queueDirty = true
      q[h]!.usedVcpus += v.vcpus
      q[h]!.usedMemMiB += v.memoryMiB
      restarts++
      log(step, 'vm-restarted', { vm: v.id, host: hosts[h]!.id })
    }
  }

  const goDown = (step: number, v: VmRt, why: string) => {
    log(step, 'vm-down', { vm: v.id, host: v.host >= 0 ? hosts[v.host]!.id : undefined, detail: why })
    v.host = -1
    v.downSince = step
    downCount++
  }

  let downCount = 0
  for (const v of vms) if (v.host < 0) downCount++
  // The queue is re-examined only when something it depends on changed (priority ages every step).
  let queueDirty = true
  const jobs: number[] = []
  let nextEvent = 0
  const cpuBuf = { b: shareBuffers(64) }
  const memBuf = { b: shareBuffers(64) }
  const members: number[][] = hosts.map(() => [])
  const hybrid = strategy === 'hybrid'
  const hostLoadRing = new Float64Array(needHistory ? H * window : 0)
  const fillBuffers = (
    target: { b: ReturnType<typeof shareBuffers> },
    list: readonly number[],
    cpu: boolean,
    demand: Float64Array,
  ) => {
    target.b = growShareBuffers(target.b, list.length)
    const b = target.b
    b.n = list.length
    for (let k = 0; k < list.length; k++) {
      const v = vms[list[k]!]!
      b.demand[k] = demand[list[k]!]!
      b.allocation[k] = cpu ? v.vcpus : v.memoryMiB
      b.reservation[k] = cpu ? v.cpuRes : v.memRes
      b.limit[k] = cpu ? v.cpuLim : v.memLim
      b.shares[k] = cpu ? v.shares : DEFAULT_SHARES
    }
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
          for (const v of vms) if (v.active && v.host === h) goDown(s, v, `host ${host.id} removed`)
          host.present = false
          log(s, 'host-removed', { host: host.id })
          break
        }
        case 'fail':
          // Restarts happen from the next step: a failure always costs its VMs at least one step.
          log(s, 'host-failed', { host: host.id })
          host.failed = true
          for (const v of vms) if (v.active && v.host === h) goDown(s, v, `host ${host.id} failed`)
          break
      }
    }

    // 2. Jobs that ended free their allocation.
    for (let k = jobs.length - 1; k >= 0; k--) {
      const v = vms[jobs[k]!]!
      if (v.active && v.endStep <= s) {
        v.active = false
        if (v.host < 0) downCount--
        completedJobs++
        queueDirty = true
        jobs.splice(k, 1)
      }
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
          const v = vms[i]!
          if (!v.active || v.host < 0) continue
          running.push({ host: v.host, vcpus: v.vcpus, memoryMiB: v.memoryMiB, endMinute: v.endStep * stepMinutes })
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
          vcpus: a.vcpus,
          memoryMiB: a.memoryMiB,
          shares: DEFAULT_SHARES,
          cpuRes: 0,
          cpuLim: Infinity,
          memRes: 0,
          memLim: Infinity,
          priority: a.priority,
          allowed: null,
          host: start.host,
          cpu: null,
          mem: null,
          cpuConst: a.cpuCores ?? a.vcpus,
          memConst: a.memMiB ?? a.memoryMiB,
          growth: 0,
          active: true,
          endStep: a.durationMinutes === undefined ? Infinity : s + Math.max(1, Math.ceil(a.durationMinutes / stepMinutes - 1e-9)),
          downSince: -1,
          lastMoveFrom: -1,
          lastMoveStep: 0,
        }
        vmIndexById.set(v.id, vms.length)
        if (Number.isFinite(v.endStep)) jobs.push(vms.length)
        vms.push(v)
        if (needHistory) {
          recentCpu.push(new Float64Array(window).fill(v.cpuConst))
          recentMem.push(new Float64Array(window).fill(v.memConst))
        }
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
            if (!vms.some((v) => v.active && v.host === h)) {
              hosts[h]!.asleep = true
              log(s, 'host-asleep', { host: id })
            }
          }
        }
      }
    }

    // 7. Demand, entitlements and unmet demand on each host.
    for (let h = 0; h < H; h++) members[h]!.length = 0
    let unmetNow = 0
    for (let i = 0; i < vms.length; i++) {
      const v = vms[i]!
      if (!v.active) continue
      const g = v.growth !== 0 ? Math.exp((v.growth * minute) / prep.monthMinutes) : 1
      const c = (v.cpu ? v.cpu[s]! : v.cpuConst) * g
      const m = (v.mem ? v.mem[s]! : v.memConst) * g
      demandCpu[i] = c
      demandMem[i] = m
      if (needHistory) {
        recentCpu[i]![s % window] = c
        recentMem[i]![s % window] = m
      }
      vmSteps++
      cpuDemandSum += c
      if (v.host < 0) {
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
      members[v.host]!.push(i)
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
      if (!powered(host)) continue
      const list = members[h]!
      activeHosts++
      cpuCapacity += host.cpuCores
      memCapacity += host.memMiB
      const n = list.length
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
        const v = vms[i]!
        const cc = Math.min(demandCpu[i]!, v.vcpus)
        const cm = Math.min(demandMem[i]!, v.memoryMiB)
        allocCpu += v.vcpus
        allocMem += v.memoryMiB
        cappedCpu += cc
        cappedMem += cm
        if (hybrid) {
          const bc = Math.min(v.cpuRes, cc)
          const bm = Math.min(v.memRes, cm)
          baseCpu += bc
          baseMem += bm
          ceilCpu += Math.max(0, Math.min(cc, v.cpuLim) - bc)
          ceilMem += Math.max(0, Math.min(cm, v.memLim) - bm)
        }
      }
      const cpuFast = strategy === 'static' || (strategy === 'dynamic' ? cappedCpu <= host.cpuCores : baseCpu <= host.cpuCores && ceilCpu <= host.cpuCores - baseCpu)
      const memFast = strategy === 'static' || (strategy === 'dynamic' ? cappedMem <= host.memMiB : baseMem <= host.memMiB && ceilMem <= host.memMiB - baseMem)
      const cpuScale = strategy === 'static' && allocCpu > host.cpuCores ? host.cpuCores / allocCpu : 1
      const memScale = strategy === 'static' && allocMem > host.memMiB ? host.memMiB / allocMem : 1
      if (!cpuFast) fillBuffers(cpuBuf, list, true, demandCpu)
      if (!memFast) fillBuffers(memBuf, list, false, demandMem)
      // Under contention the engine's entitlement model shares the host (fills the buffers).
      if (!cpuFast) shareResource(strategy, host.cpuCores, cpuBuf.b)
      if (!memFast) shareResource(strategy, host.memMiB, memBuf.b)
      if (cappedCpu > host.cpuCores * (1 + 1e-9) || cappedMem > host.memMiB * (1 + 1e-9)) short = true
      cpuDemandPowered += cappedCpu
      // What the host actually runs: each VM's entitlement, but no more than it wants.
      let usedCpu = 0
      let usedMem = 0
      for (let k = 0; k < n; k++) {
        const i = list[k]!
        const v = vms[i]!
        const c = demandCpu[i]!
        const m = demandMem[i]!
        const cc = Math.min(c, v.vcpus)
        const cm = Math.min(m, v.memoryMiB)
        const entCpu = !cpuFast
          ? cpuBuf.b.entitlement[k]!
          : strategy === 'static'
            ? v.vcpus * cpuScale
            : hybrid
              ? Math.max(Math.min(v.cpuRes, cc), Math.min(cc, v.cpuLim))
              : cc
        const entMem = !memFast
          ? memBuf.b.entitlement[k]!
          : strategy === 'static'
            ? v.memoryMiB * memScale
            : hybrid
              ? Math.max(Math.min(v.memRes, cm), Math.min(cm, v.memLim))
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
          if (c > v.vcpus + tolerance(c) || m > v.memoryMiB + tolerance(m)) aboveAllocSteps++
        }
      }
      cpuUtil[utilN] = usedCpu / host.cpuCores
      memUtil[utilN] = usedMem / host.memMiB
      utilN++
      // Sustained-load trigger of the balancer: each host's recent demand load.
      if (needHistory) hostLoadRing[h * window + (s % window)] = Math.max(cappedCpu / host.cpuCores, cappedMem / host.memMiB)
      cpuGranted += usedCpu
      memGranted += usedMem
      const overcommit = allocMem / host.memMiB
      if (overcommit > peakMemOvercommit) peakMemOvercommit = overcommit
    }
    activeHostSteps += activeHosts
    clusterCpu[s] = cpuCapacity > 0 ? (100 * cpuGranted) / cpuCapacity : 0
    clusterMem[s] = memCapacity > 0 ? (100 * memGranted) / memCapacity : 0
    clusterCpuDemand[s] = cpuCapacity > 0 ? (100 * cpuDemandPowered) / cpuCapacity : 0
    activeHostsAt[s] = activeHosts
    unmetVmsAt[s] = unmetNow
    // A short host with a sleeping one available: wake it and spread the load next step.
    if (short && policy.consolidation.enabled && wakeFor(s, null)) balanceDue = true
  }

  const finalPlacement: Record<string, string | null> = {}
  for (const v of vms) if (v.active) finalPlacement[v.id] = v.host >= 0 ? hosts[v.host]!.id : null
  recentCpu = []
  recentMem = []

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

/** Below this a shortfall is rounding, not contention. */
function tolerance(demand: number): number {
  return 1e-6 * Math.max(1, demand)
}

function vmFrom(p: PreparedVm, hostIndex: Map<string, number>): VmRt {
  const vm = p.vm
  return {
    id: vm.id,
    vcpus: vm.vcpus,
    memoryMiB: vm.memoryMiB,
    shares: vm.cpuShares ?? DEFAULT_SHARES,
    cpuRes: vm.cpuReservationCores ?? 0,
    cpuLim: vm.cpuLimitCores ?? Infinity,
    memRes: vm.memReservationMiB ?? 0,
    memLim: vm.memLimitMiB ?? Infinity,
    priority: vm.priority ?? 0,
    allowed: vm.pinnedHosts ? vm.pinnedHosts.flatMap((id) => hostIndex.get(id) ?? []) : null,
    host: hostIndex.get(vm.hostId)!,
    cpu: p.cpu,
    mem: p.mem,
    cpuConst: p.cpuConst,
    memConst: p.memConst,
    growth: p.growthLogPerMonth,
    active: true,
    endStep: Infinity,
    downSince: -1,
    lastMoveFrom: -1,
    lastMoveStep: 0,
  }
}
