import { msg, said } from '../../i18n'
import { wakeFor } from './power'
import { canEverFit, scheduleQueue, type QueueHost, type QueuedRequest, type RunningAllocation } from './queue'
import { DEFAULT_SHARES, usable, type ReplayState } from './state'
import type { VmRt } from './vm-table'

/** Step 2: jobs that ended free their allocation. */
export function endJobs(st: ReplayState, s: number): void {
  const { vms, queue } = st
  let ended = false
  for (let k = queue.jobs.length - 1; k >= 0; k--) {
    const i = queue.jobs[k]!
    if (vms.activeOf[i] === 1 && vms.rt[i]!.endStep <= s) {
      vms.activeOf[i] = 0
      ended = true
      if (vms.hostOf[i]! < 0) st.downCount--
      queue.completedJobs++
      queue.dirty = true
      queue.jobs.splice(k, 1)
    }
  }
  if (ended) vms.compactAlive()
}

/** Step 4: arrivals join the queue; requests that fit no host even when empty, or wait too long, are rejected. */
export function admitArrivals(st: ReplayState, s: number): void {
  const { prep, queue, stepMinutes } = st
  while (queue.nextArrival < prep.arrivals.length && Math.ceil(prep.arrivals[queue.nextArrival]!.atMinute / stepMinutes - 1e-9) <= s) {
    const a = prep.arrivals[queue.nextArrival]!
    const req: QueuedRequest = {
      id: a.id,
      arrivalMinute: a.atMinute,
      durationMinutes: a.durationMinutes ?? null,
      priority: a.priority,
      vcpus: a.vcpus,
      memoryMiB: a.memoryMiB,
      seq: queue.nextArrival,
      ...requestDisk(st, a),
    }
    queue.nextArrival++
    queue.outcomes.set(a.id, { id: a.id, arrivalMinute: a.atMinute, startMinute: null, host: null, outcome: 'waiting' })
    const why = neverFits(st, req)
    if (why) {
      queue.outcomes.get(a.id)!.outcome = 'rejected'
      queue.rejected++
      if (why === 'disk') queue.rejectedForDisk++
      st.log(s, 'request-rejected', { vm: a.id, ...said({ detail: why === 'disk' ? msg('engine.whatif.rejectedDisk', { disk: round1(a.diskGiB ?? 0) }) : msg('engine.whatif.rejectedSize', { vcpus: a.vcpus, memory: Math.round(a.memoryMiB) }) }) })
      continue
    }
    queue.waiting.push(req)
    queue.dirty = true
  }
  const maxWait = st.policy.maxWaitMinutes
  if (maxWait === undefined) return
  const minute = s * stepMinutes
  for (let i = queue.waiting.length - 1; i >= 0; i--) {
    if (minute - queue.waiting[i]!.arrivalMinute > maxWait) {
      st.log(s, 'request-rejected', { vm: queue.waiting[i]!.id, ...said({ detail: msg('engine.whatif.waitedTooLong', { minutes: maxWait }) }) })
      queue.outcomes.get(queue.waiting[i]!.id)!.outcome = 'rejected'
      queue.waiting.splice(i, 1)
      queue.rejected++
    }
  }
}

const round1 = (v: number) => Math.round(v * 10) / 10

/** A request's disk under the policy's allocation strategy. */
function requestDisk(st: ReplayState, a: { diskGiB?: number | undefined; diskUsedGiB?: number | undefined }): Pick<QueuedRequest, 'diskGiB' | 'diskSizeGiB'> {
  if (a.diskGiB === undefined) return {}
  const d = st.disk(a.diskGiB, a.diskUsedGiB)
  return { diskGiB: d.held, diskSizeGiB: d.size }
}

/**
 * Why a request can never start: it fits no present host even once every job has ended (CPU or
 * memory), or its disk does not fit beside the disks of the VMs that never leave (disk).
 */
function neverFits(st: ReplayState, req: QueuedRequest): 'size' | 'disk' | null {
  const empty = st.hosts.map((h) => ({ vcpuLimit: st.vcpuLimit(h), memLimitMiB: st.memLimit(h), usedVcpus: 0, usedMemMiB: 0, open: h.present }))
  if (!canEverFit(empty, { ...req, diskGiB: 0, diskSizeGiB: 0 })) return 'size'
  if (req.diskGiB === undefined) return null
  const staying = queueHosts(st, true).map((h, i) => ({ ...h, open: st.hosts[i]!.present }))
  return canEverFit(staying, req) ? null : 'disk'
}

/**
 * Step 5: the queue, when something it depends on changed (every step under priority: it ages).
 * Started requests become VMs; with consolidation on, a blocked queue wakes a sleeping host.
 */
export function runQueue(st: ReplayState, s: number): void {
  const { queue, policy } = st
  if (queue.waiting.length === 0 || !(queue.dirty || policy.scheduling === 'priority')) return
  queue.dirty = false
  const minute = s * st.stepMinutes
  const out = scheduleQueue({ now: minute, policy: policy.scheduling, agingPerHour: policy.agingPerHour, waiting: queue.waiting, hosts: queueHosts(st), running: endingAllocations(st) })
  for (const start of out.starts) startRequest(st, s, start.request, start.host)
  if (out.starts.length === 0 && queue.waiting.length > 0 && policy.consolidation.enabled) {
    const head = queue.waiting.find((r) => r.id === out.reservation?.requestId) ?? queue.waiting[0]!
    wakeFor(st, s, head)
  }
}

/**
 * Only EASY backfilling looks at running allocations, and only at those that end (jobs, kept in
 * VM order): workload VMs and open-ended requests never free their room.
 */
function endingAllocations(st: ReplayState): RunningAllocation[] {
  const running: RunningAllocation[] = []
  if (st.policy.scheduling !== 'easy') return running
  const { vms } = st
  for (const i of st.queue.jobs) {
    if (vms.activeOf[i] !== 1 || vms.hostOf[i]! < 0) continue
    running.push({ host: vms.hostOf[i]!, vcpus: vms.vcpusOf[i]!, memoryMiB: vms.memOf[i]!, diskGiB: vms.diskOf[i]!, endMinute: vms.rt[i]!.endStep * st.stepMinutes })
  }
  return running
}

/** A request the queue started at step s on host h: it leaves the queue and runs as a VM (a job until it ends). */
function startRequest(st: ReplayState, s: number, request: QueuedRequest, h: number): void {
  const { queue } = st
  const minute = s * st.stepMinutes
  const a = queue.arrivalById.get(request.id)!
  queue.waits.push(minute - a.atMinute)
  Object.assign(queue.outcomes.get(a.id)!, { startMinute: minute, host: st.hosts[h]!.id, outcome: 'started' })
  queue.waiting.splice(queue.waiting.indexOf(request), 1)
  const v: VmRt = {
    id: a.id,
    priority: a.priority,
    allowed: null,
    endStep: a.durationMinutes === undefined ? Infinity : s + Math.max(1, Math.ceil(a.durationMinutes / st.stepMinutes - 1e-9)),
    downSince: -1,
    lastMoveFrom: -1,
    lastMoveStep: 0,
  }
  const i = st.vms.add(v, h, a.vcpus, a.memoryMiB, { shares: DEFAULT_SHARES, cpuRes: 0, cpuLim: Infinity, memRes: 0, memLim: Infinity }, a.cpuCores ?? a.vcpus, a.memMiB ?? a.memoryMiB, st.disk(a.diskGiB, a.diskUsedGiB))
  if (Number.isFinite(v.endStep)) queue.jobs.push(i)
}

/**
 * Allocation room of each host now, for the queue and HA restarts; with `stayingOnly`, the disk
 * room left beside the VMs that never end (what a request could ever have).
 */
export function queueHosts(st: ReplayState, stayingOnly = false): QueueHost[] {
  const { vms } = st
  const q: QueueHost[] = st.hosts.map((h) => {
    const promise = st.diskPromiseLimit(h)
    return {
      vcpuLimit: st.vcpuLimit(h),
      memLimitMiB: st.memLimit(h),
      usedVcpus: 0,
      usedMemMiB: 0,
      open: usable(h),
      ...(h.diskGiB !== undefined ? { diskLimitGiB: h.diskGiB, usedDiskGiB: 0 } : {}),
      ...(promise !== undefined ? { promiseLimitGiB: promise, usedPromiseGiB: 0 } : {}),
    }
  })
  for (let a = 0; a < vms.nAlive; a++) {
    const i = vms.alive[a]!
    const h = vms.hostOf[i]!
    if (h < 0) continue
    if (stayingOnly && Number.isFinite(vms.rt[i]!.endStep)) continue
    const host = q[h]!
    host.usedVcpus += vms.vcpusOf[i]!
    host.usedMemMiB += vms.memOf[i]!
    if (host.usedDiskGiB !== undefined) host.usedDiskGiB += vms.diskOf[i]!
    if (host.usedPromiseGiB !== undefined) host.usedPromiseGiB += vms.diskSizeOf[i]!
  }
  return q
}

/** A down VM as a request to place (HA restart). */
export function asRequest(st: ReplayState, i: number): QueuedRequest {
  const v = st.vms.rt[i]!
  return { id: v.id, arrivalMinute: 0, durationMinutes: null, priority: v.priority, vcpus: st.vms.vcpusOf[i]!, memoryMiB: st.vms.memOf[i]!, seq: 0, allowedHosts: v.allowed, diskGiB: st.vms.diskOf[i]!, diskSizeGiB: st.vms.diskSizeOf[i]! }
}
