import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { scheduleQueue, type QueueHost, type QueuedRequest, type RunningAllocation, type SchedulingPolicy } from '../../../shared/engine/whatif/queue'
import { replay } from '../../../shared/engine/whatif'
import { batch, policy, scenario } from './support/scenarios'

// One host that runs one 4-vCPU job at a time (no CPU overcommit), one-minute steps.
const oneAtATime = { hosts: [{ id: 'h1', cpuCores: 4, memoryMiB: 8192 }] }
const strict = { cpuOvercommit: 1 }

function run(arrivals: ReturnType<typeof batch>, scheduling: SchedulingPolicy, steps: number, extra: Parameters<typeof policy>[0] = {}) {
  return replay(scenario({ ...oneAtATime, steps, arrivals }), policy({ ...strict, scheduling, ...extra }), { seed: 1 })
}

const startOf = (r: ReturnType<typeof run>, id: string) => r.requests.find((q) => q.id === id)!.startMinute

describe('FCFS and SJF on a batch that arrives together', () => {
  it('serves in arrival order (FCFS) or shortest first (SJF), with the hand-computed waits', () => {
    const jobs = batch([30, 10, 20])
    const fcfs = run(jobs, 'fcfs', 100)
    const sjf = run(jobs, 'sjf', 100)
    // FCFS: 30-min job at 0, 10-min at 30, 20-min at 40 -> waits 0, 30, 40.
    expect(fcfs.requests.map((r) => r.startMinute)).toEqual([0, 30, 40])
    expect(fcfs.metrics.queue.waitMinutes.mean).toBeCloseTo(70 / 3, 9)
    // SJF: 10 at 0, 20 at 10, 30 at 30 -> waits 0, 10, 30.
    expect(sjf.requests.map((r) => [r.id, r.startMinute])).toEqual([['job0', 30], ['job1', 0], ['job2', 10]])
    expect(sjf.metrics.queue.waitMinutes.mean).toBeCloseTo(40 / 3, 9)
    expect(sjf.metrics.queue.waitMinutes.max).toBe(30)
  })

  it('SJF never has a higher mean wait than FCFS, however many slots and durations', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 3 }), (durations, slots) => {
        const arrivals = batch(durations)
        const s = scenario({ hosts: [{ id: 'h1', cpuCores: 4 * slots, memoryMiB: 8192 }], steps: durations.reduce((a, b) => a + b, 0) + 2, arrivals })
        const fcfs = replay(s, policy({ ...strict, scheduling: 'fcfs' }), { seed: 1 })
        const sjf = replay(s, policy({ ...strict, scheduling: 'sjf' }), { seed: 1 })
        expect(sjf.metrics.queue.started).toBe(durations.length)
        expect(fcfs.metrics.queue.started).toBe(durations.length)
        expect(sjf.metrics.queue.waitMinutes.mean).toBeLessThanOrEqual(fcfs.metrics.queue.waitMinutes.mean + 1e-9)
      }),
      { numRuns: 60 },
    )
  })
})

describe('priority scheduling', () => {
  it('starts waiting jobs in priority order', () => {
    // A blocker holds the host until minute 10; then priorities 1, 5, 3 wait together.
    const jobs = [{ id: 'blocker', atMinute: 0, vcpus: 4, memoryMiB: 1024, durationMinutes: 10, priority: 0 }, ...batch([10, 10, 10], [1, 5, 3]).map((j) => ({ ...j, atMinute: 1 }))]
    const r = run(jobs, 'priority', 60, { agingPerHour: 0 })
    expect([startOf(r, 'job1'), startOf(r, 'job2'), startOf(r, 'job0')]).toEqual([10, 20, 30])
    // FCFS on the same input keeps arrival order: the ordering above is the policy's doing.
    const f = run(jobs, 'fcfs', 60)
    expect([startOf(f, 'job0'), startOf(f, 'job1'), startOf(f, 'job2')]).toEqual([10, 20, 30])
  })

  it('ages waiting requests so a low-priority one is not starved by a stream of urgent ones', () => {
    // Urgent 10-minute jobs arrive every 10 minutes: without aging the low one never runs.
    const urgent = Array.from({ length: 30 }, (_, i) => ({ id: `urgent${i}`, atMinute: i * 10, vcpus: 4, memoryMiB: 1024, durationMinutes: 10, priority: 10 }))
    const low = { id: 'low', atMinute: 0, vcpus: 4, memoryMiB: 1024, durationMinutes: 10, priority: 0 }
    const jobs = [...urgent, low]
    const starved = run(jobs, 'priority', 300, { agingPerHour: 0 })
    expect(startOf(starved, 'low')).toBeNull()
    expect(starved.metrics.queue.waitingAtEnd).toBeGreaterThan(0)
    // 60 points per hour: after 10 minutes the low job outranks a fresh urgent one (priority 10).
    const aged = run(jobs, 'priority', 300, { agingPerHour: 60 })
    const lowStart = startOf(aged, 'low')
    expect(lowStart).not.toBeNull()
    expect(lowStart!).toBeLessThanOrEqual(30)
  })
})

describe('EASY backfilling', () => {
  // A: 2 vCPUs 60 min; B: 4 vCPUs 30 min (waits for A); C: 2 vCPUs 30 min; D: 2 vCPUs 120 min.
  const jobs = [
    { id: 'A', atMinute: 0, vcpus: 2, memoryMiB: 1024, durationMinutes: 60, priority: 0 },
    { id: 'B', atMinute: 0, vcpus: 4, memoryMiB: 1024, durationMinutes: 30, priority: 0 },
    { id: 'C', atMinute: 0, vcpus: 2, memoryMiB: 1024, durationMinutes: 30, priority: 0 },
    { id: 'D', atMinute: 0, vcpus: 2, memoryMiB: 1024, durationMinutes: 120, priority: 0 },
  ]

  it('backfills a short job into the gap without delaying the head (hand-computed)', () => {
    const easy = run(jobs, 'easy', 300)
    const fcfs = run(jobs, 'fcfs', 300)
    // C fits beside A and ends (30) before B's reservation (60): it starts at once.
    expect(['A', 'B', 'C', 'D'].map((id) => startOf(easy, id))).toEqual([0, 60, 0, 90])
    expect(['A', 'B', 'C', 'D'].map((id) => startOf(fcfs, id))).toEqual([0, 60, 90, 90])
    // D would run past 60 on B's host: backfilling it would delay B, so it waits.
    expect(easy.metrics.queue.waitMinutes.mean).toBe(37.5)
    expect(fcfs.metrics.queue.waitMinutes.mean).toBe(60)
  })

  it('never starts the head later than the reservation it got (random queues, 1-2 hosts)', () => {
    const job = fc.record({
      at: fc.integer({ min: 0, max: 60 }),
      vcpus: fc.integer({ min: 1, max: 8 }),
      mem: fc.integer({ min: 1, max: 8 }),
      duration: fc.integer({ min: 1, max: 40 }),
    })
    fc.assert(
      fc.property(fc.array(job, { minLength: 1, maxLength: 14 }), fc.integer({ min: 1, max: 2 }), (specs, nHosts) => {
        const requests: QueuedRequest[] = specs.map((s, i) => ({ id: `r${i}`, arrivalMinute: s.at, durationMinutes: s.duration, priority: 0, vcpus: s.vcpus, memoryMiB: s.mem * 1024, seq: i }))
        const { starts, reservations } = simulate(requests, nHosts, 'easy')
        for (const [id, minute] of reservations) {
          expect(starts.get(id), `${id} started`).toBeDefined()
          expect(starts.get(id)!).toBeLessThanOrEqual(minute)
        }
        expect(starts.size).toBe(requests.length)
      }),
      { numRuns: 200 },
    )
  })
})

describe('rejection', () => {
  it('rejects a request no host can ever hold and one that waited too long, and says so', () => {
    const jobs = [
      { id: 'huge', atMinute: 0, vcpus: 64, memoryMiB: 1024, durationMinutes: 10, priority: 0 },
      { id: 'long', atMinute: 0, vcpus: 4, memoryMiB: 1024, durationMinutes: 50, priority: 0 },
      { id: 'impatient', atMinute: 0, vcpus: 4, memoryMiB: 1024, durationMinutes: 5, priority: 0 },
    ]
    const r = run(jobs, 'fcfs', 60, { maxWaitMinutes: 20 })
    expect(r.requests.map((q) => [q.id, q.outcome])).toEqual([['huge', 'rejected'], ['long', 'started'], ['impatient', 'rejected']])
    expect(r.metrics.queue.rejected).toBe(2)
    expect(r.events.filter((e) => e.kind === 'request-rejected').map((e) => e.vm)).toEqual(['huge', 'impatient'])
  })
})

/** Minute-by-minute use of scheduleQueue alone; records each head's first reservation. */
function simulate(requests: QueuedRequest[], nHosts: number, policyName: SchedulingPolicy) {
  const hosts: QueueHost[] = Array.from({ length: nHosts }, () => ({ vcpuLimit: 8, memLimitMiB: 8192, usedVcpus: 0, usedMemMiB: 0, open: true }))
  let running: (RunningAllocation & { endMinute: number })[] = []
  let waiting: QueuedRequest[] = []
  const starts = new Map<string, number>()
  const reservations = new Map<string, number>()
  for (let now = 0; now < 2000 && starts.size < requests.length; now++) {
    for (const r of running.filter((x) => x.endMinute <= now)) {
      hosts[r.host]!.usedVcpus -= r.vcpus
      hosts[r.host]!.usedMemMiB -= r.memoryMiB
    }
    running = running.filter((x) => x.endMinute > now)
    waiting.push(...requests.filter((r) => r.arrivalMinute === now))
    const out = scheduleQueue({ now, policy: policyName, agingPerHour: 0, waiting, hosts, running })
    for (const s of out.starts) {
      starts.set(s.request.id, now)
      hosts[s.host]!.usedVcpus += s.request.vcpus
      hosts[s.host]!.usedMemMiB += s.request.memoryMiB
      running.push({ host: s.host, vcpus: s.request.vcpus, memoryMiB: s.request.memoryMiB, endMinute: now + s.request.durationMinutes! })
    }
    waiting = waiting.filter((w) => !starts.has(w.id))
    if (out.reservation && !reservations.has(out.reservation.requestId)) reservations.set(out.reservation.requestId, out.reservation.minute)
  }
  return { starts, reservations }
}
