import { describe, expect, it } from 'vitest'
import { applyHostEvents, restartDownVms } from '../../../shared/engine/whatif/failures'
import type { ScenarioInput } from '../../../shared/model/scenario'
import { flat, replayState, scenario } from './support/scenarios'

// h1 runs three VMs of priority 0, 5 and 9; h2 has room for one 4 GiB VM.
const threeOnH1 = (edits: ScenarioInput['edits']) =>
  scenario({
    hosts: [{ id: 'h1', cpuCores: 16, memoryMiB: 65536 }, { id: 'h2', cpuCores: 4, memoryMiB: 4096 }],
    steps: 30,
    vms: [0, 5, 9].map((priority, i) => ({ id: `v${i}`, hostId: 'h1', vcpus: 2, memoryMiB: 4096, priority })),
    workload: [0, 1, 2].map((i) => ({ vm: `v${i}`, ...flat(30, 1, 2048) })),
    edits,
  })

describe('host events', () => {
  it('a failure takes the host\'s VMs down at once, each with an event', () => {
    const st = replayState(threeOnH1([{ kind: 'hostFailure', hostId: 'h1', atMinute: 10 }]))
    applyHostEvents(st, 9)
    expect(st.downCount).toBe(0)
    applyHostEvents(st, 10)
    expect(st.downCount).toBe(3)
    expect(st.events.map((e) => `${e.kind}:${e.vm ?? e.host}`)).toEqual(['host-failed:h1', 'vm-down:v0', 'vm-down:v1', 'vm-down:v2'])
    expect([...st.vms.hostOf.subarray(0, 3)]).toEqual([-1, -1, -1])
  })

  it('maintenance live-migrates what fits elsewhere and says how many VMs stay', () => {
    const st = replayState(threeOnH1([{ kind: 'maintenance', hostId: 'h1', fromMinute: 5, toMinute: 20 }]))
    applyHostEvents(st, 5)
    expect(st.migrations).toBe(1)
    expect(st.events.map((e) => e.kind)).toEqual(['maintenance-start', 'evacuation-incomplete'])
    expect(st.events[1]!.detail).toBe('2 VMs fit on no other host and keep running there')
  })
})

describe('restartDownVms (HA)', () => {
  it('restarts from the next step, highest priority first, and leaves down what fits nowhere', () => {
    const st = replayState(threeOnH1([{ kind: 'hostFailure', hostId: 'h1', atMinute: 10 }]))
    applyHostEvents(st, 10)
    restartDownVms(st, 10)
    expect(st.restarts).toBe(0)
    restartDownVms(st, 11)
    expect(st.restarts).toBe(1)
    expect(st.events.at(-1)).toMatchObject({ minute: 11, kind: 'vm-restarted', vm: 'v2', host: 'h2' })
    expect(st.downCount).toBe(2)
  })
})
