// The lab itself: what later integration tests (collector, apply, migration) stand on.
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Client } from 'ssh2'
import {
  addExtraGuest,
  consoleOf,
  describeWithLab,
  domstats,
  groundTruth,
  hostNamed,
  removeExtraGuest,
  runningGuests,
  waitForAliveMarkers,
} from './lab'
import { connectHost, execOn } from './ssh'
import { descendants } from './support/app-process'

/** TCP_NODELAY of each TCP socket a process holds, read through a copy of its descriptor (pidfd_getfd; root). */
function tcpNoDelay(pid: number): number[] {
  const script = [
    'import ctypes, os, socket, sys',
    'pid = int(sys.argv[1]); libc = ctypes.CDLL(None, use_errno=True); pidfd = os.pidfd_open(pid); out = []',
    "for fd in os.listdir(f'/proc/{pid}/fd'):",
    "    if not os.readlink(f'/proc/{pid}/fd/{fd}').startswith('socket:'): continue",
    '    mine = libc.syscall(438, pidfd, int(fd), 0)',
    '    if mine < 0: continue',
    '    s = socket.socket(fileno=mine)',
    '    if s.family in (socket.AF_INET, socket.AF_INET6) and s.type == socket.SOCK_STREAM: out.append(1 if s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) else 0)',
    '    s.close()',
    'print(out)',
  ].join('\n')
  return JSON.parse(execFileSync('python3', ['-c', script, String(pid)], { encoding: 'utf8' })) as number[]
}

describeWithLab('lab guests', (lab) => {
  const guests = lab.hosts.flatMap((host) => host.guests.map((guest) => ({ host, guest })))

  it.each(guests)('$guest.name booted on $host.name: boot marker on its serial console', async ({ host, guest }) => {
    expect(await consoleOf(guest)).toContain(`${lab.guestImage.bootMarker} name=${guest.name} `)
    expect(await runningGuests(host)).toContain(guest.name)
  })

  it('guest names are unique across hosts', () => {
    const names = guests.map(({ guest }) => guest.name)
    expect(new Set(names).size).toBe(names.length)
  })

  it('the balloon reports guest memory stats (stats period 2 s)', async () => {
    const host = lab.hosts[0]!
    const stats = await domstats(host, host.guests[0]!.name, ['--balloon'])
    expect(Number(stats.get('balloon.current'))).toBe(host.guests[0]!.memoryMiB * 1024)
    expect(Number(stats.get('balloon.available'))).toBeGreaterThan(0)
    expect(Number(stats.get('balloon.unused'))).toBeGreaterThan(0)
  })

  it('a guest with burn=1 demands its whole vCPU: always running or waiting to run, whatever else the machine does', async () => {
    const host = hostNamed(lab, lab.hosts.at(-1)!.name)
    const burner = await addExtraGuest(lab, host, { name: `${host.name}-burner`, burn: 1 })
    try {
      // Running time plus time waiting for a core (libvirt's vcpu.N.delay): how much of the wall
      // time the vCPU wanted a core. Load changes how that splits, not the sum.
      const sample = async (guest: string) => {
        const stats = await domstats(host, guest, ['--vcpu'])
        return { at: process.hrtime.bigint(), ranNs: Number(stats.get('vcpu.0.time')), wantedNs: Number(stats.get('vcpu.0.time')) + Number(stats.get('vcpu.0.delay')) }
      }
      const guests = [burner.name, ...host.guests.map((g) => g.name)]
      const first = await Promise.all(guests.map(sample))
      // Over a stretch of the guest's own making: until it printed two more alive markers (5 s apart).
      await waitForAliveMarkers(lab, burner, 2, 120_000)
      const second = await Promise.all(guests.map(sample))
      const rate = (key: 'ranNs' | 'wantedNs', i: number) => (second[i]![key] - first[i]![key]) / Number(second[i]!.at - first[i]!.at)
      const demand = guests.map((_, i) => rate('wantedNs', i))
      expect(demand.every(Number.isFinite)).toBe(true)
      expect(demand[0]).toBeGreaterThan(0.8)
      expect(demand[0]).toBeLessThan(1.2)
      // The idle guests' own work is small whatever the load (their waits for a core are not).
      for (let i = 1; i < guests.length; i++) expect(rate('ranNs', i)).toBeLessThan(0.15)
    } finally {
      await removeExtraGuest(host, burner)
    }
  })
})

describeWithLab('ssh to lab hosts', (lab) => {
  const clients = new Map<string, Client>()

  beforeAll(async () => {
    for (const host of lab.hosts) clients.set(host.name, await connectHost(host))
  })
  afterAll(() => {
    for (const client of clients.values()) client.end()
  })

  it.each(lab.hosts)('ssh2 runs commands on $name as the non-root lab user, with libvirt access', async (host) => {
    const client = clients.get(host.name)!
    expect((await execOn(client, 'hostname')).stdout.trim()).toBe(host.name)
    const id = await execOn(client, 'id -un; id -Gn')
    expect(id.stdout).toContain(host.ssh.user)
    expect(id.stdout).toContain('libvirt')
    const list = await execOn(client, `virsh -c ${host.libvirt.uriOnHost} list --name`)
    expect(list.code).toBe(0)
    expect(list.stdout.split('\n').filter(Boolean).sort()).toEqual(host.guests.map((guest) => guest.name).sort())
  })

  it.each(lab.hosts)('the connection to $name has TCP_NODELAY on its TCP socket (Nagle would add ~40 ms to every exec)', async (host) => {
    expect(host.ssh.proxyCommand.join(' ')).toMatch(/,nodelay$/)
    const client = clients.get(host.name)!
    expect((await execOn(client, 'true')).code).toBe(0)
    // The socket option itself, read from the proxy (socat) that holds the TCP connection: what
    // it costs in time is the collection bench's business, not a test's.
    const proxy = descendants(process.pid).find((p) => p.cmdline.includes(`TCP:${host.ip}:22`))
    expect(proxy, 'the proxy process of this connection').toBeDefined()
    expect(tcpNoDelay(proxy!.pid)).toEqual([1])
  })

  it('a host key other than the recorded one is refused', async () => {
    const [first, second] = lab.hosts
    if (!first || !second) return
    await expect(connectHost(first, { hostKey: second.ssh.hostKey })).rejects.toThrow(/host key/)
  })
})

describeWithLab('live migration between lab hosts', (lab) => {
  it('a guest live-migrates from h1 to h2 and keeps running', async () => {
    const source = hostNamed(lab, lab.hosts[0]!.name)
    const target = hostNamed(lab, lab.hosts[1]!.name)
    const guest = source.guests.at(-1)!
    await waitForAliveMarkers(lab, guest)
    const migrate = (from: typeof source, to: typeof target) =>
      groundTruth(
        from,
        ['migrate', '--live', '--persistent', '--undefinesource', '--unsafe', guest.name, to.libvirt.uri, '--migrateuri', `tcp://${to.ip}`],
        60_000,
      )

    await migrate(source, target)
    try {
      expect(await runningGuests(target)).toContain(guest.name)
      expect(await runningGuests(source)).not.toContain(guest.name)
      expect((await groundTruth(target, ['domstate', guest.name])).trim()).toBe('running')
      // the guest goes on running on the target: its /init keeps printing alive markers
      await waitForAliveMarkers(lab, guest)
    } finally {
      // leave the lab as the other test files expect it
      await migrate(target, source)
    }
    expect(await runningGuests(source)).toContain(guest.name)
  }, 360_000)
})
