import { describe, expect, it } from 'vitest'
import { admitArrivals, endJobs, runQueue } from '../../../shared/engine/whatif/admission'
import type { ScenarioInput } from '../../../shared/model/scenario'
import { replayState, scenario } from './support/scenarios'

// One host of 8 cores (vCPU limit 8 at overcommit 1) and 16 GiB; requests arrive over ten minutes.
const queued = (arrivals: ScenarioInput['arrivals']) => scenario({ hosts: [{ id: 'h1', cpuCores: 8, memoryMiB: 16384 }], steps: 30, arrivals })
const job = (id: string, atMinute: number, vcpus: number, durationMinutes?: number) => ({ id, atMinute, vcpus, memoryMiB: 1024, ...(durationMinutes ? { durationMinutes } : {}) })

describe('admitArrivals', () => {
  it('queues the requests due by this step and rejects one no host could ever take, saying why', () => {
    const st = replayState(queued([job('small', 0, 2), job('huge', 1, 64), job('later', 5, 2)]), { cpuOvercommit: 1 })
    admitArrivals(st, 1)
    expect(st.queue.waiting.map((r) => r.id)).toEqual(['small'])
    expect(st.queue.outcomes.get('huge')!.outcome).toBe('rejected')
    expect(st.events).toEqual([{ minute: 1, kind: 'request-rejected', vm: 'huge', detail: '64 vCPUs / 1024 MiB fits no host', detailRef: { key: 'engine.whatif.rejectedSize', params: { vcpus: 64, memory: 1024 } } }])
    expect(st.queue.nextArrival).toBe(2)
  })

  it('rejects a request that waited longer than the policy allows', () => {
    const st = replayState(queued([job('a', 0, 2)]), { maxWaitMinutes: 10 })
    admitArrivals(st, 0)
    admitArrivals(st, 10)
    expect(st.queue.waiting).toHaveLength(1)
    admitArrivals(st, 11)
    expect(st.queue.waiting).toHaveLength(0)
    expect(st.queue.rejected).toBe(1)
    expect(st.events.at(-1)).toMatchObject({ kind: 'request-rejected', vm: 'a', detail: 'waited more than 10 min' })
  })
})

describe('runQueue and endJobs', () => {
  it('starts what fits as VMs, records waits and outcomes, and frees a job\'s room when it ends', () => {
    const st = replayState(queued([job('first', 0, 6, 5), job('second', 0, 6)]), { cpuOvercommit: 1 })
    admitArrivals(st, 0)
    runQueue(st, 0)
    expect(st.queue.outcomes.get('first')).toMatchObject({ outcome: 'started', startMinute: 0, host: 'h1' })
    expect(st.queue.outcomes.get('second')!.outcome).toBe('waiting')
    expect(st.queue.jobs).toEqual([0])
    expect(st.vms.rt[0]!.endStep).toBe(5)
    endJobs(st, 4)
    expect(st.vms.nAlive).toBe(1)
    endJobs(st, 5)
    expect([st.vms.nAlive, st.queue.completedJobs, st.queue.dirty]).toEqual([0, 1, true])
    runQueue(st, 5)
    expect(st.queue.outcomes.get('second')).toMatchObject({ outcome: 'started', startMinute: 5 })
    expect(st.queue.waits).toEqual([0, 5])
  })

  it('re-examines an unchanged queue only under priority scheduling (priorities age)', () => {
    const outcome = (scheduling: 'fcfs' | 'priority') => {
      const st = replayState(queued([job('big', 0, 10)]), { cpuOvercommit: 2, scheduling })
      st.hosts[0]!.maintenance = true
      admitArrivals(st, 0)
      runQueue(st, 0)
      expect(st.queue.dirty).toBe(false)
      // The host opens without the queue being told (as no event of the replay does).
      st.hosts[0]!.maintenance = false
      runQueue(st, 1)
      return st.queue.outcomes.get('big')!.outcome
    }
    expect(outcome('fcfs')).toBe('waiting')
    expect(outcome('priority')).toBe('started')
  })
})
