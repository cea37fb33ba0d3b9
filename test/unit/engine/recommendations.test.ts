import { describe, expect, it } from 'vitest'
import { priorityOf, historySpan } from '../../../shared/engine/priority'
import { english, formatMessage } from '../../../shared/i18n'
import { PEAK_REASON, type Move } from '../../../shared/engine/balance'
import type { PlacementProblem, PlacementVm } from '../../../shared/engine/placement'
import { loadsAfter, rebalanceRecommendation, subsetEffect, subsetProblem } from '../../../shared/engine/rebalance'
import { rightsizeRecommendations } from '../../../shared/engine/recommendation-records'
import type { RightsizeResult } from '../../../shared/engine/rightsize'
import { RecommendationSchema, type Recommendation } from '../../../shared/model/recommendation'
import { host, snapshot, T0, usage, vm } from './support/cluster'
import { demoEngineInput } from './support/demo'
import { recommendChecked } from './support/plan'

const hour = 3_600_000

/** Hourly history over `hours` with a constant use per VM: enough for normal confidence in balancing. */
function flatHistory(uses: Record<string, [cores: number, mib: number]>, hours = 30) {
  return {
    vms: Object.fromEntries(
      Object.entries(uses).map(([id, [cores, mib]]) => [id, { t: Array.from({ length: hours }, (_, k) => T0 - (hours - 1 - k) * hour), cpuUsedCores: Array(hours).fill(cores), memUsedMiB: Array(hours).fill(mib) }]),
    ),
  }
}

describe('the priority rule', () => {
  it('combines gain, risk and confidence: risk lowers it, low confidence never leaves it at P1 or P2', () => {
    expect(priorityOf({ gainClass: 2, risk: 'low', confidence: 'normal', changes: true })).toBe(2)
    expect(priorityOf({ gainClass: 2, risk: 'medium', confidence: 'normal', changes: true })).toBe(3)
    expect(priorityOf({ gainClass: 3, risk: 'high', confidence: 'normal', changes: true })).toBe(5)
    expect(priorityOf({ gainClass: 5, risk: 'high', confidence: 'normal', changes: true })).toBe(5)
    expect(priorityOf({ gainClass: 2, risk: 'low', confidence: 'low', changes: true })).toBe(3)
    // Advice that changes nothing carries no risk of its own.
    expect(priorityOf({ gainClass: 2, risk: 'high', confidence: 'normal', changes: false })).toBe(2)
    // Mandatory stays mandatory.
    expect(priorityOf({ gainClass: 1, risk: 'high', confidence: 'low', changes: true })).toBe(1)
  })

  it('says how much history there is in minutes, hours or days, never "0 h"', () => {
    expect(english(historySpan(20 * 60_000))).toBe('20 min')
    expect(english(historySpan(5.5 * hour))).toBe('5.5 h')
    expect(english(historySpan(30 * hour))).toBe('30 h')
    expect(english(historySpan(48 * hour))).toBe('2.0 days')
    expect(formatMessage(historySpan(20 * 60_000), 'zh-CN')).toBe('20 分钟')
  })

  it('rightsizing from 20 minutes of history is low confidence, P3 at most, and says "20 min"', () => {
    const r: RightsizeResult = {
      vmId: 'db', hostId: 'h1', confidence: 'low', historyHours: 1 / 3,
      cpu: { currentVcpus: 2, recommendedVcpus: 2, percentileCores: 1, busiestHourCores: null, saturated: false },
      mem: { currentMiB: 20480, recommendedMiB: 22784, peakWorkingSetMiB: 19800 }, needsRestart: true,
      actions: [{ action: { kind: 'setMemory', vm: 'db', host: 'h1', memoryMiB: 22784, live: true }, rollback: { kind: 'setMemory', vm: 'db', host: 'h1', memoryMiB: 20480, live: true } }],
    }
    const [rec] = rightsizeRecommendations(r, () => 'r1')
    expect(rec!.rationale).toContain('Only 20 min of history')
    expect(rec!.title).toBe('Add memory on db: 20 GiB → 22.3 GiB')
    expect(priorityOf({ gainClass: rec!.priority, risk: rec!.risk, confidence: rec!.confidence, changes: true })).toBe(3)
  })
})

describe('balancing as one recommendation', () => {
  // h1 is hot (four busy VMs), h2 and h3 idle.
  const hosts = [host('h1', { threads: 16 }), host('h2', { threads: 16 }), host('h3', { threads: 16 })]
  const vms = [
    vm('a', 'h1', { vcpus: 4, memoryMiB: 8192 }), vm('b', 'h1', { vcpus: 4, memoryMiB: 8192 }), vm('c', 'h1', { vcpus: 4, memoryMiB: 8192 }), vm('d', 'h1', { vcpus: 4, memoryMiB: 8192 }),
    vm('e', 'h2', { vcpus: 2, memoryMiB: 4096 }), vm('f', 'h3', { vcpus: 2, memoryMiB: 4096 }),
  ]
  const uses: Record<string, [number, number]> = { a: [3.6, 6000], b: [3.4, 6000], c: [3.2, 6000], d: [3, 6000], e: [0.5, 2000], f: [0.4, 2000] }
  const snap = snapshot(hosts, vms, vms.map((v) => usage(v, uses[v.id]![0], uses[v.id]![1])))
  const out = recommendChecked({ snapshot: snap, history: flatHistory(uses), now: T0, seed: 3 })
  const group = out.recommendations.find((r) => r.kind === 'migrate') as Recommendation

  it('is "Rebalance: N moves" with every move as an action, in order, and matches the schema', () => {
    expect(out.recommendations.filter((r) => r.kind === 'migrate')).toHaveLength(1)
    RecommendationSchema.parse(group)
    const n = group.rebalance!.moves.length
    expect(n).toBeGreaterThanOrEqual(2)
    expect(group.title).toBe(`Rebalance: ${n} moves`)
    expect(group.titleRef).toEqual({ key: 'engine.rebalance.title', params: { count: n } })
    expect(group.target).toEqual({ type: 'cluster', id: 'cluster' })
    expect(group.actions.map((a) => a.action)).toEqual(group.rebalance!.moves.map((m) => ({ kind: 'migrate', vm: m.vmId, from: m.from, to: m.to, live: true })))
  })

  it('shows the set’s combined effect, and each move only its own: they add up to the set', () => {
    const moves = group.rebalance!.moves
    const spread = (figures: { label: string; before: number; after: number }[]) => figures.find((f) => f.label === 'Host load spread')!
    // No move claims the whole set's effect.
    for (const m of moves) expect(spread(m.predicted)).not.toEqual(spread(group.predicted))
    // Marginal effects chain: each move starts where the one before ended, the last ends where the set does.
    for (let i = 1; i < moves.length; i++) expect(spread(moves[i]!.predicted).before).toBeCloseTo(spread(moves[i - 1]!.predicted).after, 9)
    expect(spread(moves[0]!.predicted).before).toBeCloseTo(spread(group.predicted).before, 9)
    expect(spread(moves.at(-1)!.predicted).after).toBeCloseTo(spread(group.predicted).after, 9)
    expect(spread(group.predicted).after).toBeLessThan(spread(group.predicted).before)
    // Each move names the two hosts it touches.
    for (const m of moves) expect(m.predicted.map((f) => f.label)).toEqual(expect.arrayContaining([`${m.from} CPU load`, `${m.to} CPU load`]))
  })

  it('takes load off the hottest host, and says so', () => {
    for (const m of group.rebalance!.moves.filter((x) => x.from === 'h1')) expect(m.reason).toMatch(/off h1, the busiest host/)
  })

  it('judges any part of the set again: a part that fits gets its own (smaller) effect', () => {
    const r = group.rebalance!
    expect(subsetProblem(r, [0])).toBeUndefined()
    const part = subsetEffect(r, [0])
    const whole = subsetEffect(r, r.moves.map((_, i) => i))
    expect(part.find((f) => f.label === 'Host load spread')!.after).toBeGreaterThan(whole.find((f) => f.label === 'Host load spread')!.after)
    expect(loadsAfter(r, []).imbalance).toBeCloseTo(group.predicted[0]!.before / 100, 9)
  })
})

describe('a move onto the hottest host', () => {
  // h1 is hot; both hosts are full of allocated memory, so the balancer swaps big (off h1) with a
  // (onto h1): a move onto the hottest host that only makes sense with its partner.
  const placement = (id: string, hostId: string, cpuClaim: number, vcpus: number): PlacementVm => ({
    id, hostId, cpuClaim, memClaim: 10000, vcpus, memoryMiB: 12288, memUsedMiB: 10000, memDirtyMiBps: 0, movable: true, allowedHosts: null, cooldownHosts: [],
  })
  const problem: PlacementProblem = {
    hosts: [
      { id: 'h1', cpuCores: 8, memMiB: 32768, vcpuLimit: 32, memAllocLimitMiB: 32768, maintenance: false },
      { id: 'h2', cpuCores: 8, memMiB: 32768, vcpuLimit: 32, memAllocLimitMiB: 40000, maintenance: false },
    ],
    vms: [placement('big', 'h1', 3.8, 4), placement('small', 'h1', 1.8, 2), placement('a', 'h2', 0.6, 2), placement('b', 'h2', 0.2, 1)],
    affinity: [],
    antiAffinity: [],
    cpuWeight: 0.5,
    memWeight: 0.5,
  }
  const moves: Move[] = [
    { vmId: 'big', from: 'h1', to: 'h2', mandatory: false, reason: PEAK_REASON, gain: 0.1, costSeconds: 10, priority: 2, swapWith: 'a' },
    { vmId: 'a', from: 'h2', to: 'h1', mandatory: false, reason: PEAK_REASON, gain: 0.1, costSeconds: 10, priority: 2, swapWith: 'big' },
  ]
  const rec = rebalanceRecommendation({ problem, applied: [], moves, id: 'r1', nameOf: (id) => id, confidence: 'normal', horizonHours: 24 })

  it('names its swap partner and what the pair does to that host', () => {
    const onto = rec.rebalance!.moves[1]!
    expect(onto.reason).toBe('Moves a onto h1, the busiest host, only as the other half of a swap with big (move 1), which takes more load off it: together they take h1 from 70.0 % to 30.0 % CPU load.')
    expect(onto.reasonRef).toEqual({ key: 'engine.move.ontoHottestSwap', params: { vm: 'a', host: 'h1', partner: 'big', move: 1, before: '70.0 %', after: '30.0 %' } })
    expect(rec.rebalance!.moves[0]!.reason).toBe('Takes 3.8 cores of demand off h1, the busiest host. Swaps places with a (move 2).')
  })

  it('depends on the move that makes room, and without it is refused with the reason', () => {
    expect(rec.rebalance!.moves[1]!.dependsOn).toEqual([0])
    expect(english(subsetProblem(rec.rebalance!, [1])!)).toBe('Move 2 (a from h2 to h1) cannot run without the rest of the set: it needs move 1 (big off h1) to make room first. Approve those too, or the whole set.')
    expect(formatMessage(subsetProblem(rec.rebalance!, [1])!, 'zh-CN')).toBe('第 2 次迁移（a 从 h2 迁移到 h1）离开这组其他迁移就无法执行：它需要先执行第 1 次迁移（big 迁离 h1）来腾出空间。请把那些也一并批准，或整体批准。')
    // The first half alone fits (h2 may take 40000 MiB): approving it is judged on its own.
    expect(subsetProblem(rec.rebalance!, [0])).toBeUndefined()
    const alone = subsetEffect(rec.rebalance!, [0])
    expect(alone.find((f) => f.label === 'Peak host CPU load')!.after).toBeCloseTo(((0.6 + 0.2 + 3.8) / 8) * 100, 6)
  })
})

describe('balancing the demo cluster (two recorded days)', () => {
  it('is one set whose moves onto the busiest host each say why', async () => {
    const out = recommendChecked(await demoEngineInput())
    const group = out.recommendations.find((r) => r.kind === 'migrate')!
    expect(group.title).toMatch(/^Rebalance: \d+ moves$/)
    expect(group.confidence).toBe('normal')
    const hottest = 'demo-c'
    for (const m of group.rebalance!.moves) {
      if (m.to === hottest) expect(['engine.move.ontoHottestSwap', 'engine.move.ontoHottest']).toContain(m.reasonRef?.key)
      if (m.from === hottest) expect(m.reason).toContain('off demo-c, the busiest host')
    }
    // No two moves share an effect: each carries its own.
    const spreads = group.rebalance!.moves.map((m) => JSON.stringify(m.predicted[0]))
    expect(new Set(spreads).size).toBe(spreads.length)
  })
})

describe('the demo cluster with only its last 20 minutes of history', () => {
  it('has no low-confidence advice at P1 or P2, and says "min", never "0 h"', async () => {
    const input = await demoEngineInput()
    const from = input.now - 20 * 60_000
    const vms = Object.fromEntries(
      Object.entries(input.history.vms).map(([id, s]) => {
        const keep = s.t.findIndex((t) => t >= from)
        return [id, { t: s.t.slice(keep), cpuUsedCores: s.cpuUsedCores.slice(keep), memUsedMiB: s.memUsedMiB.slice(keep) }]
      }),
    )
    const out = recommendChecked({ ...input, history: { vms } })
    const low = out.recommendations.filter((r) => r.confidence === 'low')
    expect(low.length, 'little history makes some advice low-confidence').toBeGreaterThan(0)
    for (const r of low) expect(r.priority, r.title).toBeGreaterThanOrEqual(3)
    for (const r of out.recommendations) expect(r.rationale).not.toMatch(/\b0 h\b/)
  })
})

describe('a VM with more vCPUs than its host has logical CPUs', () => {
  it('is flagged without any history, with the host’s logical CPUs as the fix', () => {
    const hosts = [host('h1', { threads: 24 })]
    const vms = [vm('wide', 'h1', { vcpus: 32, memoryMiB: 8192 }), vm('ok', 'h1', { vcpus: 24, memoryMiB: 8192 })]
    const out = recommendChecked({ snapshot: snapshot(hosts, vms, []), history: { vms: {} }, now: T0, seed: 1 })
    const flags = out.recommendations.filter((r) => r.titleRef?.key === 'engine.oversized.title')
    expect(flags).toHaveLength(1)
    expect(flags[0]!.title).toBe('wide has more vCPUs than h1 has logical CPUs: 32 → 24')
    expect(flags[0]!.actions[0]!.action).toMatchObject({ kind: 'setVcpus', count: 24 })
    expect(flags[0]!.priority).toBeLessThanOrEqual(3)
  })
})
