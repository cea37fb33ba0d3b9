import { randomBytes } from 'node:crypto'
import { OUTPUT_LIMITS } from '../../ssh/output-cap'
import { msg } from '../../../shared/i18n'
import type { MessageRef } from '../../../shared/model'
import { ResidentSession, SessionError, worded, type SessionConnection } from '../../ssh/session-channel'
import { DeltaFrames } from './resident-frame'

/** Shortest and longest wait for one poll's answer; callers ask for their poll interval. */
const MIN_TIMEOUT_MS = 3000
const MAX_TIMEOUT_MS = 60_000

/**
 * A host's resident statistics session (libvirt or Proxmox VE): one request per poll with a fresh
 * random nonce, the answer checked against that nonce and decoded into the one-shot scripts'
 * format. An answer that is not framed right, or that the caller cannot parse (`reject`), ends
 * the session; the next poll starts a new one.
 */
export class StatsSession {
  private readonly session: ResidentSession
  /** An answer, as sent and once decoded, is held to a poll's output cap like a one-shot script's. */
  private readonly frames = new DeltaFrames(OUTPUT_LIMITS.poll)
  private framesOf = 0
  /** Bytes the host sent for statistics so far. */
  bytes = 0

  constructor(
    private readonly connection: SessionConnection,
    script: string,
  ) {
    this.session = new ResidentSession(connection, { script, what: msg('access.session.statistics'), maxAnswerBytes: OUTPUT_LIMITS.poll })
  }

  /** Sessions started so far (1 while the first one lives). */
  get started(): number {
    return this.session.started
  }

  /** One poll: `request(nonce)` is what the script reads; resolves with the decoded answer. */
  async read(request: (nonce: string) => string, timeoutMs: number): Promise<string> {
    const nonce = randomBytes(12).toString('hex')
    const start = `@@VP ${nonce} START `
    const done = `@@VP ${nonce} DONE\n`
    const timeout = Math.min(MAX_TIMEOUT_MS, Math.max(MIN_TIMEOUT_MS, timeoutMs))
    const answer = await this.session.request(
      request(nonce),
      ({ head, tail }) => {
        // Anything but this request's START line first is garbage: no need to wait for the deadline.
        if (!start.startsWith(head.slice(0, start.length))) return msg('access.session.notStart', { output: JSON.stringify(head.slice(0, 80)) })
        return tail.endsWith(done)
      },
      timeout,
    )
    this.bytes += answer.bytes
    if (answer.session !== this.framesOf) {
      this.frames.reset()
      this.framesOf = answer.session
    }
    try {
      return this.frames.decode(answer.text, nonce)
    } catch (error) {
      const reason = msg('access.session.notFramed', { problem: worded(error) })
      this.session.fail(reason)
      throw new SessionError(msg('access.session.said', { host: this.connection.label, what: msg('access.session.statistics'), reason }))
    }
  }

  /** The last answer made no sense to its parser: the next poll starts a new session. */
  reject(reason: MessageRef): void {
    this.session.fail(reason)
  }

  close(): void {
    this.session.close()
  }
}
