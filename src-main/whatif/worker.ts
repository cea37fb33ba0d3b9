import { parentPort, workerData } from 'node:worker_threads'
import { importNow, type ImportRequest } from './import'
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

// The same entry imports a file (src-main/whatif/import.ts): one request, one reply.
if (parentPort && (workerData as { whatifImport?: boolean } | null)?.whatifImport === true) {
  const port = parentPort
  port.once('message', (req: ImportRequest) => port.postMessage(importNow(req)))
}
