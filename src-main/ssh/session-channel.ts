import { StringDecoder } from 'node:string_decoder'
import type { Duplex, Readable } from 'node:stream'
import { describeBytes, OUTPUT_LIMITS } from './output-cap'

/** A channel running a script that stays up: ssh2's ClientChannel, or a local process in tests. */
export interface SessionStream extends Duplex {
  stderr: Readable
  /** Sends a signal to the script's process group (sshd does killpg); absent for local processes. */
  signal?(name: string): void
  close?(): void
}

/** What a resident session needs of a host connection (HostConnection has it). */
export interface SessionConnection {
  readonly label: string
  connect(): Promise<void>
  openSession(script: string): Promise<SessionStream>
  /** Round trips made to the host; each request on a session is one. */
  roundTrips: number
  /** A request missed its deadline: the connection checks whether the host answers at all. */
  missedDeadline?(): void
}

export interface ResidentSessionOptions {
  /** The constant script the session runs. */
  script: string
  /** What it reads, for messages: "statistics". */
  what: string
  /** An answer larger than this ends the session (a host must not make VirtPilot buffer without end); OUTPUT_LIMITS.command by default. */
  maxAnswerBytes?: number
  /** Waits between attempts after repeated failures: none after the first, then initialMs doubling up to maxMs. */
  backoff?: { initialMs: number; maxMs: number }
  now?: () => number
}

export class SessionError extends Error {
  override name = 'SessionError'
}

export interface SessionAnswer {
  text: string
  /** Bytes the host sent for this answer. */
  bytes: number
  /** Which session answered (1, 2, ...): a new one shares no state with the one before. */
  session: number
}

/** How much of an answer's start and end a Completeness check sees. */
export const EDGE_CHARS = 256

/**
 * Whether an answer is all there: true, false (wait for more), or why it can never be one. It
 * sees the answer's first and last EDGE_CHARS characters so far, so that checking after every
 * chunk stays linear in the answer's size.
 */
export type Completeness = (received: { head: string; tail: string }) => boolean | string

interface Pending {
  complete: Completeness
  resolve: (answer: SessionAnswer) => void
  reject: (error: Error) => void
  chunks: Buffer[]
  head: string
  tail: string
  bytes: number
  decoder: StringDecoder
  timer: ReturnType<typeof setTimeout>
}

/**
 * One long-lived script on a host, asked one request at a time: each request is one round trip,
 * with no process started for it on the host. A session that closes, stays silent past the
 * request's deadline, sends more than the size cap, speaks when not asked, or whose answer the
 * caller rejects (`fail`) is killed (signal KILL to its process group, then the channel closed)
 * and replaced at the next request: at once after a first failure, then after a backoff that
 * doubles while failures repeat.
 */
export class ResidentSession {
  private stream: SessionStream | undefined
  private pending: Pending | undefined
  private stderrTail = ''
  private failures = 0
  private retryAt = 0
  private lastFailure = ''
  private closed = false
  /** Sessions started so far; the current one's number. */
  started = 0

  constructor(
    private readonly connection: SessionConnection,
    private readonly options: ResidentSessionOptions,
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)()
  }

  private get label(): string {
    return `${this.connection.label}: the ${this.options.what} session`
  }

  /** Sends `request` and resolves once `complete` accepts what came back; rejects with a SessionError. */
  async request(request: string, complete: Completeness, timeoutMs: number): Promise<SessionAnswer> {
    if (this.pending) throw new SessionError(`${this.label} is still answering the previous request`)
    if (this.closed) throw new SessionError(`${this.label} is closed`)
    const deadline = this.now() + timeoutMs
    if (!this.stream && this.now() < this.retryAt) {
      throw new SessionError(`${this.label} failed ${this.failures} times in a row (last: ${this.lastFailure}); next try in ${Math.ceil((this.retryAt - this.now()) / 1000)} s`)
    }
    const stream = this.stream ?? (await this.start(timeoutMs))
    return new Promise<SessionAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.broken(stream, `did not answer within ${timeoutMs} ms`)
        this.connection.missedDeadline?.()
      }, Math.max(0, deadline - this.now()))
      this.pending = { complete, resolve, reject, chunks: [], head: '', tail: '', bytes: 0, decoder: new StringDecoder('utf8'), timer }
      this.connection.roundTrips++
      stream.write(request)
    })
  }

  /** The caller found the last answer unusable: the session is not trusted any more. */
  fail(reason: string): void {
    if (this.stream) this.broken(this.stream, reason)
  }

  /** Ends the session (its script sees the end of its input; one still answering is killed) and refuses further requests. */
  close(): void {
    this.closed = true
    const stream = this.stream
    this.stream = undefined
    if (stream && this.pending) this.kill(stream)
    else if (stream) stream.end()
    this.settle(new SessionError(`${this.label} was closed`))
  }

  private kill(stream: SessionStream): void {
    try {
      stream.signal?.('KILL')
    } catch {
      // the channel may be half closed already
    }
    stream.destroy()
  }

  private async start(timeoutMs: number): Promise<SessionStream> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new SessionError(`${this.label} could not start within ${timeoutMs} ms`))
        this.connection.missedDeadline?.()
      }, timeoutMs)
    })
    const opening = (async () => {
      await this.connection.connect()
      return this.connection.openSession(this.options.script)
    })()
    try {
      const stream = await Promise.race([opening, timeout])
      if (this.closed) throw new SessionError(`${this.label} was closed`)
      this.started++
      this.stream = stream
      this.stderrTail = ''
      stream.on('data', (chunk: Buffer) => this.received(stream, chunk))
      stream.stderr.on('data', (chunk: Buffer) => (this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-2000)))
      stream.on('error', (error: Error) => this.broken(stream, `failed: ${error.message}`))
      // Its output ending (the script's reader died) is as final as the channel closing.
      stream.on('end', () => this.broken(stream, 'ended'))
      stream.on('close', () => this.broken(stream, 'ended'))
      return stream
    } catch (error) {
      // A session that opens after its deadline is not wanted: end it rather than leave it running.
      opening.then((late) => this.kill(late), () => undefined)
      this.failed(error instanceof Error ? error.message : String(error))
      throw error instanceof SessionError ? error : new SessionError(`${this.label} could not start: ${(error as Error).message}`)
    } finally {
      clearTimeout(timer)
    }
  }

  private received(stream: SessionStream, chunk: Buffer): void {
    if (stream !== this.stream) return
    const pending = this.pending
    if (!pending) return this.broken(stream, `printed output nobody asked for: ${JSON.stringify(chunk.toString('utf8', 0, 80))}`)
    pending.bytes += chunk.length
    const limit = this.options.maxAnswerBytes ?? OUTPUT_LIMITS.command
    if (pending.bytes > limit) return this.broken(stream, `printed more than ${describeBytes(limit)} for one request; VirtPilot stopped it and ignores what it printed. Check that host.`)
    pending.chunks.push(chunk)
    const text = pending.decoder.write(chunk)
    if (pending.head.length < EDGE_CHARS) pending.head = (pending.head + text.slice(0, EDGE_CHARS)).slice(0, EDGE_CHARS)
    pending.tail = (pending.tail + text.slice(-EDGE_CHARS)).slice(-EDGE_CHARS)
    const verdict = pending.complete({ head: pending.head, tail: pending.tail })
    if (typeof verdict === 'string') return this.broken(stream, verdict)
    if (!verdict) return
    clearTimeout(pending.timer)
    this.pending = undefined
    this.failures = 0
    pending.resolve({ text: Buffer.concat(pending.chunks).toString('utf8'), bytes: pending.bytes, session: this.started })
  }

  /** Kills a session that cannot be trusted any more and fails the request in flight. */
  private broken(stream: SessionStream, reason: string): void {
    if (stream !== this.stream) return
    this.stream = undefined
    this.kill(stream)
    const tail = this.stderrTail.trim().split('\n').slice(-3).join(' / ')
    const message = `${reason}${tail ? ` (its stderr: ${tail})` : ''}`
    this.failed(message)
    this.settle(new SessionError(`${this.label} ${message}`))
  }

  private failed(reason: string): void {
    this.failures++
    this.lastFailure = reason
    const { initialMs, maxMs } = this.options.backoff ?? { initialMs: 1000, maxMs: 60_000 }
    this.retryAt = this.failures <= 1 ? 0 : this.now() + Math.min(maxMs, initialMs * 2 ** (this.failures - 2))
  }

  private settle(error: Error): void {
    const pending = this.pending
    this.pending = undefined
    if (!pending) return
    clearTimeout(pending.timer)
    pending.reject(error)
  }
}
