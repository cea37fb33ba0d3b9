import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { Readable } from 'node:stream'
import { createGzip } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiFailure } from '../../../shared/api'
import { SeriesQuerySchema } from '../../../shared/api/dashboard'
import { PolicySetSchema, ScenarioSchema } from '../../../shared/model/scenario'
import { createWhatif } from '../../../src-main/services/whatif'
import { openStore } from '../../../src-main/store'
import { scenarioFromDemo } from '../../../src-main/whatif/build'
import { importInWorker } from '../../../src-main/whatif/import'
import { IMPORT_LIMITS } from '../../../src-main/whatif/limits'
import { findWorkerEntry, workerRunner } from '../../../src-main/whatif/run'
import { ScenarioInputError } from '../../../src-main/whatif/scenario-file'
import { importTraceDir, importTraceText } from '../../../src-main/whatif/traces'

// Imported files are hostile input: each limit is hit by a small file made for it, and the
// refusal says which limit. Imports and replays run in workers whose memory and time are bounded.

const entry = findWorkerEntry(new URL('../../../src-main/whatif/run.ts', import.meta.url).href)
let dir: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'virtpilot-limits-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function inputError(run: () => unknown): ScenarioInputError {
  try {
    run()
  } catch (error) {
    if (error instanceof ScenarioInputError) return error
    throw error
  }
  throw new Error('expected a ScenarioInputError')
}

const base = {
  version: 1,
  name: 'limits',
  start: 0,
  stepSeconds: 300,
  steps: 12,
  hosts: [{ id: 'h1', cpuCores: 8, memoryMiB: 32768 }],
  vms: [],
  workload: [],
}

describe('trace and scenario import limits', { timeout: 60_000 }, () => {
  it('a 76-byte CSV whose last row is far in the future is refused before any grid is made, naming the step limit', () => {
    const csv = 'vm,timestamp,cpu,mem\na,0,1,1\na,60,1,1\na,120,1,1\na,180,1,1\na,10000000000,1,1\n'
    expect(csv.length).toBeLessThan(80)
    const error = inputError(() => importTraceText('tiny.csv', csv))
    expect(error.summary).toMatch(/^The rows span 166,666,668 steps of 60 s \(.*\); the import limit is 1,000,000 steps$/)
  })

  it('many VMs times many steps is refused by the VM-steps limit', () => {
    const rows = ['vm,timestamp,cpu,mem']
    // 5-minute rows (the step the importer infers), and one row 100,000 steps later.
    for (let v = 0; v < 101; v++) rows.push(`vm${v},0,1,1`, `vm${v},300,1,1`, `vm${v},600,1,1`, `vm${v},${300 * 99_999},1,1`)
    const error = inputError(() => importTraceText('wide.csv', rows.join('\n')))
    expect(error.summary).toBe(`101 VMs x 100,000 steps is more than the import limit of ${IMPORT_LIMITS.vmSteps.toLocaleString('en')} VM-steps`)
  })

  it('a header with a million columns is refused at the column limit', () => {
    const csv = `vm,timestamp,cpu,mem,${Array.from({ length: 1_000_000 }, (_, i) => `c${i}`).join(',')}\na,0,1,1\n`
    expect(inputError(() => importTraceText('columns.csv', csv)).summary).toBe('columns.csv has more than 64 columns (the import limit)')
  })

  it('300,000 rows of one VM without a vcpus column import (no stack overflow from spreading them)', () => {
    const rows = ['vm,timestamp,cpu,mem']
    for (let i = 0; i < 300_000; i++) rows.push(`a,${i * 60},${(i % 7) / 2},${1000 + (i % 5)}`)
    const { scenario } = importTraceText('long.csv', rows.join('\n'))
    expect(scenario.steps).toBe(300_000)
    expect(scenario.vms[0]!.vcpus).toBe(3)
  })

  it('a .csv.gz that unpacks past the decompressed-size limit is refused, naming it', { timeout: 120_000 }, async () => {
    const traces = join(dir, 'bomb')
    rmSync(traces, { recursive: true, force: true })
    mkdirSync(traces)
    const chunk = Buffer.from('a,0,1,1\n'.repeat(128 * 1024))
    const chunks = Math.ceil((IMPORT_LIMITS.decompressedBytes + 1) / chunk.length)
    await pipeline(
      Readable.from((function* () {
        yield Buffer.from('vm,timestamp,cpu,mem\n')
        for (let i = 0; i < chunks; i++) yield chunk
      })()),
      createGzip({ level: 1 }),
      createWriteStream(join(traces, 'bomb.csv.gz')),
    )
    expect(inputError(() => importTraceDir(traces)).summary).toBe('bomb.csv.gz unpacks to more than 256 MiB (the import limit)')
  })

  it('numbers past realistic bounds and arrival streams that would generate too much are refused, naming the field', () => {
    const huge = ScenarioSchema.safeParse({ ...base, hosts: [{ id: 'h1', cpuCores: 1e300, memoryMiB: 1e300 }] })
    expect(huge.success).toBe(false)
    expect(huge.error!.issues.map((i) => i.path.join('.'))).toEqual(['hosts.0.cpuCores', 'hosts.0.memoryMiB'])
    const stream = { name: 's', fromMinute: 0, vcpus: [1, 2], memoryMiB: [512, 1024], durationMinutes: [10, 20] }
    const forever = ScenarioSchema.safeParse({ ...base, arrivalStreams: [{ ...stream, toMinute: 1e12, perHour: 10_000 }] })
    expect(forever.error!.issues.map((i) => i.path.join('.'))).toEqual(['arrivalStreams.0.toMinute'])
    // Within the bounds, but a year of 10,000 requests an hour: far past the arrivals limit.
    const year = ScenarioSchema.safeParse({ ...base, steps: 105_120, arrivalStreams: [{ ...stream, toMinute: 525_600, perHour: 10_000 }] })
    expect(year.error!.issues).toEqual([expect.objectContaining({ path: ['arrivalStreams'], message: expect.stringMatching(/the limit is 1,000,000/) })])
    // A stream that runs past the scenario's end only counts (and generates) until the end.
    expect(ScenarioSchema.safeParse({ ...base, arrivalStreams: [{ ...stream, toMinute: 1e8, perHour: 10_000 }] }).success).toBe(true)
  })

  it('deeply nested broken JSON is a bad request naming the nesting, not a stack overflow', { timeout: 60_000 }, async () => {
    const store = openStore(':memory:')
    try {
      const whatif = createWhatif({ scenarios: store.scenarios, samples: store.samples, snapshot: () => ({ t: 0, hosts: [], vms: [], hostSamples: [], vmSamples: [] }), clock: () => 1 })
      const failure = await whatif.import({ fileName: 'deep.json', text: `{"a":${'['.repeat(200_000)}` }).catch((e: unknown) => e)
      expect(failure).toBeInstanceOf(ApiFailure)
      expect(failure).toMatchObject({ code: 'bad-request', message: 'deep.json is not valid JSON', details: [expect.stringMatching(/nested deeper than 512 levels/)] })
    } finally {
      store.close()
    }
  })
})

describe('imports and replays in bounded workers', () => {
  it('an import past the worker memory limit ends with a message naming that limit', { timeout: 120_000 }, async () => {
    const rows = ['vm,timestamp,cpu,mem']
    for (let i = 0; i < 400_000; i++) rows.push(`vm${i % 40},${Math.floor(i / 40) * 300},1.5,2048`)
    writeFileSync(join(dir, 'big.csv'), rows.join('\n'))
    const error = await importInWorker({ fileName: 'big.csv', text: rows.join('\n') }, entry, { workerMemoryMiB: 16, importSeconds: 300 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ScenarioInputError)
    expect((error as ScenarioInputError).summary).toBe('The import needed more than 16 MiB of memory (the import limit)')
  })

  it('an import past the time limit ends with a message naming it; within the limits the same file imports', { timeout: 120_000 }, async () => {
    const csv = 'vm,timestamp,cpu,mem\na,0,1,1\na,300,2,2\n'
    const slow = await importInWorker({ fileName: 'a.csv', text: csv }, entry, { workerMemoryMiB: 2048, importSeconds: 0.001 }).catch((e: unknown) => e)
    expect((slow as ScenarioInputError).summary).toBe('The import took longer than 0.001 s (the import limit)')
    const imported = await importInWorker({ fileName: 'a.csv', text: csv, name: 'named' }, entry)
    expect(imported.head).toMatchObject({ name: 'named', steps: 2, workload: [] })
    expect(JSON.parse(imported.data).workload[0].cpuCores).toEqual([1, 2])
  })

  it('a replay past its time limit ends with a bad request naming the limit', { timeout: 120_000 }, async () => {
    const run = workerRunner(entry, 1, { workerMemoryMiB: 2048, replaySeconds: 0.001 })
    const error = await run({ scenario: scenarioFromDemo(), policies: [PolicySetSchema.parse({ allocation: 'static' })], seed: 1 }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'bad-request', message: expect.stringMatching(/^The what-if replay took longer than 0\.001 s \(the limit\)/) })
  })
})

describe('dashboard series requests', () => {
  it('ask for each metric once and at most 16 (5,000 used to reach SQLite as 5,000 columns)', () => {
    const query = (metrics: string[]) => SeriesQuerySchema.safeParse({ kind: 'host', id: 'h1', from: 0, to: 1, metrics })
    expect(query(Array.from({ length: 5000 }, () => 'cpuPct')).success).toBe(false)
    expect(query(['cpuPct', 'cpuPct', 'memUsedMiB']).data).toMatchObject({ metrics: ['cpuPct', 'memUsedMiB'] })
  })
})
