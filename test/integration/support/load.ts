// What a busy machine does to timers, measured while a test runs, so timing checks are judged
// against the load of the moment instead of a fixed allowance.
import { monitorEventLoopDelay } from 'node:perf_hooks'

/** How late this process's timers fire: a probe timer every `everyMs`, and the event loop's delay. */
export class TimerLateness {
  private readonly latenesses: number[] = []
  private readonly histogram = monitorEventLoopDelay({ resolution: 10 })
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor(private readonly everyMs = 100) {}

  start(): this {
    this.histogram.enable()
    const tick = (due: number) => {
      this.timer = setTimeout(() => {
        this.latenesses.push(performance.now() - due)
        tick(performance.now() + this.everyMs)
      }, this.everyMs)
    }
    tick(performance.now() + this.everyMs)
    return this
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer)
    this.histogram.disable()
  }

  /** The worst lateness seen (ms): a timer of the code under test may be that late too. */
  get maxMs(): number {
    return Math.max(0, ...this.latenesses, this.histogram.max / 1e6)
  }

  get summary(): string {
    const sorted = [...this.latenesses].sort((a, b) => a - b)
    const p = (q: number) => (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(0)
    return `timer lateness p50 ${p(0.5)} ms, p99 ${p(0.99)} ms, max ${this.maxMs.toFixed(0)} ms over ${sorted.length} probes`
  }
}
