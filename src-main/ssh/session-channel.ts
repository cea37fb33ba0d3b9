import { StringDecoder } from 'node:string_decoder'
import type { Duplex, Readable } from 'node:stream'
import { english, msg } from '../../shared/i18n'
import type { MessageRef } from '../../shared/model'
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
  /** What it reads, for messages: access.session.statistics (a plain string is said as it is). */
  what: MessageRef | string
  /** An answer larger than this ends the session (a host must not make VirtPilot buffer without end); OUTPUT_LIMITS.command by default. */
  maxAnswerBytes?: number
  /** Waits between attempts after repeated failures: none after the first, then initialMs doubling up to maxMs. */
  backoff?: { initialMs: number; maxMs: number }
  now?: () => number
}

/** A session's failure in VirtPilot's words (`messageRef`; its English is the message); what the host said stays verbatim inside it. */
export class SessionError extends Error {
  override name = 'SessionError'
  constructor(readonly messageRef: MessageRef) {
    super(english(messageRef))
  }
}

/** Text that is not ours (a host's line, the system's error), said as it is in any language. */
export const verbatim = (text: string): MessageRef => msg('engine.verbatim', { text })

/** An error as a message: VirtPilot's words where it has them (an SshError's ref, with what the system said beside it), else as it came. */
export function worded(error: unknown): MessageRef {
  const e = error as { ref?: MessageRef; messageRef?: MessageRef; detail?: string; message?: string }
  const ref = e.messageRef ?? e.ref
  if (!ref) return verbatim(error instanceof Error ? error.message : String(error))
  return e.detail ? msg('access.session.withDetail', { reason: ref, detail: e.detail }) : ref
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
 * Whether an answer is all there: true, false (wait for more), or why it can never be one (a
 * message, or a string said as it is). It
 * sees the answer's first and last EDGE_CHARS characters so far, so that checking after every
 * chunk stays linear in the answer's size.
 */
export type Completeness = (received: { head: string; tail: string }) => boolean | string | MessageRef

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
  private lastFailure: MessageRef = verbatim('')
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

  /** "<host>: the statistics session <reason>" as a message. */
  private error(reason: MessageRef): SessionError {
    const what = typeof this.options.what === 'string' ? verbatim(this.options.what) : this.options.what
    return new SessionError(msg('access.session.said', { host: this.connection.label, what, reason }))
  }

  /** Sends `request` and resolves once `complete` accepts what came back; rejects with a SessionError. */
  async request(request: string, complete: Completeness, timeoutMs: number): Promise<SessionAnswer> {
    if (this.pending) throw this.error(msg('access.session.busy'))
    if (this.closed) throw this.error(msg('access.session.closed'))
    const deadline = this.now() + timeoutMs
    if (!this.stream && this.now() < this.retryAt) {
      throw this.error(msg('access.session.backingOff', { count: this.failures, last: this.lastFailure, seconds: Math.ceil((this.retryAt - this.now()) / 1000) }))
    }
    const stream = this.stream ?? (await this.start(timeoutMs))
    return new Promise<SessionAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.broken(stream, msg('access.session.noAnswer', { ms: timeoutMs }))
        this.connection.missedDeadline?.()
      }, Math.max(0, deadline - this.now()))
      this.pending = { complete, resolve, reject, chunks: [], head: '', tail: '', bytes: 0, decoder: new StringDecoder('utf8'), timer }
      this.connection.roundTrips++
      stream.write(request)
    })
  }

  /** The caller found the last answer unusable: the session is not trusted any more. */
  fail(reason: MessageRef): void {
    if (this.stream) this.broken(this.stream, reason)
  }

  /** Ends the session (its script sees the end of its input; one still answering is killed) and refuses further requests. */
  close(): void {
    this.closed = true
    const stream = this.stream
    this.stream = undefined
    if (stream && this.pending) this.kill(stream)
    else if (stream) stream.end()
    this.settle(this.error(msg('access.session.wasClosed')))
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
        reject(this.error(msg('access.session.startTimeout', { ms: timeoutMs })))
        this.connection.missedDeadline?.()
      }, timeoutMs)
    })
    const opening = (async () => {
      await this.connection.connect()
      return this.connection.openSession(this.options.script)
    })()
    try {
      const stream = await Promise.race([opening, timeout])
      if (this.closed) throw this.error(msg('access.session.wasClosed'))
      this.started++
      this.stream = stream
      this.stderrTail = ''
      stream.on('data', (chunk: Buffer) => this.received(stream, chunk))
      stream.stderr.on('data', (chunk: Buffer) => (this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-2000)))
      stream.on('error', (error: Error) => this.broken(stream, msg('access.session.failed', { detail: error.message })))
      // Its output ending (the script's reader died) is as final as the channel closing.
      stream.on('end', () => this.broken(stream, msg('access.session.ended')))
      stream.on('close', () => this.broken(stream, msg('access.session.ended')))
      return stream
    } catch (error) {
      // A session that opens after its deadline is not wanted: end it rather than leave it running.
      opening.then((late) => this.kill(late), () => undefined)
      // The connection's own failure in VirtPilot's words where it has them (an SshError's ref), else as it came.
      const said = error instanceof SessionError ? error.messageRef : worded(error)
      this.failed(said)
      throw error instanceof SessionError ? error : this.error(msg('access.session.couldNotStart', { reason: said }))
    } finally {
      clearTimeout(timer)
    }
  }

  private received(stream: SessionStream, chunk: Buffer): void {
    if (stream !== this.stream) return
    const pending = this.pending
    if (!pending) return this.broken(stream, msg('access.session.unasked', { output: JSON.stringify(chunk.toString('utf8', 0, 80)) }))
    pending.bytes += chunk.length
    const limit = this.options.maxAnswerBytes ?? OUTPUT_LIMITS.command
    if (pending.bytes > limit) return this.broken(stream, msg('access.session.tooMuch', { size: describeBytes(limit) }))
    pending.chunks.push(chunk)
    const text = pending.decoder.write(chunk)
    if (pending.head.length < EDGE_CHARS) pending.head = (pending.head + text.slice(0, EDGE_CHARS)).slice(0, EDGE_CHARS)
    pending.tail = (pending.tail + text.slice(-EDGE_CHARS)).slice(-EDGE_CHARS)
    const verdict = pending.complete({ head: pending.head, tail: pending.tail })
    if (typeof verdict === 'string') return this.broken(stream, verbatim(verdict))
    if (typeof verdict === 'object') return this.broken(stream, verdict)
    if (!verdict) return
    clearTimeout(pending.timer)
    this.pending = undefined
    this.failures = 0
    pending.resolve({ text: Buffer.concat(pending.chunks).toString('utf8'), bytes: pending.bytes, session: this.started })
  }

  /** Kills a session that cannot be trusted any more and fails the request in flight. */
  private broken(stream: SessionStream, reason: MessageRef): void {
    if (stream !== this.stream) return
    this.stream = undefined
    this.kill(stream)
    // What the script printed on stderr is the host's own words: kept verbatim, labelled.
    const tail = this.stderrTail.trim().split('\n').slice(-3).join(' / ')
    const said = tail ? msg('access.session.withStderr', { reason, stderr: tail }) : reason
    this.failed(said)
    this.settle(this.error(said))
  }

  private failed(reason: MessageRef): void {
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
