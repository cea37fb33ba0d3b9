// How the engine's time grows with the fleet (issue 22: under 5 s for greedy balancing and
// rightsizing on 5,000 VMs): the app's own runner (createEngine().run: demand, placement with
// storage, greedy balancing, the exact comparison, rightsizing, tuning, records, consolidation,
// the validator) on Bitbrains fleets with 7 days at 5 min and demo-style facts and storage
// (support/engine-fleet.ts). Baseline in the same process, back to back on the same input: the
// engine of SCALE_BEFORE_COMMIT (before the scale work), unpacked from git. Prints seconds per
// phase, the ratio, whether both gave the same advice, the memory each run added (heap and RSS at the
// phase ends, over a collected heap before the run) and the load average; asserts nothing.
// Run: npx tsx test/bench/engine-scale.ts   (part of `npm run bench`; ENGINE_FLEETS=4x40,10x250 for a quick run;
// ENGINE_BEFORE=<commit> compares with another engine, e.g. main's before a change)
import { loadavg } from 'node:os'
import { getHeapStatistics, setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { enginePhases, type EnginePhase, type RecommendOutput } from '../../shared/engine/recommend'
import { createEngine, type EngineService } from '../../src-main/services/engine'
import { beforeEngine } from './support/before-engine'
import { engineFleet, type EngineFleet } from './support/engine-fleet'

/** The engine before the scale work: phases timed, storage planned with words for every VM and host, guests found by scanning. */
const SCALE_BEFORE_COMMIT = process.env.ENGINE_BEFORE ?? 'ab3aac095bb54c86250bcf3f6ffbd26c0b82357f'
/** A size whose baseline ran longer than this is not run again at the next size. */
const GIVE_UP_MS = 180_000
const sizes = (process.env.ENGINE_FLEETS ?? '4x40,10x250,50x1000,200x5000').split(',').map((s) => s.split('x').map(Number) as [number, number])
const load = () => loadavg()[0]!.toFixed(1)
const s = (ms: number | undefined) => (ms === undefined ? '' : (ms / 1000).toFixed(2))

interface Timed { total: number; phases: Partial<Record<EnginePhase, number>>; load: string; out: RecommendOutput; heapMiB: number; rssMiB: number }

const MiB = 2 ** 20
// A full collection before each run, so the previous run's garbage is not counted against this one.
setFlagsFromString('--expose-gc')
const collect = runInNewContext('gc') as () => void

async function timed(engine: EngineService, f: EngineFleet): Promise<Timed> {
  const phases: Partial<Record<EnginePhase, number>> = {}
  collect()
  const heap0 = getHeapStatistics().used_heap_size
  const rss0 = process.memoryUsage.rss()
  let heap = heap0
  let rss = rss0
  // The engine runs in one synchronous stretch: memory is read at each phase's end (no timer could fire).
  const sample = () => {
    heap = Math.max(heap, getHeapStatistics().used_heap_size)
    rss = Math.max(rss, process.memoryUsage.rss())
  }
  const phase = <T>(name: EnginePhase, run: () => T): T => {
    const t = performance.now()
    try {
      return run()
    } finally {
      phases[name] = (phases[name] ?? 0) + performance.now() - t
      sample()
    }
  }
  const t = performance.now()
  const out = await engine.run({ snapshot: f.snapshot, history: f.history, now: f.now, discovered: f.discovered, storage: f.storage, phase })
  const total = performance.now() - t
  sample()
  return { total, phases, load: load(), out, heapMiB: (heap - heap0) / MiB, rssMiB: (rss - rss0) / MiB }
}

/** Same advice: the recommendations (ids, words, actions), moves, rightsizing and tuning, as JSON (the time-limited solver's verdicts left out). */
const advice = (o: RecommendOutput) => JSON.stringify([o.recommendations, o.balance.moves, o.rightsizing, o.tuning, o.consolidation.keptHosts, o.feasible])

const old = await beforeEngine(SCALE_BEFORE_COMMIT)
const after = createEngine()
const before = typeof old === 'string' ? undefined : createEngine(old.recommend)
// HiGHS loaded and both engines compiled once, outside the timings.
const warm = engineFleet(2, 12)
await after.run({ snapshot: warm.snapshot, history: warm.history, now: warm.now, discovered: warm.discovered, storage: warm.storage })
if (before) await before.run({ snapshot: warm.snapshot, history: warm.history, now: warm.now, discovered: warm.discovered, storage: warm.storage })

const rows: Record<string, string>[] = []
const notes: string[] = []
let baselineGone = before === undefined
for (const [hosts, vms] of sizes) {
  const f = engineFleet(hosts, vms)
  const b = baselineGone ? undefined : await timed(before!, f)
  if (b && b.total > GIVE_UP_MS) {
    baselineGone = true
    notes.push(`baseline took ${s(b.total)} s at ${f.name}: not run at larger sizes`)
  }
  const a = await timed(after, f)
  const same = b ? (advice(a.out) === advice(b.out) ? 'yes' : 'NO') : ''
  const exact = a.out.balance.exact
  rows.push({ fleet: f.name, phase: 'total', 'before s': s(b?.total), 'after s': s(a.total), ratio: b ? (b.total / a.total).toFixed(1) : '', 'same advice': same, load1: `${b?.load ?? '-'} / ${a.load}` })
  const mem = (t: Timed | undefined, k: 'heapMiB' | 'rssMiB') => (t ? t[k].toFixed(0) : '')
  rows.push({ fleet: '', phase: 'added heap MiB (peak)', 'before s': mem(b, 'heapMiB'), 'after s': mem(a, 'heapMiB'), ratio: '', 'same advice': '', load1: '' })
  rows.push({ fleet: '', phase: 'added RSS MiB (peak)', 'before s': mem(b, 'rssMiB'), 'after s': mem(a, 'rssMiB'), ratio: '', 'same advice': '', load1: '' })
  for (const p of [...enginePhases, 'validate'] as const) {
    const bp = b?.phases[p]
    const ap = a.phases[p]
    rows.push({ fleet: '', phase: p === 'exact' ? `exact (${exact.status})` : p, 'before s': s(bp), 'after s': s(ap), ratio: bp !== undefined && ap ? (bp / ap).toFixed(1) : '', 'same advice': '', load1: '' })
  }
  rows.push({ fleet: '', phase: 'balance + rightsize', 'before s': b ? s((b.phases.balance ?? 0) + (b.phases.rightsize ?? 0)) : '', 'after s': s((a.phases.balance ?? 0) + (a.phases.rightsize ?? 0)), ratio: '', 'same advice': '', load1: vms >= 5000 ? 'target < 5 s' : '' })
}
console.log(`\nEngine time by fleet size (createEngine().run; before = ${typeof old === 'string' ? old : `the engine of ${SCALE_BEFORE_COMMIT.slice(0, 12)}`}); 2 shared cores, load1 = 1-minute load average after each run`)
console.table(rows)
for (const n of notes) console.log(n)
