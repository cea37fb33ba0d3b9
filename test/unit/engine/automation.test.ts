import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { msg } from '../../../shared/i18n'
import { decideAutomation, localTime, windowOpen, type AutomationInput } from '../../../shared/engine/automation'
import { defaultAutomation, type AutomationSettings, type HostSample, type Recommendation, type ReversibleAction, type Snapshot } from '../../../shared/model'
import { host, snapshot as makeSnapshot, T0, vm } from './support/cluster'

// T0 is Monday 1 January 2024, 00:00 UTC.
const HOUR = 3600_000

function cluster(o: { maintenance?: string; readAt?: Partial<Record<string, number>>; managed?: string } = {}): Snapshot {
  const hosts = ['h1', 'h2', 'h3'].map((id) => host(id, id === o.maintenance ? { state: 'maintenance' } : {}))
  const vms = ['a', 'b', 'c', 'd'].map((id, i) => ({ ...vm(id, i < 2 ? 'h1' : 'h2'), ...(id === o.managed ? { managedBy: { manager: 'proxmox-ha' as const, ref: 'vm:100', source: '/etc/pve/ha/resources.cfg' } } : {}) }))
  const s = makeSnapshot(hosts, vms)
  // The decision reads a host's latest reading time only.
  return { ...s, hostSamples: hosts.map((h) => ({ hostId: h.id, t: o.readAt?.[h.id] ?? T0 }) as HostSample) }
}

const move = (vmId: string, from: string, to: string): ReversibleAction => ({ action: { kind: 'migrate', vm: vmId, from, to, live: true }, rollback: { kind: 'migrate', vm: vmId, from: to, to: from, live: true } })

function rec(id: string, priority: Recommendation['priority'], actions: ReversibleAction[], extra: Partial<Recommendation> = {}): Recommendation {
  return { id, kind: priority === 1 ? 'evacuate' : 'migrate', target: { type: 'vm', id }, priority, title: id, rationale: '', predicted: [], risk: 'low', riskNote: '', needsRestart: false, confidence: 'normal', actions, ...extra }
}

/** A rebalance of n moves off h1/h2 onto h3 (the moves need no other to run). */
function rebalance(id: string, priority: Recommendation['priority'], vms: [string, string][]): Recommendation {
  const actions = vms.map(([v, from]) => move(v, from, 'h3'))
  return rec(id, priority, actions, {
    kind: 'migrate',
    rebalance: {
      hosts: [],
      cpuWeight: 1,
      memWeight: 1,
      moves: vms.map(([v, from]) => ({ vmId: v, from, to: 'h3', cpuClaim: 1, memClaim: 1, vcpus: 2, memoryMiB: 4096, costSeconds: 10, dependsOn: [], reason: 'evens out host load', predicted: [] })),
    },
  })
}

const fix = rec('fix', 1, [move('a', 'h1', 'h3')])
const balance = rebalance('balance', 2, [['b', 'h1'], ['c', 'h2'], ['d', 'h2']])

function input(settings: Partial<AutomationSettings>, o: Partial<AutomationInput> = {}): AutomationInput {
  return {
    settings: { ...defaultAutomation(), timeZone: 'UTC', ...settings },
    threshold: 3,
    now: T0 + 10_000,
    snapshot: cluster(),
    candidates: [fix, balance].map((recommendation) => ({ status: 'open', recommendation })),
    movesLastHour: 0,
    planRunning: false,
    vmsInPlans: new Map(),
    staleAfterMs: 30_000,
    changed: () => undefined,
    broken: () => undefined,
    partProblem: () => undefined,
    ...o,
  }
}

const allWeek = [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const, start: '00:00', end: '24:00' }].map((w) => ({ ...w, days: [...w.days] }))
const reasons = (d: ReturnType<typeof decideAutomation>) => Object.fromEntries(d.skipped.map((s) => [s.id, s.reason.key]))

describe('maintenance windows', () => {
  it('reads the time in the admin\'s time zone, and a window past midnight ends the next day', () => {
    // 00:00 UTC on Monday is 08:00 Monday in Shanghai and 19:00 Sunday in New York.
    expect(localTime(T0, 'UTC')).toEqual({ day: 0, minute: 0 })
    expect(localTime(T0, 'Asia/Shanghai')).toEqual({ day: 0, minute: 8 * 60 })
    expect(localTime(T0, 'America/New_York')).toEqual({ day: 6, minute: 19 * 60 })
    const fridayNight = [{ days: ['fri' as const], start: '22:00', end: '06:00' }]
    const saturday = T0 + 5 * 24 * HOUR
    expect(windowOpen(fridayNight, 'UTC', saturday + 5 * HOUR)).toBe(true) // Saturday 05:00: still Friday's window
    expect(windowOpen(fridayNight, 'UTC', saturday + 6 * HOUR)).toBe(false) // it ends at 06:00
    expect(windowOpen(fridayNight, 'UTC', saturday - HOUR)).toBe(true) // Friday 23:00
    expect(windowOpen(fridayNight, 'UTC', saturday - 3 * HOUR)).toBe(false) // Friday 21:00
    expect(windowOpen(fridayNight, 'UTC', T0 + 2 * HOUR)).toBe(false) // Monday 02:00: Sunday has no window
    // The same instant is inside "Sunday 18:00-20:00" in New York only.
    const sundayEvening = [{ days: ['sun' as const], start: '18:00', end: '20:00' }]
    expect(windowOpen(sundayEvening, 'America/New_York', T0)).toBe(true)
    expect(windowOpen(sundayEvening, 'UTC', T0)).toBe(false)
    expect(windowOpen([{ days: ['mon'], start: '00:00', end: '24:00' }], 'UTC', T0 + 23 * HOUR + 59 * 60_000)).toBe(true)
  })
})

describe('what automation decides after an analysis', () => {
  it('does nothing while every level is manual, while paused, or while a plan runs', () => {
    expect(decideAutomation(input({}))).toMatchObject({ state: 'off', choices: [] })
    expect(decideAutomation(input({ level: 'fully-automated', windows: allWeek, paused: { since: T0, by: 'alice', running: 'finish' } }))).toMatchObject({ state: 'paused', choices: [] })
    expect(decideAutomation(input({ level: 'fully-automated', windows: allWeek }, { planRunning: true }))).toMatchObject({ state: 'busy', choices: [] })
  })

  it('partially automated applies P1 fixes at any time and proposes the rest', () => {
    const d = decideAutomation(input({ level: 'partially-automated' }))
    expect(d.choices).toEqual([{ id: 'fix', level: 'partially-automated', actor: 'automation: partially-automated/P1-fix', count: 1 }])
    expect(reasons(d)).toEqual({ balance: 'automation.skip.notP1' })
  })

  it('fully automated applies moves at or above the threshold only inside a window, P1 fixes at any time', () => {
    const only = (recommendation: Recommendation) => [{ status: 'open', recommendation }]
    const closed = decideAutomation(input({ level: 'fully-automated', windows: [{ days: ['sat'], start: '01:00', end: '05:00' }] }))
    expect(closed.windowOpen).toBe(false)
    expect(closed.choices.map((c) => c.id)).toEqual(['fix'])
    expect(reasons(closed)).toEqual({ balance: 'automation.skip.window' })
    const open = decideAutomation(input({ level: 'fully-automated', windows: allWeek }, { candidates: only(balance) }))
    expect(open.choices).toEqual([{ id: 'balance', level: 'fully-automated', actor: 'automation: fully-automated/threshold-3', count: 3 }])
    // Threshold 1 applies P1 only; a P2 set is below it.
    expect(reasons(decideAutomation(input({ level: 'fully-automated', windows: allWeek }, { candidates: only(balance), threshold: 1 })))).toEqual({ balance: 'automation.skip.belowThreshold' })
    // One plan per round, under one actor: the fix goes first, the set waits for the next round.
    expect(reasons(decideAutomation(input({ level: 'fully-automated', windows: allWeek })))).toEqual({ balance: 'automation.skip.nextRound' })
  })

  it('keeps to the hourly cap: a set larger than what is left is approved in part, none when nothing is left', () => {
    const only = [{ status: 'open', recommendation: balance }]
    const part = decideAutomation(input({ level: 'fully-automated', windows: allWeek, maxMovesPerHour: 4 }, { candidates: only, movesLastHour: 2 }))
    expect(part.choices).toEqual([{ id: 'balance', level: 'fully-automated', actor: 'automation: fully-automated/threshold-3', count: 2, moves: [0, 1] }])
    // A part that cannot run alone is tried shorter.
    const shorter = decideAutomation(input({ level: 'fully-automated', windows: allWeek, maxMovesPerHour: 4 }, { candidates: only, movesLastHour: 2, partProblem: (_r, moves) => (moves.length > 1 ? msg('engine.verbatim', { text: 'move 2 needs move 3' }) : undefined) }))
    expect(shorter.choices[0]).toMatchObject({ moves: [0], count: 1 })
    const none = decideAutomation(input({ level: 'fully-automated', windows: allWeek, maxMovesPerHour: 4 }, { movesLastHour: 4 }))
    expect(none.choices).toEqual([])
    expect(none.capLeft).toBe(0)
    expect(reasons(none)).toEqual({ fix: 'automation.skip.cap', balance: 'automation.skip.cap' })
  })

  it('follows per-VM levels: the least automatic VM of a recommendation decides; a VM may be above the cluster', () => {
    const manualVm = decideAutomation(input({ level: 'fully-automated', windows: allWeek, vms: { c: 'manual' } }, { candidates: [{ status: 'open', recommendation: balance }] }))
    expect(manualVm.choices).toEqual([])
    expect(manualVm.skipped[0]!.reason).toMatchObject({ key: 'automation.skip.vmLevel', params: { vm: 'c' } })
    expect(reasons(decideAutomation(input({ level: 'partially-automated', vms: { a: 'disabled' } })))).toMatchObject({ fix: 'automation.skip.vmLevel' })
    const above = decideAutomation(input({ level: 'manual', vms: { a: 'partially-automated' } }))
    expect(above.choices.map((c) => c.id)).toEqual(['fix'])
    expect(reasons(above)).toMatchObject({ balance: 'automation.skip.clusterLevel' })
  })

  it('never acts on a stale reading, a host in maintenance or down, another manager\'s VM, a broken rule, a VM another plan holds, or a changed cluster', () => {
    const on = { level: 'partially-automated' as const }
    expect(reasons(decideAutomation(input(on, { snapshot: cluster({ readAt: { h3: T0 - 60_000 } }) })))).toMatchObject({ fix: 'automation.skip.stale' })
    expect(reasons(decideAutomation(input(on, { snapshot: cluster({ maintenance: 'h3' }) })))).toMatchObject({ fix: 'automation.skip.maintenance' })
    const down = cluster()
    down.hosts[2] = { ...down.hosts[2]!, state: 'unreachable' }
    expect(reasons(decideAutomation(input(on, { snapshot: down })))).toMatchObject({ fix: 'automation.skip.hostDown' })
    expect(reasons(decideAutomation(input(on, { snapshot: cluster({ managed: 'a' }) })))).toMatchObject({ fix: 'automation.skip.managed' })
    expect(reasons(decideAutomation(input(on, { broken: () => msg('engine.verbatim', { text: 'anti-affinity of a, b' }) })))).toMatchObject({ fix: 'automation.skip.rule' })
    expect(reasons(decideAutomation(input(on, { vmsInPlans: new Map([['a', 'plan-1']]) })))).toMatchObject({ fix: 'automation.skip.inPlan' })
    expect(reasons(decideAutomation(input(on, { changed: () => msg('engine.verbatim', { text: 'a is on h2' }) })))).toMatchObject({ fix: 'automation.skip.changed' })
  })

  it('applies only live migrations: resizes, the admin\'s requests, disk copies and unsafe migrations wait', () => {
    const resize = rec('resize', 1, [{ action: { kind: 'setVcpus', vm: 'a', host: 'h1', count: 1, live: true }, rollback: { kind: 'setVcpus', vm: 'a', host: 'h1', count: 2, live: true } }], { kind: 'rightsize-cpu' })
    const asked = rec('asked', 1, [move('a', 'h1', 'h3')], { requestedBy: 'alice (serve)' })
    const copy = rec('copy', 1, [{ action: { kind: 'migrate', vm: 'a', from: 'h1', to: 'h3', live: true, copyDisks: ['vda'] }, rollback: { kind: 'migrate', vm: 'a', from: 'h3', to: 'h1', live: true, copyDisks: ['vda'] } }])
    const unsafe = rec('unsafe', 1, [{ action: { kind: 'migrate', vm: 'b', from: 'h1', to: 'h3', live: true, unsafe: true }, rollback: { kind: 'migrate', vm: 'b', from: 'h3', to: 'h1', live: true, unsafe: true } }])
    const candidates = [resize, asked, copy, unsafe].map((recommendation) => ({ status: 'open', recommendation }))
    expect(reasons(decideAutomation(input({ level: 'partially-automated' }, { candidates })))).toEqual({
      resize: 'automation.skip.notMove',
      asked: 'automation.skip.request',
      copy: 'automation.skip.copiesDisks',
      unsafe: 'automation.skip.unsafe',
    })
    expect(decideAutomation(input({ level: 'partially-automated', allowUnsafeMigration: true }, { candidates })).choices.map((c) => c.id)).toEqual(['unsafe'])
    // Decided ones (approved, snoozed, rejected) are the admin's: never touched.
    expect(decideAutomation(input({ level: 'partially-automated' }, { candidates: [{ status: 'snoozed', recommendation: fix }] })).choices).toEqual([])
  })

  it('never starts more moves in an hour than the cap, never moves a VM twice, and checks the chosen moves together (property)', () => {
    const arb = fc.record({
      level: fc.constantFrom('manual' as const, 'partially-automated' as const, 'fully-automated' as const),
      cap: fc.integer({ min: 1, max: 6 }),
      used: fc.integer({ min: 0, max: 8 }),
      threshold: fc.integer({ min: 1, max: 5 }),
      recs: fc.array(fc.record({ priority: fc.constantFrom(1 as const, 2 as const, 3 as const, 4 as const, 5 as const), vms: fc.subarray(['a', 'b', 'c', 'd'], { minLength: 1 }) }), { maxLength: 6 }),
    })
    fc.assert(
      fc.property(arb, ({ level, cap, used, threshold, recs }) => {
        const seen: ReversibleAction[][] = []
        const candidates = recs.map((r, i) => ({ status: 'open', recommendation: r.vms.length > 1 ? rebalance(`r${i}`, r.priority, r.vms.map((v) => [v, v < 'c' ? 'h1' : 'h2'])) : rec(`r${i}`, r.priority, [move(r.vms[0]!, r.vms[0]! < 'c' ? 'h1' : 'h2', 'h3')]) }))
        const d = decideAutomation(input({ level, windows: allWeek, maxMovesPerHour: cap }, { candidates, movesLastHour: used, threshold, broken: (a) => void seen.push([...a]) }))
        const moved = d.choices.flatMap((c) => {
          const r = candidates.find((x) => x.recommendation.id === c.id)!.recommendation
          return (c.moves ?? r.actions.map((_, i) => i)).map((i) => (r.actions[i]!.action as { vm: string }).vm)
        })
        expect(moved.length).toBeLessThanOrEqual(Math.max(0, cap - used))
        expect(new Set(moved).size).toBe(moved.length)
        if (level === 'manual') expect(d.choices).toEqual([])
        for (const c of d.choices) expect(candidates.find((x) => x.recommendation.id === c.id)!.recommendation.priority).toBeLessThanOrEqual(level === 'partially-automated' ? 1 : threshold)
        // The last check before a choice covers every move chosen before it.
        if (d.choices.length > 0) expect(seen.at(-1)!.length).toBe(moved.length)
        expect(new Set(d.choices.map((c) => c.actor)).size).toBeLessThanOrEqual(1)
      }),
      { numRuns: 300 },
    )
  })
})
