import { describe, expect, it } from 'vitest'
import type { QueuedRequest } from '../../../shared/engine/whatif/queue'
import { consolidationPass, wakeFor } from '../../../shared/engine/whatif/power'
import { flat, replayState, scenario } from './support/scenarios'

// Three hosts, the third the largest; two small VMs spread over the first two.
const spread = () =>
  scenario({
    hosts: [{ id: 'h1', cpuCores: 16, memoryMiB: 65536 }, { id: 'h2', cpuCores: 16, memoryMiB: 65536 }, { id: 'big', cpuCores: 64, memoryMiB: 262144 }],
    steps: 300,
    vms: [{ id: 'a', hostId: 'h1', vcpus: 2, memoryMiB: 4096 }, { id: 'b', hostId: 'h2', vcpus: 2, memoryMiB: 4096 }],
    workload: ['a', 'b'].map((vm) => ({ vm, ...flat(300, 1, 2048) })),
  })
const request = (vcpus: number, allowedHosts: number[] | null = null): QueuedRequest => ({ id: 'r', arrivalMinute: 0, durationMinutes: null, priority: 0, vcpus, memoryMiB: 1024, seq: 0, allowedHosts })

describe('consolidationPass', () => {
  it('at its interval packs the VMs onto fewer hosts and powers off the emptied ones', () => {
    const st = replayState(spread(), { consolidation: { enabled: true, intervalMinutes: 60 } })
    consolidationPass(st, 30)
    expect(st.events).toEqual([])
    consolidationPass(st, 60)
    const asleep = st.hosts.filter((h) => h.asleep).map((h) => h.id)
    expect(asleep.length).toBe(2)
    expect(st.events.map((e) => e.kind)).toEqual(['host-asleep', 'host-asleep'])
    for (const id of asleep) expect(st.vms.countOn(st.hostIndex.get(id)!)).toBe(0)
  })
})

describe('wakeFor', () => {
  it('powers on the largest sleeping host that can take the request, within pinning and limits', () => {
    const st = replayState(spread(), { cpuOvercommit: 1 })
    for (const h of st.hosts) h.asleep = true
    expect(wakeFor(st, 3, request(100))).toBe(false)
    expect(wakeFor(st, 3, request(8, [0, 1]))).toBe(true)
    expect(st.hosts.map((h) => h.asleep)).toEqual([false, true, true])
    expect(wakeFor(st, 4, null)).toBe(true)
    expect(st.hosts[2]!.asleep).toBe(false)
    expect(st.events.map((e) => `${e.minute}:${e.kind}:${e.host}`)).toEqual(['3:host-woken:h1', '4:host-woken:big'])
  })
})
