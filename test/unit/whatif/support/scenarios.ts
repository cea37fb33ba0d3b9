import type { AllocationStrategy } from '../../../../shared/engine/options'
import { prepareScenario } from '../../../../shared/engine/whatif/prepare'
import { shareBuffers, shareResource, type ShareBuffers } from '../../../../shared/engine/whatif/share'
import { ReplayState } from '../../../../shared/engine/whatif/state'
import { PolicySetSchema, ScenarioSchema, SCENARIO_VERSION, type PolicySet, type PolicySetInput, type Scenario, type ScenarioInput } from '../../../../shared/model/scenario'

/** Small hand-made scenarios: one-minute steps unless said otherwise, validated by the schema. */
export function scenario(parts: Partial<ScenarioInput> & Pick<ScenarioInput, 'hosts' | 'steps'>): Scenario {
  return ScenarioSchema.parse({
    version: SCENARIO_VERSION,
    name: 'test',
    start: Date.UTC(2024, 0, 1),
    stepSeconds: 60,
    vms: [],
    workload: [],
    ...parts,
  })
}

export function policy(p: PolicySetInput = {}): PolicySet {
  return PolicySetSchema.parse(p)
}

/** A replay of `s` under `p` before its first step, for tests of one step phase. */
export function replayState(s: Scenario, p: PolicySetInput = {}, seed = 1): ReplayState {
  return new ReplayState(prepareScenario(s, seed), policy(p))
}

/** A constant demand series. */
export function flat(steps: number, cpuCores: number, memMiB: number) {
  return { cpuCores: new Array<number>(steps).fill(cpuCores), memMiB: new Array<number>(steps).fill(memMiB) }
}

/** Jobs that all arrive at minute 0 on one host that runs one at a time. */
export function batch(durations: readonly number[], priorities: readonly number[] = []) {
  return durations.map((d, i) => ({ id: `job${i}`, atMinute: 0, vcpus: 4, memoryMiB: 1024, durationMinutes: d, priority: priorities[i] ?? 0 }))
}

export interface Claim {
  demand: number
  allocation: number
  reservation?: number
  limit?: number
  shares: number
}

/** The replay's typed-array entitlement over `claims` (compared with entitle() by the tests). */
export function shareClaims(strategy: AllocationStrategy, capacity: number, claims: readonly Claim[]): ShareBuffers {
  const b = shareBuffers(claims.length)
  b.n = claims.length
  claims.forEach((c, i) => {
    b.demand[i] = c.demand
    b.allocation[i] = c.allocation
    b.reservation[i] = c.reservation ?? 0
    b.limit[i] = c.limit ?? Infinity
    b.shares[i] = c.shares
  })
  shareResource(strategy, capacity, b)
  return b
}
