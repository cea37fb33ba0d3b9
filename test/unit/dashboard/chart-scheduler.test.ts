import { describe, expect, it } from 'vitest'
import { afterQueuedCharts, cancelChartJob, scheduleChartJob } from '../../../src-renderer/charts/chart-scheduler'

/**
 * Resolves once the scheduler has run every job queued so far: a last job, low priority and
 * scheduled after the others, runs after all of them (a timer could fire first on a busy machine).
 */
const settle = () => new Promise<void>((resolve) => scheduleChartJob({}, resolve, 'low'))

describe('chart scheduler', () => {
  it('runs jobs later, charts in view before those out of view, one job per task', async () => {
    const ran: string[] = []
    const a = {}
    const b = {}
    const c = {}
    scheduleChartJob(c, () => ran.push('c'), 'low')
    scheduleChartJob(a, () => ran.push('a'))
    scheduleChartJob(b, () => {
      ran.push('b')
      // A microtask queued by a job runs before the next job: each job has a task of its own.
      void Promise.resolve().then(() => ran.push('b-microtask'))
    })
    expect(ran).toEqual([])
    await settle()
    expect(ran).toEqual(['a', 'b', 'b-microtask', 'c'])
  })

  it('keeps only the newest job of a chart and drops cancelled ones', async () => {
    const ran: string[] = []
    const chart = {}
    const gone = {}
    scheduleChartJob(chart, () => ran.push('old'))
    scheduleChartJob(gone, () => ran.push('gone'))
    scheduleChartJob(chart, () => ran.push('new'))
    cancelChartJob(gone)
    await settle()
    expect(ran).toEqual(['new'])
  })

  it('keeps going after a job throws', async () => {
    const ran: string[] = []
    const errors = console.error
    console.error = () => undefined
    try {
      scheduleChartJob({}, () => {
        throw new Error('broken chart')
      })
      scheduleChartJob({}, () => ran.push('next'))
      await settle()
    } finally {
      console.error = errors
    }
    expect(ran).toEqual(['next'])
  })

  it('tells when the charts in view queued so far have drawn, before any queued later', async () => {
    const ran: string[] = []
    scheduleChartJob({}, () => ran.push('out of view'), 'low')
    scheduleChartJob({}, () => ran.push('in view'))
    const drawn = afterQueuedCharts().then(() => [...ran])
    scheduleChartJob({}, () => ran.push('in view, later'))
    expect(await drawn).toEqual(['in view'])
    await settle()
    expect(ran).toEqual(['in view', 'in view, later', 'out of view'])
  })
})
