import { randomUUID } from 'node:crypto'
import type { ParsedRequestOf, RequestChannel, ResponseOf } from '../../shared/api'
import type { ScenarioOutline } from '../../shared/api/whatif'
import { ScenarioSchema, type Scenario } from '../../shared/model/scenario'
import type { Snapshot } from '../../shared/model/snapshot'
import type { History } from '../../shared/model'
import { failure } from '../../shared/api/result'
import { msg } from '../../shared/i18n'
import type { SamplesRepo } from '../store/samples'
import type { ScenarioRepo, ScenarioSummaryRow } from '../store/scenarios'
import { usageWindow } from './engine'
import { scenarioFromDemo, scenarioFromLive } from '../whatif/build'
import { seedArticleScenario } from '../whatif/examples'
import { policyLabel, policyLabelRef } from '../whatif/policy-syntax'
import { workerRunner, type WhatifRunner } from '../whatif/run'
import { importInWorker, type Imported, type ImportRequest } from '../whatif/import'
import { issueProblems, ScenarioInputError } from '../whatif/scenario-file'

const DAY_MS = 24 * 3600_000

export interface WhatifDeps {
  scenarios: ScenarioRepo
  samples: SamplesRepo
  /** Usage history of these VMs over the window before `to` (SQLite, or the metrics store for the VMs it serves); SQLite's by default. */
  usage?: (vmIds: readonly string[], to: number, windowMs: number) => Promise<History>
  snapshot: () => Snapshot
  clock: () => number
  /** Where replays run; default: a worker thread per run (in this thread when no worker entry is found). */
  runner?: WhatifRunner
  /** Where imports run; default: a worker thread with memory and time limits. */
  importer?: (req: ImportRequest) => Promise<Imported>
}

/** One what-if operation, as its api channel calls it. */
type Op<C extends RequestChannel> = (req: ParsedRequestOf<C>) => Promise<ResponseOf<C>>

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
  if (error instanceof ScenarioInputError) throw error.toApiFailure()
  throw error
}

/** What-if planning: saved scenarios in SQLite, replays in a worker thread. */
export function createWhatif(deps: WhatifDeps): { list: Op<'whatif.list'>; build: Op<'whatif.build'>; import: Op<'whatif.import'>; get: Op<'whatif.get'>; save: Op<'whatif.save'>; delete: Op<'whatif.delete'>; run: Op<'whatif.run'> } {
  const { scenarios } = deps
  const runner = deps.runner ?? workerRunner()
  const load = (id: string) => {
    const found = scenarios.get(id)
    if (!found) throw failure('not-found', msg('input.build.noScenario', { id }))
    return found
  }
  const importer = deps.importer ?? ((req: ImportRequest) => importInWorker(req))
  const save = (scenario: Scenario, id: string = randomUUID(), data?: string) => {
    const summary = scenarios.save(id, scenario, deps.clock(), data)
    return outline(summary, scenario)
  }

  return {
    list: async () => scenarios.list(),
    build: async (req) => {
      try {
        if (req.source === 'demo') return save(scenarioFromDemo(req.name))
        if (req.source === 'seed-article') return save(seedArticleScenario(req.name))
        const snapshot = deps.snapshot()
        const to = deps.clock()
        const ids = snapshot.vms.map((v) => v.id)
        const history = deps.usage ? await deps.usage(ids, to, req.windowDays * DAY_MS) : usageWindow(deps.samples, ids, to, req.windowDays * DAY_MS)
        return save(scenarioFromLive(snapshot, history, { from: to - req.windowDays * DAY_MS, to }, req.name))
      } catch (error) {
        asApiFailure(error)
      }
    },
    import: async (req) => {
      try {
        // Off this thread, with limits: a hostile file must not stall the app or take its memory.
        const imported = await importer({ fileName: req.fileName, text: req.text, ...(req.name ? { name: req.name } : {}) })
        return save(imported.head, randomUUID(), imported.data)
      } catch (error) {
        asApiFailure(error)
      }
    },
    get: async ({ id }) => {
      const { summary, scenario } = load(id)
      return outline(summary, scenario)
    },
    save: async (req) => {
      const { scenario } = load(req.id)
      // The edits must still fit the scenario (hosts and VMs they name): checked whole, before writing.
      // A new name is the admin's: the one VirtPilot gave (and its message) goes.
      const renamed = req.name !== scenario.name ? { nameRef: undefined } : {}
      const parsed = ScenarioSchema.safeParse({ ...scenario, name: req.name, ...renamed, edits: req.edits, ...(req.queue ?? {}) })
      if (!parsed.success) throw new ScenarioInputError(msg('input.build.editsDoNotFit'), issueProblems(parsed.error)).toApiFailure()
      return save(parsed.data, req.asNew ? randomUUID() : req.id)
    },
    delete: async ({ id }) => ({ deleted: scenarios.delete(id) }),
    run: async (req) => {
      const { scenario } = load(req.id)
      let target = scenario
      if (req.edits || req.queue) {
        const parsed = ScenarioSchema.safeParse({ ...scenario, ...(req.edits ? { edits: req.edits } : {}), ...(req.queue ?? {}) })
        if (!parsed.success) throw new ScenarioInputError(msg('input.build.editsDoNotFit'), issueProblems(parsed.error)).toApiFailure()
        target = parsed.data
      }
      const started = performance.now()
      const result = await runner({ scenario: target, policies: req.policies, seed: req.seed, maxPoints: req.maxPoints })
      return {
        scenario: result.scenario,
        seed: result.seed,
        runs: result.runs.map((r) => ({
          label: policyLabel(r.policy),
          ...(r.policy.name ? {} : { labelRef: policyLabelRef(r.policy) }),
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

export type Whatif = ReturnType<typeof createWhatif>
