import { spawn, type ChildProcess } from 'node:child_process'
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import type { ManagedHost } from '../../shared/model'
import type { PollTiming } from '../../src-main/collect/collector'
import { DEFAULT_BACKOFF } from '../../src-main/ssh/connection'
import type { HostDiagnostics } from '../../src-main/services/host-manager'
import type { Services } from '../../src-main/services/services'
import { hostPaths } from '../lab/paths'
import { run, sleep } from '../lab/run'
import { describeWithLab, groundTruth, hostNamed, type LabDescription, type LabHost } from './lab'
import { descendants } from './support/app-process'
import { TimerLateness } from './support/load'
import { call, servicesForLab, until } from './support/services'

// Hosts that flap or die while VirtPilot polls them: sshd restarted every few seconds for a
// minute, libvirtd killed in the middle of a poll, a host that stops answering in the middle of a
// command. The flapping host is h3 reached through a second sshd (port 2222) inside h3, so its
// sshd can be stopped and started without touching the lab's own. h1 and h2 are polled beside it.

const INTERVAL_MS = 1000
const FLAPPY = 'flappy'
const PORT = 2222

let dir: string
let services: Services
/** Loggers a test started: stopped after it, whether it passed or not. */
const started: { stop(): void }[] = []

/** A second OpenSSH server inside a lab host (its mount, network and UTS namespaces), on port 2222. */
class HostSshd {
  private child: ChildProcess | undefined
  readonly config: string
  starts = 0

  constructor(private readonly host: LabHost, base: string, folder: string) {
    this.config = join(folder, 'sshd_2222_config')
    const own = readFileSync(hostPaths(base, host.name).sshdConfig, 'utf8')
      .split('\n')
      .filter((line) => !/^(Port|PidFile|ListenAddress) /.test(line))
    writeFileSync(this.config, [`Port ${PORT}`, `ListenAddress ${host.ip}`, `PidFile ${join(folder, 'sshd_2222.pid')}`, ...own].join('\n'))
  }

  async start(): Promise<void> {
    const child = spawn('nsenter', ['-t', String(this.host.pids.sshd), '-m', '-n', '-u', '/usr/sbin/sshd', '-D', '-e', '-f', this.config], { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    this.child = child
    this.starts++
    await until(`sshd on ${this.host.name}:${PORT} listening (${stderr})`, async () => ((await this.listening()) ? true : child.exitCode !== null ? Promise.reject(new Error(stderr)) : undefined), 30_000)
  }

  private async listening(): Promise<boolean> {
    const out = await run(['nsenter', `--net=/run/netns/${this.host.namespace}`, 'ss', '-Hltn', `sport = :${PORT}`]).catch(() => undefined)
    return (out?.stdout.trim() ?? '') !== ''
  }

  /** Established SSH connections to it right now, as the host's kernel counts them. */
  async connections(): Promise<number> {
    const out = await run(['nsenter', `--net=/run/netns/${this.host.namespace}`, 'ss', '-Htn', 'state', 'established', `( sport = :${PORT} )`])
    return out.stdout.split('\n').filter(Boolean).length
  }

  /** The per-connection sshd processes (one per client connection), below the listener. */
  sessions(): number[] {
    return this.child?.pid ? descendants(this.child.pid).filter((p) => p.cmdline.startsWith('sshd:')).map((p) => p.pid) : []
  }

  /** Stops the listener and every session, as a restarting sshd (or a reboot) does. */
  async stop(): Promise<void> {
    const child = this.child
    this.child = undefined
    if (!child || child.exitCode !== null) return
    const sessions = descendants(child.pid!).map((p) => p.pid)
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.kill('SIGTERM')
    await exited
    for (const pid of sessions) signal(pid, 'SIGKILL')
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name)
  } catch {
    // gone already
  }
}

const diagnostics = (id: string): HostDiagnostics => services.hosts.diagnostics(id)!

/** Waits for a moment when the host has no command in flight, and returns what it holds then. */
async function quiet(id: string): Promise<HostDiagnostics> {
  // Between two polls: the next one scheduled (a timer) and nothing in flight. The resident session
  // reads statistics without a new channel, so no channel alone does not say a poll has ended.
  return until(`${id} online with no command in flight`, () => {
    const d = diagnostics(id)
    return d.state === 'online' && d.channels === 0 && d.timers >= 1 && d.polls > 0 && d.recentPolls.at(-1)!.ok ? d : undefined
  }, 120_000)
}

/** Node's own count of what keeps the process alive: timers, sockets, pipes, child processes. */
function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1
  return counts
}

/** Every poll of the steady hosts seen so far, by start time (the diagnostics keep the latest 64). */
class PollLog {
  readonly polls = new Map<string, Map<number, PollTiming>>()
  private timer: ReturnType<typeof setInterval> | undefined

  constructor(private readonly ids: readonly string[]) {}

  start(): this {
    this.collect()
    this.timer = setInterval(() => this.collect(), 5000)
    started.push(this)
    return this
  }

  collect(): void {
    for (const id of this.ids) {
      const seen = this.polls.get(id) ?? new Map<number, PollTiming>()
      for (const p of services.hosts.diagnostics(id)?.recentPolls ?? []) seen.set(p.startedAt, p)
      this.polls.set(id, seen)
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    this.collect()
  }

  /**
   * Each gap between consecutive poll starts against the cadence: a poll starts one interval after
   * the previous one started, or when it ended if it ran longer. Lateness beyond that is what the
   * machine's load did to timers (measured), never more.
   */
  cadence(id: string, from: number, to: number): { gaps: number; failed: number; worstExtraMs: number } {
    const polls = [...this.polls.get(id)!.values()].filter((p) => p.startedAt >= from && p.startedAt <= to).sort((a, b) => a.startedAt - b.startedAt)
    let worst = 0
    for (let i = 1; i < polls.length; i++) {
      const previous = polls[i - 1]!
      const due = Math.max(previous.startedAt + INTERVAL_MS, previous.endedAt)
      worst = Math.max(worst, polls[i]!.startedAt - due)
      // Never early: a poll waits its interval.
      expect(polls[i]!.startedAt - previous.startedAt).toBeGreaterThanOrEqual(INTERVAL_MS - 2)
    }
    return { gaps: polls.length - 1, failed: polls.filter((p) => !p.ok).length, worstExtraMs: worst }
  }
}

/** The flapping host's connection states as the admin sees them, with when they changed. */
class StateLog {
  readonly changes: { at: number; state: ManagedHost['state']; error?: string }[] = []
  private off: (() => void) | undefined

  start(): this {
    started.push(this)
    this.off = services.events.on('hosts.changed', (hosts) => {
      const host = hosts.find((h) => h.id === FLAPPY)
      if (host && host.state !== this.changes.at(-1)?.state) this.changes.push({ at: performance.now(), state: host.state, ...(host.error ? { error: host.error } : {}) })
    })
    return this
  }

  stop(): void {
    this.off?.()
  }

  /** Each wait before a reconnect (backing-off -> connecting), with the delay the documented backoff gives it. */
  retries(): { waitedMs: number; documentedMs: number }[] {
    const out: { waitedMs: number; documentedMs: number }[] = []
    let failures = 0
    for (let i = 0; i < this.changes.length; i++) {
      const change = this.changes[i]!
      if (change.state === 'online') failures = 0
      if (change.state !== 'backing-off') continue
      const next = this.changes[i + 1]
      if (next?.state !== 'connecting') continue
      out.push({ waitedMs: next.at - change.at, documentedMs: Math.min(DEFAULT_BACKOFF.maxMs, DEFAULT_BACKOFF.initialMs * 2 ** failures) })
      failures++
    }
    return out
  }
}

describeWithLab('hosts that flap and die while VirtPilot polls them', (lab: LabDescription) => {
  const h3 = hostNamed(lab, 'h3')
  const steady = ['h1', 'h2']
  let sshd: HostSshd
  let lateness: TimerLateness

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'virtpilot-flap-'))
    sshd = new HostSshd(h3, lab.base, dir)
    await sshd.start()
    // h1 and h2 as any test has them, polled every second; h3 only through its second sshd.
    services = await servicesForLab({ ...lab, hosts: lab.hosts.filter((h) => steady.includes(h.name)) }, dir, INTERVAL_MS)
    const sshDir = join(dir, '.ssh')
    appendFileSync(join(sshDir, 'config'), `Host ${FLAPPY}\n  HostName ${h3.ip}\n  Port ${PORT}\n  User ${h3.ssh.user}\n  IdentityFile ${h3.ssh.privateKeyPath}\n  ProxyCommand ${h3.ssh.proxyCommandLine}\n`)
    appendFileSync(join(sshDir, 'known_hosts'), `[${h3.ip}]:${PORT} ${h3.ssh.hostKey}\n`)
    await call(services, 'hosts.add', { target: FLAPPY })
    await quiet(FLAPPY)
    lateness = new TimerLateness().start()
  }, 300_000)

  afterEach(() => {
    for (const logger of started.splice(0)) logger.stop()
  })

  afterAll(async () => {
    lateness?.stop()
    await services?.stop()
    await sshd?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('sshd restarted every few seconds for a minute: one connection at a time, the documented backoff, nothing leaked, the other hosts keep their cadence', async () => {
    const before = Object.fromEntries([...steady, FLAPPY].map((id) => [id, diagnostics(id)]))
    await Promise.all([...steady, FLAPPY].map(quiet))
    const baseline = { resources: activeResources(), flappy: await quiet(FLAPPY) }
    const polls = new PollLog(steady).start()
    const states = new StateLog().start()
    const from = performance.now()
    const sampled = { host: 0, app: 0, samples: 0 }
    let flapping = true
    // Sampled all along: how many connections the host's kernel and VirtPilot itself count.
    const sampler = (async () => {
      while (flapping) {
        sampled.host = Math.max(sampled.host, await sshd.connections())
        sampled.app = Math.max(sampled.app, diagnostics(FLAPPY).clients)
        sampled.samples++
        await sleep(100)
      }
    })()
    let restarts = 0
    try {
      // A minute of it, and at least 16 restarts however slow the machine makes each one.
      while (restarts < 16 || performance.now() - from < 60_000) {
        await sleep(1500 + (restarts % 4) * 500)
        await sshd.stop()
        await sleep(300 + (restarts % 3) * 700)
        await sshd.start()
        restarts++
      }
    } finally {
      flapping = false
      await sampler
    }
    const to = performance.now()
    // Back for good: online again within the longest documented wait.
    await until('flappy online again', () => (diagnostics(FLAPPY).state === 'online' ? true : undefined), DEFAULT_BACKOFF.maxMs + 30_000)
    const after = await quiet(FLAPPY)
    await Promise.all(steady.map(quiet))
    polls.stop()
    states.stop()

    console.info(`flapping: ${restarts} sshd restarts in ${((to - from) / 1000).toFixed(0)} s; ${lateness.summary}; at most ${sampled.host} connection(s) on the host and ${sampled.app} SSH client(s) in VirtPilot over ${sampled.samples} samples`)
    expect(sampled.host).toBe(1)
    expect(sampled.app).toBe(1)
    expect(after.polls).toBeGreaterThan(before[FLAPPY]!.polls)

    // Backoff: never sooner than documented; later only by what the load did to timers.
    const retries = states.retries()
    expect(retries.length).toBeGreaterThan(0)
    for (const r of retries) {
      expect(r.waitedMs).toBeGreaterThanOrEqual(r.documentedMs - 5)
      expect(r.waitedMs - r.documentedMs).toBeLessThanOrEqual(lateness.maxMs + 100)
    }
    expect(states.changes.some((c) => c.state === 'backing-off' && /next try in|connection lost|ECONNREFUSED|closed/.test(c.error ?? ''))).toBe(true)

    // The others: every poll read its host, on cadence (late only by the measured timer lateness).
    for (const id of steady) {
      const cadence = polls.cadence(id, from, to)
      console.info(`${id}: ${cadence.gaps} poll gaps during the flapping, ${cadence.failed} failed, worst ${cadence.worstExtraMs.toFixed(0)} ms past due`)
      expect(cadence.gaps).toBeGreaterThanOrEqual(Math.floor((to - from) / (INTERVAL_MS + lateness.maxMs + 1000)))
      expect(cadence.failed).toBe(0)
      expect(cadence.worstExtraMs).toBeLessThanOrEqual(lateness.maxMs + 50)
    }

    // Nothing left behind: one client, its listeners, the collector's timer, the process's handles.
    expect({ clients: after.clients, channels: after.channels, timers: after.timers, listeners: after.listeners }).toEqual({
      clients: 1,
      channels: 0,
      timers: 1,
      listeners: baseline.flappy.listeners,
    })
    expect(await sshd.connections()).toBe(1)
    // The failure names what is still held: what it holds now against what it held before.
    const kinds = ['TCPSocketWrap', 'PipeWrap', 'ProcessWrap', 'Timeout']
    let held: Record<string, string> = {}
    const resources = await until('the process holding what it held before', async () => {
      await Promise.all([...steady, FLAPPY].map(quiet))
      const now = activeResources()
      held = Object.fromEntries(kinds.map((k) => [k, `${now[k] ?? 0} (before ${baseline.resources[k] ?? 0})`]))
      return kinds.every((k) => (now[k] ?? 0) <= (baseline.resources[k] ?? 0)) ? now : undefined
    }, 60_000).catch((error: Error) => {
      throw new Error(`${error.message}; held now: ${JSON.stringify(held)}`)
    })
    expect(resources.ProcessWrap ?? 0).toBe(baseline.resources.ProcessWrap ?? 0)
  }, 300_000)

  // Polls go to a resident session that stays open (no channel per poll): libvirtd dies between or
  // during them. While it is down a poll gets the host's figures but no domain statistics: that is
  // the host's error (its guests did not all stop); the resident virsh reconnects once it is back.
  it('libvirtd killed: the next poll fails with a clear error, the next ones read the host again on the same connection', async () => {
    const pidFile = hostPaths(lab.base, h3.name).libvirtdPid
    signal(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGKILL')
    const failed = await until('the poll to fail', () => services.hosts.list().find((h) => h.id === FLAPPY && h.error), 60_000)
    expect(failed.error).toMatch(/libvirt|virsh|statistics|discovery/i)
    expect(failed.state).toBe('online')
    await run(['nsenter', '-t', String(h3.pids.sshd), '-m', '-n', '-u', '/usr/sbin/libvirtd', '--daemon', '--pid-file', pidFile])
    await until('h3 libvirt back', async () => ((await groundTruth(h3, ['list', '--name']).catch(() => undefined)) !== undefined ? true : undefined))
    await until('flappy read without error', () => (services.hosts.list().find((h) => h.id === FLAPPY && !h.error && h.lastPollAt) ? true : undefined), 60_000)
    const d = await quiet(FLAPPY)
    expect({ clients: d.clients, channels: d.channels, timers: d.timers }).toEqual({ clients: 1, channels: 0, timers: 1 })
    expect(await sshd.connections()).toBe(1)
  }, 180_000)

  it('a host that stops answering in the middle of a command: the command times out, the connection is dropped and made again, nothing leaks', async () => {
    const polls = new PollLog(steady).start()
    const states = new StateLog().start()
    const from = performance.now()
    // Its session processes on the host, once it is connected (a busy machine may still be making the connection).
    const frozen = await until('flappy connected, with its session on the host', () => {
      const pids = diagnostics(FLAPPY).state === 'online' ? sshd.sessions() : []
      return pids.length > 0 ? pids : undefined
    }, 60_000)
    for (const pid of frozen) signal(pid, 'SIGSTOP')
    let pollsWhenDropped = 0
    try {
      await until('flappy dropped as not answering', () => (states.changes.some((c) => c.state !== 'online' && /stopped answering/.test(c.error ?? '')) ? true : undefined), 120_000)
      pollsWhenDropped = diagnostics(FLAPPY).polls
      await until('flappy read again on a new connection', () => {
        const d = diagnostics(FLAPPY)
        return d.state === 'online' && d.polls > pollsWhenDropped ? true : undefined
      }, 120_000)
    } finally {
      for (const pid of frozen) signal(pid, 'SIGCONT')
    }
    const d = await quiet(FLAPPY)
    const to = performance.now()
    polls.stop()
    states.stop()
    console.info(`stopped answering: ${states.changes.map((c) => `${((c.at - from) / 1000).toFixed(1)} s ${c.state}`).join(', ')}`)
    expect({ clients: d.clients, channels: d.channels, timers: d.timers }).toEqual({ clients: 1, channels: 0, timers: 1 })
    await until('the frozen session gone on the host', async () => ((await sshd.connections()) === 1 ? true : undefined), 30_000)
    for (const id of steady) {
      const cadence = polls.cadence(id, from, to)
      expect(cadence.failed).toBe(0)
      expect(cadence.worstExtraMs).toBeLessThanOrEqual(lateness.maxMs + 50)
    }
  }, 300_000)
})
