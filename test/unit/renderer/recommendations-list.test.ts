import { describe, expect, it } from 'vitest'
import type { RecommendationItem } from '../../../shared/api'
import type { Recommendation } from '../../../shared/model'
import { arrangeRecommendations, decisionsFor, expectedGain, isAdviceOnly, matchesFilter, percentile, vmsOf } from '../../../src-renderer/stores/recommendation-list'

function item(over: Partial<Recommendation> & { id: string }, status: RecommendationItem['status'] = 'open', createdAt = 1000): RecommendationItem {
  const recommendation: Recommendation = {
    kind: 'migrate',
    target: { type: 'vm', id: `vm-${over.id}` },
    priority: 3,
    title: over.id,
    rationale: '',
    predicted: [{ label: 'Peak host CPU load', unit: '%', before: 60, after: 30 }],
    risk: 'low',
    riskNote: '',
    needsRestart: false,
    confidence: 'normal',
    actions: [{ action: { kind: 'migrate', vm: `vm-${over.id}`, from: 'h1', to: 'h2', live: true }, rollback: { kind: 'migrate', vm: `vm-${over.id}`, from: 'h2', to: 'h1', live: true } }],
    ...over,
  }
  return { recommendation, status, createdAt }
}

const all = { status: null, kind: null, priority: null } as const

describe('recommendation list', () => {
  it('sorts by priority, then the larger expected change, then the id', () => {
    const items = [
      item({ id: 'c', priority: 3, predicted: [{ label: 'x', unit: '%', before: 50, after: 45 }] }),
      item({ id: 'b', priority: 1 }),
      item({ id: 'a', priority: 3, predicted: [{ label: 'x', unit: '%', before: 50, after: 10 }] }),
      item({ id: 'd', priority: 3, predicted: [{ label: 'x', unit: '%', before: 50, after: 45 }] }),
    ]
    expect(arrangeRecommendations(items, all, 'priority').map((i) => i.recommendation.id)).toEqual(['b', 'a', 'c', 'd'])
  })

  it('sorts by gain, newest, and target name as the admin sees it', () => {
    const items = [item({ id: 'small', predicted: [{ label: 'x', unit: 'MiB', before: 1000, after: 900 }] }, 'open', 1), item({ id: 'big' }, 'open', 2)]
    expect(arrangeRecommendations(items, all, 'gain').map((i) => i.recommendation.id)).toEqual(['big', 'small'])
    expect(arrangeRecommendations(items, all, 'newest').map((i) => i.recommendation.id)).toEqual(['big', 'small'])
    const names: Record<string, string> = { 'vm-small': 'alpha', 'vm-big': 'zulu' }
    expect(arrangeRecommendations(items, all, 'target', (r) => names[r.target.id] ?? '').map((i) => i.recommendation.id)).toEqual(['small', 'big'])
  })

  it('filters by status, kind and priority; "actionable" is open or approved', () => {
    const items = [
      item({ id: 'open' }),
      item({ id: 'approved', kind: 'rightsize-memory' }, 'approved'),
      item({ id: 'rejected', priority: 5 }, 'rejected'),
      item({ id: 'planned' }, 'planned'),
    ]
    const ids = (f: Parameters<typeof matchesFilter>[1]) => items.filter((i) => matchesFilter(i, f)).map((i) => i.recommendation.id)
    expect(ids({ ...all, status: 'actionable' })).toEqual(['open', 'approved'])
    expect(ids({ ...all, status: 'rejected' })).toEqual(['rejected'])
    expect(ids({ ...all, kind: 'rightsize-memory' })).toEqual(['approved'])
    expect(ids({ ...all, priority: 5 })).toEqual(['rejected'])
    expect(ids(all)).toHaveLength(4)
  })

  it('does not change the input order', () => {
    const items = [item({ id: 'b' }), item({ id: 'a' })]
    arrangeRecommendations(items, all, 'priority')
    expect(items.map((i) => i.recommendation.id)).toEqual(['b', 'a'])
  })

  it('measures the expected change relative to the larger side', () => {
    expect(expectedGain(item({ id: 'x', predicted: [{ label: 'l', unit: '%', before: 60, after: 30 }] }).recommendation)).toBeCloseTo(0.5)
    expect(expectedGain(item({ id: 'x', predicted: [{ label: 'l', unit: 'MiB', before: 0, after: 7300 }] }).recommendation)).toBeCloseTo(1)
    expect(expectedGain(item({ id: 'x', predicted: [] }).recommendation)).toBe(0)
  })

  it('knows which recommendations are advice to apply by hand', () => {
    const tuning = item({ id: 't', kind: 'tuning', actions: [{ action: { kind: 'setHostTuning', host: 'h1', setting: 'ksm.run', value: '1' }, rollback: { kind: 'setHostTuning', host: 'h1', setting: 'ksm.run', value: '0' } }] })
    expect(isAdviceOnly(tuning.recommendation)).toBe(true)
    expect(isAdviceOnly(item({ id: 'm' }).recommendation)).toBe(false)
    expect(vmsOf(item({ id: 'm' }).recommendation)).toEqual(['vm-m'])
    expect(vmsOf(tuning.recommendation)).toEqual([])
  })

  it('offers only the decisions main accepts from each status', () => {
    expect(decisionsFor('open')).toEqual(['approve', 'reject', 'snooze'])
    expect(decisionsFor('approved')).toEqual(['reopen', 'reject'])
    expect(decisionsFor('rejected')).toEqual(['reopen'])
    expect(decisionsFor('planned')).toEqual([])
    expect(decisionsFor('applied')).toEqual([])
  })

  it('takes the nearest-rank percentile, ignoring gaps', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1)
    expect(percentile(values, 0.95)).toBe(95)
    expect(percentile([3, Number.NaN, 1, 2], 0.5)).toBe(2)
    expect(percentile([], 0.95)).toBeUndefined()
    expect(percentile([7], 0.95)).toBe(7)
  })
})
