// The lab itself: what later integration tests (collector, apply, migration) stand on.
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

  it('domstats of a guest with burn=1 shows cpu.time advancing at about one core', async () => {
    const host = hostNamed(lab, lab.hosts.at(-1)!.name)
    const burner = await addExtraGuest(lab, host, { name: `${host.name}-burner`, burn: 1 })
    try {
      const sample = async () => ({ at: process.hrtime.bigint(), cpuNs: Number((await domstats(host, burner.name, ['--cpu-total'])).get('cpu.time')) })
      const first = await sample()
      await new Promise((resolve) => setTimeout(resolve, 4_000))
      const second = await sample()
      const cores = (second.cpuNs - first.cpuNs) / Number(second.at - first.at)
      // one busy vCPU under TCG is one host core (plus a little emulator work); the machine is shared
      expect(cores).toBeGreaterThan(0.6)
      expect(cores).toBeLessThan(1.3)
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

  it.each(lab.hosts)('the connection to $name has TCP_NODELAY: 100 sequential execs well under Nagle time', async (host) => {
    expect(host.ssh.proxyCommand.join(' ')).toMatch(/,nodelay$/)
    const client = clients.get(host.name)!
    const started = Date.now()
    for (let i = 0; i < 100; i++) expect((await execOn(client, 'true')).code).toBe(0)
    // with Nagle this takes 4-14 s here; with TCP_NODELAY about 0.2-1 s
    expect(Date.now() - started).toBeLessThan(4_000)
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
  })
})
