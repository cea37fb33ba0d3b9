import { test } from 'vitest'
import { importTraceText } from '../../src-main/whatif/traces'
import { csvRow } from '../../shared/text/csv'

// A generic CSV of 500 VMs x 2,000 five-minute rows (1 million rows, 25 MiB) read three ways:
// unquoted (split by lines, the baseline), every field quoted as R's write.csv and spreadsheets
// write it (csv-parse, RFC 4180), and unquoted but for one quoted name (the whole file goes
// through csv-parse). Median of 3 rounds in this process; printed, never asserted.
const VMS = 500
const STEPS = 2000
const t0 = Date.UTC(2024, 0, 1) / 1000
const rows = (quoteAll: boolean) => {
  const out = [quoteAll ? '"vm","timestamp","cpu","mem"' : 'vm,timestamp,cpu,mem']
  for (let s = 0; s < STEPS; s++) {
    for (let v = 0; v < VMS; v++) {
      const cpu = ((v * 7 + s) % 40) / 10
      out.push(quoteAll ? `"vm-${v}","${t0 + s * 300}",${cpu},${1024 + (v % 13)}` : `vm-${v},${t0 + s * 300},${cpu},${1024 + (v % 13)}`)
    }
  }
  return out
}
const plain = rows(false)
const files: [string, string][] = [
  ['unquoted (baseline)', plain.join('\n')],
  ['every field quoted', rows(true).join('\n')],
  ['one quoted name', [...plain.slice(0, 2), csvRow(['web, eu', t0, 1, 512]), ...plain.slice(2)].join('\n')],
]
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const table: Record<string, unknown>[] = []
let baseline = 0
for (const [label, text] of files) {
  const ms: number[] = []
  let vms = 0
  for (let round = 0; round < 3; round++) {
    const t = performance.now()
    vms = importTraceText('bench.csv', text).stats.vms
    ms.push(performance.now() - t)
  }
  const m = median(ms)
  if (!baseline) baseline = m
  table.push({ file: label, 'MiB': +(text.length / 2 ** 20).toFixed(1), rows: VMS * STEPS, VMs: vms, 'import ms': Math.round(m), 'x baseline': +(m / baseline).toFixed(2) })
}
console.log('Generic CSV import, 1 million rows (whole import: parse, grid, scenario check)')
console.table(table)

test('trace import printed its table', () => {})
