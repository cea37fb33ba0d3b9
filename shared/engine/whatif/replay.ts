import type { PolicySet, Scenario } from '../../model/scenario'
import { runResult } from './metrics'
import { prepareScenario, type PreparedScenario } from './prepare'
import { ReplayState } from './state'
import { replayStep } from './step'
import type { ReplayOptions, WhatifComparison, WhatifRun } from './types'

export function compareScenario(scenario: Scenario, policies: readonly PolicySet[], options: ReplayOptions): WhatifComparison {
  return comparePrepared(prepareScenario(scenario, options.seed), policies, options)
}

/** compareScenario on a scenario prepared with options.seed (a worker prepares once, replays several). */
export function comparePrepared(prepared: PreparedScenario, policies: readonly PolicySet[], options: ReplayOptions): WhatifComparison {
  const scenario = prepared.scenario
  return {
    scenario: {
      name: scenario.name,
      hosts: prepared.hosts.length,
      vms: prepared.vms.length,
      steps: scenario.steps,
      stepSeconds: scenario.stepSeconds,
      start: scenario.start,
      requests: prepared.arrivals.length,
    },
    seed: options.seed,
    runs: policies.map((policy) => replayPrepared(prepared, policy, options)),
  }
}

export function replay(scenario: Scenario, policy: PolicySet, options: ReplayOptions): WhatifRun {
  return replayPrepared(prepareScenario(scenario, options.seed), policy, options)
}

/** Replays a prepared scenario under one policy set, step by step (step.ts), and measures the run (metrics.ts). */
export function replayPrepared(prep: PreparedScenario, policy: PolicySet, options: ReplayOptions): WhatifRun {
  const st = new ReplayState(prep, policy)
  for (let s = 0; s < st.steps; s++) replayStep(st, s)
  return runResult(st, options)
}
