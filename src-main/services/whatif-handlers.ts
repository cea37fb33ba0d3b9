import { randomUUID } from 'node:crypto'
import { ApiFailure, type Handlers } from '../../shared/api'
import { ScenarioSchema, type Scenario, type ScenarioOutline } from '../../shared/model/scenario'
import type { Snapshot } from '../../shared/model/snapshot'
import { describeIssues } from '../../shared/api/result'
import type { Store } from '../store/store'
import { ScenarioStore, type ScenarioSummaryRow } from '../store/scenarios'
import { scenarioFromDemo, scenarioFromLive } from '../whatif/build'
import { policyLabel } from '../whatif/policy-syntax'
import { workerRunner, type WhatifRunner } from '../whatif/run'
import { parseScenarioText, ScenarioInputError } from '../whatif/scenario-file'
import { importTraceText } from '../whatif/traces'

const DAY_MS = 24 * 3600_000

export interface WhatifDeps {
  store: Store
  snapshot: () => Snapshot
  clock: () => number
  /** Rolls raw samples into the 5-minute history before a live scenario reads it. */
  housekeeping: () => void
  /** Where replays run; default: a worker thread per run (in this thread when no worker entry is found). */
  runner?: WhatifRunner
}

type WhatifChannels = 'whatif.list' | 'whatif.build' | 'whatif.import' | 'whatif.get' | 'whatif.save' | 'whatif.delete' | 'whatif.run'

function outline(summary: ScenarioSummaryRow, s: Scenario): ScenarioOutline {
  return {
    ...summary,
    ...(s.description !== undefined ? { description: s.description } : {}),
    start: s.start,
    hostList: s.hosts,
    vmList: s.vms.map((v) => ({ id: v.id, ...(v.name !== undefined ? { name: v.name } : {}), hostId: v.hostId, vcpus: v.vcpus, memoryMiB: v.memoryMiB })),
    requests: s.arrivals.length + Math.round(s.arrivalStreams.reduce((n, a) => n + (a.perHour * (a.toMinute - a.fromMinute)) / 60, 0)),
    arrivals: s.arrivals,
    arrivalStreams: s.arrivalStreams,
    edits: s.edits,
  }
}

/** Bad input becomes a bad-request failure that names the line or field. */
function asApiFailure(error: unknown): never {
  if (error instanceof ScenarioInputError) throw new ApiFailure('bad-request', error.summary, error.details)
  throw error
}

/** The What-if view's channels: saved scenarios in SQLite, replays in a worker thread. */
export function whatifHandlers(deps: WhatifDeps): Pick<Handlers, WhatifChannels> {
  const scenarios = new ScenarioStore(deps.store.database)
  const runner = deps.runner ?? workerRunner()
  const load = (id: string) => {
    const found = scenarios.get(id)
    if (!found) throw new ApiFailure('not-found', `No saved scenario ${id}: it may have been deleted. Pick another one or build a new one.`)
    return found
  }
  const save = (scenario: Scenario, id: string = randomUUID()) => {
    const summary = scenarios.save(id, scenario, deps.clock())
    return outline(summary, scenario)
  }

  return {
    'whatif.list': async () => scenarios.list(),
    'whatif.build': async (req) => {
      try {
        if (req.source === 'demo') return save(scenarioFromDemo(req.name))
        deps.housekeeping()
        const snapshot = deps.snapshot()
        const to = deps.clock()
        const from = to - req.windowDays * DAY_MS
        const history = deps.store.usageHistory(snapshot.vms.map((v) => v.id), from, to)
        return save(scenarioFromLive(snapshot, history, { from, to }, req.name))
      } catch (error) {
        asApiFailure(error)
      }
    },
    'whatif.import': async (req) => {
      try {
        const isJson = req.text.trimStart().startsWith('{')
        const scenario = isJson ? parseScenarioText(req.text, req.fileName) : importTraceText(req.fileName, req.text).scenario
        return save(req.name ? { ...scenario, name: req.name } : scenario)
      } catch (error) {
        asApiFailure(error)
      }
    },
    'whatif.get': async ({ id }) => {
      const { summary, scenario } = load(id)
      return outline(summary, scenario)
    },
    'whatif.save': async (req) => {
      const { scenario } = load(req.id)
      // The edits must still fit the scenario (hosts and VMs they name): checked whole, before writing.
      const parsed = ScenarioSchema.safeParse({ ...scenario, name: req.name, edits: req.edits, ...(req.queue ?? {}) })
      if (!parsed.success) throw new ApiFailure('bad-request', 'The edits or the queue do not fit this scenario', describeIssues(parsed.error))
      return save(parsed.data, req.asNew ? randomUUID() : req.id)
    },
    'whatif.delete': async ({ id }) => ({ deleted: scenarios.delete(id) }),
    'whatif.run': async (req) => {
      const { scenario } = load(req.id)
      let target = scenario
      if (req.edits || req.queue) {
        const parsed = ScenarioSchema.safeParse({ ...scenario, ...(req.edits ? { edits: req.edits } : {}), ...(req.queue ?? {}) })
        if (!parsed.success) throw new ApiFailure('bad-request', 'The edits or the queue do not fit this scenario', describeIssues(parsed.error))
        target = parsed.data
      }
      const started = performance.now()
      const result = await runner({ scenario: target, policies: req.policies, seed: req.seed, maxPoints: req.maxPoints })
      return {
        scenario: result.scenario,
        seed: result.seed,
        runs: result.runs.map((r) => ({
          label: policyLabel(r.policy),
          policy: r.policy,
          metrics: r.metrics,
          series: r.series,
          waitMinutes: r.waitMinutes,
          events: r.events,
          eventsDropped: r.eventsDropped,
        })),
        elapsedMs: performance.now() - started,
      }
    },
  }
}
