import { readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { CsvError, parse as parseCsv } from 'csv-parse/sync'
import { SCENARIO_VERSION, ScenarioSchema, type Scenario, type ScenarioHost, type ScenarioSource } from '../../shared/model/scenario'
import { english, msg } from '../../shared/i18n'
import { count, IMPORT_LIMITS, mib } from './limits'
import { issueProblems, problem, ScenarioInputError } from './scenario-file'

/**
 * Trace importers: per-VM usage rows from the Bitbrains GWA-T-12 per-VM CSV or the generic CSV,
 * laid on a fixed step grid and turned into a scenario. A file loads whole or not at all: the
 * first bad row stops the import with its file, line and column.
 */
export interface TraceVm {
  vm: string
  /** Epoch ms, one per row. */
  t: number[]
  cpuCores: number[]
  memMiB: number[]
  vcpus: number
  memoryMiB: number
  host?: string
}

export interface TraceImportOptions {
  name?: string
  /** Grid step; default: the median gap between rows, rounded to a minute. */
  stepSeconds?: number
  /** Keep only this many days from the first row. */
  days?: number
  /** Shape of generated hosts (default: 32 logical CPUs and 256 GiB, or the largest VM if bigger). */
  hostCpuCores?: number
  hostMemoryMiB?: number
}

export interface TraceImport {
  scenario: Scenario
  stats: {
    files: number
    vms: number
    rows: number
    /** Bitbrains rows with 0 cores (trace gaps), not used. */
    skippedRows: number
    /** Rows that fell in a step already holding one (the larger value is kept). */
    collisions: number
    stepSeconds: number
  }
}

const MIB_PER_GIB = 1024
const BITBRAINS_HEADER = /^Timestamp \[ms\];/

export type TraceFormat = 'bitbrains' | 'generic-csv'

export function detectTraceFormat(text: string): TraceFormat | null {
  const first = firstContentLine(text, 50)
  if (BITBRAINS_HEADER.test(first.text)) return 'bitbrains'
  return genericHeader(first.text) ? 'generic-csv' : null
}

/** The first line that is neither blank nor a # comment: its text, its index and where it ends. */
function firstContentLine(text: string, maxLines = Number.POSITIVE_INFINITY): { text: string; index: number; end: number } {
  let start = 0
  for (let index = 0; index < maxLines && start <= text.length; index++) {
    const newline = text.indexOf('\n', start)
    const end = newline < 0 ? text.length : newline
    const trimmed = text.slice(start, end).trim()
    if (trimmed !== '' && !trimmed.startsWith('#')) return { text: trimmed, index, end }
    start = end + 1
  }
  return { text: '', index: -1, end: -1 }
}

const REQUIRED_COLUMNS = ['vm', 'timestamp', 'cpu', 'mem']
/** Spreadsheets and exporters write commas, semicolons (locales with a decimal comma) or tabs. */
const DELIMITERS = [',', ';', '\t']
/** A field longer than this is a missing closing quote, not a VM name. */
const MAX_RECORD_BYTES = 64 * 1024

/** One CSV line's fields, quotes honoured (RFC 4180); null when it is not valid CSV. */
function splitLine(line: string, delimiter: string): string[] | null {
  try {
    return (parseCsv(line, { delimiter, trim: true, bom: true, to_line: 1, max_record_size: MAX_RECORD_BYTES }) as string[][])[0] ?? []
  } catch {
    return null
  }
}

/**
 * The generic CSV's header: the delimiter under which it names vm, timestamp, cpu and mem (names
 * may be quoted, in any case), its columns in lower case. Null when no delimiter gives all four.
 */
function genericHeader(line: string): { delimiter: string; columns: string[] } | null {
  for (const delimiter of DELIMITERS) {
    // Past the column limit only the first fields are read: enough to say what the file is and refuse it.
    const head = line.split(delimiter, IMPORT_LIMITS.columns + 1).join(delimiter)
    const columns = splitLine(head, delimiter)?.map((c) => c.toLowerCase())
    if (columns && REQUIRED_COLUMNS.every((c) => columns.includes(c))) return { delimiter, columns }
  }
  return null
}

/**
 * Calls `visit` with each data row's fields and its line number (1-based); `rows` is the text
 * after the header, which is line `headerLine`. Blank lines and lines starting with # are
 * skipped. Rows with no double quote are split by lines (the common export; the whole import
 * runs 1.5x faster so, test/bench/trace-import.bench.ts); rows with quotes are read by csv-parse
 * (RFC 4180: quoted delimiters, doubled quotes), so a name like "web, eu" stays one field. Stops
 * at the first malformed quote, naming its line.
 */
function eachRow(rows: string, headerLine: number, delimiter: string, fileName: string, visit: (fields: string[], line: number) => void): void {
  if (!rows.includes('"')) {
    const lines = rows.split('\n')
    for (let n = 0; n < lines.length; n++) {
      const line = lines[n]!.trim()
      if (line === '' || line.startsWith('#')) continue
      visit(line.split(delimiter, IMPORT_LIMITS.columns + 1).map((f) => f.trim()), headerLine + n + 1)
    }
    return
  }
  // csv-parse reports an unclosed quote at the end of the text: the row after the last good one opened it.
  let lastGood = headerLine
  try {
    parseCsv(rows, {
      delimiter,
      trim: true,
      comment: '#',
      comment_no_infix: true,
      skip_empty_lines: true,
      relax_column_count: true,
      max_record_size: MAX_RECORD_BYTES,
      on_record: (fields: string[], info) => {
        visit(fields, headerLine + info.lines)
        lastGood = headerLine + info.lines
        return null
      },
    })
  } catch (error) {
    if (!(error instanceof CsvError)) throw error
    const line = error.code === 'CSV_QUOTE_NOT_CLOSED' ? lastGood + 1 : headerLine + ((error as CsvError & { lines?: number }).lines ?? 1)
    const reason = CSV_REASONS[error.code]
    throw new ScenarioInputError(msg('input.trace.notCsv', { file: fileName }), [problem(reason ? msg(reason, { line, bytes: count(MAX_RECORD_BYTES) }) : msg('input.trace.csvOther', { line, code: error.code }))])
  }
}

/** csv-parse's error codes in the admin's words. */
const CSV_REASONS: Partial<Record<string, 'input.trace.quoteNotClosed' | 'input.trace.quoteInField' | 'input.trace.textAfterQuote' | 'input.trace.fieldTooLong'>> = {
  CSV_QUOTE_NOT_CLOSED: 'input.trace.quoteNotClosed',
  CSV_INVALID_CLOSING_QUOTE: 'input.trace.quoteInField',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'input.trace.textAfterQuote',
  CSV_MAX_RECORD_SIZE: 'input.trace.fieldTooLong',
}

/**
 * One Bitbrains GWA-T-12 per-VM file (`;`+TAB separated, header line). The timestamp is epoch
 * seconds despite its "[ms]" header; rows with 0 cores are trace gaps and are skipped. CPU
 * use in cores = usage MHz / provisioned MHz x cores; memory KB -> MiB. Allocation: the largest
 * cores and provisioned memory seen.
 */
export function parseBitbrainsCsv(text: string, vm: string, fileName: string): { vm: TraceVm; rows: number; skipped: number } {
  const lines = text.split('\n')
  if (!BITBRAINS_HEADER.test(lines[0] ?? '')) throw new ScenarioInputError(msg('input.trace.notBitbrains', { file: fileName }), [problem(msg('input.trace.bitbrainsHeader', { line: 1 }))])
  const out: TraceVm = { vm, t: [], cpuCores: [], memMiB: [], vcpus: 0, memoryMiB: 0 }
  let rows = 0
  let skipped = 0
  const names = ['Timestamp', 'CPU cores', 'CPU capacity provisioned', 'CPU usage [MHZ]', 'CPU usage [%]', 'Memory capacity provisioned', 'Memory usage']
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n]!.trim()
    if (line === '') continue
    const fields = line.split(';')
    if (fields.length < 7) throw new ScenarioInputError(msg('input.trace.malformedRow', { file: fileName }), [problem(msg('input.trace.fieldCount', { line: n + 1, count: fields.length }))])
    const values = fields.slice(0, 7).map((f) => Number(f.trim()))
    values.forEach((v, k) => {
      if (!Number.isFinite(v) || v < 0) throw new ScenarioInputError(msg('input.trace.badValue', { file: fileName }), [problem(msg('input.trace.notNonNegative', { where: msg('input.trace.cell', { line: n + 1, column: k + 1, name: names[k]! }), value: JSON.stringify(fields[k]!.trim()) }))])
    })
    if (++rows > IMPORT_LIMITS.rows) throw new ScenarioInputError(msg('input.trace.tooManyRows', { file: fileName, rows: count(IMPORT_LIMITS.rows) }))
    const [ts, cores, capMhz, usedMhz, , memProvKb, memUsedKb] = values as [number, number, number, number, number, number, number]
    if (!(cores > 0 && capMhz > 0)) {
      skipped++
      continue
    }
    out.t.push(ts * 1000)
    out.cpuCores.push((usedMhz / capMhz) * cores)
    out.memMiB.push(memUsedKb / 1024)
    out.vcpus = Math.max(out.vcpus, cores)
    out.memoryMiB = Math.max(out.memoryMiB, memProvKb / 1024)
  }
  if (out.t.length === 0) throw new ScenarioInputError(msg('input.trace.allGaps', { file: fileName, rows }))
  out.vcpus = Math.max(1, Math.round(out.vcpus))
  out.memoryMiB = Math.max(out.memoryMiB, 1)
  return { vm: out, rows, skipped }
}

/**
 * The generic CSV: a header line naming the columns (any order, case-insensitive), then one row
 * per VM and time, fields separated by commas, semicolons or tabs (as the header is) and quoted
 * where they hold one. Required: vm, timestamp (epoch seconds, epoch ms, or ISO 8601), cpu (cores
 * used), mem (MiB used). Optional: vcpus, memory (allocated MiB), host. Lines starting with # are
 * comments.
 */
export function parseGenericCsv(text: string, fileName: string): { vms: TraceVm[]; rows: number } {
  const first = firstContentLine(text)
  if (first.index < 0) throw new ScenarioInputError(msg('input.file.empty', { file: fileName }))
  const found = genericHeader(first.text)
  const delimiter = found?.delimiter ?? ','
  const header = found?.columns ?? first.text.split(',', IMPORT_LIMITS.columns + 1).map((c) => c.trim().toLowerCase())
  const headerLine = first.index + 1
  if (header.length > IMPORT_LIMITS.columns) throw new ScenarioInputError(msg('input.trace.tooManyColumns', { file: fileName, columns: IMPORT_LIMITS.columns }), [problem(msg('input.trace.headerNamesFew', { line: headerLine }))])
  const col = (name: string) => header.indexOf(name)
  const missing = REQUIRED_COLUMNS.filter((c) => col(c) < 0)
  if (missing.length > 0) throw new ScenarioInputError(msg('input.trace.notGeneric', { file: fileName }), [problem(msg('input.trace.missingColumns', { line: headerLine, columns: missing.join(', ') }))])
  const byVm = new Map<string, TraceVm & { maxVcpus: number; maxMemory: number }>()
  let rows = 0
  eachRow(text.slice(first.end + 1), headerLine, delimiter, fileName, (fields, lineNo) => {
    const where = (name: string) => msg('input.trace.cell', { line: lineNo, column: col(name) + 1, name })
    if (fields.length < header.length) throw new ScenarioInputError(msg('input.trace.shortRow', { file: fileName }), [problem(msg('input.trace.shortRowDetail', { line: lineNo, count: fields.length, header: header.length }))])
    const vm = fields[col('vm')]!
    if (vm === '') throw new ScenarioInputError(msg('input.trace.noVm', { file: fileName }), [problem(msg('input.trace.empty', { where: where('vm') }))])
    const t = parseTimestamp(fields[col('timestamp')]!)
    if (t === null) throw new ScenarioInputError(msg('input.trace.badTimestamp', { file: fileName }), [problem(msg('input.trace.notTimestamp', { where: where('timestamp'), value: JSON.stringify(fields[col('timestamp')]) }))])
    const number = (name: string, required: boolean): number | undefined => {
      const i = col(name)
      if (i < 0 || (!required && fields[i] === '')) return undefined
      const v = Number(fields[i])
      if (fields[i] === '' || !Number.isFinite(v) || v < 0) throw new ScenarioInputError(msg('input.trace.badValue', { file: fileName }), [problem(msg('input.trace.notNonNegative', { where: where(name), value: JSON.stringify(fields[i]) }))])
      return v
    }
    const cpu = number('cpu', true)!
    const mem = number('mem', true)!
    const vcpus = number('vcpus', false)
    const memory = number('memory', false)
    const host = col('host') >= 0 && fields[col('host')] !== '' ? fields[col('host')] : undefined
    let entry = byVm.get(vm)
    if (!entry) byVm.set(vm, (entry = { vm, t: [], cpuCores: [], memMiB: [], vcpus: 0, memoryMiB: 0, maxVcpus: 0, maxMemory: 0, ...(host ? { host } : {}) }))
    entry.t.push(t)
    entry.cpuCores.push(cpu)
    entry.memMiB.push(mem)
    entry.maxVcpus = Math.max(entry.maxVcpus, vcpus ?? 0)
    entry.maxMemory = Math.max(entry.maxMemory, memory ?? 0)
    if (++rows > IMPORT_LIMITS.rows) throw new ScenarioInputError(msg('input.trace.tooManyRows', { file: fileName, rows: count(IMPORT_LIMITS.rows) }))
  })
  if (rows === 0) throw new ScenarioInputError(msg('input.trace.noRows', { file: fileName }))
  const vms = [...byVm.values()].map(({ maxVcpus, maxMemory, ...v }) => ({
    ...v,
    // Without an allocation column: enough for the peak seen.
    vcpus: maxVcpus > 0 ? Math.ceil(maxVcpus) : Math.max(1, Math.ceil(largest(v.cpuCores) - 1e-9)),
    memoryMiB: maxMemory > 0 ? maxMemory : Math.max(256, Math.ceil(largest(v.memMiB) / 256) * 256),
  }))
  return { vms, rows }
}

/** The largest value (a loop: spreading 300,000 rows into Math.max overflows the stack). */
function largest(values: readonly number[], start = -Infinity): number {
  let max = start
  for (const v of values) if (v > max) max = v
  return max
}

function smallest(values: readonly number[]): number {
  let min = Infinity
  for (const v of values) if (v < min) min = v
  return min
}

function parseTimestamp(text: string): number | null {
  if (/^\d+(\.\d+)?$/.test(text)) {
    const v = Number(text)
    return v > 1e11 ? v : v * 1000
  }
  const parsed = Date.parse(text)
  return Number.isFinite(parsed) ? parsed : null
}

/** Rows of many VMs on one step grid, with generated hosts unless the rows name them. */
export function scenarioFromTraces(vms: TraceVm[], options: TraceImportOptions & { source: ScenarioSource; files: number; rows: number; skipped: number }): TraceImport {
  if (vms.length === 0) throw new ScenarioInputError(msg('input.trace.noVmRows'))
  const stepSeconds = options.stepSeconds ?? inferStepSeconds(vms)
  const stepMs = stepSeconds * 1000
  const start = smallest(vms.map((v) => smallest(v.t)))
  const end = largest(vms.map((v) => largest(v.t)))
  let steps = Math.round((end - start) / stepMs) + 1
  if (options.days !== undefined) steps = Math.min(steps, Math.max(1, Math.round((options.days * 86_400) / stepSeconds)))
  // Checked before anything is allocated for the grid.
  if (!(steps <= IMPORT_LIMITS.steps)) {
    throw new ScenarioInputError(
      msg('input.trace.tooManySteps', { steps: count(steps), seconds: stepSeconds, from: new Date(start).toISOString(), to: new Date(end).toISOString(), limit: count(IMPORT_LIMITS.steps) }),
      [problem(msg('input.trace.tooManyStepsHint'))],
    )
  }
  if (steps * vms.length > IMPORT_LIMITS.vmSteps) {
    throw new ScenarioInputError(msg('input.trace.tooManyVmSteps', { vms: count(vms.length), steps: count(steps), limit: count(IMPORT_LIMITS.vmSteps) }), [problem(msg('input.trace.fewerVms'))])
  }
  let collisions = 0
  const sorted = [...vms].sort((a, b) => (a.vm < b.vm ? -1 : a.vm > b.vm ? 1 : 0))
  const workload = sorted.map((v) => {
    const cpu = new Array<number>(steps).fill(0)
    const mem = new Array<number>(steps).fill(0)
    const seen = new Uint8Array(steps)
    for (let i = 0; i < v.t.length; i++) {
      const b = Math.round((v.t[i]! - start) / stepMs)
      if (b < 0 || b >= steps) continue
      if (seen[b]) {
        collisions++
        cpu[b] = Math.max(cpu[b]!, v.cpuCores[i]!)
        mem[b] = Math.max(mem[b]!, v.memMiB[i]!)
      } else {
        cpu[b] = v.cpuCores[i]!
        mem[b] = v.memMiB[i]!
        seen[b] = 1
      }
    }
    return { vm: v.vm, cpuCores: cpu, memMiB: mem }
  })
  const hostCores = options.hostCpuCores ?? largest(vms.map((v) => v.vcpus), 32)
  const hostMem = options.hostMemoryMiB ?? largest(vms.map((v) => Math.ceil(v.memoryMiB)), 256 * MIB_PER_GIB)
  const tooBig = sorted.find((v) => v.vcpus > hostCores || v.memoryMiB > hostMem)
  if (tooBig) throw new ScenarioInputError(msg('input.trace.vmTooBig', { vm: tooBig.vm, vcpus: tooBig.vcpus, mib: Math.round(tooBig.memoryMiB), cores: hostCores, hostMib: hostMem }))
  const hosts: ScenarioHost[] = []
  const placement = new Map<string, string>()
  if (sorted.every((v) => v.host)) {
    for (const id of new Set(sorted.map((v) => v.host!))) hosts.push({ id, cpuCores: hostCores, memoryMiB: hostMem })
    for (const v of sorted) placement.set(v.vm, v.host!)
  } else {
    // First fit without overcommit: the imported cluster starts with every allocation backed.
    const room: { cpu: number; mem: number }[] = []
    for (const v of sorted) {
      let h = room.findIndex((r) => r.cpu >= v.vcpus && r.mem >= v.memoryMiB)
      if (h < 0) {
        room.push({ cpu: hostCores, mem: hostMem })
        hosts.push({ id: `host-${hosts.length + 1}`, cpuCores: hostCores, memoryMiB: hostMem })
        h = room.length - 1
      }
      room[h]!.cpu -= v.vcpus
      room[h]!.mem -= v.memoryMiB
      placement.set(v.vm, hosts[h]!.id)
    }
  }
  const nameRef = options.source.kind === 'bitbrains' ? msg('input.name.bitbrains', { count: sorted.length }) : msg('input.name.trace', { count: sorted.length })
  const candidate = {
    version: SCENARIO_VERSION,
    name: options.name ?? english(nameRef),
    ...(options.name === undefined ? { nameRef } : {}),
    source: options.source,
    start,
    stepSeconds,
    steps,
    hosts,
    vms: sorted.map((v) => ({ id: v.vm, hostId: placement.get(v.vm)!, vcpus: v.vcpus, memoryMiB: v.memoryMiB })),
    workload,
  }
  const parsed = ScenarioSchema.safeParse(candidate)
  if (!parsed.success) throw new ScenarioInputError(msg('input.trace.invalid'), issueProblems(parsed.error))
  return { scenario: parsed.data, stats: { files: options.files, vms: sorted.length, rows: options.rows, skippedRows: options.skipped, collisions, stepSeconds } }
}

function inferStepSeconds(vms: readonly TraceVm[]): number {
  const gaps: number[] = []
  for (const v of vms) for (let i = 1; i < v.t.length && gaps.length < 100_000; i++) if (v.t[i]! > v.t[i - 1]!) gaps.push(v.t[i]! - v.t[i - 1]!)
  if (gaps.length === 0) return 300
  gaps.sort((a, b) => a - b)
  const median = gaps[Math.floor(gaps.length / 2)]! / 1000
  return Math.min(86_400, Math.max(60, Math.round(median / 60) * 60))
}

/** One file's text (scenario traces only; scenario JSON is parseScenarioText). */
export function importTraceText(fileName: string, text: string, options: TraceImportOptions = {}): TraceImport {
  const format = detectTraceFormat(text)
  if (format === 'bitbrains') {
    const parsed = parseBitbrainsCsv(text, vmNameFor(fileName), fileName)
    return scenarioFromTraces([parsed.vm], { ...options, source: { kind: 'bitbrains', detail: fileName }, files: 1, rows: parsed.rows, skipped: parsed.skipped })
  }
  if (format === 'generic-csv') {
    const parsed = parseGenericCsv(text, fileName)
    return scenarioFromTraces(parsed.vms, { ...options, source: { kind: 'generic-csv', detail: fileName }, files: 1, rows: parsed.rows, skipped: 0 })
  }
  throw new ScenarioInputError(msg('input.trace.unknownFormat', { file: fileName }), [problem(msg('input.trace.expectedHeader'))])
}

/** One file's text: gunzipped when it ends in .gz, never more than the decompressed-size limit. */
function readTraceFile(path: string, name: string): string {
  const limit = IMPORT_LIMITS.decompressedBytes
  if (statSync(path).size > limit) throw new ScenarioInputError(msg('input.file.tooLarge', { file: name, size: mib(limit) }))
  const raw = readFileSync(path)
  if (!name.toLowerCase().endsWith('.gz')) return raw.toString('utf8')
  try {
    return gunzipSync(raw, { maxOutputLength: limit }).toString('utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new ScenarioInputError(msg('input.file.unpacksTooLarge', { file: name, size: mib(limit) }))
    throw new ScenarioInputError(msg('input.file.notGzip', { file: name, reason: (error as Error).message }))
  }
}

function vmNameFor(fileName: string): string {
  return `bb${basename(fileName).replace(/\.[ct]sv(\.gz)?$/i, '')}`
}

/** Every *.csv / *.tsv (plain or .gz) in a folder: Bitbrains per-VM files, generic CSVs, or both. */
export function importTraceDir(dir: string, options: TraceImportOptions = {}): TraceImport {
  let names: string[]
  try {
    if (!statSync(dir).isDirectory()) throw new ScenarioInputError(msg('input.file.notFolder', { dir }))
    names = readdirSync(dir).filter((n) => /\.[ct]sv(\.gz)?$/i.test(n)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
  } catch (error) {
    if (error instanceof ScenarioInputError) throw error
    throw new ScenarioInputError(msg('input.file.cannotRead', { file: dir, reason: (error as NodeJS.ErrnoException).code ?? (error as Error).message }))
  }
  if (names.length === 0) throw new ScenarioInputError(msg('input.file.noTraces', { dir }))
  const vms: TraceVm[] = []
  let rows = 0
  let skipped = 0
  const kinds = new Set<TraceFormat>()
  for (const name of names) {
    const text = readTraceFile(join(dir, name), name)
    const format = detectTraceFormat(text)
    if (format === 'bitbrains') {
      const parsed = parseBitbrainsCsv(text, vmNameFor(name), name)
      vms.push(parsed.vm)
      rows += parsed.rows
      skipped += parsed.skipped
    } else if (format === 'generic-csv') {
      const parsed = parseGenericCsv(text, name)
      vms.push(...parsed.vms)
      rows += parsed.rows
    } else {
      throw new ScenarioInputError(msg('input.trace.unknownFormat', { file: name }))
    }
    kinds.add(format)
    if (rows > IMPORT_LIMITS.rows) throw new ScenarioInputError(msg('input.trace.filesTooManyRows', { rows: count(IMPORT_LIMITS.rows) }))
  }
  const duplicate = vms.find((v, i) => vms.findIndex((w) => w.vm === v.vm) !== i)
  if (duplicate) throw new ScenarioInputError(msg('input.trace.vmInTwoFiles', { vm: duplicate.vm }))
  const kind = kinds.size === 1 && kinds.has('bitbrains') ? 'bitbrains' : 'generic-csv'
  return scenarioFromTraces(vms, { ...options, source: { kind, detail: basename(dir) }, files: names.length, rows, skipped })
}
