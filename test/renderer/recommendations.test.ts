import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { useClusterStore } from '../../src-renderer/stores/cluster'
import { useRecommendationsStore } from '../../src-renderer/stores/recommendations'
import { services } from './setup'

describe('the recommendations store against the real inbox', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('refreshes, decides, hears the change pushed, and reads a VM demand from the series path', async () => {
    const cluster = useClusterStore()
    await cluster.start()
    const store = useRecommendationsStore()
    await store.load()
    expect(store.loaded).toBe(true)
    await store.refresh('hybrid')
    expect(store.refreshError).toBeNull()
    const rightsize = store.list.items.find((i) => i.recommendation.target.type === 'vm')!
    expect(rightsize).toBeDefined()
    expect(store.targetName(rightsize.recommendation)).toBe(cluster.snapshot!.vms.find((v) => v.id === rightsize.recommendation.target.id)!.name)

    const decided = await store.decide(rightsize.recommendation.id, 'approve')
    expect(decided.status).toBe('approved')
    expect(store.byId.get(rightsize.recommendation.id)!.status).toBe('approved')
    await expect(store.decide(rightsize.recommendation.id, 'reject')).rejects.toMatchObject({ code: 'bad-request' })
    // A decision taken elsewhere (another window, the CLI) arrives as an event.
    const other = store.list.items.find((i) => i.status === 'open')!
    services.inbox.decide(other.recommendation.id, 'snooze')
    // The inbox measures applied changes before it pushes the list (asynchronously).
    await expect.poll(() => store.byId.get(other.recommendation.id)!.status).toBe('snoozed')

    const demand = await store.vmDemand(rightsize.recommendation.target.id, 'memory')
    expect(demand.t.length).toBeGreaterThan(50)
    expect(demand.values.every((v) => v >= 0) && demand.values.some((v) => v > 0)).toBe(true)
    expect(demand.stepMs).toBeGreaterThan(0)
  })
})
