import { availableParallelism } from 'node:os'
import { test } from 'vitest'
import { compareScenario, replay } from '../../shared/engine/whatif'
import { PolicySetSchema, type PolicySet } from '../../shared/model/scenario'
import { bitbrains500 } from '../unit/whatif/support/synthetic'
import { findWorkerEntry, workerRunner } from '../../src-main/whatif/run'

// 500 Bitbrains VMs x 30 days at 5-minute steps (8,640 steps), a Poisson batch queue and one
// host failure, under 4 policy sets. Ratios are against the first (baseline) set in this process.
const scenario = bitbrains500(30)
const policies: PolicySet[] = [
  { name: 'baseline: static, FCFS', allocation: 'static', scheduling: 'fcfs' },
  { name: 'dynamic, SJF', allocation: 'dynamic', scheduling: 'sjf' },
  { name: 'hybrid, EASY, balancer', allocation: 'hybrid', scheduling: 'easy', balance: { enabled: true, intervalMinutes: 120 } },
  { name: 'dynamic, priority, balancer + consolidation', allocation: 'dynamic', scheduling: 'priority', memOvercommit: 1.5, balance: { enabled: true, intervalMinutes: 120 }, consolidation: { enabled: true, intervalMinutes: 720 } },
].map((p) => PolicySetSchema.parse(p))

const table: Record<string, Record<string, string | number>> = {}
let baselineMs = 0
let baselineUnmet = 0
let totalMs = 0
for (const [i, p] of policies.entries()) {
  const t = performance.now()
  const r = replay(scenario, p, { seed: 1 })
  const ms = performance.now() - t
  totalMs += ms
  if (i === 0) {
    baselineMs = ms
    baselineUnmet = r.metrics.unmetVmMinutes
  }
  table[p.name!] = {
    ms: Math.round(ms),
    'ms / baseline': +(ms / baselineMs).toFixed(2),
    'unmet VM-h': Math.round(r.metrics.unmetVmMinutes / 60),
    'unmet / baseline': +(r.metrics.unmetVmMinutes / Math.max(1, baselineUnmet)).toFixed(3),
    'CPU p95 %': +(r.metrics.hostCpuUtil.p95 * 100).toFixed(1),
    migrations: r.metrics.migrations,
    'host-h': Math.round(r.metrics.activeHostHours),
    'wait mean min': +r.metrics.queue.waitMinutes.mean.toFixed(1),
    rejected: r.metrics.queue.rejected,
  }
}
const t0 = performance.now()
compareScenario(scenario, policies, { seed: 1 })
const compareMs = performance.now() - t0
console.log(`${scenario.vms.length} VMs x ${scenario.steps} steps (${scenario.steps * scenario.vms.length} VM-steps), 4 policy sets`)
console.table(table)
console.log(`4 policy sets one by one: ${Math.round(totalMs)} ms; compareScenario (prepared once): ${Math.round(compareMs)} ms; goal: under 5000 ms`)
// What the app does (whatif.run): the policy sets split over worker threads, one per core (up to 4).
const entry = findWorkerEntry(new URL('../../src-main/whatif/run.ts', import.meta.url).href)
if (entry) {
  const t1 = performance.now()
  await workerRunner(entry)({ scenario, policies, seed: 1 })
  console.log(`whatif.run path (worker threads, ${availableParallelism()} cores): ${Math.round(performance.now() - t1)} ms`)
}

// Vitest 5 bench API: the repeated timings run on a 3-day slice so the comparison stays quick.
const short = bitbrains500(3)
test('what-if replay: 500 VMs x 3 days, repeated', async ({ bench }) => {
  await bench.compare(
    bench('static, FCFS (baseline)', () => { replay(short, policies[0]!, { seed: 1 }) }),
    bench('dynamic, SJF', () => { replay(short, policies[1]!, { seed: 1 }) }),
    bench('hybrid, EASY, balancer', () => { replay(short, policies[2]!, { seed: 1 }) }),
  )
}, 600_000)
