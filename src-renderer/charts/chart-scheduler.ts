/**
 * Spreads chart work over separate tasks so a burst of chart updates (a live snapshot touching
 * six charts, a view opening with six charts) never becomes one long main-thread task: one job
 * per task, so the browser can paint and handle input between two charts. Jobs are keyed by
 * their chart; scheduling a key again replaces its pending job, so a chart that falls behind
 * only ever draws its newest state. Charts on screen ('high') go before those out of view.
 */

type Job = () => void
export type ChartJobPriority = 'high' | 'low'

const queues: Record<ChartJobPriority, Map<object, Job>> = { high: new Map(), low: new Map() }
let posted = false

// A message to ourselves is a macrotask without setTimeout's clamping; setTimeout elsewhere.
const channel = typeof MessageChannel !== 'undefined' ? new MessageChannel() : null
if (channel) {
  // Typed for both the DOM and Node (the unit tests), whose MessagePort lacks onmessage in its types.
  const port = channel.port1 as unknown as { onmessage: (() => void) | null; unref?: () => void }
  port.onmessage = run
  port.unref?.()
}

function post(): void {
  if (posted) return
  posted = true
  if (channel) channel.port2.postMessage(null)
  else setTimeout(run, 0)
}

function next(): [object, Job] | undefined {
  for (const queue of [queues.high, queues.low]) {
    const first = queue.entries().next()
    if (!first.done) {
      queue.delete(first.value[0])
      return first.value
    }
  }
  return undefined
}

function run(): void {
  posted = false
  const job = next()
  if (job) {
    try {
      job[1]()
    } catch (e) {
      console.error(e)
    }
  }
  if (queues.high.size + queues.low.size > 0) post()
}

/** Runs `job` in a later task of its own; replaces `key`'s pending job. */
export function scheduleChartJob(key: object, job: Job, priority: ChartJobPriority = 'high'): void {
  cancelChartJob(key)
  queues[priority].set(key, job)
  post()
}

/** Drops `key`'s pending job (its chart is going away). */
export function cancelChartJob(key: object): void {
  queues.high.delete(key)
  queues.low.delete(key)
}

/**
 * Resolves once the jobs of charts in view queued so far have run: what sits below them comes
 * after them. Queued as such a job itself, so charts queued later (live updates) cannot hold it up.
 */
export function afterQueuedCharts(): Promise<void> {
  return new Promise((resolve) => scheduleChartJob({}, resolve, 'high'))
}
