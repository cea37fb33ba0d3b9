import { describe, expect, it } from 'vitest'
import { dispatch, type RecommendationList } from '../../../shared/api'
import { recommend } from '../../../shared/engine/recommend'
import { formatMessage } from '../../../shared/i18n'
import type { MessageRef, Recommendation, Snapshot } from '../../../shared/model'
import { createEngine } from '../../../src-main/services/engine'
import { EventBus } from '../../../src-main/services/events'
import { createInbox } from '../../../src-main/services/inbox'
import { createServices } from '../../../src-main/services/services'
import { openStore } from '../../../src-main/store'

const ctx = { transport: 'test' as const }

describe('the plan validator guards what the engine proposes', () => {
  it('turns a proposal that breaks a rule into an engine error the UI shows, and keeps it out of the inbox', async () => {
    // An engine with a bug: one more move, to a host that does not exist.
    const broken = createEngine((input) => {
      const out = recommend(input)
      const vm = input.snapshot.vms[0]!
      const bad: Recommendation = { ...out.recommendations[0]!, id: 'bad', actions: [{ action: { kind: 'migrate', vm: vm.id, from: vm.hostId, to: 'nowhere', live: true }, rollback: { kind: 'migrate', vm: vm.id, from: 'nowhere', to: vm.hostId, live: true } }] }
      return { ...out, recommendations: [...out.recommendations, bad] }
    })
    const services = createServices({ transport: 'cli', dataFile: ':memory:', version: 't', engine: broken, log: () => {} })
    await services.start()
    try {
      const refreshed = await dispatch(services.handlers, 'recommendations.refresh', {}, ctx)
      expect(refreshed).toMatchObject({ ok: false, error: { code: 'internal', message: expect.stringMatching(/failed the plan validator.*unknown-host: no host nowhere/), messageRef: { key: 'server.engine.validatorRefused' } } })
      // The page says it in the admin's language: the same words, as a message.
      expect(formatMessage((refreshed as { error: { messageRef: MessageRef } }).error.messageRef, 'zh-CN')).toMatch(/^引擎的提案未通过计划校验器.*unknown-host：没有宿主机 nowhere/)
      const list = await dispatch(services.handlers, 'recommendations.list', {}, ctx)
      expect(list.ok && (list.value as RecommendationList).items).toEqual([])
    } finally {
      await services.stop()
    }
  })
})

describe('recommendations follow the cluster', () => {
  it('supersedes a recommendation whose VM moved, was resized or went away, and keeps the others', async () => {
    const store = openStore(':memory:')
    const vm = (id: string, hostId: string, vcpus = 2) => ({ id, name: id, hostId, state: 'running' as const, allocation: { vcpus, maxVcpus: 4, memoryMiB: 1024, maxMemoryMiB: 2048 }, tags: [] })
    const host = (id: string) => ({ id, name: id, source: 'libvirt' as const, state: 'online' as const, cpu: { model: 'x', sockets: 1, coresPerSocket: 4, threadsPerCore: 1, threads: 4, mhz: 1000 }, memoryMiB: 8192, numa: [], tags: [] })
    let snapshot: Snapshot = { t: 1, hosts: [host('h1'), host('h2')], vms: [vm('a', 'h1'), vm('b', 'h1'), vm('c', 'h1'), vm('d', 'h2')], hostSamples: [], vmSamples: [] }
    const inbox = createInbox({ store, engine: createEngine(), events: new EventBus(), clock: () => 2, snapshot: () => snapshot, facts: () => [], actor: 'test' })
    const r = (id: string, actions: Recommendation['actions']): Recommendation => ({ id, kind: 'migrate', target: { type: 'vm', id }, priority: 3, title: id, rationale: '', predicted: [], risk: 'low', riskNote: '', needsRestart: false, confidence: 'normal', actions })
    store.recommendations.replaceOpen(
      [
        r('move-a', [{ action: { kind: 'migrate', vm: 'a', from: 'h1', to: 'h2', live: true }, rollback: { kind: 'migrate', vm: 'a', from: 'h2', to: 'h1', live: true } }]),
        r('grow-b', [{ action: { kind: 'setVcpus', vm: 'b', host: 'h1', count: 3, live: true }, rollback: { kind: 'setVcpus', vm: 'b', host: 'h1', count: 2, live: true } }]),
        r('grow-c', [{ action: { kind: 'setVcpus', vm: 'c', host: 'h1', count: 3, live: true }, rollback: { kind: 'setVcpus', vm: 'c', host: 'h1', count: 2, live: true } }]),
        r('grow-d', [{ action: { kind: 'setVcpus', vm: 'd', host: 'h2', count: 3, live: true }, rollback: { kind: 'setVcpus', vm: 'd', host: 'h2', count: 2, live: true } }]),
      ],
      1,
    )
    inbox.decide('grow-b', 'approve')
    expect(inbox.supersedeStale(snapshot)).toBe(0)
    // Someone moved a by hand, resized b, and removed c.
    snapshot = { ...snapshot, vms: [vm('a', 'h2'), vm('b', 'h1', 4), vm('d', 'h2')] }
    expect(inbox.supersedeStale(snapshot)).toBe(3)
    expect((await inbox.list()).items.map((i) => [i.recommendation.id, i.status])).toEqual([['grow-d', 'open']])
    expect(store.plans.listAudit({}).filter((e) => e.message.startsWith('superseded')).map((e) => e.recommendationId).sort()).toEqual(['grow-b', 'grow-c', 'move-a'])
    store.close()
  })
})
