import { describe, expect, it } from 'vitest'
import type { Vm } from '../../../../shared/model/vm'
import { ruleConflict, type PlacementRule, type RuleContext } from '../../../../shared/model/placement-rule'
import { withDefaults } from '../../../../shared/engine/options'
import { fromAdminRules } from '../../../../shared/engine/placement-rules'
import { thresholdBalance, type MigrationThreshold } from '../../../../shared/engine/threshold'
import { validatePlan } from '../../../../shared/engine/validate'
import { host, snapshot, T0, usage, vm } from '../support/cluster'
import { migrations, recommendChecked } from '../support/plan'

const base = { history: { vms: {} }, now: T0, seed: 11 }

function cluster(hostIds: string[], placed: [string, string, number, number][], maintenance: string[] = []) {
  const vms: Vm[] = placed.map(([id, h, vcpus, memoryMiB]) => vm(id, h, { vcpus, memoryMiB }))
  const samples = vms.map((v) => usage(v, v.allocation.vcpus * 0.8, v.allocation.memoryMiB * 0.7))
  return snapshot(hostIds.map((id) => host(id, maintenance.includes(id) ? { state: 'maintenance' } : {})), vms, samples)
}

let n = 0
const rule = (kind: PlacementRule['kind'], vms: string[], hosts: string[] = [], name?: string): PlacementRule => ({ id: `r${++n}`, kind, vms, hosts, createdAt: T0, createdBy: 'admin', ...(name ? { name } : {}) })

describe('the admin\'s placement rules in the engine', () => {
  it('moves a VM onto the host a should-run rule prefers as a priority-2 fix naming the rule, and never off it to even out load', () => {
    // h1 is busy; web is on h2 but should run on h3 (idle): a soft fix; db should stay on busy h1.
    const s = cluster(['h1', 'h2', 'h3'], [['db', 'h1', 8, 8192], ['a', 'h1', 4, 4096], ['b', 'h1', 4, 4096], ['web', 'h2', 2, 2048]])
    const rules = fromAdminRules([rule('host-should', ['web'], ['h3'], 'web on h3'), rule('host-should', ['db'], ['h1'], 'db home')])
    const out = recommendChecked({ ...base, snapshot: s, options: { rules } })
    const web = out.recommendations.find((r) => r.actions.some((a) => a.action.kind === 'migrate' && a.action.vm === 'web'))!
    expect(web.priority).toBe(2)
    expect(web.rationale).toContain('web should run on h3 (rule web on h3)')
    // The rule's sentence comes first; the demand the move is planned for follows it.
    const first = web.rationaleRef?.key === 'engine.sentences' ? (web.rationaleRef.params.sentences as { key: string }[])[0] : web.rationaleRef
    expect(first?.key).toBe('engine.required.preferred')
    expect(migrations(out).find((m) => m.vm === 'web')?.to).toBe('h3')
    // Load still evens out, but never by moving db off the host it should run on.
    expect(migrations(out).some((m) => m.vm === 'a' || m.vm === 'b')).toBe(true)
    expect(migrations(out).some((m) => m.vm === 'db')).toBe(false)
    expect(out.feasible).toBe(true)
  })

  it('says when no preferred host has room, and leaves the VM where it is (not infeasible)', () => {
    const s = cluster(['h1', 'h2'], [['big', 'h1', 40, 8192], ['full', 'h2', 60, 8192]])
    const out = recommendChecked({ ...base, snapshot: s, options: { rules: fromAdminRules([rule('host-should', ['big'], ['h2'])]) } })
    expect(migrations(out).some((m) => m.vm === 'big')).toBe(false)
    expect(out.feasible).toBe(true)
    expect(out.ruleNotes.join(' ')).toMatch(/big should run on h2.*stays/)
  })

  it('leaves an excluded VM out of balancing but still evacuates it from a host in maintenance', () => {
    const busy = cluster(['h1', 'h2'], [['x', 'h1', 8, 8192], ['y', 'h1', 8, 8192]])
    const free = recommendChecked({ ...base, snapshot: busy })
    expect(migrations(free).length).toBe(1)
    const excluded = recommendChecked({ ...base, snapshot: busy, options: { rules: fromAdminRules([rule('exclude', ['x', 'y'])]) } })
    expect(migrations(excluded)).toEqual([])
    const maintenance = cluster(['h1', 'h2'], [['x', 'h1', 8, 8192], ['y', 'h1', 8, 8192]], ['h1'])
    const evacuated = recommendChecked({ ...base, snapshot: maintenance, options: { rules: fromAdminRules([rule('exclude', ['x'])]) } })
    expect(migrations(evacuated).map((m) => m.vm).sort()).toEqual(['x', 'y'])
  })

  it('makes the moves off a host in maintenance one evacuation recommendation, priority 1', () => {
    const s = cluster(['h1', 'h2', 'h3'], [['a', 'h3', 2, 2048], ['b', 'h3', 2, 2048], ['c', 'h1', 2, 2048]], ['h3'])
    const out = recommendChecked({ ...base, snapshot: s })
    const evac = out.recommendations.filter((r) => r.kind === 'evacuate')
    expect(evac).toHaveLength(1)
    expect(evac[0]!.target).toEqual({ type: 'host', id: 'h3' })
    expect(evac[0]!.priority).toBe(1)
    expect(evac[0]!.titleRef).toEqual({ key: 'engine.evacuate.title', params: { host: 'h3', count: 2 } })
    expect(evac[0]!.actions.map((a) => a.action.kind === 'migrate' && a.action.to).every((to) => to === 'h1' || to === 'h2')).toBe(true)
  })

  it('names the rule a mandatory fix answers: a must-run rule and an anti-affinity rule', () => {
    const s = cluster(['h1', 'h2', 'h3'], [['db1', 'h1', 2, 2048], ['db2', 'h1', 2, 2048], ['app', 'h2', 2, 2048]])
    const rules = fromAdminRules([rule('anti-affinity', ['db1', 'db2'], [], 'dbs apart'), rule('host-must', ['app'], ['h3'], 'app on h3')])
    const out = recommendChecked({ ...base, snapshot: s, options: { rules } })
    const words = out.recommendations.filter((r) => r.priority === 1).map((r) => r.rationale).join(' ')
    expect(words).toContain('(rule dbs apart)')
    expect(words).toContain('app must run on h3 (rule app on h3)')
    expect(migrations(out).find((m) => m.vm === 'app')?.to).toBe('h3')
  })

  it('must-not and should-not rules: a VM leaves a host it must not run on (P1) or should not (P2), never for that host, and the validator refuses a move onto it', () => {
    const hosts = ['h1', 'h2', 'h3']
    const s = cluster(hosts, [['db', 'h1', 2, 2048], ['web', 'h2', 2, 2048], ['app', 'h3', 2, 2048]])
    const rules = fromAdminRules([rule('host-must-not', ['db'], ['h1', 'h2'], 'db not on h1, h2'), rule('host-should-not', ['web'], ['h2'], 'web off h2')], [], hosts)
    expect(rules.pinned).toEqual({ db: ['h3'] })
    expect(rules.preferred).toEqual({ web: ['h1', 'h3'] })
    const out = recommendChecked({ ...base, snapshot: s, options: { rules } })
    const fix = (vmId: string) => out.recommendations.find((r) => r.actions.some((a) => a.action.kind === 'migrate' && a.action.vm === vmId))!
    expect(fix('db').priority).toBe(1)
    expect(fix('db').rationale).toContain('(rule db not on h1, h2)')
    expect(migrations(out).find((m) => m.vm === 'db')?.to).toBe('h3')
    expect(fix('web').priority).toBe(2)
    expect(['h1', 'h3']).toContain(migrations(out).find((m) => m.vm === 'web')?.to)
    const onto = [{ action: { kind: 'migrate' as const, vm: 'app', from: 'h3', to: 'h1', live: true }, rollback: { kind: 'migrate' as const, vm: 'app', from: 'h1', to: 'h3', live: true } }]
    const notOnH1 = withDefaults({ rules: fromAdminRules([rule('host-must-not', ['app'], ['h1'])], [], hosts) })
    expect(validatePlan(s, onto, notOnH1).violations.map((v) => v.code)).toContain('pinned')
    // Without the cluster's hosts such a rule cannot be read: it is left out, never read as "no host at all".
    expect(fromAdminRules([rule('host-must-not', ['app'], ['h1'])]).pinned).toEqual({})
  })

  it('the validator refuses moving an excluded VM that no rule or maintenance requires to move', () => {
    const s = cluster(['h1', 'h2'], [['x', 'h1', 2, 2048]])
    const move = [{ action: { kind: 'migrate' as const, vm: 'x', from: 'h1', to: 'h2', live: true }, rollback: { kind: 'migrate' as const, vm: 'x', from: 'h2', to: 'h1', live: true } }]
    const options = withDefaults({ rules: fromAdminRules([rule('exclude', ['x'])]) })
    expect(validatePlan(s, move, options).violations.map((v) => v.code)).toContain('excluded')
    const inMaintenance = cluster(['h1', 'h2'], [['x', 'h1', 2, 2048]], ['h1'])
    expect(validatePlan(inMaintenance, move, options).violations.map((v) => v.code)).not.toContain('excluded')
  })
})

describe('conflicting rules are refused with the reason', () => {
  const context = (rules: PlacementRule[]): RuleContext => ({ rules, vms: new Map(['a', 'b', 'c', 'd'].map((id) => [id, `vm-${id}`])), hosts: ['h1', 'h2', 'h3'] })

  it.each([
    ['affinity on a pair kept apart', [rule('anti-affinity', ['a', 'b'])], { kind: 'affinity' as const, vms: ['b', 'a'] }, 'togetherAndApart'],
    ['anti-affinity through a chain of affinity', [rule('affinity', ['a', 'b']), rule('affinity', ['b', 'c'])], { kind: 'anti-affinity' as const, vms: ['a', 'c'] }, 'togetherAndApart'],
    ['a must-run host the pin excludes', [rule('pin', ['a'], ['h1'])], { kind: 'host-must' as const, vms: ['a'], hosts: ['h2', 'h3'] }, 'noHostLeft'],
    ['affine VMs pinned to different hosts', [rule('pin', ['a'], ['h1']), rule('pin', ['b'], ['h2'])], { kind: 'affinity' as const, vms: ['a', 'b'] }, 'affinityNoHost'],
    ['a should-run host outside the must-run ones', [rule('host-must', ['a'], ['h1', 'h2'])], { kind: 'host-should' as const, vms: ['a'], hosts: ['h3'] }, 'shouldOutsideMust'],
    ['must not run on every host there is', [], { kind: 'host-must-not' as const, vms: ['a'], hosts: ['h1', 'h2', 'h3'] }, 'noHostLeft'],
    ['must not run on the only host it must run on', [rule('host-must', ['a'], ['h2'])], { kind: 'host-must-not' as const, vms: ['a'], hosts: ['h2'] }, 'noHostLeft'],
    ['should not run on every host it may use', [rule('host-must', ['a'], ['h1', 'h2'])], { kind: 'host-should-not' as const, vms: ['a'], hosts: ['h1', 'h2'] }, 'avoidEveryAllowed'],
    ['more VMs apart than hosts a must-not leaves', [rule('host-must-not', ['a', 'b', 'c'], ['h1'])], { kind: 'anti-affinity' as const, vms: ['a', 'b', 'c'] }, 'apartTooFew'],
    ['more VMs apart than hosts they may use', [rule('host-must', ['a', 'b', 'c'], ['h1', 'h2'])], { kind: 'anti-affinity' as const, vms: ['a', 'b', 'c'] }, 'apartTooFew'],
    ['the same rule twice', [rule('exclude', ['a', 'b'])], { kind: 'exclude' as const, vms: ['b', 'a'] }, 'duplicate'],
    ['an unknown VM', [], { kind: 'exclude' as const, vms: ['zz'] }, 'unknownVm'],
    ['an unknown host', [], { kind: 'pin' as const, vms: ['a'], hosts: ['h9'] }, 'unknownHost'],
  ])('%s', (_what, stored, candidate, key) => {
    const conflict = ruleConflict(candidate, context(stored))
    expect(conflict?.ref.key).toBe(`placement.conflict.${key}`)
    expect(conflict?.message.length).toBeGreaterThan(10)
  })

  it('accepts rules that can hold together', () => {
    const stored = [rule('anti-affinity', ['a', 'b']), rule('host-must', ['a'], ['h1', 'h2'])]
    expect(ruleConflict({ kind: 'host-should', vms: ['a'], hosts: ['h2'] }, context(stored))).toBeUndefined()
    expect(ruleConflict({ kind: 'affinity', vms: ['a', 'c'] }, context(stored))).toBeUndefined()
    expect(ruleConflict({ kind: 'host-must-not', vms: ['a'], hosts: ['h1'] }, context(stored))).toBeUndefined()
    expect(ruleConflict({ kind: 'host-should-not', vms: ['b'], hosts: ['h1', 'h2'] }, context(stored))).toBeUndefined()
  })
})

describe('the migration threshold', () => {
  // Twelve VMs of uneven size crowded on two of four hosts: much to even out, in gains large and slight.
  const vms = Array.from({ length: 12 }, (_, i) => vm(`v${i}`, i % 3 === 0 ? 'h2' : 'h1', { vcpus: 1 + (i % 4), memoryMiB: 8192 * (1 + (i % 3)) }))
  const s = snapshot(['h1', 'h2', 'h3', 'h4'].map((id) => host(id, { memoryMiB: 262144 })), vms, vms.map((v) => usage(v, v.allocation.vcpus * 0.3, v.allocation.memoryMiB * 0.7)))
  const optionalMoves = (level: MigrationThreshold) =>
    migrations(recommendChecked({ ...base, snapshot: s, options: { balance: { maxMigrations: 12, ...thresholdBalance(level) } } })).length

  it('moves more VMs the more aggressive it is, and only what rules require at level 1', () => {
    const counts = ([1, 2, 3, 4, 5] as const).map(optionalMoves)
    expect(counts[0]).toBe(0)
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThanOrEqual(counts[i - 1]!)
    expect(counts[1]).toBeLessThan(counts[4]!)
  })

  it('level 3 is the engine\'s default rule', () => {
    expect(thresholdBalance(3)).toEqual({ minRelativeGain: withDefaults().balance.minRelativeGain, relativeGainPerMigrationMinute: withDefaults().balance.relativeGainPerMigrationMinute })
  })
})
