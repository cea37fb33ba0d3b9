import { afterEach, describe, expect, it, vi } from 'vitest'
import { dispatch, type RecommendationList } from '../../../shared/api'
import { engineSchedule } from '../../../src-main/services/engine-schedule'
import { createServices } from '../../../src-main/services/services'

const ctx = { transport: 'test' as const }

describe('engine schedule', () => {
  afterEach(() => void vi.useRealTimers())

  it('runs at start-up, then every interval from the settings; 0 stops the repeats', async () => {
    vi.useFakeTimers()
    let interval = 15
    const runs: number[] = []
    const schedule = engineSchedule({ analyse: async () => void runs.push(Date.now()), intervalMinutes: () => interval, hasHosts: () => true, log: () => {} })
    await schedule.start()
    expect(runs).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(14 * 60_000)
    expect(runs).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(runs).toHaveLength(2)
    interval = 0
    schedule.reschedule()
    await vi.advanceTimersByTimeAsync(60 * 60_000)
    expect(runs).toHaveLength(2)
    schedule.stop()
  })

  it('without hosts at start-up, runs when the first snapshot with hosts arrives', async () => {
    let hosts = false
    let runs = 0
    const schedule = engineSchedule({ analyse: async () => void runs++, intervalMinutes: () => 0, hasHosts: () => hosts, log: () => {} })
    await schedule.start()
    expect(runs).toBe(0)
    schedule.onSnapshot()
    expect(runs).toBe(0)
    hosts = true
    schedule.onSnapshot()
    await schedule.idle()
    expect(runs).toBe(1)
    // Once it has run, snapshots leave it to the interval.
    schedule.onSnapshot()
    await schedule.idle()
    expect(runs).toBe(1)
    schedule.stop()
  })

  it('a failed run is logged and retried at the next trigger', async () => {
    const log: string[] = []
    let fail = true
    let runs = 0
    const schedule = engineSchedule({
      analyse: async () => {
        runs++
        if (fail) throw new Error('No hosts to analyse')
      },
      intervalMinutes: () => 0,
      hasHosts: () => true,
      log: (m) => log.push(m),
    })
    await schedule.start()
    expect(log).toEqual(['scheduled analysis failed: No hosts to analyse'])
    fail = false
    schedule.onSnapshot()
    await schedule.idle()
    expect(runs).toBe(2)
    schedule.stop()
  })
})

describe('analysis at start-up (serve and desktop)', () => {
  it('the demo is analysed on its own, in a worker, with its two recorded days: the inbox is never "not run" for long', async () => {
    const services = createServices({ transport: 'serve', dataFile: ':memory:', version: 't', log: () => {} })
    const seen: RecommendationList[] = []
    services.events.on('recommendations.changed', (list) => seen.push(list))
    await services.start()
    // Start-up returns at once; the first event says the engine is at work.
    await vi.waitFor(() => expect(seen.some((l) => l.analysing)).toBe(true), { timeout: 10_000 })
    await vi.waitFor(() => expect(seen.at(-1)?.generatedAt).not.toBeNull(), { timeout: 60_000, interval: 200 })
    const list = await dispatch(services.handlers, 'recommendations.list', {}, ctx)
    expect(list.ok).toBe(true)
    if (list.ok) {
      const value = list.value as RecommendationList
      expect(value.analysing).toBe(false)
      expect(value.items.length).toBeGreaterThan(0)
      // Sized from the two recorded days, not from the minutes since start-up.
      const rightsizing = value.items.filter((i) => i.recommendation.kind.startsWith('rightsize') && i.recommendation.titleRef?.key !== 'engine.oversized.title')
      expect(rightsizing.length).toBeGreaterThan(0)
      for (const item of rightsizing) expect(item.recommendation.rationale).toMatch(/(4[78] h|2\.0 days) of history/)
    }
    await services.stop()
  }, 90_000)
})
