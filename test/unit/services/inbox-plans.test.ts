import { describe, expect, it, onTestFinished } from 'vitest'
import { dispatch, type RecommendationList } from '../../../shared/api'
import { subsetEffect, subsetProblem } from '../../../shared/engine/rebalance'
import type { Plan } from '../../../shared/model'
import { createServices } from '../../../src-main/services/services'
import { openStore } from '../../../src-main/store'

const ctx = { transport: 'test' as const }

async function call<T>(services: ReturnType<typeof createServices>, channel: string, req: unknown): Promise<{ ok: true; value: T } | { ok: false; error: { code: string; message: string } }> {
  return (await dispatch(services.handlers, channel, req, ctx)) as never
}

describe('recommendations and plans on the demo cluster', () => {
  it('runs the engine, takes decisions, plans only what was approved, and audits it', async () => {
    const services = createServices({ transport: 'cli', dataFile: ':memory:', version: 't', log: () => {} })
    await services.start()
    try {
      const list = await call<RecommendationList>(services, 'recommendations.refresh', { strategy: 'hybrid' })
      if (!list.ok) throw new Error(list.error.message)
      const items = list.value.items
      const moves = items.filter((i) => i.recommendation.kind === 'migrate')
      expect(moves.length).toBeGreaterThan(0)
      expect(items.some((i) => i.recommendation.kind === 'tuning')).toBe(true)
      // Running again keeps the same ids for the same proposals.
      const again = await call<RecommendationList>(services, 'recommendations.refresh', { strategy: 'hybrid' })
      expect(again.ok && again.value.items.map((i) => i.recommendation.id).sort()).toEqual(items.map((i) => i.recommendation.id).sort())

      const [move] = moves
      const unapproved = await call(services, 'plans.create', { recommendationIds: [move!.recommendation.id] })
      expect(unapproved).toMatchObject({ ok: false, error: { code: 'forbidden' } })
      expect(await call(services, 'recommendations.decide', { id: move!.recommendation.id, decision: 'reject' })).toMatchObject({ ok: false, error: { code: 'bad-request' } })
      expect(await call(services, 'recommendations.decide', { id: move!.recommendation.id, decision: 'approve' })).toMatchObject({ ok: true, value: { status: 'approved' } })

      // A forged request cannot smuggle actions or commands into a plan or an apply.
      const forged = await call(services, 'plans.create', { recommendationIds: [move!.recommendation.id], actions: [{ kind: 'migrate', vm: 'x', from: 'a', to: 'b', live: true }] })
      expect(forged).toMatchObject({ ok: false, error: { code: 'bad-request' } })
      const plan = await call<Plan>(services, 'plans.create', { recommendationIds: [move!.recommendation.id] })
      if (!plan.ok) throw new Error(plan.error.message)
      expect(await call(services, 'plans.apply', { id: plan.value.id, steps: [] })).toMatchObject({ ok: false, error: { code: 'bad-request' } })
      // The demo replays traces: it can be planned and exported, never changed.
      const refused = await call(services, 'plans.apply', { id: plan.value.id })
      expect(refused).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining('demo cluster') } })
      const exported = await call<{ filename: string; text: string }>(services, 'plans.export', { id: plan.value.id, format: 'shell' })
      expect(exported.ok && exported.value.text).toContain('migrate --live')

      const audit = await call<{ kind: string; message: string }[]>(services, 'audit.list', {})
      // Newest first: the refused apply, the plan, the decision.
      expect(audit.ok && audit.value.map((e) => e.kind)).toEqual(['plan', 'plan', 'decision'])
      expect(audit.ok && audit.value[0]!.message).toMatch(/^apply refused: .*demo cluster/)
      const csv = await call<{ text: string }>(services, 'audit.export', { format: 'csv' })
      expect(csv.ok && csv.value.text.split('\r\n')[0]).toBe('id,time,actor,kind,plan,step,recommendation,host,command,exit_code,message,output')
      const after = await call<RecommendationList>(services, 'recommendations.list', {})
      expect(after.ok && after.value.items.find((i) => i.recommendation.id === move!.recommendation.id)!.status).toBe('planned')
    } finally {
      await services.stop()
    }
  })

  it('a rebalance is approved whole or in part: a part is judged on its own, a part that cannot run alone is refused with the reason', { timeout: 60_000 }, async () => {
    const services = createServices({ transport: 'cli', dataFile: ':memory:', version: 't', log: () => {} })
    await services.start()
    try {
      const list = await call<RecommendationList>(services, 'recommendations.refresh', {})
      if (!list.ok) throw new Error(list.error.message)
      const sets = list.value.items.filter((i) => i.recommendation.kind === 'migrate')
      expect(sets).toHaveLength(1)
      const set = sets[0]!.recommendation
      const r = set.rebalance!
      expect(set.actions).toHaveLength(r.moves.length)

      // A move the set does not have is a bad request.
      const beyond = await call(services, 'recommendations.decide', { id: set.id, decision: 'approve', moves: [0, r.moves.length] })
      expect(beyond).toMatchObject({ ok: false, error: { code: 'bad-request', message: expect.stringContaining(`there is no move ${r.moves.length + 1}`) } })
      // A part that needs a move left out (where the demo's set has one at this moment; the engine's
      // own test always has one): refused, saying which move makes room; the refusal is audited.
      const j = r.moves.findIndex((m) => m.dependsOn.length > 0)
      if (j > 0) {
        const without = r.moves.map((_, i) => i).filter((i) => i !== r.moves[j]!.dependsOn[0])
        const refused = await call(services, 'recommendations.decide', { id: set.id, decision: 'approve', moves: without })
        expect(refused).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/^Move \d+ \(.*\) cannot run without the rest of the set: .*make room first/) } })
        expect(subsetProblem(r, without, (id) => id.replace(/^demo:/, ''))).toBe((refused as { error: { message: string } }).error.message)
        const audit = await call<{ message: string }[]>(services, 'audit.list', {})
        expect(audit.ok && audit.value[0]!.message).toMatch(/^approve refused: Rebalance: \d+ moves?, moves /)
      }

      // The first move alone can run: approved, with what it achieves on its own, and only it goes into the plan.
      const part = await call<{ status: string; recommendation: typeof set }>(services, 'recommendations.decide', { id: set.id, decision: 'approve', moves: [0] })
      if (!part.ok) throw new Error(part.error.message)
      expect(part.value.status).toBe('approved')
      expect(part.value.recommendation.rebalance!.approved).toEqual({ moves: [0], predicted: subsetEffect(r, [0]) })
      const plan = await call<Plan>(services, 'plans.create', { recommendationIds: [set.id] })
      if (!plan.ok) throw new Error(plan.error.message)
      expect(plan.value.steps).toHaveLength(1)
      expect(plan.value.steps[0]!.action).toMatchObject({ kind: 'migrate', vm: r.moves[0]!.vmId, to: r.moves[0]!.to })
      expect(plan.value.steps[0]!.title).toMatch(/^Move .* from .* to .* \(move 1 of \d+ in the rebalance\)$/)
      expect(plan.value.effects).toEqual([{ recommendationId: set.id, title: set.title, titleRef: set.titleRef, predicted: subsetEffect(r, [0]), moves: { approved: [0], of: r.moves.length } }])
      // Its own effect, not the whole set's.
      expect(plan.value.effects![0]!.predicted).not.toEqual(set.predicted)

      // The dry run: the exact commands in order, checked like an apply, nothing run; the demo says why it cannot apply.
      const dry = await call<{ steps: { order: number; commands: { argv: string[] }[] }[]; refusal?: string; hosts: string[] }>(services, 'plans.dryRun', { id: plan.value.id })
      if (!dry.ok) throw new Error(dry.error.message)
      expect(dry.value.steps.map((s) => s.order)).toEqual([1])
      expect(dry.value.steps[0]!.commands[0]!.argv.slice(0, 4)).toEqual(['virsh', '-c', 'qemu:///system', 'migrate'])
      expect(dry.value.refusal).toMatch(/demo cluster replays traces and cannot be changed/)
      const afterDry = await call<{ message: string }[]>(services, 'audit.list', { planId: plan.value.id })
      expect(afterDry.ok && afterDry.value[0]!.message).toMatch(/^dry run: 1 step on demo-., demo-., nothing ran; applying now would be refused/)
    } finally {
      await services.stop()
    }
  })

  it('marks a plan that was running when VirtPilot stopped as interrupted, step by step', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs')
    const { join } = await import('node:path')
    const { tmpdir } = await import('node:os')
    const dir = mkdtempSync(join(tmpdir(), 'virtpilot-crash-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    const file = join(dir, 'v.db')
    const first = openStore(file)
    const step = { id: 'step-1', recommendationId: 'r', title: 'Move', action: { kind: 'migrate' as const, vm: 'v', from: 'a', to: 'b', live: true }, rollback: { kind: 'migrate' as const, vm: 'v', from: 'b', to: 'a', live: true }, host: 'a', commands: [], verify: [], rollbackCommands: [], estimatedSeconds: 3, dependsOn: [] }
    first.plans.savePlan({ id: 'p', createdAt: 1, approvedBy: 'ann', recommendationIds: ['r'], parallelism: 1, allowUnsafeMigration: false, state: 'running', steps: [{ ...step, state: 'done' }, { ...step, id: 'step-2', state: 'running' }] })
    first.close()
    // The app is killed here; the next start finds the plan.
    const second = createServices({ transport: 'cli', dataFile: file, version: 't', log: () => {} })
    const plan = (await call<Plan>(second, 'plans.get', { id: 'p' }))
    if (!plan.ok) throw new Error(plan.error.message)
    expect(plan.value.state).toBe('interrupted')
    expect(plan.value.steps.map((s) => s.state)).toEqual(['done', 'interrupted'])
    const audit = await call<{ message: string }[]>(second, 'audit.list', { planId: 'p' })
    expect(audit.ok && audit.value[0]!.message).toMatch(/interrupted/)
    await second.stop()
  })
})
