import { describe, expect, it } from 'vitest'
import { ScenarioSchema } from '../../../shared/model/scenario'
import { scenarioFromDemo } from '../../../src-main/whatif/build'
import { blankEdit, blankRequest, blankStream, editRows, EDIT_KINDS, requestRows, streamRows, toQueue, toScenarioEdit } from '../../../src-renderer/stores/whatif-drafts'

const demo = scenarioFromDemo()
const outline = {
  hostList: demo.hosts,
  vmList: demo.vms.map((v) => ({ id: v.id, hostId: v.hostId, vcpus: v.vcpus, memoryMiB: v.memoryMiB })),
  steps: demo.steps,
  stepSeconds: demo.stepSeconds,
}

describe('What-if drafts: the view’s rows become the scenario’s edits and queue', () => {
  it('every kind of change, as the view starts it, is a valid edit of the demo scenario', () => {
    const edits = EDIT_KINDS.map((kind) => toScenarioEdit(blankEdit(kind, outline))).filter((e) => e !== null)
    expect(edits.map((e) => e.kind).sort()).toEqual([...EDIT_KINDS].sort())
    const parsed = ScenarioSchema.safeParse({ ...demo, edits })
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true)
  })

  it('speaks hours and GiB in the view, minutes and MiB in the scenario, and reads them back', () => {
    const failure = { ...blankEdit('hostFailure', outline), hostId: 'demo-b', atHour: 6, forHours: 1.5 }
    expect(toScenarioEdit(failure)).toEqual({ kind: 'hostFailure', hostId: 'demo-b', atMinute: 360, durationMinutes: 90 })
    const resize = { ...blankEdit('resizeVm', outline), vmId: 'demo:bb041-a', cpus: 12, memoryGiB: 24 }
    expect(toScenarioEdit(resize)).toEqual({ kind: 'resizeVm', vmId: 'demo:bb041-a', vcpus: 12, memoryMiB: 24576 })
    const back = editRows([toScenarioEdit(failure)!, toScenarioEdit(resize)!], outline)
    expect(back.map((r) => [r.kind, r.hostId, r.atHour, r.forHours])[0]).toEqual(['hostFailure', 'demo-b', 6, 1.5])
    expect(back[1]).toMatchObject({ kind: 'resizeVm', vmId: 'demo:bb041-a', cpus: 12, memoryGiB: 24 })
    // A failure with 0 hours lasts to the end; growth of 0 % is no change at all.
    expect(toScenarioEdit({ ...failure, forHours: 0 })).toEqual({ kind: 'hostFailure', hostId: 'demo-b', atMinute: 360 })
    expect(toScenarioEdit({ ...blankEdit('growth', outline), percent: 0 })).toBeNull()
  })

  it('makes a queue the scenario accepts: listed requests (0 minutes = stays) and Poisson streams, ranges in order', () => {
    const request = { ...blankRequest(1), atHour: 2.5, durationMinutes: 0, memoryGiB: 4 }
    const stream = { ...blankStream(1, 48), vcpus: [8, 2] as [number, number] }
    const queue = toQueue([request], [stream])
    expect(queue.arrivals).toEqual([{ id: 'request-1', atMinute: 150, vcpus: 4, memoryMiB: 4096, priority: 0 }])
    expect(queue.arrivalStreams[0]).toMatchObject({ fromMinute: 0, toMinute: 2880, perHour: 4, vcpus: [2, 8], memoryMiB: [2048, 16384], cpuUse: 0.5 })
    const parsed = ScenarioSchema.safeParse({ ...demo, ...queue })
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true)
    expect(requestRows(parsed.data!.arrivals)[0]).toMatchObject({ id: 'request-1', atHour: 2.5, durationMinutes: 0, memoryGiB: 4 })
    expect(streamRows(parsed.data!.arrivalStreams)[0]).toMatchObject({ toHour: 48, vcpus: [2, 8], memoryGiB: [2, 16] })
  })
})
