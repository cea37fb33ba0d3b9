/**
 * What one host connection holds right now. Counted where each is made and released, so a leak
 * (a client, channel, timer or listener left behind by a flapping host) shows as a number that
 * does not come back down; the diagnostics and the reliability tests read it.
 */
export interface ConnectionResources {
  /** SSH clients alive: the host's and each jump host's, handshakes in progress included. */
  clients: number
  /** Command channels open on them. */
  channels: number
  /** Timers pending: the reconnect timer, command deadlines and liveness checks. */
  timers: number
  /** Event listeners on the live clients. */
  listeners: number
}

/** A timer that counts itself while pending. */
export class CountedTimers {
  private pending = 0

  get count(): number {
    return this.pending
  }

  /** Like setTimeout; the returned function cancels it (and is safe to call twice). */
  start(ms: number, callback: () => void): () => void {
    this.pending++
    let done = false
    const finish = () => {
      if (done) return false
      done = true
      this.pending--
      return true
    }
    const timer = setTimeout(() => {
      if (finish()) callback()
    }, ms)
    return () => {
      if (finish()) clearTimeout(timer)
    }
  }
}
