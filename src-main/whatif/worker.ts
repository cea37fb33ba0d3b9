import { parentPort, workerData } from 'node:worker_threads'
import { runJob, unpackWorkload, type PackedWorkload, type WhatifJob } from './job'

// Entry of the what-if worker thread (src-main/whatif/run.ts starts it with this marker): one job
// per message, one reply per job, errors as values.
if (parentPort && (workerData as { whatif?: boolean } | null)?.whatif === true) {
  const port = parentPort
  port.on('message', (message: { job: WhatifJob; workload: PackedWorkload | null }) => {
    const { job, workload } = message
    port.postMessage(runJob(workload ? { ...job, scenario: { ...job.scenario, workload: unpackWorkload(workload) } } : job))
  })
}
