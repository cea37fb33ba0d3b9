import { describe, expect, it } from 'vitest'
import { VmTable, type VmRt } from '../../../shared/engine/whatif/vm-table'

const rt = (id: string): VmRt => ({ id, priority: 0, allowed: null, endStep: Infinity, downSince: -1, lastMoveFrom: -1, lastMoveStep: 0 })
const controls = { shares: 1024, cpuRes: 0, cpuLim: Infinity, memRes: 0, memLim: Infinity }

describe('VmTable', () => {
  it('adds VMs at the next index, demand from their column or constant, and counts them per host', () => {
    const t = new VmTable(4, { columns: 1, column: Int32Array.of(0), cpu: Float64Array.of(2, 3), mem: Float64Array.of(512, 640) })
    expect(t.add(rt('a'), 0, 2, 1024, controls, 0, 0)).toBe(0)
    expect(t.add(rt('b'), 1, 4, 2048, controls, 1.5, 300)).toBe(1)
    expect(t.add(rt('c'), 0, 1, 512, controls, 0.5, 100)).toBe(2)
    expect([...t.colOf]).toEqual([0, -1, -1, -1])
    expect([t.constCpu[1], t.constMem[1]]).toEqual([1.5, 300])
    expect(t.indexById.get('c')).toBe(2)
    expect([t.countOn(0), t.countOn(1), t.countOn(2)]).toEqual([2, 1, 0])
  })

  it('drops ended VMs from the running list, the others keeping their order', () => {
    const t = new VmTable(4, { columns: 0, column: new Int32Array(0), cpu: new Float64Array(0), mem: new Float64Array(0) })
    for (const id of ['a', 'b', 'c', 'd']) t.add(rt(id), 0, 1, 1, controls, 0, 0)
    t.activeOf[1] = 0
    t.activeOf[3] = 0
    t.compactAlive()
    expect([...t.alive.subarray(0, t.nAlive)]).toEqual([0, 2])
    expect(t.countOn(0)).toBe(2)
  })
})
