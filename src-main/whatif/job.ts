/** A what-if job as it crosses to a worker thread, and its run (shared by the worker and the fallback). */
import { comparePrepared, compareScenario, type WhatifComparison } from '../../shared/engine/whatif'
import { prepareScenario, type PreparedScenario } from '../../shared/engine/whatif/prepare'
import type { PolicySet, Scenario } from '../../shared/model/scenario'

/** What the main process sends: one comparison to run. */
export interface WhatifJob {
  scenario: Scenario
  policies: PolicySet[]
  seed: number
  maxPoints?: number
}

/** What comes back: the result or the error, always as a value. */
export type WhatifReply = { ok: true; result: WhatifComparison } | { ok: false; message: string; stack?: string }

/**
 * Messages to a worker: the first carries the scenario (prepared once, kept for the worker's
 * life), each later one only the next policy sets to replay on it. One reply per message.
 */
export type WorkerMessage = { job: WhatifJob; workload: PackedWorkload | null } | { policies: PolicySet[] }

/**
 * The workload series, packed into one shared buffer: cloning millions of numbers in plain arrays
 * into every worker costs seconds, sharing one Float64Array costs nothing. Offsets in elements.
 */
export interface PackedWorkload {
  vms: string[]
  /** cpu of VM k: [offsets[2k], offsets[2k+1]); mem: [offsets[2k+1], offsets[2k+2]). */
  offsets: number[]
  data: Float64Array
}

export function packWorkload(workload: Scenario['workload']): PackedWorkload {
  let total = 0
  for (const w of workload) total += w.cpuCores.length + w.memMiB.length
  const data = new Float64Array(new SharedArrayBuffer(total * Float64Array.BYTES_PER_ELEMENT))
  const offsets: number[] = [0]
  let at = 0
  for (const w of workload) {
    data.set(w.cpuCores, at)
    at += w.cpuCores.length
    offsets.push(at)
    data.set(w.memMiB, at)
    at += w.memMiB.length
    offsets.push(at)
  }
  return { vms: workload.map((w) => w.vm), offsets, data }
}

/** The workload back as series (views on the shared buffer: the replay only reads them). */
export function unpackWorkload(packed: PackedWorkload): Scenario['workload'] {
  return packed.vms.map((vm, k) => ({
    vm,
    cpuCores: packed.data.subarray(packed.offsets[2 * k]!, packed.offsets[2 * k + 1]!) as unknown as number[],
    memMiB: packed.data.subarray(packed.offsets[2 * k + 1]!, packed.offsets[2 * k + 2]!) as unknown as number[],
  }))
}

export function runJob(job: WhatifJob): WhatifReply {
  return asReply(() => compareScenario(job.scenario, job.policies, options(job)))
}

/** A worker's side of WorkerMessage: prepares on the first message, replays on each. */
export function workerSession(): (message: WorkerMessage) => WhatifReply {
  let current: { job: WhatifJob; prepared: PreparedScenario } | null = null
  return (message) =>
    asReply(() => {
      if ('job' in message) {
        const { job, workload } = message
        const scenario = workload ? { ...job.scenario, workload: unpackWorkload(workload) } : job.scenario
        current = { job, prepared: prepareScenario(scenario, job.seed) }
        return comparePrepared(current.prepared, job.policies, options(job))
      }
      if (!current) throw new Error('policy sets arrived before their scenario')
      return comparePrepared(current.prepared, message.policies, options(current.job))
    })
}

function options(job: WhatifJob) {
  return job.maxPoints === undefined ? { seed: job.seed } : { seed: job.seed, maxPoints: job.maxPoints }
}

function asReply(run: () => WhatifComparison): WhatifReply {
  try {
    return { ok: true, result: run() }
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error))
    return { ok: false, message: e.message, ...(e.stack !== undefined ? { stack: e.stack } : {}) }
  }
}
