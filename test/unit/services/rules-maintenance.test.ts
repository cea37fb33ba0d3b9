import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { dispatch, type MaintenanceEntry, type RecommendationList, type RulesList } from '../../../shared/api'
import type { AuditEntry, PlacementRule, Settings, Snapshot } from '../../../shared/model'
import { createServices, type Services } from '../../../src-main/services/services'

// Rules, the migration threshold and maintenance mode through the api, on the embedded demo cluster.

const ctx = { transport: 'test' as const }
type Reply<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string; details?: string[] } }
const call = async <T>(s: Services, channel: string, req: unknown): Promise<Reply<T>> => (await dispatch(s.handlers, channel, req, ctx)) as never
async function value<T>(s: Services, channel: string, req: unknown): Promise<T> {
  const reply = await call<T>(s, channel, req)
  if (!reply.ok) throw new Error(`${channel}: ${reply.error.message}`)
  return reply.value
}

let services: Services
beforeEach(async () => {
  services = createServices({ transport: 'cli', dataFile: ':memory:', version: 't', log: () => {} })
  await services.start()
})
afterEach(async () => services.stop())

/** Two running VMs that share a host, the host, and the snapshot. */
async function pairOnOneHost(): Promise<{ a: string; b: string; host: string; snapshot: Snapshot }> {
  const snapshot = await value<Snapshot>(services, 'cluster.snapshot', {})
  for (const h of snapshot.hosts) {
    const here = snapshot.vms.filter((v) => v.hostId === h.id && v.state === 'running')
    if (here.length >= 2) return { a: here[0]!.id, b: here[1]!.id, host: h.id, snapshot }
  }
  throw new Error('the demo has no host with two running VMs')
}

describe('placement rules through the api', () => {
  it('keeps an anti-affinity rule, makes its violation a priority-1 recommendation naming it, refuses a conflicting rule with the reason, and audits both', { timeout: 60_000 }, async () => {
    const { a, b, host } = await pairOnOneHost()
    const rule = await value<PlacementRule>(services, 'rules.add', { kind: 'anti-affinity', vms: [a, b], name: 'keep apart' })
    expect(rule).toMatchObject({ id: 'r1', kind: 'anti-affinity', vms: [a, b], name: 'keep apart' })

    const list = await value<RecommendationList>(services, 'recommendations.refresh', {})
    const fix = list.items.find((i) => i.recommendation.priority === 1 && i.recommendation.rationale.includes('(rule keep apart)'))
    expect(fix, 'a recommendation that fixes the rule').toBeDefined()
    const moved = fix!.recommendation.actions.map((x) => x.action).filter((x) => x.kind === 'migrate')
    expect(moved.some((m) => (m.vm === a || m.vm === b) && m.from === host)).toBe(true)

    const conflict = await call(services, 'rules.add', { kind: 'affinity', vms: [b, a] })
    expect(conflict).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining('together (affinity) and apart (anti-affinity)') } })
    expect(!conflict.ok && conflict.error.details?.[0]).toMatch(/^placement\.conflict\.togetherAndApart /)
    const unknown = await call(services, 'rules.add', { kind: 'pin', vms: [a], hosts: ['no-such-host'] })
    expect(unknown).toMatchObject({ ok: false, error: { code: 'conflict', message: 'There is no host no-such-host in the cluster.' } })

    expect(await value(services, 'rules.remove', { id: 'r1' })).toEqual({ removed: true })
    expect((await value<RulesList>(services, 'rules.list', {})).rules).toEqual([])
    const audit = await value<AuditEntry[]>(services, 'audit.list', {})
    const words = `keep apart (anti-affinity of ${nameOf(a)}, ${nameOf(b)})`
    expect(audit.map((e) => e.message).filter((m) => m.startsWith('rule '))).toEqual([`rule removed: ${words}`, `rule added: ${words}`])
  })

  it('refuses a malformed rule at the door', async () => {
    expect(await call(services, 'rules.add', { kind: 'pin', vms: ['x', 'y'], hosts: ['h'] })).toMatchObject({ ok: false, error: { code: 'bad-request' } })
    expect(await call(services, 'rules.add', { kind: 'teleport', vms: ['x'] })).toMatchObject({ ok: false, error: { code: 'bad-request' } })
  })

  it('the migration threshold in the settings decides how much balancing the engine proposes', { timeout: 60_000 }, async () => {
    const rebalances = async (migrationThreshold: number) => {
      await value<Settings>(services, 'settings.update', { migrationThreshold })
      const list = await value<RecommendationList>(services, 'recommendations.refresh', {})
      return list.items.filter((i) => i.status === 'open' && i.recommendation.rebalance).flatMap((i) => i.recommendation.actions).length
    }
    expect(await rebalances(1)).toBe(0)
    expect(await rebalances(5)).toBeGreaterThan(0)
    expect(await call(services, 'settings.update', { migrationThreshold: 6 })).toMatchObject({ ok: false, error: { code: 'bad-request' } })
  })
})

describe('maintenance mode through the api', () => {
  it('evacuates a host: an approved plan moves every running VM elsewhere, the host takes no placements until it exits', { timeout: 60_000 }, async () => {
    const { host, snapshot } = await pairOnOneHost()
    const running = snapshot.vms.filter((v) => v.hostId === host && v.state === 'running').map((v) => v.id).sort()
    // The demo's disks are cached by the host: live migration needs --unsafe, which the admin must allow.
    const first = await value<MaintenanceEntry>(services, 'maintenance.enter', { hostId: host })
    expect(first.plan).toBeUndefined()
    expect(first.planProblem).toMatch(/needs --unsafe/)
    expect((await value<Snapshot>(services, 'cluster.snapshot', {})).hosts.find((h) => h.id === host)!.state).toBe('maintenance')
    const entry = await value<MaintenanceEntry>(services, 'maintenance.enter', { hostId: host, allowUnsafeMigration: true })
    expect(entry.hostId).toBe(host)
    expect(entry.recommendationId).toBe(first.recommendationId)
    const steps = entry.plan!.steps.map((s) => s.action)
    expect(steps.every((s) => s.kind === 'migrate' && s.from === host && s.to !== host)).toBe(true)
    expect(steps.map((s) => (s.kind === 'migrate' ? s.vm : '')).sort()).toEqual(running.filter((id) => !entry.staying.some((v) => v.vmId === id)))
    expect(entry.plan!.state).toBe('ready')

    const now = await value<Snapshot>(services, 'cluster.snapshot', {})
    expect(now.hosts.find((h) => h.id === host)!.state).toBe('maintenance')
    expect((await value<RulesList>(services, 'rules.list', {})).maintenance).toMatchObject([{ hostId: host, planId: entry.plan!.id }])
    // No recommendation places anything on it.
    const list = await value<RecommendationList>(services, 'recommendations.refresh', { strategy: 'dynamic' })
    const onto = list.items.filter((i) => i.status === 'open').flatMap((i) => i.recommendation.actions).filter((a) => a.action.kind === 'migrate' && a.action.to === host)
    expect(onto).toEqual([])
    const audit = await value<AuditEntry[]>(services, 'audit.list', {})
    expect(audit.some((e) => e.message.startsWith(`maintenance entered: ${host}`))).toBe(true)
    expect(audit.some((e) => e.kind === 'decision' && e.message.startsWith(`approve: Evacuate ${host} for maintenance`))).toBe(true)

    expect(await value(services, 'maintenance.exit', { hostId: host })).toEqual({ exited: true })
    expect((await value<Snapshot>(services, 'cluster.snapshot', {})).hosts.find((h) => h.id === host)!.state).not.toBe('maintenance')
    expect(await value(services, 'maintenance.exit', { hostId: host })).toEqual({ exited: false })
  })

  it('refuses an unknown host', async () => {
    expect(await call(services, 'maintenance.enter', { hostId: 'nowhere' })).toMatchObject({ ok: false, error: { code: 'not-found' } })
  })
})

function nameOf(id: string): string {
  return services.cluster.snapshot().vms.find((v) => v.id === id)?.name ?? id
}
