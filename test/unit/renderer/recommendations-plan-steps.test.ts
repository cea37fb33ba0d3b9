import { describe, expect, it } from 'vitest'
import type { Plan, PlanStep } from '../../../shared/model'
import { planHosts, sequentialSeconds, settledSteps, stepsByHost, upsertPlan } from '../../../src-renderer/stores/plan-steps'

function step(id: string, host: string, over: Partial<PlanStep> = {}): PlanStep {
  return {
    id,
    recommendationId: 'r',
    title: id,
    action: { kind: 'setCpuShares', vm: 'vm', host, shares: 2048 },
    rollback: { kind: 'setCpuShares', vm: 'vm', host, shares: 1024 },
    host,
    commands: [{ host, argv: ['virsh'], purpose: '' }],
    verify: [],
    rollbackCommands: [],
    estimatedSeconds: 2,
    dependsOn: [],
    state: 'pending',
    ...over,
  }
}

function plan(id: string, createdAt: number, steps: PlanStep[] = []): Plan {
  return { id, createdAt, approvedBy: 'me', recommendationIds: [], steps, state: 'ready', parallelism: 1, allowUnsafeMigration: false }
}

describe('plan steps', () => {
  it('groups steps per host in execution order, keeping their plan-wide number', () => {
    const groups = stepsByHost(plan('p', 0, [step('s1', 'h2'), step('s2', 'h1'), step('s3', 'h2')]))
    expect(groups.map((g) => [g.host, g.steps.map((s) => `${s.order}:${s.step.id}`)])).toEqual([
      ['h2', ['1:s1', '3:s3']],
      ['h1', ['2:s2']],
    ])
  })

  it('lists every host a plan touches, read-back hosts included', () => {
    const migrate = step('m', 'h1', { verify: [{ host: 'h2', argv: ['virsh', 'domstate'], purpose: '' }] })
    expect(planHosts(plan('p', 0, [migrate, step('s', 'h3')]))).toEqual(['h1', 'h2', 'h3'])
  })

  it('counts finished steps and the one-after-another duration', () => {
    const p = plan('p', 0, [step('a', 'h', { state: 'done' }), step('b', 'h', { state: 'running', estimatedSeconds: 20 }), step('c', 'h', { state: 'interrupted' })])
    expect(settledSteps(p)).toBe(2)
    expect(sequentialSeconds(p)).toBe(24)
  })

  it('replaces a plan pushed again and keeps the newest first', () => {
    const older = plan('old', 1)
    const newer = plan('new', 2)
    const running = { ...older, state: 'running' as const }
    expect(upsertPlan([newer, older], running).map((p) => [p.id, p.state])).toEqual([
      ['new', 'ready'],
      ['old', 'running'],
    ])
  })
})
