import { test } from 'vitest'
import { balanceGreedy } from '../../shared/engine/balance'
import { forecastDemand } from '../../shared/engine/demand'
import { withDefaults } from '../../shared/engine/options'
import { buildPlacement } from '../../shared/engine/placement'
import { greedyOptions, recommend, type RecommendInput, type RecommendOutput } from '../../shared/engine/recommend'
import { loadHourly500, seeded, traceCluster, type TraceCluster, type TraceClusterSpec } from '../unit/engine/support/trace-cluster'
import { beforeEngine, BEFORE_COMMIT } from './support/before-engine'
import { currentPlacement, dayMeanError, ffd, foresightConsolidation, foresightGreedy, judge, placementAfter, proxlbStyle, withLevelError, type NextDay, type Placement } from './support/next-day'

// Issue 18: balancing and consolidation judged by the day after the decision. Clusters of VMs
// drawn from the Bitbrains trace (hourly fixture, one seed per size), on hosts with a 2:1 vCPU and
// 1:1 memory allocation ratio, decided at 18:00 on a Tuesday and a Thursday (when batch VMs ramp
// up) and at 10:00 on a Wednesday, each plan replayed against the next 24 h. "mean" is the hosts' mean CPU load over those 24 h
// (hosts in use), "peak" the busiest host's, "busiest hour" the highest hourly load of any host;
// "unmet core-h" is the CPU the what-if replay of that day could not grant. Printed, never
// asserted: targets are PASS/MISS cells.
const trace = loadHourly500()
const at = (day: number, hourCest: number) => Date.UTC(2013, 6, day, hourCest - 2)
const DECISIONS: { label: string; at: number }[] = [
  { label: 'Tue 23 Jul 18:00 CEST', at: at(23, 18) },
  { label: 'Thu 25 Jul 18:00 CEST', at: at(25, 18) },
  // A morning, where the history predicts the day worse (the engine's forecast is off by more than the VMs' mean use).
  { label: 'Wed 24 Jul 10:00 CEST', at: at(24, 10) },
]
const SIZES: Omit<TraceClusterSpec, 'at'>[] = [
  { hosts: 4, vms: 40, seed: 4 },
  { hosts: 8, vms: 120, seed: 8 },
  { hosts: 16, vms: 400, seed: 16 },
  { hosts: 32, vms: 800, seed: 32 },
]
const BUDGET = 8

const before = await beforeEngine()
const input = (c: TraceCluster): RecommendInput => ({ snapshot: c.snapshot, history: c.history, now: c.now, seed: 1, options: { balance: { maxMigrations: BUDGET } } })
const pct = (x: number) => +(x * 100).toFixed(1)
const row = (d: NextDay) => ({ moves: d.migrations, 'mean %': pct(d.meanLoad), 'peak %': pct(d.peakLoad), 'busiest hour %': pct(d.busiestHour), 'hosts >100 %': d.hostsOver100, violations: d.violations, 'unmet core-h': +d.unmetCoreHours.toFixed(1) })
/** Today's claim (before this issue): p80 of the last 24 h. */
const p80 = (c: TraceCluster) => c.snapshot.vms.map((vm) => {
  const s = c.history.vms[vm.id]!
  const from = c.now - 24 * 3_600_000
  const xs = s.cpuUsedCores.filter((_, i) => s.t[i]! >= from).sort((a, b) => a - b)
  return xs[Math.floor(0.8 * (xs.length - 1))] ?? 0
})
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS')
/** The cluster with each VM's next day replaced by the hourly forecast the engine planned for. */
const withForecastAsNextDay = (c: TraceCluster): TraceCluster => {
  const o = withDefaults(input(c).options)
  const demand = forecastDemand(c.snapshot, c.history, c.now, o.forecast, o.contention.windowMs)
  return {
    ...c,
    nextDay: c.snapshot.vms.map((vm, v) => {
      const f = demand.get(vm.id)!
      return { cpu: f.forecast ? Float64Array.from(f.forecast.cpu.profile) : new Float64Array(24).fill(f.cpuCores), mem: c.nextDay[v]!.mem }
    }),
  }
}

const balanceRows: Record<string, unknown>[] = []
/** Plans whose next day has a busier busiest host than not moving at all, per engine. */
const worseThanNoMove = new Map<string, string[]>()
const consolidationRows: Record<string, unknown>[] = []
/** Per decision: how far the engine's forecast is from the day, and whether its plan met the 5 % target. */
const forecastRows: Record<string, unknown>[] = []
const clusters: TraceCluster[] = []
for (const decision of DECISIONS) {
  for (const size of SIZES) {
    const c = traceCluster(trace, { ...size, at: decision.at })
    clusters.push(c)
    const name = `${c.name} seed ${size.seed}, ${decision.label}`
    balanceRows.push({ cluster: name, plan: 'no moves', ...row(judge(c, currentPlacement(c))) })
    const runs: [string, RecommendOutput][] = []
    if (typeof before !== 'string') runs.push(['before (main engine)', before.recommend(input(c))])
    const after = recommend(input(c))
    runs.push(['after (this engine)', after])
    const stay = judge(c, currentPlacement(c))
    for (const [label, out] of runs) {
      const d = judge(c, placementAfter(c, out.balance.moves))
      balanceRows.push({ cluster: name, plan: label, ...row(d), ...(out.balance.heldBack ? { 'held back': out.balance.heldBack } : {}) })
      if (!worseThanNoMove.has(label)) worseThanNoMove.set(label, [])
      if (d.peakLoad > stay.peakLoad + 1e-9) worseThanNoMove.get(label)!.push(name)
    }
    const mine = judge(c, placementAfter(c, after.balance.moves))
    const sameMoves = judge(c, foresightGreedy(c, mine.migrations))
    balanceRows.push({ cluster: name, plan: `foresight greedy, ${mine.migrations} moves`, ...row(sameMoves) })
    if (mine.migrations !== BUDGET) balanceRows.push({ cluster: name, plan: `foresight greedy, ${BUDGET} moves`, ...row(judge(c, foresightGreedy(c, BUDGET))) })
    // The same greedy given the engine's forecast instead of the real day: where forecasting, not search, limits the plan.
    const forecast = withForecastAsNextDay(c)
    balanceRows.push({ cluster: name, plan: `greedy on the forecast, ${mine.migrations} moves`, ...row(judge(c, foresightGreedy(forecast, mine.migrations))) })
    forecastRows.push({ forecast: `the engine's, ${name}`, 'error of the VMs\' 24 h means': +dayMeanError(c, forecast).toFixed(2), 'within 5 % of foresight': verdict(mine.peakLoad <= sameMoves.peakLoad * 1.05 + 1e-9), 'over foresight %': +((mine.peakLoad / sameMoves.peakLoad - 1) * 100).toFixed(1) })
    balanceRows.push({ cluster: name, plan: 'ProxLB-style (cpu, used, 10 %)', ...row(judge(c, proxlbStyle(c))) })
    const repack = ffd(c, p80(c))
    if (repack) balanceRows.push({ cluster: name, plan: 'FFD re-pack (p80 of 24 h)', ...row(judge(c, repack)) })
    balanceRows.push({
      cluster: name,
      plan: 'targets (after)',
      moves: verdict(mine.migrations <= BUDGET),
      'peak %': `${verdict(mine.peakLoad <= sameMoves.peakLoad * 1.05 + 1e-9)} (${((mine.peakLoad / sameMoves.peakLoad - 1) * 100).toFixed(1)} % over foresight)`,
      'hosts >100 %': verdict(mine.hostsOver100 === 0),
      'held back': verdict(mine.peakLoad <= stay.peakLoad + 1e-9) + ' (no worse than no move)',
      violations: verdict(mine.violations === 0),
    })

    const hosts = (p: Placement | null, label: string) => {
      if (!p) return { cluster: name, plan: label, hosts: 'does not fit' }
      const d = judge(c, p)
      return { cluster: name, plan: label, hosts: d.hostsInUse, moves: d.migrations, 'mean %': pct(d.meanLoad), 'peak %': pct(d.peakLoad), 'busiest hour %': pct(d.busiestHour), 'hosts >100 %': d.hostsOver100, violations: d.violations }
    }
    for (const [label, out] of runs) consolidationRows.push(hosts(placementAfter(c, out.consolidation.moves), label))
    const fore = judge(c, foresightConsolidation(c))
    consolidationRows.push(hosts(foresightConsolidation(c), 'foresight packing'))
    let fewest: Placement | null = null
    for (let k = c.snapshot.hosts.length; k >= 1; k--) {
      const p = ffd(c, p80(c), k)
      if (!p) break
      fewest = p
    }
    consolidationRows.push(hosts(fewest, 'FFD (p80 of 24 h, 20 % headroom)'))
    const packed = judge(c, placementAfter(c, after.consolidation.moves))
    consolidationRows.push({ cluster: name, plan: 'targets (after)', hosts: verdict(packed.hostsInUse <= fore.hostsInUse), 'hosts >100 %': verdict(packed.hostsOver100 === 0), violations: verdict(packed.violations === 0) })
  }
}
console.log(`Balancing judged by the next 24 h (budget ${BUDGET} moves; before = ${typeof before === 'string' ? before : `the engine of ${BEFORE_COMMIT.slice(0, 12)}`})`)
console.table(balanceRows)
for (const [label, names] of worseThanNoMove) console.log(`${label}: next day worse than no move in ${names.length} of ${DECISIONS.length * SIZES.length} decisions${names.length ? ` (${names.join('; ')})` : ''}`)
// How good a forecast the 5 % target needs: the greedy given the real next day with each VM's
// level off by a random factor (no bias, the daily shape exact), 5 draws per decision, 8 moves,
// judged against the greedy that knows the day with as many moves.
// The reference for a cluster and a move count is the same in every draw: computed once.
const foresightPeak = new Map<string, number>()
const foresightAt = (i: number, moves: number) => {
  const key = `${i}:${moves}`
  if (!foresightPeak.has(key)) foresightPeak.set(key, judge(clusters[i]!, foresightGreedy(clusters[i]!, moves)).peakLoad)
  return foresightPeak.get(key)!
}
for (const sigma of [0.05, 0.1, 0.2, 0.3, 0.5]) {
  const random = seeded(100)
  const over: number[] = []
  let err = 0
  for (let draw = 0; draw < 5; draw++) {
    clusters.forEach((c, i) => {
      const view = withLevelError(c, sigma, random)
      err += dayMeanError(c, view)
      const d = judge(c, foresightGreedy(view, BUDGET))
      over.push(d.peakLoad / foresightAt(i, d.migrations) - 1)
    })
  }
  over.sort((a, b) => a - b)
  forecastRows.push({
    forecast: `the real day, each VM's level off by exp(${sigma} N(0,1))`,
    'error of the VMs\' 24 h means': +(err / over.length).toFixed(2),
    'within 5 % of foresight': `${over.filter((x) => x <= 0.05 + 1e-9).length} of ${over.length}`,
    'over foresight %': `median ${(over[over.length >> 1]! * 100).toFixed(1)}, worst ${(over.at(-1)! * 100).toFixed(1)}`,
  })
}
console.log('Forecast accuracy and the 5 % target (the engine\'s forecast per decision, then forecasts of known accuracy)')
console.table(forecastRows)
console.log('Consolidation judged by the next 24 h')
console.table(consolidationRows)

// Speed: forecast (history of all earlier trace hours) + placement model + greedy, median of 7
// after a warm-up, next to the engine before this issue on the same input (its demand step and greedy).
const median = (f: () => unknown, runs = 7) => {
  f()
  const ms = Array.from({ length: runs }, () => { const t = performance.now(); f(); return performance.now() - t }).sort((a, b) => a - b)
  return ms[Math.floor(runs / 2)]!
}
const speedRows: Record<string, unknown>[] = []
for (const [hostsN, vms, goalMs] of [[16, 500, 200], [64, 2000, 2000]] as const) {
  const c = traceCluster(trace, { hosts: hostsN, vms, seed: 5, at: DECISIONS[0]!.at })
  const options = withDefaults(input(c).options)
  const greedyWithForecast = () => {
    const demand = forecastDemand(c.snapshot, c.history, c.now, options.forecast, options.contention.windowMs)
    return balanceGreedy(buildPlacement(c.snapshot, demand, c.history, c.now, options), greedyOptions(options.balance))
  }
  const ms = median(greedyWithForecast)
  const full = median(() => recommend(input(c)), 3)
  const beforeMs = typeof before === 'string' ? NaN : median(() => before.recommend(input(c)), 3)
  speedRows.push({
    cluster: `${vms} VMs x ${hostsN} hosts`,
    'greedy with forecast ms': +ms.toFixed(1),
    goal: `< ${goalMs} ms: ${verdict(ms < goalMs)}`,
    'whole recommend() ms': +full.toFixed(1),
    'before: whole recommend() ms': Number.isNaN(beforeMs) ? 'n/a' : +beforeMs.toFixed(1),
    'after / before': Number.isNaN(beforeMs) ? 'n/a' : +(full / beforeMs).toFixed(2),
  })
}
console.log('Speed (medians on a possibly shared machine; printed, not asserted)')
console.table(speedRows)

// Vitest 5 bench API: repeated timings of the forecast greedy next to the engine before it.
test('500 VMs x 16 hosts: recommend()', async ({ bench }) => {
  const c = traceCluster(trace, { hosts: 16, vms: 500, seed: 5, at: DECISIONS[0]!.at })
  if (typeof before === 'string') return
  await bench.compare(
    bench('this engine', () => { recommend(input(c)) }),
    bench('before (main engine)', () => { before.recommend(input(c)) }),
  )
}, 300_000)
