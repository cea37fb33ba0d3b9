import { describe, expect, it } from 'vitest'
import { rightsizeVm } from '../../../shared/engine/rightsize'
import { defaultOptions, withDefaults } from '../../../shared/engine/options'
import { validatePlan } from '../../../shared/engine/validate'
import { loadBitbrainsVm, splitAt } from './support/bitbrains'
import { host, snapshot, vm } from './support/cluster'
import { p95Baseline, scoreSizing, vpaDefault, type ReplayScore } from './support/replay'

const day = 86_400_000
// Learn from the first 14 days of July 2013, judge on the remaining ~16 days.
function sizeOnTrace(id: string) {
  const b = loadBitbrainsVm(id)
  const cut = b.series.t[0]! + 14 * day
  const { train, test } = splitAt(b.series, cut)
  const current = { vcpus: b.cores, memoryMiB: Math.round(b.memProvMiB) }
  const v = vm(`bb-${id}`, 'h1', { vcpus: current.vcpus, memoryMiB: current.memoryMiB })
  const r = rightsizeVm(v, train, cut, defaultOptions.rightsize)!
  const plan = validatePlan(
    snapshot([host('h1', { threads: 64, memoryMiB: 1_048_576 })], [v], [], cut),
    r.actions,
    withDefaults(),
    { vms: { [v.id]: train } },
    cut,
  )
  expect(plan.violations).toEqual([])
  const ours = { vcpus: r.cpu.recommendedVcpus, memoryMiB: r.mem.recommendedMiB }
  return { r, current, train, test, ours }
}

describe('rightsizing on real Bitbrains VMs (July 2013)', () => {
  it.each(['124', '27', '421'])('VM %s (big allocation, little use): shrinks vCPUs and memory', (id) => {
    const { r, current } = sizeOnTrace(id)
    expect(r.confidence).toBe('normal')
    expect(r.cpu.recommendedVcpus).toBeLessThan(current.vcpus)
    expect(r.cpu.recommendedVcpus).toBeGreaterThanOrEqual(Math.ceil(r.cpu.percentileCores))
    expect(r.mem.recommendedMiB).toBeLessThan(current.memoryMiB)
    expect(r.mem.recommendedMiB).toBeGreaterThanOrEqual(r.mem.peakWorkingSetMiB * 1.15)
  })

  it.each(['407', '186', '232'])('VM %s (saturated): is flagged saturated and gets more vCPUs, never fewer', (id) => {
    const { r, current } = sizeOnTrace(id)
    expect(r.cpu.saturated).toBe(true)
    expect(r.cpu.recommendedVcpus).toBeGreaterThan(current.vcpus)
  })

  it.each(['20', '287'])('VM %s (bursty): the unseen half of the month is not starved of CPU', (id) => {
    const { test, current, ours } = sizeOnTrace(id)
    const score = scoreSizing(test, current, ours)
    expect(ours.vcpus).toBeGreaterThanOrEqual(1)
    expect(score.cpuUnmetMinutes).toBe(0)
  })

  it('across the 8 VMs: reclaims waste with fewer unmet minutes than VPA (p90 + 15 %) and p95', () => {
    const ids = ['124', '27', '421', '407', '186', '232', '20', '287']
    const totals = { ours: zero(), vpa: zero(), p95: zero() }
    for (const id of ids) {
      const { train, test, current, ours } = sizeOnTrace(id)
      add(totals.ours, scoreSizing(test, current, ours))
      add(totals.vpa, scoreSizing(test, current, vpaDefault(train)))
      add(totals.p95, scoreSizing(test, current, p95Baseline(train)))
    }
    console.table(Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, round(v)])))
    const unmet = (s: ReplayScore) => s.cpuUnmetMinutes + s.memUnmetMinutes
    expect(totals.ours.reclaimedCoreHours).toBeGreaterThan(0)
    expect(totals.ours.reclaimedGiBHours).toBeGreaterThan(0)
    expect(unmet(totals.ours)).toBeLessThan(unmet(totals.vpa))
    expect(unmet(totals.ours)).toBeLessThan(unmet(totals.p95))
    // The price of safety: some waste left that the percentile baselines reclaim, but not most of it.
    expect(totals.ours.reclaimedGiBHours).toBeGreaterThan(0.8 * totals.p95.reclaimedGiBHours)
  })
})

const zero = (): ReplayScore => ({ reclaimedCoreHours: 0, reclaimedGiBHours: 0, cpuUnmetMinutes: 0, memUnmetMinutes: 0 })
function add(into: ReplayScore, s: ReplayScore) {
  into.reclaimedCoreHours += s.reclaimedCoreHours
  into.reclaimedGiBHours += s.reclaimedGiBHours
  into.cpuUnmetMinutes += s.cpuUnmetMinutes
  into.memUnmetMinutes += s.memUnmetMinutes
}
const round = (s: ReplayScore) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Math.round(v)]))
