// Soak benchmark: a day of polling compressed. One lab host polled every 0.2 s (10,000 polls) and
// the demo cluster beside it, in one process, on a clock that runs fast enough that the run spans
// four simulated days: so raw-sample retention (48 h) and the 5-minute rollups both do their work.
// Prints heap, RSS, open descriptors and the data files' size along the way, and whether the
// rollups are complete; asserts nothing. Needs root (its own lab); without it, says why, exits 0.
// Run: node --expose-gc --import tsx test/bench/soak.ts   (part of `npm run bench`)
//      VIRTPILOT_SOAK_POLLS=N for a shorter run.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { createServices, type Services } from '../../src-main/services/services'
import { RAW_RETENTION_MS } from '../../src-main/store/retention'
import { ROLLUP_MS } from '../../src-main/store/rollup'
import { servicesForLab } from '../integration/support/services'
import { startLab } from '../lab/lab'
import { stopLab } from '../lab/teardown'

const BASE = '/tmp/virtpilot-soak-lab'
const POLLS = Number(process.env.VIRTPILOT_SOAK_POLLS ?? 10_000)
const INTERVAL_MS = 200
const SIMULATED_MS = 4 * 24 * 3600_000
/** Simulated ms per real ms: the run's nominal length (polls x interval) spans the simulated days. */
const SPEED = SIMULATED_MS / (POLLS * INTERVAL_MS)
/** The first tenth warms up (JIT, caches, SQLite's page cache, the WAL): growth is judged after it. */
const WARM_UP = 0.1
const SAMPLES = 10

interface Row {
  polls: number
  simulatedH: number
  heapMiB: number
  rssMiB: number
  fds: number
  dbMiB: number
  demoMiB: number
  rawRows: number
  rollupRows: number
}

const mib = (bytes: number) => bytes / 1024 / 1024
const fileSize = (file: string) => (existsSync(file) ? statSync(file).size : 0)
const dataSize = (file: string) => fileSize(file) + fileSize(`${file}-wal`) + fileSize(`${file}-shm`)

function gc(): void {
  ;(globalThis as { gc?: () => void }).gc?.()
}

function rows(file: string): { raw: number; rollups: number; rolledUpUntil: number; firstRaw: number } {
  const db = new Database(file, { readonly: true })
  try {
    const one = (sql: string) => Number((db.prepare(sql).get() as { n: number | null }).n ?? 0)
    return {
      raw: one('SELECT count(*) AS n FROM host_samples') + one('SELECT count(*) AS n FROM vm_samples'),
      rollups: one('SELECT count(*) AS n FROM host_rollups') + one('SELECT count(*) AS n FROM vm_rollups'),
      rolledUpUntil: Number((db.prepare("SELECT value AS n FROM meta WHERE key = 'rollup_until'").get() as { n: string } | undefined)?.n ?? 0),
      firstRaw: one('SELECT min(t) AS n FROM host_samples'),
    }
  } finally {
    db.close()
  }
}

/**
 * Every 5-minute bucket of the lab host that still has raw samples and lies before the rollup
 * mark must have its rollup row. Buckets without a sample (a poll slower than the fast clock's
 * bucket) are not expected; buckets whose raw samples retention already removed cannot be judged.
 */
function rollupCompleteness(file: string, until: number): { expected: number; present: number } {
  const db = new Database(file, { readonly: true })
  try {
    const row = db
      .prepare(
        `SELECT count(*) AS expected, sum(EXISTS (SELECT 1 FROM host_rollups r WHERE r.host_id = 's1' AND r.t = b.t)) AS present
         FROM (SELECT DISTINCT (t / ${ROLLUP_MS}) * ${ROLLUP_MS} AS t FROM host_samples WHERE host_id = 's1' AND t < ?) b
         WHERE b.t + ${ROLLUP_MS} <= ?`,
      )
      .get(until, until) as { expected: number; present: number | null }
    return { expected: row.expected, present: row.present ?? 0 }
  } finally {
    db.close()
  }
}

async function soak(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'virtpilot-soak-'))
  const lab = await startLab({ name: 'vpsoak', hostPrefix: 's', subnet: '10.203.0', base: BASE, hosts: 1, guests: 2, log: () => {} })
  let services: Services | undefined
  let demo: Services | undefined
  try {
    const realStart = performance.now()
    const simulatedStart = Date.now()
    const clock = () => Math.round(simulatedStart + (performance.now() - realStart) * SPEED)
    services = await servicesForLab(lab, dir, INTERVAL_MS, { clock })
    // The demo cluster in the same process, on its own data file (real and demo data never mix).
    const demoFile = join(dir, 'demo.db')
    demo = createServices({ transport: 'cli', dataFile: demoFile, version: 'soak', clock, pollIntervalMs: INTERVAL_MS, log: () => {} })
    await demo.cluster.updateSettings({ demoEnabled: true })
    await demo.start()
    const file = join(dir, 'virtpilot.db')
    const table: Row[] = []
    const errors = new Map<string, number>()
    const off = services.events.on('hosts.changed', (hosts) => {
      for (const h of hosts) if (h.error) errors.set(h.error, (errors.get(h.error) ?? 0) + 1)
    })
    const every = Math.max(1, Math.floor(POLLS / SAMPLES))
    let next = 0
    for (;;) {
      const polls = services.hosts.diagnostics('s1')!.polls
      if (polls >= next) {
        gc()
        const r = rows(file)
        table.push({ polls, simulatedH: (clock() - simulatedStart) / 3600_000, heapMiB: mib(process.memoryUsage().heapUsed), rssMiB: mib(process.memoryUsage().rss), fds: readdirSync('/proc/self/fd').length, dbMiB: mib(dataSize(file)), demoMiB: mib(dataSize(demoFile)), rawRows: r.raw, rollupRows: r.rollups })
        // A line per sample, so a run of half an hour shows where it is.
        console.log(`soak: poll ${polls} of ${POLLS}, RSS ${table.at(-1)!.rssMiB.toFixed(1)} MiB`)
        next += every
      }
      if (polls >= POLLS) break
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    off()
    const wallS = (performance.now() - realStart) / 1000
    const r = rows(file)
    const complete = rollupCompleteness(file, r.rolledUpUntil)
    const diag = services.hosts.diagnostics('s1')!
    const warm = table.find((row) => row.polls >= POLLS * WARM_UP) ?? table[0]!
    const last = table.at(-1)!
    const growth = (a: number, b: number) => `${(((b - a) / a) * 100).toFixed(1)} %`
    console.log(`\nSoak: ${POLLS} polls of lab host s1 (2 guests) every ${INTERVAL_MS} ms plus the demo cluster, one process; ${wallS.toFixed(0)} s of wall time, clock x${SPEED.toFixed(1)} (${(SIMULATED_MS / 3600_000).toFixed(0)} simulated hours)`)
    console.table(table.map((row) => ({ polls: row.polls, 'simulated h': row.simulatedH.toFixed(1), 'heap MiB': row.heapMiB.toFixed(1), 'RSS MiB': row.rssMiB.toFixed(1), 'open fds': row.fds, 'data file MiB': row.dbMiB.toFixed(2), 'demo data file MiB': row.demoMiB.toFixed(2), 'raw rows': row.rawRows, 'rollup rows': row.rollupRows })))
    console.table([
      { figure: 'heap after warm-up → end', value: `${warm.heapMiB.toFixed(1)} → ${last.heapMiB.toFixed(1)} MiB (${growth(warm.heapMiB, last.heapMiB)}; target < 10 %)` },
      { figure: 'RSS after warm-up → end', value: `${warm.rssMiB.toFixed(1)} → ${last.rssMiB.toFixed(1)} MiB (${growth(warm.rssMiB, last.rssMiB)}; target < 10 %)` },
      { figure: 'open fds after warm-up → end', value: `${warm.fds} → ${last.fds}` },
      { figure: 'raw rows kept', value: `${r.raw} (oldest ${((clock() - r.firstRaw) / 3600_000).toFixed(1)} simulated h; retention ${RAW_RETENTION_MS / 3600_000} h)` },
      { figure: 'rollups of s1 complete', value: `${complete.present} of ${complete.expected} 5-minute buckets that hold raw samples and lie before the rollup mark; ${r.rollups} rollup rows in all` },
      { figure: 'poll failures (distinct errors)', value: errors.size === 0 ? 'none' : [...errors].map(([e, n]) => `${n}× ${e}`).join('; ') },
      { figure: 'connection at the end', value: `${diag.clients} client, ${diag.channels} channels, ${diag.timers} timers, ${diag.listeners} listeners` },
    ])
  } finally {
    await demo?.stop()
    await services?.stop()
    await stopLab({ base: BASE, log: () => {} })
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.getuid?.() !== 0) console.log('soak bench skipped: needs root to start its lab (test/lab/README.md)')
else await soak()
