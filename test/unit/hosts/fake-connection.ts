import { PassThrough } from 'node:stream'
import type { ExecResult, HostConnection } from '../../../src-main/ssh/connection'
import type { SessionStream } from '../../../src-main/ssh/session-channel'

/**
 * A FAKE of the SSH transport (HostConnection): it answers each constant script with canned
 * output, and each request on a resident session with the canned answer of its script (the
 * nonce swapped for the request's). The real transport is covered by the ssh tests against a
 * real sshd; here only what the adapters do with the output matters.
 */
export class FakeConnection {
  execs: string[] = []
  /** Requests made on resident sessions, by script, and as sent. */
  requests: string[] = []
  sent: string[] = []
  closed = false
  roundTrips = 0
  constructor(
    readonly label: string,
    private readonly answer: (script: string, call: number) => string | Error,
  ) {}

  async connect(): Promise<void> {}

  async execScript(script: string): Promise<ExecResult> {
    this.execs.push(script)
    this.roundTrips++
    const a = this.answer(script, this.execs.length)
    if (a instanceof Error) throw a
    return { stdout: a, stderr: a === '' ? 'sh: 1: pvesh: Permission denied' : '', code: a === '' ? 1 : 0, signal: null, bytes: a.length }
  }

  async openSession(script: string): Promise<SessionStream> {
    this.roundTrips++
    const stream = new PassThrough() as unknown as SessionStream & PassThrough
    const input = new PassThrough()
    stream.stderr = new PassThrough()
    stream.write = ((chunk: string) => input.write(chunk)) as typeof stream.write
    input.setEncoding('utf8')
    input.on('data', (request: string) => {
      this.requests.push(script)
      this.sent.push(request)
      const nonce = /@@VP ([0-9a-f]+) POLL/.exec(request)![1]!
      const a = this.answer(script, this.execs.length + this.requests.length)
      if (a instanceof Error) return stream.destroy(a)
      const canned = /^@@VP (\S+) START/.exec(a)?.[1]
      stream.push(canned ? a.replaceAll(`@@VP ${canned} `, `@@VP ${nonce} `) : a)
    })
    return stream
  }

  close(): void {
    this.closed = true
  }

  /** As the adapters' constructors type it. */
  get asConnection(): HostConnection {
    return this as unknown as HostConnection
  }
}
