import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { ApiFailure } from '../../shared/api'
import type { WhatifComparison } from '../../shared/engine/whatif'
import { packWorkload, runJob, type PackedWorkload, type WhatifJob, type WhatifReply } from './job'

/** Where a what-if comparison runs: a worker thread (default) or this thread. */
export type WhatifRunner = (job: WhatifJob) => Promise<WhatifComparison>

interface WorkerEntry {
  url: URL
  execArgv: string[]
}

/**
 * The worker's entry: the bundled `whatif-worker.js` next to the main build (out/main/, this code
 * may sit in out/main/chunks/), or, running from source (tsx, vitest), worker.ts through tsx.
 * Names are built at run time so the bundler leaves these URLs alone.
 */
export function findWorkerEntry(base: string = import.meta.url): WorkerEntry | null {
  if (!base.startsWith('file:')) return null
  const built = 'whatif-worker.js'
  for (const candidate of [`./${built}`, `../${built}`]) {
    const url = new URL(candidate, base)
    if (existsSync(fileURLToPath(url))) return { url, execArgv: [] }
  }
  const source = new URL(['.', 'worker.ts'].join('/'), base)
  if (base.endsWith('.ts') && existsSync(fileURLToPath(source))) return { url: source, execArgv: ['--import', 'tsx'] }
  return null
}

/** Runs the comparison in this thread (the fallback, and the reference the worker must match). */
export const runInProcess: WhatifRunner = async (job) => unwrap(runJob(job))

function unwrap(reply: WhatifReply): WhatifComparison {
  if (reply.ok) return reply.result
  throw new ApiFailure('internal', `The what-if replay failed: ${reply.message}`)
}

/**
 * Runs comparisons in worker threads so the main process stays responsive during long replays:
 * the policy sets are split over up to `parallelism` workers (each replay is independent and
 * deterministic, so the merged result equals one in-process comparison). Results and replay errors
 * come back as values; a worker that dies or exits early becomes a clear `internal` API error.
 * Falls back to this thread when no worker entry exists.
 */
export function workerRunner(entry: WorkerEntry | null = findWorkerEntry(), parallelism: number = defaultParallelism()): WhatifRunner {
  if (!entry) return runInProcess
  return async (job) => {
    const n = Math.max(1, Math.min(parallelism, job.policies.length))
    // The series go to every worker through one shared buffer; the rest of the scenario is small.
    const workload = Array.isArray(job.scenario.workload) ? packWorkload(job.scenario.workload) : null
    if (workload) job = { ...job, scenario: { ...job.scenario, workload: [] } }
    if (n === 1) return runOne(entry, job, workload)
    // Contiguous slices keep the runs in the order of the policies.
    const per = Math.ceil(job.policies.length / n)
    const slices: WhatifJob[] = []
    for (let k = 0; k < job.policies.length; k += per) slices.push({ ...job, policies: job.policies.slice(k, k + per) })
    const parts = await Promise.all(slices.map((slice) => runOne(entry, slice, workload)))
    return { ...parts[0]!, runs: parts.flatMap((p) => p.runs) }
  }
}

function defaultParallelism(): number {
  return Math.max(1, Math.min(4, availableParallelism()))
}

function runOne(entry: WorkerEntry, job: WhatifJob, workload: PackedWorkload | null): Promise<WhatifComparison> {
  return new Promise<WhatifComparison>((resolve, reject) => {
    let settled = false
    const worker = new Worker(entry.url, { execArgv: entry.execArgv, workerData: { whatif: true } })
    const finish = (fn: () => void) => {
      if (settled) return
      settled = true
      fn()
      void worker.terminate()
    }
    worker.once('message', (reply: WhatifReply) => {
      finish(() => {
        try {
          resolve(unwrap(reply))
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)))
        }
      })
    })
    worker.once('error', (error) => {
      finish(() => reject(new ApiFailure('internal', `The what-if worker crashed: ${error.message}`)))
    })
    worker.once('exit', (code) => {
      finish(() => reject(new ApiFailure('internal', `The what-if worker exited (code ${code}) before it returned a result`)))
    })
    worker.postMessage({ job, workload })
  })
}
