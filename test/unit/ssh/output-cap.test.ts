import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ServerChannel } from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Collector } from '../../../src-main/collect/collector'
import { LibvirtAdapter } from '../../../src-main/hosts/libvirt/adapter'
import { english, formatMessage } from '../../../shared/i18n'
import { HostConnection, SshError } from '../../../src-main/ssh/connection'
import { noPrompts } from '../../../src-main/ssh/credentials'
import { KnownHostsStore } from '../../../src-main/ssh/known-hosts-store'
import { OUTPUT_LIMITS } from '../../../src-main/ssh/output-cap'
import { resolveTarget } from '../../../src-main/ssh/resolve'
import { parseTarget } from '../../../src-main/ssh/target'
import { openStore } from '../../../src-main/store'
import { startSshServer, type TestSshServer } from '../support/ssh-server'
import { serveStatsSession } from '../support/stats-session'

// A host's output is the host's choice. Here a scripted SSH server (ssh2's, on loopback) prints
// more than any real host would: VirtPilot must stop reading it, name the host, and keep going.

const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'outputs', 'virtpilot-lab')
const discover = readFileSync(join(fixtures, 'discover-h1.txt'), 'utf8')
const stats = readFileSync(join(fixtures, 'stats-h1-sample1.txt'), 'utf8')
/** The same host without its VMs (so two test hosts do not report one VM). */
const discoverNoVms = discover.replace(/@@VP (\S+) BEGIN dumpxml [^]*?@@VP \1 END dumpxml \S+ 0\n/g, '')

/** Writes `bytes` of output in 64 KiB chunks, respecting the channel's flow control. */
function flood(channel: ServerChannel, bytes: number): void {
  const chunk = Buffer.alloc(64 * 1024, 'y\n')
  let left = bytes
  const write = () => {
    while (left > 0) {
      left -= chunk.length
      if (!channel.write(chunk)) return void channel.once('drain', write)
    }
    channel.exit(0)
    channel.end()
  }
  channel.on('error', () => undefined)
  write()
}

function answer(channel: ServerChannel, text: string): void {
  channel.write(text)
  channel.exit(0)
  channel.end()
}

let dir: string
const servers: TestSshServer[] = []

function connect(server: TestSshServer, user: string): HostConnection {
  const known = new KnownHostsStore(undefined, join(dir, `known_hosts_${server.port}`))
  known.accept('127.0.0.1', server.port, server.hostKeyBlob)
  const target = resolveTarget(parseTarget(`${user}@127.0.0.1:${server.port}`), { home: dir, localUser: user })
  target.identityFiles = []
  const connection = new HostConnection({ target, knownHosts: known, onUnknownHostKey: async () => false, prompter: { ...noPrompts, password: async () => 'pw' }, readyTimeoutMs: 20_000, reconnect: false })
  return connection
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'virtpilot-cap-'))
})

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()))
  rmSync(dir, { recursive: true, force: true })
})

describe('output caps per command', () => {
  it('stops a command that prints past its limit with an error naming the host; the connection keeps working', { timeout: 60_000 }, async () => {
    const server = await startSshServer({
      authenticate: (ctx) => (ctx.method === 'password' ? ctx.accept() : ctx.reject(['password'])),
      exec: (command, channel) => (command.startsWith('flood') ? flood(channel, 6 * 1024 * 1024) : command.startsWith('sleepy') ? undefined : answer(channel, 'still here\n')),
    })
    servers.push(server)
    const connection = connect(server, 'flooded')
    await connection.connect()
    const error = await connection.exec(['flood']).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(SshError)
    expect((error as SshError).kind).toBe('output-too-large')
    expect((error as SshError).message).toMatch(/^flooded@127\.0\.0\.1:\d+: flood printed more than 4 MiB/)
    // The same in the admin's language: VirtPilot's words, the host and the command as they are.
    expect(english((error as SshError).ref!)).toBe((error as SshError).message)
    expect(formatMessage((error as SshError).ref!, 'zh-CN')).toMatch(/^flooded@127\.0\.0\.1:\d+：flood 的输出超过 4 MiB；VirtPilot 已停止它并忽略其输出。请检查该宿主机。$/)
    // A command that does not finish in time: the same, with its deadline.
    const slow = await connection.exec(['sleepy'], { timeoutMs: 200 }).then(
      () => undefined,
      (e: unknown) => e as SshError,
    )
    expect(slow?.kind).toBe('timeout')
    expect(slow?.message).toMatch(/: sleepy did not finish within 200 ms$/)
    expect(formatMessage(slow!.ref!, 'zh-CN')).toMatch(/：sleepy 未在 200 毫秒内结束$/)
    expect(connection.state).toBe('online')
    expect((await connection.exec(['echo'])).stdout).toBe('still here\n')
    // The same output within a larger limit (a discovery's) arrives whole.
    const whole = await connection.exec(['flood'], { maxOutputBytes: OUTPUT_LIMITS.discovery })
    expect(whole.stdout.length).toBe(6 * 1024 * 1024)
    connection.close()
  })

  it('a host that floods its poll fails only its own poll: another host keeps polling', { timeout: 60_000 }, async () => {
    const make = (floods: boolean) =>
      startSshServer({
        authenticate: (ctx) => (ctx.method === 'password' ? ctx.accept() : ctx.reject(['password'])),
        exec: (command, channel) => {
          if (command.includes('discover-1')) return answer(channel, floods ? discoverNoVms : discover)
          serveStatsSession(channel, floods ? { bytes: OUTPUT_LIMITS.poll + 1024 * 1024 } : { poll: stats })
        },
      })
    const [bad, good] = await Promise.all([make(true), make(false)])
    servers.push(bad, good)
    const store = openStore(':memory:')
    let t = Date.UTC(2026, 0, 1)
    const errors: string[] = []
    const snapshots: string[] = []
    const collectors = ([['bad', bad], ['good', good]] as const).map(
      ([id, server]) =>
        new Collector({
          adapter: new LibvirtAdapter(connect(server, id), id),
          store,
          clock: () => (t += 5000),
          intervalMs: 3_600_000,
          backfillMs: 0,
          onSnapshot: () => snapshots.push(id),
          onError: (e) => errors.push(e.message),
        }),
    )
    for (const c of collectors) await c.start()
    for (let poll = 0; poll < 3; poll++) for (const c of collectors) await c.pollNow()
    expect(errors).toHaveLength(4)
    // Each flood ends its session; a new one follows at once, then after a backoff (until then, polls say so).
    for (const message of errors) expect(message).toMatch(/^bad@127\.0\.0\.1:\d+: the statistics session (failed \d times in a row \(last: )?printed more than 4 MiB for one request; VirtPilot stopped it/)
    expect(errors[0]).toMatch(/session printed more than 4 MiB/)
    expect(snapshots.filter((s) => s === 'good')).toHaveLength(3)
    expect(collectors[1]!.snapshot!.vms.length).toBe(2)
    await Promise.all(collectors.map((c) => c.stop()))
    store.close()
  })
})
