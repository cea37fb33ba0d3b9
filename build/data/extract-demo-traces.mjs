#!/usr/bin/env node
// Builds src-main/hosts/demo/data/demo-traces.json from Bitbrains GWA-T-12 "Rnd" per-VM CSVs.
// Usage: node build/data/extract-demo-traces.mjs <dir with 2013-7/<vm>.csv.gz> > src-main/hosts/demo/data/demo-traces.json
// Kept for provenance: the demo ships the JSON, nothing reads the traces at run time.
import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { join } from 'node:path'

const dir = process.argv[2]
if (!dir) {
  console.error('usage: extract-demo-traces.mjs <bitbrains_gwa-t-12_rnd dir>')
  process.exit(2)
}
const ROWS = 576 // two days of 5-minute samples per VM
// Window a: the month's first two days; window b: days 13-14 (a second, different demand pattern).
const WINDOWS = { a: 0, b: 12 * 288 }
// trace VM, window, demo host. The hot host (demo-c) gets the saturated VMs on purpose.
const PLAN = [
  ['1', 'a', 'demo-a'], ['10', 'a', 'demo-a'], ['20', 'a', 'demo-a'], ['24', 'a', 'demo-a'],
  ['124', 'a', 'demo-a'], ['287', 'a', 'demo-a'], ['421', 'a', 'demo-a'], ['124', 'b', 'demo-a'],
  ['392', 'a', 'demo-b'], ['421', 'b', 'demo-b'], ['1', 'b', 'demo-b'], ['10', 'b', 'demo-b'],
  ['287', 'b', 'demo-b'], ['20', 'b', 'demo-b'], ['24', 'b', 'demo-b'], ['392', 'b', 'demo-b'],
  ['41', 'a', 'demo-c'], ['186', 'a', 'demo-c'], ['232', 'a', 'demo-c'], ['407', 'a', 'demo-c'],
  ['410', 'a', 'demo-c'], ['407', 'b', 'demo-c'], ['186', 'b', 'demo-c'], ['410', 'b', 'demo-c'],
]

function readTrace(vm) {
  const text = gunzipSync(readFileSync(join(dir, '2013-7', `${vm}.csv.gz`))).toString('utf8')
  const rows = text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(';').map((f) => Number(f.trim())))
    // Rows with 0 cores are gaps in the trace, not an idle VM.
    .filter((r) => r.length === 11 && r[1] > 0)
  rows.sort((x, y) => x[0] - y[0])
  // Some files hold duplicate timestamps; keep the first of each.
  return rows.filter((r, i) => i === 0 || r[0] !== rows[i - 1][0])
}

const round1 = (x) => Math.round(x * 10) / 10
const cache = new Map()
const vms = PLAN.map(([trace, window, host]) => {
  if (!cache.has(trace)) cache.set(trace, readTrace(trace))
  const rows = cache.get(trace).slice(WINDOWS[window], WINDOWS[window] + ROWS)
  if (rows.length < ROWS) throw new Error(`trace ${trace} window ${window}: only ${rows.length} rows`)
  const cores = Math.max(...rows.map((r) => r[1]))
  const capMhz = Math.max(...rows.map((r) => r[2]))
  const memKiB = Math.max(...rows.map((r) => r[5]))
  return {
    name: `bb${trace.padStart(3, '0')}-${window}`,
    host,
    trace: `bitbrains_gwa-t-12_rnd/2013-7/${trace}.csv`,
    firstTimestamp: rows[0][0],
    vcpus: cores,
    mhzPerCore: Math.round(capMhz / cores),
    memoryMiB: Math.round(memKiB / 1024),
    cpuMhz: rows.map((r) => Math.round(r[3])),
    memUsedMiB: rows.map((r) => Math.round(r[6] / 1024)),
    diskReadKBs: rows.map((r) => round1(r[7])),
    diskWriteKBs: rows.map((r) => round1(r[8])),
    netRxKBs: rows.map((r) => round1(r[9])),
    netTxKBs: rows.map((r) => round1(r[10])),
  }
})

process.stdout.write(
  JSON.stringify({
    source: 'Bitbrains GWA-T-12 Rnd, July 2013 (TU Delft Grid Workloads Archive); see README.md',
    stepSeconds: 300,
    rows: ROWS,
    vms,
  }) + '\n',
)
