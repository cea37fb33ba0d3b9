import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { LibvirtAdapter } from '../../src-main/hosts/libvirt/adapter'
import { HostConnection } from '../../src-main/ssh/connection'
import { noPrompts } from '../../src-main/ssh/credentials'
import { KnownHostsStore } from '../../src-main/ssh/known-hosts-store'
import { resolveTarget } from '../../src-main/ssh/resolve'
import { parseTarget } from '../../src-main/ssh/target'
import { describeWithLab, domstats, type LabDescription, type LabHost } from './lab'
import { descendants, exists, type Proc } from './support/processes'
import { until } from './support/services'
import { LoopbackSshd } from './support/sshd'

// The resident statistics session against real hosts: sshd, libvirtd, virsh, awk and QEMU
// guests of the lab, as the lab's non-root user. What runs on the host is counted from the
// process table: everything below the host's sshd.

let dir: string

function labConnection(lab: LabDescription, host: LabHost): HostConnection {
  const target = resolveTarget(parseTarget(`${host.ssh.user}@${host.ip}`), { home: dir })
  target.identityFiles = [host.ssh.privateKeyPath]
  target.proxyCommand = host.ssh.proxyCommandLine.replace('%h', host.ip).replace('%p', '22')
  return new HostConnection({ target, knownHosts: new KnownHostsStore(lab.ssh.knownHostsPath, join(dir, 'known_hosts')), onUnknownHostKey: async () => false, prompter: noPrompts, agentSocket: undefined })
}

const key = (p: Proc) => `${p.pid} ${p.comm}`
const zombies = (host: LabHost) => descendants(host.pids.sshd).filter((p) => p.state === 'Z')
/** The session's awk, the one process that reads every request's answer. */
const awkOf = (procs: Proc[]) => procs.find((p) => /awk$/.test(p.comm))!

/** Waits until none of these processes exists any more, zombies included. */
async function gone(what: string, procs: Proc[]): Promise<void> {
  await until(what, () => (procs.every((p) => !exists(p.pid)) ? true : undefined), 60_000)
}

describeWithLab('resident statistics sessions on real hosts', (lab) => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'virtpilot-session-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('reads a host 1,000 times through one session: no process per poll, no zombie, the figures libvirt gives', async () => {
    const host = lab.hosts[0]!
    const connection = labConnection(lab, host)
    const adapter = new LibvirtAdapter(connection, host.name)
    try {
      await adapter.discover()
      await adapter.readStats(Date.now())
      const session = descendants(host.pids.sshd)
      expect(session.map((p) => p.comm)).toEqual(expect.arrayContaining(['virsh', 'cat']))
      expect(awkOf(session)).toBeDefined()
      const trips = connection.roundTrips
      for (let i = 0; i < 1000; i++) await adapter.readStats(Date.now())
      expect(connection.roundTrips - trips).toBe(1000)
      // the very processes that answered the first poll, and nothing else (no child per poll left over)
      const after = descendants(host.pids.sshd)
      console.info(`after 1,000 polls: ${after.length} processes below sshd (${after.map((p) => p.comm).join(' ')}), ${after.length - session.length} more than after the first poll, ${zombies(host).length} zombies`)
      expect(after.map(key)).toEqual(session.map(key))
      expect(zombies(host)).toEqual([])

      // What VirtPilot read lies between what libvirt says just before and just after.
      const truth = async () => new Map(await Promise.all(host.guests.map(async (g) => [g.name, await domstats(host, g.name)] as const)))
      const earlier = await truth()
      await adapter.readStats(Date.now())
      const later = await truth()
      for (const guest of host.guests) {
        const ours = adapter.lastReading!.domains.find((d) => d.name === guest.name)!
        expect(ours.cpuTimeNs).toBeGreaterThanOrEqual(Number(earlier.get(guest.name)!.get('cpu.time')))
        expect(ours.cpuTimeNs).toBeLessThanOrEqual(Number(later.get(guest.name)!.get('cpu.time')))
        expect(ours.vcpuCurrent).toBe(Number(later.get(guest.name)!.get('vcpu.current')))
        expect(ours.balloon.currentKiB).toBe(Number(later.get(guest.name)!.get('balloon.current')))
        expect(ours.block[0]!.rdBytes).toBe(Number(later.get(guest.name)!.get('block.0.rd.bytes')))
      }
      // libvirt 9 reports each vCPU's run delay itself: no schedstat loop, the same figure
      expect(adapter.lastReading!.vms.map((v) => v.runDelaySource)).toEqual(host.guests.map(() => 'libvirt-vcpu-delay'))
    } finally {
      await adapter.close()
    }
    await until('the session to end with its connection', () => (descendants(host.pids.sshd).length === 0 ? true : undefined), 30_000)
  }, 900_000)

  it('replaces a session that hangs mid-poll within the poll timeout, and leaves nothing of it behind', async () => {
    const host = lab.hosts[1]!
    const connection = labConnection(lab, host)
    const adapter = new LibvirtAdapter(connection, host.name)
    try {
      await adapter.discover()
      await adapter.readStats(Date.now())
      const first = descendants(host.pids.sshd)
      process.kill(awkOf(first).pid, 'SIGSTOP')
      const started = Date.now()
      await expect(adapter.readStats(Date.now(), { timeoutMs: 3000 })).rejects.toThrow(`vplab@${host.ip}: the statistics session did not answer within 3000 ms`)
      expect(Date.now() - started).toBeLessThan(10_000)
      // SIGKILL reached the whole session, stopped awk included
      const old = first.filter((p) => !p.comm.startsWith('sshd'))
      await gone('the hung session to be gone', old)
      console.info(`hung session: ${old.filter((p) => exists(p.pid)).length} of its ${old.length} processes left (${old.map((p) => p.comm).join(' ')}), ${zombies(host).length} zombies`)
      await adapter.readStats(Date.now())
      const second = descendants(host.pids.sshd)
      expect(awkOf(second).pid).not.toBe(awkOf(first).pid)
      expect(adapter.lastReading!.problems).toEqual([])
      expect(zombies(host)).toEqual([])
    } finally {
      await adapter.close()
    }
  }, 120_000)

  it('notices a session killed mid-poll at once, starts a new one, and leaves nothing of the old one', async () => {
    const host = lab.hosts[1]!
    const connection = labConnection(lab, host)
    const adapter = new LibvirtAdapter(connection, host.name)
    try {
      await adapter.discover()
      await adapter.readStats(Date.now())
      const first = descendants(host.pids.sshd)
      const awk = awkOf(first)
      // Held still, so that the poll is surely in flight when it dies.
      process.kill(awk.pid, 'SIGSTOP')
      const poll = adapter.readStats(Date.now(), { timeoutMs: 30_000 })
      await new Promise((r) => setTimeout(r, 300))
      const killedAt = Date.now()
      process.kill(awk.pid, 'SIGKILL')
      await expect(poll).rejects.toThrow(`vplab@${host.ip}: the statistics session ended`)
      expect(Date.now() - killedAt).toBeLessThan(10_000)
      const old = first.filter((p) => !p.comm.startsWith('sshd'))
      await gone('the killed session to be gone', old)
      console.info(`killed session: ${old.filter((p) => exists(p.pid)).length} of its ${old.length} processes left (${old.map((p) => p.comm).join(' ')}), ${zombies(host).length} zombies`)
      await adapter.readStats(Date.now())
      expect(awkOf(descendants(host.pids.sshd)).pid).not.toBe(awk.pid)
      expect(zombies(host)).toEqual([])
    } finally {
      await adapter.close()
    }
  }, 120_000)

  it('drops at once a session that answers with something else, naming the host', async () => {
    const liar = new LoopbackSshd()
    liar.forceCommand = 'echo "Last login: never"; exec cat'
    await liar.start()
    try {
      const known = join(dir, 'liar_known_hosts')
      writeFileSync(known, `[127.0.0.1]:${liar.port} ssh-ed25519 ${liar.hostPublicKeyBase64()}\n`)
      const target = resolveTarget(parseTarget(`${liar.user}@127.0.0.1:${liar.port}`), { home: dir, localUser: liar.user })
      target.identityFiles = [liar.clientKey]
      const connection = new HostConnection({ target, knownHosts: new KnownHostsStore(undefined, known), onUnknownHostKey: async () => false, prompter: noPrompts, agentSocket: undefined })
      const adapter = new LibvirtAdapter(connection, 'liar')
      const started = Date.now()
      const answered = `${liar.user}@127.0.0.1:${liar.port}: the statistics session answered "Last login: never\\n`
      await expect(adapter.readStats(Date.now(), { timeoutMs: 20_000 })).rejects.toThrow(answered)
      await expect(adapter.readStats(Date.now(), { timeoutMs: 20_000 })).rejects.toThrow(/instead of a START line$/)
      expect(Date.now() - started).toBeLessThan(10_000)
      await adapter.close()
    } finally {
      await liar.dispose()
    }
  })
})
