import type Database from 'better-sqlite3'
import { PerfKvmRunSchema, type PerfKvmRun } from '../../shared/model'

/** How many perf runs per VM are kept (the newest). */
const RUNS_KEPT = 20

/** perf kvm stat runs the admin asked for, with the VM's history. */
export class PerfRunsRepo {
  constructor(private readonly db: Database.Database) {}

  save(run: PerfKvmRun): void {
    this.db.transaction(() => {
      this.db.prepare('INSERT OR REPLACE INTO perf_runs (id, vm_id, host_id, t, data) VALUES (?, ?, ?, ?, ?)').run(run.id, run.vmId, run.hostId, run.t, JSON.stringify(run))
      this.db
        .prepare('DELETE FROM perf_runs WHERE vm_id = ? AND id NOT IN (SELECT id FROM perf_runs WHERE vm_id = ? ORDER BY t DESC LIMIT ?)')
        .run(run.vmId, run.vmId, RUNS_KEPT)
    })()
  }

  /** A VM's runs, newest first; a row that no longer reads as a run is left out. */
  list(vmId: string): PerfKvmRun[] {
    const rows = this.db.prepare('SELECT data FROM perf_runs WHERE vm_id = ? ORDER BY t DESC').pluck().all(vmId) as string[]
    return rows.flatMap((data) => {
      const run = PerfKvmRunSchema.safeParse(JSON.parse(data))
      return run.success ? [run.data] : []
    })
  }
}
