import { parentPort, workerData } from 'node:worker_threads'
import { runEngineJob } from './engine-schedule'

// Entry of the engine's worker thread (engine-schedule.ts starts it with this marker): one job per
// message, one reply per job, errors as values. HiGHS is loaded once and kept.
if (parentPort && (workerData as { engine?: boolean } | null)?.engine === true) {
  const port = parentPort
  port.on('message', (job: Parameters<typeof runEngineJob>[0]) => {
    void runEngineJob(job).then((reply) => port.postMessage(reply))
  })
}
