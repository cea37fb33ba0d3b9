import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { replay } from '../../../shared/engine/whatif'
import { ScenarioInputError } from '../../../src-main/whatif/scenario-file'
import { importTraceDir, importTraceText } from '../../../src-main/whatif/traces'
import { csvRow } from '../../../shared/text/csv'
import { hasUnsafeCharacters } from '../../../shared/text/control'
import { policy } from './support/scenarios'

const bitbrainsDir = fileURLToPath(new URL('../../fixtures/traces/bitbrains/', import.meta.url))

/**
 * Straight from the raw files, without the importer: rows (5 minutes each) where a VM used more
 * CPU than its provisioned MHz at its largest core count, or more memory than its largest
 * provisioned memory. Gap rows (0 cores) do not count.
 */
function minutesAboveAllocation(): { total: number; perFile: Record<string, number> } {
  const perFile: Record<string, number> = {}
  for (const name of readdirSync(bitbrainsDir).filter((n) => n.endsWith('.csv.gz'))) {
    const rows = gunzipSync(readFileSync(bitbrainsDir + name)).toString('utf8').trim().split('\n').slice(1)
      .map((line) => line.split(';').map(Number))
      .filter((f) => f[1]! > 0 && f[2]! > 0)
    const maxCores = Math.max(...rows.map((f) => f[1]!))
    const maxMemKb = Math.max(...rows.map((f) => f[5]!))
    // MHz provisioned for the largest core count at this row's per-core speed.
    perFile[name] = 5 * rows.filter((f) => f[3]! > (f[2]! / f[1]!) * maxCores || f[6]! > maxMemKb).length
  }
  return { total: Object.values(perFile).reduce((a, b) => a + b, 0), perFile }
}

describe('Bitbrains GWA-T-12 import and replay', () => {
  it('unmet demand under static allocation equals the trace minutes where usage exceeds the allocation', () => {
    const imported = importTraceDir(bitbrainsDir)
    const { scenario, stats } = imported
    expect(stats.files).toBe(8)
    expect(stats.vms).toBe(8)
    expect(scenario.stepSeconds).toBe(300)
    // One row per step, so minutes compare one to one.
    expect(stats.collisions).toBe(0)
    const run = replay(scenario, policy({ allocation: 'static' }), { seed: 1 })
    const expected = minutesAboveAllocation()
    // The saturated VM 407 runs above 100 % of its one core for hundreds of rows: the check has teeth.
    expect(expected.perFile['407.csv.gz']).toBeGreaterThan(1000)
    expect(run.metrics.unmetVmMinutes).toBe(expected.total)
    // Under static allocation every shortfall is demand above the VM's own size.
    expect(run.metrics.aboveAllocationVmMinutes).toBe(expected.total)
    expect(run.metrics.downVmMinutes).toBe(0)
  })

  it('names the file, line and column of a bad row and imports nothing', () => {
    const good = gunzipSync(readFileSync(bitbrainsDir + '407.csv.gz')).toString('utf8').split('\n')
    good[5] = good[5]!.replace(/^(\d+);\t\d+;/, '$1;\tabc;')
    let error: unknown
    let result: unknown
    try {
      result = importTraceText('407.csv', good.join('\n'))
    } catch (e) {
      error = e
    }
    expect(result).toBeUndefined()
    expect(error).toBeInstanceOf(ScenarioInputError)
    expect((error as ScenarioInputError).details).toEqual([expect.stringMatching(/^line 6, column 2 \(CPU cores\): "abc"/)])
  })
})

describe('generic CSV import', () => {
  const csv = [
    '# exported from my monitoring',
    'vm,timestamp,cpu,mem,vcpus,memory,host',
    'web,2024-01-01T00:00:00Z,1.5,2048,2,4096,h1',
    'web,2024-01-01T00:05:00Z,2.5,2048,2,4096,h1',
    'db,1704067200,0.5,8000,4,8192,h2',
    'db,1704067500,0.7,8300,4,8192,h2',
  ].join('\n')

  it('reads named columns, ISO and epoch timestamps, allocations and hosts', () => {
    const { scenario, stats } = importTraceText('lab.csv', csv)
    expect(stats).toMatchObject({ vms: 2, rows: 4, collisions: 0, stepSeconds: 300 })
    expect(scenario.hosts.map((h) => h.id)).toEqual(['h2', 'h1'])
    expect(scenario.vms).toEqual([
      { id: 'db', hostId: 'h2', vcpus: 4, memoryMiB: 8192 },
      { id: 'web', hostId: 'h1', vcpus: 2, memoryMiB: 4096 },
    ])
    expect(scenario.workload.find((w) => w.vm === 'web')).toEqual({ vm: 'web', cpuCores: [1.5, 2.5], memMiB: [2048, 2048] })
    // web wants 2.5 cores on 2 vCPUs at 00:05; db wants 8300 MiB of 8192 at 00:05.
    const run = replay(scenario, policy({ allocation: 'static' }), { seed: 1 })
    expect(run.metrics.cpuUnmetVmMinutes).toBe(5)
    expect(run.metrics.memUnmetVmMinutes).toBe(5)
  })

  it('rejects a bad value with its line and column name', () => {
    expect(() => importTraceText('lab.csv', csv.replace('0.7,8300', '0.7,lots'))).toThrow(/line 6, column 4 \(mem\): "lots" is not a non-negative number/)
    expect(() => importTraceText('lab.csv', 'vm,time,cpu\nx,1,2')).toThrow(/neither a Bitbrains GWA-T-12 file nor a generic trace CSV/)
  })

  // What spreadsheets, R's write.csv and pandas write: every text quoted, names holding commas and quotes.
  it('reads quoted fields (RFC 4180): a name with a comma or a doubled quote stays one VM, CRLF line ends too', () => {
    const quoted = [
      '"vm","timestamp","cpu","mem"',
      '"web, eu","2024-01-01T00:00:00Z",1,512',
      '"web, eu","2024-01-01T00:05:00Z",2,512',
      '"say ""hi""","2024-01-01T00:00:00Z",0.5,256',
      '"say ""hi""","2024-01-01T00:05:00Z",0.25,256',
    ].join('\r\n')
    const { scenario, stats } = importTraceText('export.csv', quoted)
    expect(stats).toMatchObject({ vms: 2, rows: 4 })
    expect(scenario.workload).toEqual([
      { vm: 'say "hi"', cpuCores: [0.5, 0.25], memMiB: [256, 256] },
      { vm: 'web, eu', cpuCores: [1, 2], memMiB: [512, 512] },
    ])
  })

  it('reads semicolon- and tab-separated files, as spreadsheets in decimal-comma locales save them', () => {
    for (const sep of [';', '\t']) {
      const text = ['\ufeffVM', 'Timestamp', 'CPU', 'Mem'].join(sep) + '\n' + ['db 1', '1704067200', '0.5', '8000'].join(sep) + '\n' + ['db 1', '1704067500', '0.75', '8000'].join(sep)
      const { scenario } = importTraceText('sheet.csv', text)
      expect(scenario.workload).toEqual([{ vm: 'db 1', cpuCores: [0.5, 0.75], memMiB: [8000, 8000] }])
    }
  })

  it('a folder import reads .tsv files beside .csv ones, and names both when it finds neither', () => {
    const folder = mkdtempSync(join(tmpdir(), 'virtpilot-tsv-'))
    try {
      writeFileSync(join(folder, 'sheet.tsv'), 'vm\ttimestamp\tcpu\tmem\nweb\t1704067200\t1\t512\nweb\t1704067500\t2\t512\n')
      writeFileSync(join(folder, 'more.csv'), 'vm,timestamp,cpu,mem\ndb,1704067200,0.5,256\n')
      writeFileSync(join(folder, 'notes.txt'), 'not a trace')
      const { scenario, stats } = importTraceDir(folder)
      expect(stats.files).toBe(2)
      expect(scenario.workload.map((w) => [w.vm, w.cpuCores])).toEqual([['db', [0.5, 0]], ['web', [1, 2]]])
      rmSync(join(folder, 'sheet.tsv'))
      rmSync(join(folder, 'more.csv'))
      expect(() => importTraceDir(folder)).toThrow(/holds no \.csv or \.tsv files \(plain or \.gz\)/)
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })

  it('a quote left open or a stray quote names its line and imports nothing', () => {
    const rows = ['vm,timestamp,cpu,mem', 'a,1704067200,1,1', '"b,1704067200,1,1', 'c,1704067500,1,1']
    const refused = (text: string) => {
      try {
        importTraceText('lab.csv', text)
      } catch (error) {
        expect(error).toBeInstanceOf(ScenarioInputError)
        return [(error as ScenarioInputError).summary, ...(error as ScenarioInputError).details]
      }
      throw new Error('imported')
    }
    expect(refused(rows.join('\n'))).toEqual(['lab.csv is not valid CSV', 'line 3: a quoted field is not closed (a missing ")'])
    expect(refused([rows[0], rows[1], '"b"x,1704067200,1,1'].join('\n'))).toEqual(['lab.csv is not valid CSV', 'line 3: a quote inside a quoted field must be doubled ("")'])
    // A quoted line break would make a name with a line break: the scenario's rule refuses it.
    expect(refused([rows[0], '"a\nb",1704067200,1,1'].join('\n'))[1]).toMatch(/line-break/)
  })

  it("reads back any VM name the app's own CSV writer writes", () => {
    // Names a spreadsheet would run as a formula get a leading ' from the writer (its rule, not this reader's).
    const name = fc.oneof(fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }), fc.constantFrom('#web', 'a,b', 'say "hi"', 'web; eu'))
      .filter((s) => s.trim() === s && !/^[=+\-@]/.test(s) && !hasUnsafeCharacters(s))
    fc.assert(fc.property(fc.uniqueArray(name, { minLength: 1, maxLength: 4 }), (names) => {
      const text = [csvRow(['vm', 'timestamp', 'cpu', 'mem']), ...names.map((n, i) => csvRow([n, 1704067200, i, 256]))].join('\n')
      const { scenario } = importTraceText('round-trip.csv', text)
      expect(scenario.workload.map((w) => [w.vm, w.cpuCores[0]]).sort()).toEqual(names.map((n, i) => [n, i]).sort())
    }), { numRuns: 300 })
  })
})
