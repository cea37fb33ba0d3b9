import { parentPort, workerData } from 'node:worker_threads'
import { workerSession, type WorkerMessage } from './job'

// Entry of the what-if worker thread (src-main/whatif/run.ts starts it with this marker): the
// scenario comes with the first message, policy sets one message at a time, one reply per
// message, errors as values.
if (parentPort && (workerData as { whatif?: boolean } | null)?.whatif === true) {
  const port = parentPort
  const session = workerSession()
  port.on('message', (message: WorkerMessage) => {
    port.postMessage(session(message))
  })
}
