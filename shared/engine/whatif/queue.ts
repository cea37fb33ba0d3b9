/**
 * Scheduling of placement requests (VMs to place, batch jobs to run) onto hosts with limited
 * vCPU and memory allocation room. Pure: the caller says what is free now and when running jobs
 * end; this says which waiting requests start now and where.
 *
 * - fcfs: in arrival order; the first request that does not fit blocks the ones behind it.
 * - sjf: shortest duration first (a VM that stays counts as endless), blocking like fcfs.
 * - priority: highest effective priority first, where a request gains `agingPerHour` points per
 *   hour waited, so a low-priority request eventually heads the queue and cannot starve.
 * - easy: fcfs plus EASY backfilling: the blocked head gets a reservation (the earliest time and
 *   host where it fits once running jobs end); a later request may start now only if it cannot
 *   delay that reservation (it ends before it, runs on another host, or fits in what is left).
 */
export type SchedulingPolicy = 'fcfs' | 'sjf' | 'priority' | 'easy'

export interface QueuedRequest {
  id: string
  arrivalMinute: number
  /** Null: a VM that stays. */
  durationMinutes: number | null
  priority: number
  vcpus: number
  memoryMiB: number
  /** Tie-breaker: order of submission. */
  seq: number
  /** Hosts it may go to (indices); null = any. */
  allowedHosts?: readonly number[] | null
}

/** Allocation room of one host right now. */
export interface QueueHost {
  vcpuLimit: number
  memLimitMiB: number
  usedVcpus: number
  usedMemMiB: number
  /** False while failed, in maintenance, powered off or removed. */
  open: boolean
}

/** Something holding allocation on a host until `endMinute` (null = never ends). */
export interface RunningAllocation {
  host: number
  vcpus: number
  memoryMiB: number
  endMinute: number | null
}

export interface QueueStart {
  request: QueuedRequest
  host: number
}

export interface Reservation {
  requestId: string
  host: number
  minute: number
}

export interface ScheduleInput {
  now: number
  policy: SchedulingPolicy
  agingPerHour: number
  waiting: readonly QueuedRequest[]
  hosts: readonly QueueHost[]
  running: readonly RunningAllocation[]
}

export interface ScheduleOutput {
  starts: QueueStart[]
  /** EASY only: the blocked head's reservation, when one exists. */
  reservation: Reservation | null
}

const EPS = 1e-9

/** The order a policy serves waiting requests in (EASY serves in arrival order). */
export function queueOrder(waiting: readonly QueuedRequest[], policy: SchedulingPolicy, now: number, agingPerHour: number): QueuedRequest[] {
  const byArrival = (a: QueuedRequest, b: QueuedRequest) => a.arrivalMinute - b.arrivalMinute || a.seq - b.seq
  const list = [...waiting]
  if (policy === 'sjf') {
    const d = (r: QueuedRequest) => r.durationMinutes ?? Infinity
    return list.sort((a, b) => (d(a) === d(b) ? byArrival(a, b) : d(a) - d(b)))
  }
  if (policy === 'priority') {
    const effective = (r: QueuedRequest) => effectivePriority(r, now, agingPerHour)
    return list.sort((a, b) => effective(b) - effective(a) || byArrival(a, b))
  }
  return list.sort(byArrival)
}

export function effectivePriority(r: QueuedRequest, now: number, agingPerHour: number): number {
  return r.priority + (agingPerHour * Math.max(0, now - r.arrivalMinute)) / 60
}

function fits(host: QueueHost, vcpus: number, mem: number, hostIndex: number, req: QueuedRequest): boolean {
  if (!host.open) return false
  if (req.allowedHosts && !req.allowedHosts.includes(hostIndex)) return false
  return host.usedVcpus + vcpus <= host.vcpuLimit + EPS && host.usedMemMiB + mem <= host.memLimitMiB + EPS
}

/** Where a request goes: the open host with the most free memory share after placing it. */
export function chooseHost(hosts: readonly QueueHost[], req: QueuedRequest, allowed: (h: number) => boolean = () => true): number {
  let best = -1
  let bestFree = -Infinity
  for (let h = 0; h < hosts.length; h++) {
    const host = hosts[h]!
    if (!allowed(h) || !fits(host, req.vcpus, req.memoryMiB, h, req)) continue
    const free = (host.memLimitMiB - host.usedMemMiB - req.memoryMiB) / host.memLimitMiB + (host.vcpuLimit - host.usedVcpus - req.vcpus) / host.vcpuLimit
    if (free > bestFree + EPS) {
      best = h
      bestFree = free
    }
  }
  return best
}

/** True when the request fits some open host once everything that ends has ended. */
export function canEverFit(hosts: readonly QueueHost[], req: QueuedRequest): boolean {
  return hosts.some((h, i) => (!req.allowedHosts || req.allowedHosts.includes(i)) && h.open && req.vcpus <= h.vcpuLimit + EPS && req.memoryMiB <= h.memLimitMiB + EPS)
}

/** Decides which waiting requests start now. Does not mutate its input. */
export function scheduleQueue(input: ScheduleInput): ScheduleOutput {
  const hosts = input.hosts.map((h) => ({ ...h }))
  const running = [...input.running]
  const starts: QueueStart[] = []
  const order = queueOrder(input.waiting, input.policy, input.now, input.agingPerHour)
  const take = (req: QueuedRequest, h: number) => {
    hosts[h]!.usedVcpus += req.vcpus
    hosts[h]!.usedMemMiB += req.memoryMiB
    running.push({ host: h, vcpus: req.vcpus, memoryMiB: req.memoryMiB, endMinute: req.durationMinutes === null ? null : input.now + req.durationMinutes })
    starts.push({ request: req, host: h })
  }
  let i = 0
  for (; i < order.length; i++) {
    const req = order[i]!
    const h = chooseHost(hosts, req)
    if (h < 0) break
    take(req, h)
  }
  if (input.policy !== 'easy' || i >= order.length) return { starts, reservation: null }

  const head = order[i]!
  const shadow = reservationFor(head, hosts, running, input.now)
  for (let j = i + 1; j < order.length; j++) {
    const req = order[j]!
    const endsBy = req.durationMinutes === null ? Infinity : input.now + req.durationMinutes
    const h = chooseHost(hosts, req, (k) => {
      if (!shadow) return true // the head cannot start before some host changes: nothing to protect
      if (k !== shadow.host || endsBy <= shadow.minute + EPS) return true
      return req.vcpus <= shadow.extraVcpus + EPS && req.memoryMiB <= shadow.extraMemMiB + EPS
    })
    if (h < 0) continue
    if (shadow && h === shadow.host && endsBy > shadow.minute + EPS) {
      shadow.extraVcpus -= req.vcpus
      shadow.extraMemMiB -= req.memoryMiB
    }
    take(req, h)
  }
  return { starts, reservation: shadow ? { requestId: head.id, host: shadow.host, minute: shadow.minute } : null }
}

/**
 * Earliest time the head fits, releasing running allocations in order of their end, and what
 * the reserved host has left beyond the head at that time (the room backfilling may use).
 */
function reservationFor(
  head: QueuedRequest,
  hosts: readonly QueueHost[],
  running: readonly RunningAllocation[],
  now: number,
): { host: number; minute: number; extraVcpus: number; extraMemMiB: number } | null {
  const free = hosts.map((h) => ({ vcpus: h.vcpuLimit - h.usedVcpus, mem: h.memLimitMiB - h.usedMemMiB }))
  const ok = (h: number) =>
    hosts[h]!.open && (!head.allowedHosts || head.allowedHosts.includes(h)) && free[h]!.vcpus + EPS >= head.vcpus && free[h]!.mem + EPS >= head.memoryMiB
  const ending = running
    .filter((r): r is RunningAllocation & { endMinute: number } => r.endMinute !== null)
    .sort((a, b) => a.endMinute - b.endMinute || a.host - b.host)
  let k = 0
  while (k < ending.length) {
    const t = Math.max(now, ending[k]!.endMinute)
    // Release everything ending at the same time before checking.
    while (k < ending.length && Math.max(now, ending[k]!.endMinute) === t) {
      const r = ending[k]!
      free[r.host]!.vcpus += r.vcpus
      free[r.host]!.mem += r.memoryMiB
      k++
    }
    for (let h = 0; h < hosts.length; h++) {
      if (ok(h)) return { host: h, minute: t, extraVcpus: free[h]!.vcpus - head.vcpus, extraMemMiB: free[h]!.mem - head.memoryMiB }
    }
  }
  return null
}
