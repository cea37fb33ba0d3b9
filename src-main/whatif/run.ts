import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { failure } from '../../shared/api/result'
import { msg } from '../../shared/i18n'
import type { WhatifComparison, WhatifRun } from '../../shared/engine/whatif'
import type { PolicySet } from '../../shared/model/scenario'
import { packWorkload, runJob, type WhatifJob, type WhatifReply, type WorkerMessage } from './job'
import { IMPORT_LIMITS } from './limits'

/** Where a what-if comparison runs: a worker thread (default) or this thread. */
export type WhatifRunner = (job: WhatifJob) => Promise<WhatifComparison>

export interface WorkerEntry {
  url: URL
  execArgv: string[]
}

/**
 * The worker's entry: the bundled `whatif-worker.js` next to the main build (out/main/, this code
 * may sit in out/main/chunks/), or, running from source (tsx, vitest), worker.ts through tsx.
 * Names are built at run time so the bundler leaves these URLs alone.
 */
export function findWorkerEntry(base: string = import.meta.url, built = 'whatif-worker.js', sourceName = 'worker.ts'): WorkerEntry | null {
  if (!base.startsWith('file:')) return null
  for (const candidate of [`./${built}`, `../${built}`]) {
    const url = new URL(candidate, base)
    if (existsSync(fileURLToPath(url))) return { url, execArgv: [] }
  }
  const source = new URL(['.', sourceName].join('/'), base)
  if (base.endsWith('.ts') && existsSync(fileURLToPath(source))) return { url: source, execArgv: ['--import', 'tsx'] }
  return null
}

/** Runs the comparison in this thread (the fallback, and the reference the worker must match). */
export const runInProcess: WhatifRunner = async (job) => unwrap(runJob(job))

function unwrap(reply: WhatifReply): WhatifComparison {
  if (reply.ok) return reply.result
  throw failure('internal', msg('server.whatif.replayFailed', { reason: reply.message }))
}

/**
 * Runs comparisons in worker threads so the main process stays responsive during long replays.
 * Up to `parallelism` workers each prepare the scenario once, then take policy sets one at a
 * time, the costliest first, whichever worker is free: with 2 cores and the bench's 4 sets the
 * two balancing sets run side by side instead of one after the other in one worker. Each replay
 * is independent and deterministic, so the merged result equals one in-process comparison.
 * Results and replay errors come back as values; a worker that dies or exits early becomes a
 * clear `internal` API error. Falls back to this thread when no worker entry exists.
 */
export function workerRunner(entry: WorkerEntry | null = findWorkerEntry(), parallelism: number = defaultParallelism(), limits: ReplayLimits = IMPORT_LIMITS): WhatifRunner {
  if (!entry) return runInProcess
  return (job) => runPool(entry, job, Math.max(1, Math.min(parallelism, job.policies.length)), limits)
}

/** Each replay worker's memory, and the wall-clock time of one comparison. */
export interface ReplayLimits {
  workerMemoryMiB: number
  replaySeconds: number
}

function defaultParallelism(): number {
  return Math.max(1, Math.min(4, availableParallelism()))
}

/** Relative replay cost, from the bench: balancing passes are most of a run, consolidation adds some. */
function estimatedCost(policy: PolicySet): number {
  const p = policy as Partial<PolicySet>
  return 1 + (p.balance?.enabled ? 8 : 0) + (p.consolidation?.enabled ? 2 : 0)
}

function runPool(entry: WorkerEntry, job: WhatifJob, n: number, limits: ReplayLimits): Promise<WhatifComparison> {
  // The series go to every worker through one shared buffer; the rest of the scenario is small.
  const workload = Array.isArray(job.scenario.workload) ? packWorkload(job.scenario.workload) : null
  const first: WhatifJob = workload ? { ...job, scenario: { ...job.scenario, workload: [] } } : job
  const order = job.policies.map((_, i) => i).sort((a, b) => estimatedCost(job.policies[b]!) - estimatedCost(job.policies[a]!) || a - b)
  const runs: WhatifRun[] = new Array<WhatifRun>(job.policies.length)
  let next = 0
  return new Promise<WhatifComparison>((resolve, reject) => {
    const workers: Worker[] = []
    let header: WhatifComparison | null = null
    let idle = 0
    let settled = false
    const finish = (error: Error | null) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      for (const w of workers) void w.terminate()
      if (error) reject(error)
      else resolve({ ...header!, runs })
    }
    const timer = setTimeout(
      () => finish(failure('bad-request', msg('server.whatif.replayTooSlow', { seconds: limits.replaySeconds }))),
      limits.replaySeconds * 1000,
    )
    // n >= 1 even without policy sets: the comparison's header comes from a worker.
    for (let w = 0; w < n; w++) {
      const worker = new Worker(entry.url, { execArgv: entry.execArgv, workerData: { whatif: true }, resourceLimits: { maxOldGenerationSizeMb: limits.workerMemoryMiB } })
      workers.push(worker)
      let taken: number[] = []
      let done = false
      const take = (): PolicySet[] => {
        taken = next < order.length ? [order[next++]!] : []
        return taken.map((i) => job.policies[i]!)
      }
      worker.on('message', (reply: WhatifReply) => {
        if (settled) return
        if (!reply.ok) return finish(failure('internal', msg('server.whatif.replayFailed', { reason: reply.message })))
        header ??= reply.result
        reply.result.runs.forEach((run, k) => (runs[taken[k]!] = run))
        const policies = take()
        if (policies.length > 0) return worker.postMessage({ policies } satisfies WorkerMessage)
        done = true
        void worker.terminate()
        if (++idle === n) finish(null)
      })
      worker.once('error', (error: Error & { code?: string }) =>
        finish(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? failure('bad-request', msg('server.whatif.replayTooBig', { mib: limits.workerMemoryMiB }))
            : failure('internal', msg('server.whatif.workerCrashed', { reason: error.message })),
        ),
      )
      worker.once('exit', (code) => {
        if (!done) finish(failure('internal', msg('server.whatif.workerExited', { code })))
      })
      worker.postMessage({ job: { ...first, policies: take() }, workload } satisfies WorkerMessage)
    }
  })
}
