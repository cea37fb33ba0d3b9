import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { balanceGreedy, type GreedyOptions } from '../../../shared/engine/balance'
import { consolidate } from '../../../shared/engine/consolidate'
import { defaultOptions } from '../../../shared/engine/options'
import type { PlacementProblem } from '../../../shared/engine/placement'
import { greedyOptions } from '../../../shared/engine/recommend'
import { compareScenario } from '../../../shared/engine/whatif'
import { PolicySetSchema, ScenarioSchema } from '../../../shared/model/scenario'
import { bitbrains500 } from '../whatif/support/synthetic'

// Every number the balancer and the what-if replay give on a fixed set of inputs, pinned as
// SHA-256 digests: a refactor must leave them all equal. A deliberate change of results updates
// the digests (the failure shows the new ones) and says why in its commit. Taken before the engine
// was split into balance/ and whatif/ (commit 73b4cf8); changed by issue 18 (the relative stopping
// rule on half the rule-laden cases, and peak refinement crediting moves off hosts tied at the peak).
// Message references (`...Ref`, lists of them `...Refs`) say the same results in other languages: left out, so the English pins them.
const digest = (x: unknown) => createHash('sha256').update(JSON.stringify(x, (key, value: unknown) => (key.endsWith('Ref') || key.endsWith('Refs') ? undefined : value))).digest('hex').slice(0, 16)

/** Deterministic uniform numbers in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Small clusters with every rule the balancer knows: maintenance, pinning, cooldown, (anti-)affinity, VMs it may not move, dirty memory. */
function ruleLadenProblems(n: number): { problem: PlacementProblem; options: GreedyOptions }[] {
  const rnd = random(20261205)
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1))
  return Array.from({ length: n }, () => {
    const H = int(2, 7)
    const V = int(3, 30)
    const hosts = Array.from({ length: H }, (_, i) => {
      const cpuCores = [8, 16, 32][int(0, 2)]!
      const memMiB = [16384, 65536][int(0, 1)]!
      return { id: `h${i}`, cpuCores, memMiB, vcpuLimit: cpuCores * [1, 4][int(0, 1)]!, memAllocLimitMiB: memMiB * [1, 1.5][int(0, 1)]!, maintenance: rnd() < 0.1 }
    })
    const vms = Array.from({ length: V }, (_, i) => {
      const vcpus = [1, 2, 4, 8][int(0, 3)]!
      const memoryMiB = [1024, 4096, 16384][int(0, 2)]!
      const used = memoryMiB * rnd()
      return {
        id: `v${i}`,
        hostId: `h${int(0, H - 1)}`,
        cpuClaim: vcpus * rnd(),
        memClaim: used,
        vcpus,
        memoryMiB,
        memUsedMiB: used,
        memDirtyMiBps: rnd() < 0.2 ? 2000 * rnd() : 0,
        movable: rnd() > 0.05,
        allowedHosts: rnd() < 0.1 ? [`h${int(0, H - 1)}`, `h${int(0, H - 1)}`] : null,
        cooldownHosts: rnd() < 0.1 ? [`h${int(0, H - 1)}`] : [],
      }
    })
    const group = () => Array.from({ length: int(2, 3) }, () => `v${int(0, V - 1)}`)
    const problem = { hosts, vms, affinity: rnd() < 0.3 ? [group()] : [], antiAffinity: rnd() < 0.4 ? [group()] : [], cpuWeight: 0.5, memWeight: [0.5, 1][int(0, 1)]! }
    // Half with the product's relative stopping rule, half with the what-if's absolute floor.
    const absolute = int(0, 1) === 0 ? { minGain: [0.001, 0.01][int(0, 1)]!, minRelativeGain: 0, relativeGainPerMigrationMinute: 0 } : {}
    return { problem, options: { ...greedyOptions(defaultOptions.balance), ...absolute, maxMigrations: int(1, 10) } }
  })
}

/** The engine bench's Alibaba cluster-trace-v2018 problem: 16 machines' p80 use on n hosts. */
function alibaba(nHosts: number): PlacementProblem {
  const csv = readFileSync(fileURLToPath(new URL('../../fixtures/traces/alibaba-v2018-16machines-hourly.csv', import.meta.url)), 'utf8')
  const byMachine = new Map<string, { cpu: number[]; mem: number[] }>()
  for (const l of csv.trim().split('\n').slice(1)) {
    const [m, , cpu, mem] = l.split(',')
    const r = byMachine.get(m!) ?? { cpu: [], mem: [] }
    r.cpu.push(Number(cpu))
    r.mem.push(Number(mem))
    byMachine.set(m!, r)
  }
  const p80 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(0.8 * (xs.length - 1))]!
  const machines = [...byMachine.entries()].sort((a, b) => a[0].localeCompare(b[0]))
  const cores = Math.ceil((machines.length * 96) / nHosts)
  const memMiB = Math.ceil((machines.length * 100 * 1024) / nHosts)
  return {
    hosts: Array.from({ length: nHosts }, (_, i) => ({ id: `h${i}`, cpuCores: cores, memMiB, vcpuLimit: cores * 4, memAllocLimitMiB: memMiB * 1.5, maintenance: false })),
    vms: machines.map(([id, r], i) => {
      const used = p80(r.mem) * 1024
      return { id, hostId: `h${Math.floor(i / (machines.length / nHosts))}`, cpuClaim: (p80(r.cpu) / 100) * 96, memClaim: used, vcpus: 96, memoryMiB: used, memUsedMiB: used, memDirtyMiBps: 0, movable: true, allowedHosts: null, cooldownHosts: [] }
    }),
    affinity: [],
    antiAffinity: [],
    cpuWeight: 0.5,
    memWeight: 0.5,
  }
}

describe('results pinned across refactors', { timeout: 60_000 }, () => {
  it('the balancer: all three phases and the mandatory moves on rule-laden clusters, and the bench\'s Alibaba problems', () => {
    const bench = { ...greedyOptions(defaultOptions.balance), maxMigrations: 16 }
    const greedy = ruleLadenProblems(80).map(({ problem, options }) => balanceGreedy(problem, options))
    // The cases exercise every phase: swaps, peak refinement and mandatory moves all occur.
    const moves = greedy.flatMap((r) => r.moves)
    expect(moves.some((m) => m.swapWith) && moves.some((m) => m.reason.startsWith('lowers the peak')) && moves.some((m) => m.mandatory)).toBe(true)
    expect(greedy.some((r) => r.unresolved.length > 0)).toBe(true)
    expect({
      // Moves carry their reason's message key since the rules work; the decisions themselves are pinned.
      ruleLaden: digest(greedy.map((r) => ({ ...r, moves: r.moves.map(({ reasonRef: _key, ...m }) => m) }))),
      alibaba: digest([4, 8].map((n) => balanceGreedy(alibaba(n), bench))),
      consolidation: digest([4, 8].map((n) => consolidate(alibaba(n), 0.2))),
    }).toEqual({ ruleLaden: '4b712c923ca54b43', alibaba: '5ec1ca97568b976e', consolidation: 'ce00752878801217' })
  })

  // Several replays: seconds on a busy machine.
  it('the what-if replay: balancer, consolidation, queue policies, maintenance, removal, a failure and a late host', { timeout: 60_000 }, () => {
    const base = bitbrains500(1, 8)
    const s = ScenarioSchema.parse({
      ...base,
      edits: [
        { kind: 'hostFailure', hostId: 'h3', atMinute: 300, durationMinutes: 120 },
        { kind: 'maintenance', hostId: 'h5', fromMinute: 200, toMinute: 700 },
        { kind: 'removeHost', hostId: 'h7', atMinute: 900 },
        { kind: 'addHost', host: { id: 'hx', cpuCores: 64, memoryMiB: 512 * 1024 }, atMinute: 600 },
      ],
      rules: { affinity: [['vm3', 'vm4']], antiAffinity: [['vm5', 'vm6']] },
    })
    const policies = [
      { allocation: 'static', scheduling: 'fcfs', maxWaitMinutes: 60 },
      { allocation: 'hybrid', scheduling: 'easy', balance: { enabled: true, intervalMinutes: 60, thresholdLoad: 0.3 } },
      { allocation: 'dynamic', scheduling: 'priority', memOvercommit: 1.5, balance: { enabled: true, intervalMinutes: 30 }, consolidation: { enabled: true, intervalMinutes: 120 } },
    ].map((p) => PolicySetSchema.parse(p))
    const runs = compareScenario(s, policies, { seed: 3 }).runs
    expect(runs[1]!.metrics.migrations).toBeGreaterThan(0)
    expect(runs[2]!.events.some((e) => e.kind === 'host-asleep')).toBe(true)
    expect(runs.map((r) => digest(r))).toEqual(['b3a6ce0dd7911cba', '1450ffac4089e2dc', '3574fb3db45c6744'])
  })
})
