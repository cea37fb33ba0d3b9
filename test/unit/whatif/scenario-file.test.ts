import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createWhatif } from '../../../src-main/services/whatif'
import { openStore, type Store } from '../../../src-main/store'
import { parseScenarioText, readScenarioFile, ScenarioInputError } from '../../../src-main/whatif/scenario-file'
import { ApiFailure } from '../../../shared/api'
import { scenarioFromDemo } from '../../../src-main/whatif/build'
import { WhatifRunRequestSchema } from '../../../shared/api/whatif'

const valid = {
  version: 1,
  name: 'two hosts',
  start: 0,
  stepSeconds: 300,
  steps: 3,
  hosts: [
    { id: 'h1', cpuCores: 8, memoryMiB: 32768 },
    { id: 'h2', cpuCores: 8, memoryMiB: 32768 },
  ],
  vms: [{ id: 'v1', hostId: 'h1', vcpus: 2, memoryMiB: 4096 }],
  workload: [{ vm: 'v1', cpuCores: [1, 1, 1], memMiB: [100, 100, 100] }],
  edits: [{ kind: 'hostFailure', hostId: 'h1', atMinute: 5 }],
}

function errorOf(text: string): ScenarioInputError {
  try {
    parseScenarioText(text, 'plan.json')
  } catch (error) {
    if (error instanceof ScenarioInputError) return error
    throw error
  }
  throw new Error('expected the scenario to be rejected')
}

describe('scenario files', () => {
  it('loads a valid file with its defaults filled in', () => {
    const s = parseScenarioText(JSON.stringify(valid), 'plan.json')
    expect(s.arrivals).toEqual([])
    expect(s.edits).toEqual([{ kind: 'hostFailure', hostId: 'h1', atMinute: 5 }])
  })

  it('locates a JSON syntax error by line and column', () => {
    const text = '{\n  "version": 1,\n  "name": "x"\n  "start": 0\n}'
    const error = errorOf(text)
    expect(error.summary).toBe('plan.json is not valid JSON')
    expect(error.details).toEqual(["line 4, column 3: expected ',' or '}' after a property value"])
    expect(errorOf('{"version": 1, "hosts": [1, 2,]}').details[0]).toMatch(/^line 1, column 31: unexpected "\]"/)
    expect(errorOf('').summary).toBe('plan.json is empty')
  })

  it('names the field of every invalid value', () => {
    const bad = structuredClone(valid) as Record<string, unknown> & typeof valid
    bad.vms[0]!.vcpus = 0
    bad.workload[0]!.cpuCores = [1, 1]
    ;(bad.edits[0] as { hostId: string }).hostId = 'h9'
    const error = errorOf(JSON.stringify(bad))
    expect(error.summary).toBe('plan.json is not a valid VirtPilot scenario')
    expect(error.details).toEqual(expect.arrayContaining([
      expect.stringMatching(/^vms\.0\.vcpus: /),
    ]))
  })

  it('checks references once the shapes are right: ids, hosts, series lengths, edits', () => {
    const bad = structuredClone(valid)
    bad.vms.push({ id: 'v1', hostId: 'h3', vcpus: 1, memoryMiB: 512 })
    bad.workload[0]!.memMiB = [1]
    ;(bad.edits[0] as { hostId: string }).hostId = 'h9'
    expect(errorOf(JSON.stringify(bad)).details).toEqual([
      'vms.1.id: duplicate VM id "v1"',
      'vms.1.hostId: no host "h3" in hosts',
      'workload.0.memMiB: has 1 values, expected steps = 3',
      'edits.0.hostId: no host "h9"',
    ])
  })

  it('refuses a newer format version with what to do', () => {
    expect(errorOf(JSON.stringify({ ...valid, version: 2 })).summary).toMatch(/version 2; this VirtPilot reads version 1\. Upgrade VirtPilot/)
  })

  it('reads from disk and reports a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'virtpilot-whatif-'))
    try {
      writeFileSync(join(dir, 'ok.json'), JSON.stringify(valid))
      expect(readScenarioFile(join(dir, 'ok.json')).name).toBe('two hosts')
      expect(() => readScenarioFile(join(dir, 'missing.json'))).toThrow(/Cannot read .*missing\.json: ENOENT/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('saved scenarios (api handlers over SQLite)', { timeout: 60_000 }, () => {
  let store: Store | undefined
  afterEach(() => store?.close())

  function handlers() {
    store = openStore(':memory:')
    let now = 1_700_000_000_000
    return createWhatif({ scenarios: store.scenarios, samples: store.samples, snapshot: () => ({ t: 0, hosts: [], vms: [], hostSamples: [], vmSamples: [] }), clock: () => now++ })
  }

  it('imports, lists, runs, saves with edits, and deletes', async () => {
    const h = handlers()
    const imported = await h.import({ fileName: 'plan.json', text: JSON.stringify(valid) })
    expect(imported).toMatchObject({ name: 'two hosts', hosts: 2, vms: 1, steps: 3, requests: 0 })
    // What the dispatcher hands the handler: the request after its schema filled the defaults.
    const result = await h.run(WhatifRunRequestSchema.parse({ id: imported.id, policies: [{ allocation: 'static' }, { allocation: 'dynamic' }] }))
    expect(result.runs.map((r) => r.label)).toEqual(['static · FCFS', 'dynamic · FCFS'])
    // The failure at minute 5 takes v1 down for one 5-minute step, then it restarts on h2.
    expect(result.runs[0]!.metrics.downVmMinutes).toBe(5)
    const saved = await h.save({ id: imported.id, name: 'no failure', edits: [], asNew: true })
    expect((await h.list({})).map((s) => s.name).sort()).toEqual(['no failure', 'two hosts'])
    expect(saved.edits).toEqual([])
    expect(await h.delete({ id: imported.id })).toEqual({ deleted: true })
    await expect(h.get({ id: imported.id })).rejects.toMatchObject({ code: 'not-found' })
  })

  it('a file that fails to load leaves nothing behind, and says which field is wrong', async () => {
    const h = handlers()
    await h.build({ source: 'demo', windowDays: 7 })
    const before = await h.list({})
    const bad = { ...valid, hosts: [{ id: 'h1', cpuCores: -8, memoryMiB: 32768 }, valid.hosts[1]] }
    const failure = await h.import({ fileName: 'plan.json', text: JSON.stringify(bad) }).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(ApiFailure)
    expect(failure).toMatchObject({ code: 'bad-request', message: 'plan.json is not a valid VirtPilot scenario' })
    expect((failure as ApiFailure).details).toEqual([expect.stringMatching(/^hosts\.0\.cpuCores: /)])
    const truncated = JSON.stringify(scenarioFromDemo()).slice(0, 5000)
    await expect(h.import({ fileName: 'demo.json', text: truncated })).rejects.toMatchObject({ code: 'bad-request', details: [expect.stringMatching(/^line 1, column \d+: /)] })
    expect(await h.list({})).toEqual(before)
  })

  it('refuses edits that name hosts the scenario does not have, and keeps the saved one', async () => {
    const h = handlers()
    const imported = await h.import({ fileName: 'plan.json', text: JSON.stringify(valid) })
    await expect(
      h.save({ id: imported.id, name: 'x', edits: [{ kind: 'maintenance', hostId: 'nope', fromMinute: 0, toMinute: 10 }], asNew: false }),
    ).rejects.toMatchObject({ code: 'bad-request', details: ['edits.0.hostId: no host "nope"'] })
    expect((await h.get({ id: imported.id })).edits).toEqual(valid.edits)
  })
})
