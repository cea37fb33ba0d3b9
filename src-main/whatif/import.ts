import { Worker } from 'node:worker_threads'
import { english, msg } from '../../shared/i18n'
import type { MessageRef } from '../../shared/model'
import type { Scenario } from '../../shared/model/scenario'
import { IMPORT_LIMITS } from './limits'
import { findWorkerEntry, type WorkerEntry } from './run'
import { parseScenarioText, readScenarioFile, ScenarioInputError, type InputProblem } from './scenario-file'
import { importTraceDir, importTraceText, type TraceImport } from './traces'

/** The worker's end in English, with its message for the reader's language (the api passes it on). */
function workerFailure(ref: MessageRef): Error {
  return Object.assign(new Error(english(ref)), { messageRef: ref })
}

/** One import: a file's text (the app), a scenario file or a folder of traces (the CLI). */
export type ImportRequest = ({ fileName: string; text: string } | { file: string } | { dir: string }) & { name?: string }

export interface Imported {
  /** The scenario without its workload series: what lists and outlines show. */
  head: Scenario
  /** The whole scenario as JSON, serialised where it was made (off the main thread). */
  data: string
  stats?: TraceImport['stats']
}

type ImportReply = { ok: true; imported: Imported } | { ok: false; input: true; ref: MessageRef; problems: InputProblem[] } | { ok: false; input: false; message: string }

/** Does the import in this thread; bad input comes back as a value. The worker's side. */
export function importNow(req: ImportRequest): ImportReply {
  try {
    let scenario: Scenario
    let stats: TraceImport['stats'] | undefined
    if ('dir' in req) ({ scenario, stats } = importTraceDir(req.dir))
    else if ('file' in req) scenario = readScenarioFile(req.file)
    else if (req.text.trimStart().startsWith('{')) scenario = parseScenarioText(req.text, req.fileName)
    else ({ scenario, stats } = importTraceText(req.fileName, req.text))
    if (req.name) {
      // The admin's name replaces the one VirtPilot gave (and its message).
      const { nameRef: _given, ...rest } = scenario
      scenario = { ...rest, name: req.name }
    }
    return { ok: true, imported: { head: { ...scenario, workload: [] }, data: JSON.stringify(scenario), ...(stats ? { stats } : {}) } }
  } catch (error) {
    if (error instanceof ScenarioInputError) return { ok: false, input: true, ref: error.ref, problems: error.problems }
    return { ok: false, input: false, message: error instanceof Error ? error.message : String(error) }
  }
}

function unwrap(reply: ImportReply): Imported {
  if (reply.ok) return reply.imported
  if (reply.input) throw new ScenarioInputError(reply.ref, reply.problems)
  throw new Error(`The import failed: ${reply.message}`)
}

export interface ImportLimits {
  workerMemoryMiB: number
  importSeconds: number
}

/**
 * Runs an import in a worker thread with a memory limit and a time limit, so a hostile file can
 * neither stall the process that serves the app nor take its memory. Either limit ends the
 * worker and comes back as bad input naming the limit. In this thread only when no worker
 * entry exists (a bundle without the worker).
 */
export function importInWorker(req: ImportRequest, entry: WorkerEntry | null = findWorkerEntry(), limits: ImportLimits = IMPORT_LIMITS): Promise<Imported> {
  if (!entry) return Promise.resolve().then(() => unwrap(importNow(req)))
  return new Promise<Imported>((resolve, reject) => {
    const worker = new Worker(entry.url, {
      execArgv: entry.execArgv,
      workerData: { whatifImport: true },
      resourceLimits: { maxOldGenerationSizeMb: limits.workerMemoryMiB },
    })
    let settled = false
    const finish = (error: Error | null, imported?: Imported) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      void worker.terminate()
      if (error) reject(error)
      else resolve(imported!)
    }
    const timer = setTimeout(() => finish(new ScenarioInputError(msg('input.file.importTooSlow', { seconds: limits.importSeconds }))), limits.importSeconds * 1000)
    worker.once('message', (reply: ImportReply) => {
      try {
        finish(null, unwrap(reply))
      } catch (error) {
        finish(error as Error)
      }
    })
    worker.once('error', (error: Error & { code?: string }) =>
      finish(
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new ScenarioInputError(msg('input.file.importTooBig', { mib: limits.workerMemoryMiB }))
          : workerFailure(msg('server.whatif.importWorkerCrashed', { reason: error.message })),
      ),
    )
    worker.once('exit', (code) => finish(workerFailure(msg('server.whatif.importWorkerExited', { code }))))
    worker.postMessage(req)
  })
}
