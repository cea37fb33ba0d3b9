import { Worker } from 'node:worker_threads'
import { english, msg, type MessageRef } from '../../shared/i18n'
import type { RecommendOutput } from '../../shared/engine/recommend'
import type { PlanViolation } from '../../shared/engine/validate'
import { findWorkerEntry, type WorkerEntry } from '../whatif/run'
import { createEngine, EngineError, type EngineRun, type EngineService } from './engine'

export type EngineReply = { ok: true; output: RecommendOutput } | { ok: false; message: string; messageRef: MessageRef; violations?: PlanViolation[] }

let local: EngineService | undefined

/** The worker's end in English, with its message for the reader's language (the api passes it on). */
function workerFailure(ref: MessageRef): Error {
  return Object.assign(new Error(english(ref)), { messageRef: ref })
}

/** One run in this thread (the worker's body): errors as values, a validator refusal with its violations. */
export async function runEngineJob(job: EngineRun): Promise<EngineReply> {
  try {
    local ??= createEngine()
    return { ok: true, output: await local.run(job) }
  } catch (error) {
    if (error instanceof EngineError) return { ok: false, message: error.message, messageRef: error.messageRef, violations: [...error.violations] }
    // Not the engine's own refusal (a bug, HiGHS failing to load): said as the engine failing, the error's words verbatim.
    const ref = (error as { messageRef?: MessageRef }).messageRef ?? msg('server.engine.failed', { reason: error instanceof Error ? error.message : String(error) })
    return { ok: false, message: english(ref), messageRef: ref }
  }
}

/**
 * The engine in a worker thread, one job at a time: HiGHS's exact comparison takes seconds, and
 * the api, the collectors and the live charts must not wait for it. The same runner as
 * createEngine (validator included) runs inside; without a worker entry it runs in this thread.
 * The worker is kept between runs (HiGHS loads once) and does not keep the process alive.
 */
export function workerEngine(entry: WorkerEntry | null = findWorkerEntry(import.meta.url, 'engine-worker.js', 'engine-worker.ts')): EngineService {
  if (!entry) return createEngine()
  let worker: Worker | undefined
  let queue: Promise<unknown> = Promise.resolve()
  const start = (): Worker => {
    const w = new Worker(entry.url, { execArgv: entry.execArgv, workerData: { engine: true } })
    w.unref()
    w.once('exit', () => {
      if (worker === w) worker = undefined
    })
    return w
  }
  const run = (job: EngineRun) =>
    new Promise<RecommendOutput>((resolve, reject) => {
      const w = (worker ??= start())
      const cleanup = () => {
        w.off('message', onMessage)
        w.off('error', onError)
        w.off('exit', onExit)
      }
      const onMessage = (reply: EngineReply) => {
        cleanup()
        if (reply.ok) resolve(reply.output)
        else reject(reply.violations ? new EngineError(reply.violations) : workerFailure(reply.messageRef))
      }
      const onError = (error: Error) => {
        cleanup()
        reject(workerFailure(msg('server.engine.workerCrashed', { reason: error.message })))
      }
      const onExit = (code: number) => {
        cleanup()
        reject(workerFailure(msg('server.engine.workerExited', { code })))
      }
      w.on('message', onMessage)
      w.once('error', onError)
      w.once('exit', onExit)
      w.postMessage(job)
    })
  return {
    run(job) {
      const result = queue.then(() => run(job))
      queue = result.catch(() => undefined)
      return result
    },
  }
}

export interface EngineScheduleOptions {
  /** Runs the analysis (recommendations.refresh); throws when there is nothing to analyse. */
  analyse: () => Promise<unknown>
  /** Minutes between runs from the settings; 0 = at start-up and on demand only. */
  intervalMinutes: () => number
  /** True while the cluster has hosts with data. */
  hasHosts: () => boolean
  log: (message: string) => void
}

/**
 * Runs the engine at start-up and then every `intervalMinutes`, so the inbox and the Overview
 * always show a current analysis. A start without hosts yet (real hosts still connecting) runs
 * as soon as the first snapshot has some.
 */
export function engineSchedule(options: EngineScheduleOptions) {
  let timer: ReturnType<typeof setTimeout> | undefined
  let stopped = true
  let running: Promise<void> | undefined
  let succeeded = false

  const arm = () => {
    if (timer) clearTimeout(timer)
    timer = undefined
    const minutes = options.intervalMinutes()
    if (stopped || minutes <= 0) return
    timer = setTimeout(() => void run(), minutes * 60_000)
    timer.unref?.()
  }

  function run(): Promise<void> {
    if (stopped) return Promise.resolve()
    if (running) return running
    if (!options.hasHosts()) {
      arm()
      return Promise.resolve()
    }
    running = options
      .analyse()
      .then(() => void (succeeded = true))
      .catch((error: unknown) => options.log(`scheduled analysis failed: ${(error as Error).message}`))
      .finally(() => {
        running = undefined
        arm()
      })
    return running
  }

  return {
    /** Starts the schedule with a run now. */
    start(): Promise<void> {
      stopped = false
      return run()
    },
    /** A new snapshot: the first one with hosts triggers the run start-up could not make. */
    onSnapshot(): void {
      if (!succeeded && !running && !stopped && options.hasHosts()) void run()
    },
    /** The interval setting changed: the next run is counted from now. */
    reschedule(): void {
      arm()
    },
    /** Runs are done and none is pending (tests). */
    idle(): Promise<void> {
      return running ?? Promise.resolve()
    },
    stop(): void {
      stopped = true
      if (timer) clearTimeout(timer)
      timer = undefined
    },
  }
}

export type EngineSchedule = ReturnType<typeof engineSchedule>
