import { afterEach, describe, expect, it } from 'vitest'
import { formatMessage, msg } from '../../../shared/i18n'
import { ResidentSession, type SessionError } from '../../../src-main/ssh/session-channel'
import { groupAlive, LocalHost } from '../hosts/local-session'

// Resident sessions over a FAKE transport (a local process in place of an SSH channel; the lab's
// integration tests run them over real sshd). The scripts and their processes are real.

/** Answers `ok LINE` per request line; `hang` never answers, `chatty` adds an unasked line later, `big` floods, `die` exits without answering. */
const SERVER = `while read -r l; do
  case $l in
    hang) sleep 30;;
    chatty) echo "ok $l"; sleep 0.2; echo "nobody asked";;
    big) i=0; while [ $i -lt 200 ]; do echo "0123456789012345678901234567890123456789"; i=$((i+1)); done;;
    die) exit 1;;
    *) echo "ok $l";;
  esac
done`

const line = ({ tail }: { tail: string }) => tail.endsWith('\n')
const okLine = ({ head, tail }: { head: string; tail: string }): boolean | string => (head.length >= 3 && !head.startsWith('ok ') ? `said ${JSON.stringify(head.slice(0, 20))}` : tail.endsWith('\n'))

async function until(what: string, test: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

let sessions: ResidentSession[] = []
afterEach(() => {
  for (const s of sessions) s.close()
  sessions = []
})

function session(host: LocalHost, options: Partial<ConstructorParameters<typeof ResidentSession>[1]> = {}): ResidentSession {
  const s = new ResidentSession(host, { script: SERVER, what: 'test', ...options })
  sessions.push(s)
  return s
}

describe('a resident session', () => {
  it('answers many requests from one process, one round trip each', async () => {
    const host = new LocalHost(process.env, 'admin@h1')
    const s = session(host)
    for (const word of ['a', 'b', 'c']) expect((await s.request(`${word}\n`, line, 5000)).text).toBe(`ok ${word}\n`)
    expect(host.children).toHaveLength(1)
    expect(s.started).toBe(1)
    // opening the session, then one per request
    expect(host.roundTrips).toBe(4)
    await expect(Promise.all([s.request('d\n', line, 5000), s.request('e\n', line, 5000)])).rejects.toThrow('still answering the previous request')
  }, 30_000)

  it('kills a session that does not answer in time, with every process it started, and starts a new one', async () => {
    const host = new LocalHost(process.env, 'admin@h1')
    const s = session(host)
    const started = Date.now()
    await expect(s.request('hang\n', line, 300)).rejects.toThrow(/^admin@h1: the test session did not answer within 300 ms$/)
    expect(Date.now() - started).toBeLessThan(5000)
    // sh and its sleep: the whole process group got SIGKILL
    await until('the hung session to be gone', () => !groupAlive(host.children[0]!.pid!))
    expect((await s.request('x\n', line, 5000)).text).toBe('ok x\n')
    expect(s.started).toBe(2)
  }, 30_000)

  it('drops a session that answers with garbage or speaks unasked, at once', async () => {
    const host = new LocalHost()
    const s = session(host)
    await expect(s.request('garbage\n', ({ head }) => (head.length >= 3 ? 'not a greeting' : false), 5000)).rejects.toThrow('the test session not a greeting')
    expect((await s.request('chatty\n', okLine, 5000)).session).toBe(2)
    await until('the unasked line to end the session', () => host.children[1]!.exitCode !== null || host.children[1]!.signalCode !== null)
    expect((await s.request('y\n', okLine, 5000)).session).toBe(3)
  }, 30_000)

  it('caps one answer, naming the host', async () => {
    const s = session(new LocalHost(process.env, 'root@pve-a'), { maxAnswerBytes: 4096 })
    await expect(s.request('big\n', () => false, 5000)).rejects.toThrow(/^root@pve-a: the test session printed more than 4 KiB for one request; VirtPilot stopped it and ignores what it printed\. Check that host\.$/)
    expect((await s.request('z\n', line, 5000)).text).toBe('ok z\n')
  }, 30_000)

  it('replaces a session that died at once, then backs off while failures repeat', async () => {
    let now = 1_000_000
    const host = new LocalHost()
    const s = session(host, { now: () => now, backoff: { initialMs: 1000, maxMs: 8000 } })
    const died = (await s.request('die\n', line, 5000).catch((e: unknown) => e)) as SessionError
    expect(died.message).toMatch(/^local: the test session ended$/)
    // the first failure is retried right away
    await expect(s.request('die\n', line, 5000)).rejects.toThrow('ended')
    expect(host.children).toHaveLength(2)
    const waiting = (await s.request('q\n', line, 5000).catch((e: unknown) => e)) as SessionError
    expect(waiting.message).toMatch(/failed 2 times in a row \(last: ended\); next try in 1 s$/)
    // Said in the admin's language: the session's name and every reason are VirtPilot's words.
    expect(formatMessage(died.messageRef, 'zh-CN')).toBe('local：test会话已结束')
    expect(formatMessage({ ...waiting.messageRef, params: { ...waiting.messageRef.params, what: msg('access.session.statistics') } }, 'zh-CN')).toBe('local：统计会话已连续失败 2 次（最近一次：已结束）；1 秒后重试')
    expect(host.children).toHaveLength(2)
    now += 1000
    expect((await s.request('q\n', line, 5000)).text).toBe('ok q\n')
    expect(host.children).toHaveLength(3)
    // an answer ends the run of failures
    expect((await s.request('r\n', line, 5000)).session).toBe(3)
  }, 30_000)

  it('close ends an idle script through its input, and kills one that is busy', async () => {
    const idle = new LocalHost()
    const a = session(idle)
    await a.request('a\n', line, 5000)
    a.close()
    await until('the idle session to exit', () => idle.children[0]!.exitCode === 0)
    await expect(a.request('b\n', line, 5000)).rejects.toThrow('is closed')

    const busy = new LocalHost()
    const b = session(busy)
    await b.request('a\n', line, 5000)
    const inFlight = b.request('hang\n', line, 5000)
    await new Promise((r) => setTimeout(r, 100))
    b.close()
    await expect(inFlight).rejects.toThrow('was closed')
    await until('the busy session and its sleep to be gone', () => !groupAlive(busy.children[0]!.pid!))
  }, 30_000)
})
