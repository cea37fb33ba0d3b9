import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { PAGING_BPS, rightsizeVm } from '../../../shared/engine/rightsize'
import { defaultOptions, withDefaults } from '../../../shared/engine/options'
import { validatePlan } from '../../../shared/engine/validate'
import type { VmUsageSeries } from '../../../shared/engine/history'
import { host, snapshot, T0, vm } from './support/cluster'

const hour = 3_600_000
const day = 24 * hour
const opts = defaultOptions.rightsize

/** `days` of 5-minute samples; cpu/mem as functions of time. */
function series(days: number, cpu: (t: number) => number, mem: (t: number) => number, start = T0): VmUsageSeries {
  const s: VmUsageSeries = { t: [], cpuUsedCores: [], memUsedMiB: [] }
  for (let t = start; t < start + days * day; t += 5 * 60_000) {
    s.t.push(t)
    s.cpuUsedCores.push(cpu(t))
    s.memUsedMiB.push(mem(t))
  }
  return s
}
const endOf = (s: VmUsageSeries) => s.t[s.t.length - 1]! + 1

function checkPlan(v: ReturnType<typeof vm>, s: VmUsageSeries, r: NonNullable<ReturnType<typeof rightsizeVm>>) {
  const snap = snapshot([host('h1')], [v], [], endOf(s))
  const check = validatePlan(snap, r.actions, withDefaults(), { vms: { [v.id]: s } }, endOf(s))
  expect(check.violations).toEqual([])
}

describe('rightsizing from history', () => {
  it('shrinks an idle, over-provisioned VM, live, but not below its peak working set + 15 %', () => {
    const v = vm('idle', 'h1', { vcpus: 8, memoryMiB: 16384 })
    const s = series(14, (t) => 0.3 + 0.2 * Math.sin(t / hour), (t) => 1500 + 500 * Math.sin(t / day))
    const r = rightsizeVm(v, s, endOf(s), opts)!
    expect(r.confidence).toBe('normal')
    expect(r.cpu.recommendedVcpus).toBe(1)
    expect(r.mem.recommendedMiB).toBeLessThan(16384)
    expect(r.mem.recommendedMiB).toBeGreaterThanOrEqual(2000 * 1.15)
    expect(r.needsRestart).toBe(false)
    expect(r.actions.every((a) => !('live' in a.action) || a.action.live)).toBe(true)
    checkPlan(v, s, r)
  })

  it('never shrinks the memory of a guest that read swap back in the last hour, however small its working set', () => {
    const v = vm('tight', 'h1', { vcpus: 2, memoryMiB: 16384 })
    const s = series(14, () => 0.5, () => 2000)
    const now = endOf(s)
    const quiet = rightsizeVm(v, s, now, opts)!
    expect(quiet.mem.recommendedMiB).toBeLessThan(16384)
    // Its balloon statistics: swap read back in one 5-minute bucket of the last hour.
    const buckets = [now - 50 * 60_000, now - 30 * 60_000, now - 10 * 60_000]
    const paging = (bps: number): VmUsageSeries => ({ ...s, layer: { t: buckets, guestSwapInBps: [0, bps, 0] } })
    expect(rightsizeVm(v, paging(PAGING_BPS * 4), now, opts)!.mem.recommendedMiB).toBe(16384)
    // A trickle below the threshold, or paging older than the hour, does not hold it back.
    expect(rightsizeVm(v, paging(PAGING_BPS / 4), now, opts)!.mem.recommendedMiB).toBe(quiet.mem.recommendedMiB)
    const old: VmUsageSeries = { ...s, layer: { t: [now - 3 * hour], guestSwapInBps: [PAGING_BPS * 4] } }
    expect(rightsizeVm(v, old, now, opts)!.mem.recommendedMiB).toBe(quiet.mem.recommendedMiB)
  })

  it('the minimum memory bounds a shrink, never grows a small VM whose peak fits what it has', () => {
    const small = vm('small', 'h1', { vcpus: 1, memoryMiB: 128, maxMemoryMiB: 128 })
    const s = series(14, () => 0.05, () => 25)
    const r = rightsizeVm(small, s, endOf(s), opts)!
    expect(r.mem.recommendedMiB).toBe(128)
    expect(r.actions.filter((a) => a.action.kind === 'setMemory' || a.action.kind === 'setMaxMemory')).toEqual([])
    // A large VM with the same use shrinks to the minimum, not below it.
    const large = rightsizeVm(vm('large', 'h1', { vcpus: 1, memoryMiB: 4096 }), s, endOf(s), opts)!
    expect(large.mem.recommendedMiB).toBe(opts.minMemoryMiB)
    // A small VM whose peak outgrew it grows to its peak plus margin, in steps.
    const tight = rightsizeVm(small, series(14, () => 0.05, () => 200), endOf(s), opts)!
    expect(tight.mem.recommendedMiB).toBe(256)
  })

  it('with less than 7 days of history it does not shrink, and says confidence is low', () => {
    const v = vm('new', 'h1', { vcpus: 8, memoryMiB: 16384 })
    const s = series(2, () => 0.2, () => 1000)
    const r = rightsizeVm(v, s, endOf(s), opts)!
    expect(r.confidence).toBe('low')
    expect(r.cpu.recommendedVcpus).toBe(8)
    expect(r.mem.recommendedMiB).toBe(16384)
    expect(r.actions).toEqual([])
  })

  it('grows a saturated VM and says a restart is needed above its max vCPUs', () => {
    const v = vm('busy', 'h1', { vcpus: 2, maxVcpus: 2, memoryMiB: 4096 })
    const s = series(10, () => 1.97, () => 3000)
    const r = rightsizeVm(v, s, endOf(s), opts)!
    expect(r.cpu.saturated).toBe(true)
    expect(r.cpu.recommendedVcpus).toBe(3)
    expect(r.needsRestart).toBe(true)
    expect(r.actions.map((a) => a.action.kind).filter((k) => k.includes('Vcpus'))).toEqual(['setMaxVcpus', 'setVcpus'])
    checkPlan(v, s, r)
  })

  it('a weekly one-hour batch job (0.6 % of the time) still sets the vCPU count', () => {
    const v = vm('batch', 'h1', { vcpus: 8, memoryMiB: 8192 })
    // Epoch hour-of-week slot 0 (Thursday 00:00 UTC), busy at 6 cores; the rest idle.
    const s = series(21, (t) => (Math.floor(t / hour) % 168 === 0 ? 6 : 0.2), () => 2000)
    const r = rightsizeVm(v, s, endOf(s), opts)!
    expect(r.cpu.percentileCores).toBeLessThan(1)
    expect(r.cpu.busiestHourCores).toBeCloseTo(6)
    expect(r.cpu.recommendedVcpus).toBeGreaterThanOrEqual(7)
    expect(r.cpu.recommendedVcpus).toBeLessThanOrEqual(8)
  })

  it('recent use counts more: a VM that calmed down is sized smaller than without decay', () => {
    const v = vm('calmed', 'h1', { vcpus: 8, memoryMiB: 8192 })
    const s = series(14, (t) => (t < T0 + 7 * day ? 4 : 0.5), () => 2000)
    const decayed = rightsizeVm(v, s, endOf(s), opts)!
    const flat = rightsizeVm(v, s, endOf(s), { ...opts, halfLifeMs: 1e15 })!
    expect(flat.cpu.recommendedVcpus).toBe(5)
    expect(decayed.cpu.recommendedVcpus).toBeLessThan(flat.cpu.recommendedVcpus)
  })

  it('memory above max memory needs a restart; within it the balloon applies it live', () => {
    const v = vm('grow', 'h1', { vcpus: 2, memoryMiB: 2048, maxMemoryMiB: 2048 })
    const s = series(10, () => 1, () => 2000)
    const r = rightsizeVm(v, s, endOf(s), opts)!
    expect(r.mem.recommendedMiB).toBeGreaterThanOrEqual(2300)
    expect(r.actions.map((a) => a.action.kind)).toContain('setMaxMemory')
    expect(r.needsRestart).toBe(true)
    checkPlan(v, s, r)
  })

  it('ignores samples after `now` (no peeking at the future)', () => {
    const v = vm('p', 'h1', { vcpus: 4, memoryMiB: 8192 })
    const s = series(14, (t) => (t > T0 + 10 * day ? 4 : 0.5), () => 1000)
    const r = rightsizeVm(v, s, T0 + 10 * day, opts)!
    expect(r.cpu.recommendedVcpus).toBe(1)
  })

  it('property: never below 1 vCPU, never below peak working set + margin, never shrinks on short history', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 32 }),
        fc.integer({ min: 512, max: 65536 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.double({ min: 0, max: 40, noNaN: true }), { minLength: 1, maxLength: 50 }),
        fc.array(fc.double({ min: 0, max: 70000, noNaN: true }), { minLength: 1, maxLength: 50 }),
        (vcpus, memoryMiB, days, cpuPattern, memPattern) => {
          const v = vm('x', 'h1', { vcpus, memoryMiB })
          const s = series(days, (t) => Math.min(vcpus, cpuPattern[Math.floor(t / hour) % cpuPattern.length]!), (t) => memPattern[Math.floor(t / day) % memPattern.length]!)
          const r = rightsizeVm(v, s, endOf(s), opts)!
          expect(r.cpu.recommendedVcpus).toBeGreaterThanOrEqual(1)
          if (r.mem.recommendedMiB !== memoryMiB) expect(r.mem.recommendedMiB).toBeGreaterThanOrEqual(r.mem.peakWorkingSetMiB * 1.15)
          if (r.confidence === 'low') {
            expect(r.cpu.recommendedVcpus).toBeGreaterThanOrEqual(vcpus)
            expect(r.mem.recommendedMiB).toBeGreaterThanOrEqual(memoryMiB)
          }
        },
      ),
      { numRuns: 60 },
    )
  })
})
