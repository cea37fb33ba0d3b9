import { spawn, type ChildProcess } from 'node:child_process'
import { Duplex } from 'node:stream'
import type { SessionConnection, SessionStream } from '../../../src-main/ssh/session-channel'

/**
 * A FAKE of the SSH transport for resident sessions: the script runs as a local `/bin/sh -c`
 * process instead of on a channel of a real sshd (the lab's integration tests cover that). The
 * script itself, awk, /proc and /sys are real. Like sshd, `signal('KILL')` reaches the whole
 * process group of the session.
 */
export class LocalHost implements SessionConnection {
  readonly label: string
  roundTrips = 0
  /** Every session process started, for tests that check what is left running. */
  readonly children: ChildProcess[] = []
  /** Scripts passed to openSession, in order. */
  readonly scripts: string[] = []

  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    label = 'local',
  ) {
    this.label = label
  }

  async connect(): Promise<void> {}

  async openSession(script: string): Promise<SessionStream> {
    this.roundTrips++
    this.scripts.push(script)
    const child = spawn('/bin/sh', ['-c', script], { env: this.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true })
    this.children.push(child)
    return sessionStreamOf(child)
  }
}

/** A child's stdin/stdout as one Duplex with its stderr, like ssh2's ClientChannel. */
export function sessionStreamOf(child: ChildProcess): SessionStream {
  const stream = new Duplex({
    write(chunk, encoding, callback) {
      child.stdin!.write(chunk, encoding, callback)
    },
    read() {
      child.stdout!.resume()
    },
    final(callback) {
      child.stdin!.end()
      callback()
    },
  }) as SessionStream
  stream.stderr = child.stderr!
  stream.signal = (name: string) => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, `SIG${name}` as NodeJS.Signals)
  }
  stream.close = () => stream.destroy()
  child.stdout!.on('data', (chunk: Buffer) => {
    if (!stream.push(chunk)) child.stdout!.pause()
  })
  child.stdin!.on('error', () => undefined)
  child.on('close', () => {
    stream.push(null)
    stream.destroy()
  })
  return stream
}

/** Whether any process of the group led by `pid` still exists (zombies included). */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0)
    return true
  } catch {
    return false
  }
}
