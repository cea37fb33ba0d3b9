import { describe, expect, it } from 'vitest'
import { dispatch, type RecommendationItem, type RecommendationList } from '../../../shared/api'
import type { Plan } from '../../../shared/model'
import { createServices, type Services } from '../../../src-main/services/services'

const ctx = { transport: 'test' as const }

async function call<T>(services: Services, channel: string, req: unknown): Promise<{ ok: true; value: T } | { ok: false; error: { code: string; message: string } }> {
  return (await dispatch(services.handlers, channel, req, ctx)) as never
}

async function withDemo(body: (s: Services, vmId: (name: string) => string) => Promise<void>): Promise<void> {
  const services = createServices({ transport: 'cli', dataFile: ':memory:', version: 't', log: () => {} })
  await services.start()
  const vmId = (name: string) => services.cluster.snapshot().vms.find((v) => v.name === name)!.id
  try {
    await body(services, vmId)
  } finally {
    await services.stop()
  }
}

// The embedded demo cluster (real traces replayed): demo-a 32 threads, demo-b 24, demo-c 16 with its
// memory allocated to 81756 of 98304 MiB; allocation ratios 4 vCPUs per thread, memory 1:1.
describe('admin requests: asked by hand, checked and planned like the engine\'s recommendations', () => {
  it('a move that fits becomes an open recommendation requested by the admin, with the predicted effect, that engine runs keep and a plan takes once approved', async () => {
    await withDemo(async (s, vmId) => {
      const asked = await call<RecommendationItem>(s, 'recommendations.request', { kind: 'migrate', vmId: vmId('bb010-a'), to: 'demo-b' })
      if (!asked.ok) throw new Error(asked.error.message)
      const rec = asked.value.recommendation
      expect(asked.value.status).toBe('open')
      expect(rec.requestedBy).toMatch(/\(cli\)$/)
      expect(rec.title).toBe(`Requested by ${rec.requestedBy}: move bb010-a from demo-a to demo-b`)
      expect(rec.actions.map((a) => a.action)).toEqual([expect.objectContaining({ kind: 'migrate', vm: vmId('bb010-a'), from: 'demo-a', to: 'demo-b', live: true })])
      const figure = (label: string) => rec.predicted.find((f) => f.label === label)!
      expect(figure('demo-a vCPUs allocated (limit 128)')).toMatchObject({ before: 54, after: 53 })
      expect(figure('demo-b vCPUs allocated (limit 96)')).toMatchObject({ before: 54, after: 55 })
      expect(figure('demo-a CPU load').after).toBeLessThanOrEqual(figure('demo-a CPU load').before)
      expect(figure('demo-b CPU load').after).toBeGreaterThanOrEqual(figure('demo-b CPU load').before)

      // An engine run supersedes its own open recommendations, not the admin's request.
      const after = await call<RecommendationList>(s, 'recommendations.refresh', {})
      expect(after.ok && after.value.items.find((i) => i.recommendation.id === rec.id)?.status).toBe('open')

      expect(await call(s, 'plans.create', { recommendationIds: [rec.id] })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
      expect(await call(s, 'recommendations.decide', { id: rec.id, decision: 'approve' })).toMatchObject({ ok: true, value: { status: 'approved' } })
      const plan = await call<Plan>(s, 'plans.create', { recommendationIds: [rec.id] })
      if (!plan.ok) throw new Error(plan.error.message)
      expect(plan.value.steps.map((st) => st.action)).toEqual(rec.actions.map((a) => a.action))
      const log = await call<{ message: string }[]>(s, 'audit.list', {})
      expect(log.ok && log.value.map((e) => e.message)).toContain(`request: ${rec.title}`)
    })
  })

  it('refuses what breaks capacity or the allocation ratios, with the reason, and keeps nothing', async () => {
    await withDemo(async (s, vmId) => {
      const full = await call(s, 'recommendations.request', { kind: 'resize', vmId: vmId('bb186-a'), memoryMiB: 40960 })
      expect(full).toMatchObject({ ok: false, error: { code: 'conflict' } })
      expect(!full.ok && full.error.message).toBe('Refused: demo-c would carry 106332 MiB, limit 98304 MiB (1:1); demo-c ends with 106332 MiB allocated, limit 98304 MiB (1:1)')
      const cpus = await call(s, 'recommendations.request', { kind: 'resize', vmId: vmId('bb010-a'), vcpus: 200 })
      expect(!cpus.ok && cpus.error.message).toMatch(/demo-a would carry 253 vCPUs, limit 128 \(4:1\)/)
      const same = await call(s, 'recommendations.request', { kind: 'migrate', vmId: vmId('bb010-a'), to: 'demo-a' })
      expect(!same.ok && same.error.message).toBe('Refused: bb010-a already runs on demo-a')
      const list = await call<RecommendationList>(s, 'recommendations.list', {})
      expect(list.ok && list.value.items.filter((i) => i.recommendation.requestedBy)).toEqual([])
      expect(await call(s, 'recommendations.request', { kind: 'resize', vmId: vmId('bb010-a') })).toMatchObject({ ok: false, error: { code: 'bad-request' } })
    })
  })

  it('a resize within the VM\'s maximum applies live; above it, it needs a restart', async () => {
    await withDemo(async (s, vmId) => {
      const live = await call<RecommendationItem>(s, 'recommendations.request', { kind: 'resize', vmId: vmId('bb010-a'), vcpus: 2 })
      if (!live.ok) throw new Error(live.error.message)
      expect(live.value.recommendation).toMatchObject({ kind: 'rightsize-cpu', needsRestart: false, predicted: expect.arrayContaining([expect.objectContaining({ label: 'vCPUs', before: 1, after: 2 })]) })
      expect(live.value.recommendation.actions.map((a) => a.action)).toEqual([expect.objectContaining({ kind: 'setVcpus', count: 2, live: true })])
      const restart = await call<RecommendationItem>(s, 'recommendations.request', { kind: 'resize', vmId: vmId('bb010-a'), vcpus: 4, memoryMiB: 3072 })
      if (!restart.ok) throw new Error(restart.error.message)
      expect(restart.value.recommendation.needsRestart).toBe(true)
      expect(restart.value.recommendation.actions.map((a) => a.action.kind)).toEqual(['setMaxVcpus', 'setVcpus', 'setMaxMemory', 'setMemory'])
    })
  })
})
