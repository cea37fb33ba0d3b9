import { Worker } from 'node:worker_threads'
import type { History } from '../../shared/engine/history'
import type { AllocationStrategy } from '../../shared/engine/options'
import type { RecommendOutput } from '../../shared/engine/recommend'
import type { MipSolver } from '../../shared/engine/solver'
import type { ClusterFacts, Snapshot } from '../../shared/model'
import { loadSolver, recommendFor } from '../cli/recommend'
import { findWorkerEntry, type WorkerEntry } from '../whatif/run'

/** What one engine run needs: all plain data, so it can cross into a worker thread. */
export interface EngineJob {
  snapshot: Snapshot
  history: History
  now: number
  strategy: AllocationStrategy
  facts?: ClusterFacts
}

/** The parts of the engine's output the inbox keeps. */
export type EngineOutput = Pick<RecommendOutput, 'recommendations' | 'reasons'> & { balance: Pick<RecommendOutput['balance'], 'exact'> }
export type EngineReply = { ok: true; output: EngineOutput } | { ok: false; message: string }
export type EngineRunner = (job: EngineJob) => Promise<EngineOutput>

let solver: Promise<MipSolver> | undefined

/** One run in this thread (the worker's body, and the fallback without a worker). */
export async function runEngineJob(job: EngineJob): Promise<EngineReply> {
  try {
    solver ??= loadSolver()
    const output = await recommendFor({ ...job, solver: await solver })
    return { ok: true, output: { recommendations: output.recommendations, reasons: output.reasons, balance: { exact: output.balance.exact } } }
  } catch (error) {
    return { ok: false, message: (error as Error).message }
  }
}

async function inProcess(job: EngineJob): Promise<EngineOutput> {
  const reply = await runEngineJob(job)
  if (!reply.ok) throw new Error(reply.message)
  return reply.output
}

/**
 * Runs the engine in a worker thread, one job at a time: HiGHS's exact comparison takes seconds,
 * and the api, the collectors and the live charts must not wait for it. Falls back to this
 * thread when no worker entry exists. The worker is kept between runs (HiGHS loads once) and
 * does not keep the process alive.
 */
export function engineRunner(entry: WorkerEntry | null = findWorkerEntry(import.meta.url, 'engine-worker.js', 'engine-worker.ts')): EngineRunner {
  if (!entry) return inProcess
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
  const run = (job: EngineJob) =>
    new Promise<EngineOutput>((resolve, reject) => {
      const w = (worker ??= start())
      const cleanup = () => {
        w.off('message', onMessage)
        w.off('error', onError)
        w.off('exit', onExit)
      }
      const onMessage = (reply: EngineReply) => {
        cleanup()
        if (reply.ok) resolve(reply.output)
        else reject(new Error(reply.message))
      }
      const onError = (error: Error) => {
        cleanup()
        reject(new Error(`The engine's worker crashed: ${error.message}`))
      }
      const onExit = (code: number) => {
        cleanup()
        reject(new Error(`The engine's worker exited (code ${code}) before it answered`))
      }
      w.on('message', onMessage)
      w.once('error', onError)
      w.once('exit', onExit)
      w.postMessage(job)
    })
  return (job) => {
    const result = queue.then(() => run(job))
    queue = result.catch(() => undefined)
    return result
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
