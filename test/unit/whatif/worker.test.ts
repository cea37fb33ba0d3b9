import { afterEach, describe, expect, it } from 'vitest'
import { ApiFailure } from '../../../shared/api'
import { WhatifRunRequestSchema } from '../../../shared/api/whatif'
import { createWhatif } from '../../../src-main/services/whatif'
import { openStore, type Store } from '../../../src-main/store'
import { findWorkerEntry, runInProcess, workerRunner, type WhatifRunner } from '../../../src-main/whatif/run'
import { scenarioFromDemo } from '../../../src-main/whatif/build'

describe('what-if runs in a worker thread', () => {
  let store: Store | undefined
  afterEach(() => store?.close())

  function handlers(runner: WhatifRunner) {
    store = openStore(':memory:')
    let now = 1_700_000_000_000
    return createWhatif({ scenarios: store.scenarios, samples: store.samples, snapshot: () => ({ t: 0, hosts: [], vms: [], hostSamples: [], vmSamples: [] }), clock: () => now++, runner })
  }

  it('finds the worker entry from source (tsx) and none for a non-file module', () => {
    expect(findWorkerEntry(new URL('../../../src-main/whatif/run.ts', import.meta.url).href)).toMatchObject({ execArgv: ['--import', 'tsx'] })
    expect(findWorkerEntry('data:text/javascript,')).toBeNull()
  })

  it('the handler returns the same metrics through the worker as in this thread', async () => {
    const entry = findWorkerEntry(new URL('../../../src-main/whatif/run.ts', import.meta.url).href)
    expect(entry).not.toBeNull()
    // Two workers, one policy set each: the merged result equals one comparison in this thread.
    const viaWorker = handlers(workerRunner(entry, 2))
    const built = await viaWorker.build({ source: 'demo', windowDays: 2 })
    const req = WhatifRunRequestSchema.parse({
      id: built.id,
      seed: 7,
      policies: [{ allocation: 'static' }, { allocation: 'hybrid', scheduling: 'easy', balance: { enabled: true } }, { allocation: 'dynamic', scheduling: 'sjf' }],
    })
    const worker = await viaWorker.run(req)
    const scenario = scenarioFromDemo()
    const local = await runInProcess({ scenario, policies: req.policies, seed: 7, maxPoints: req.maxPoints })
    expect(worker.runs.map((r) => r.metrics)).toEqual(local.runs.map((r) => r.metrics))
    expect(worker.runs.map((r) => r.series)).toEqual(local.runs.map((r) => r.series))
    expect(worker.runs.map((r) => r.policy)).toEqual(req.policies)
    expect(worker.scenario).toEqual(local.scenario)
  }, 120_000)

  it('a replay error and a worker crash come back as clear api errors', async () => {
    const entry = findWorkerEntry(new URL('../../../src-main/whatif/run.ts', import.meta.url).href)!
    const run = workerRunner(entry)
    // A scenario the engine cannot replay: the error comes back as a value, not a dead worker.
    const broken = await run({ scenario: { steps: 3 } as never, policies: [{ allocation: 'static' } as never], seed: 1 }).catch((e: unknown) => e)
    expect(broken).toBeInstanceOf(ApiFailure)
    expect(broken).toMatchObject({ code: 'internal', message: expect.stringMatching(/^The what-if replay failed: /) })
    // A worker that cannot start (missing entry) is an internal error naming the worker.
    const crashed = await workerRunner({ url: new URL('./no-such-worker.js', import.meta.url), execArgv: [] })({ scenario: scenarioFromDemo(), policies: [], seed: 1 }).catch((e: unknown) => e)
    expect(crashed).toBeInstanceOf(ApiFailure)
    expect(crashed).toMatchObject({ code: 'internal', message: expect.stringMatching(/^The what-if worker (crashed|exited)/) })
  }, 60_000)
})
