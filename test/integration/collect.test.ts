import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { ManagedHost, VmSample } from '../../shared/model'
import type { Services } from '../../src-main/services/services'
import { call, dataFileOf, servicesForLab, until } from './support/services'
import { addExtraGuest, describeWithLab, domstats, groundTruth, removeExtraGuest, type LabHost } from './lab'
import { domainXml, guestOf, virsh } from '../lab/guest'
import { LoopbackSshd } from './support/sshd'

// VirtPilot's own collection path (ssh -> one script per poll -> parsers -> rates -> SQLite)
// against real hosts: sshd + libvirtd + QEMU guests, as a non-root user in group libvirt.

let dir: string
let services: Services

function vmSample(name: string): VmSample | undefined {
  const snapshot = services.cluster.snapshot()
  const vm = snapshot.vms.find((v) => v.name === name)
  return vm && snapshot.vmSamples.find((s) => s.vmId === vm.id)
}

/** Waits for `polls` more polls of a host and returns the last one's sample of a VM. */
async function afterPolls(hostId: string, polls: number): Promise<void> {
  const start = services.hosts.diagnostics(hostId)!.polls
  await until(`${polls} polls of ${hostId}`, () => (services.hosts.diagnostics(hostId)!.polls >= start + polls ? true : undefined), 30_000 + polls * 5000)
}

describeWithLab('collecting from real libvirt hosts over SSH', (lab) => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'virtpilot-collect-'))
    services = await servicesForLab(lab, dir)
  })

  afterAll(async () => {
    await services?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('discovers the inventory that virsh reports on each host', async () => {
    const snapshot = services.cluster.snapshot()
    for (const host of lab.hosts) {
      const names = (await groundTruth(host, ['list', '--all', '--name'])).split('\n').filter(Boolean).sort()
      const vms = snapshot.vms.filter((v) => v.hostId === host.name)
      expect(vms.map((v) => v.name).sort()).toEqual(names)
      for (const vm of vms) {
        const info = await groundTruth(host, ['dominfo', vm.name])
        expect(info).toMatch(new RegExp(`UUID:\\s+${vm.id}`, 'i'))
        expect(Number(/CPU\(s\):\s+(\d+)/.exec(info)![1])).toBe(vm.allocation.vcpus)
        expect(Number(/Max memory:\s+(\d+) KiB/.exec(info)![1]) / 1024).toBe(vm.allocation.maxMemoryMiB)
      }
      const node = await groundTruth(host, ['nodeinfo'])
      const h = snapshot.hosts.find((x) => x.id === host.name)!
      expect(h.cpu.threads).toBe(Number(/CPU\(s\):\s+(\d+)/.exec(node)![1]))
      expect(h.source).toBe('libvirt')
      expect(h.state).toBe('online')
    }
  })

  it('reads each host with exactly one SSH round trip per poll', async () => {
    const host = lab.hosts[0]!.name
    const before = services.hosts.diagnostics(host)!
    await afterPolls(host, 3)
    const after = services.hosts.diagnostics(host)!
    expect(after.polls - before.polls).toBeGreaterThanOrEqual(3)
    // both counters move together when a poll completes, so a poll in flight cannot skew them
    expect(after.statsRoundTrips - before.statsRoundTrips).toBe(after.polls - before.polls)
    // The same read brings the host's pressure (PSI), swap traffic and load average.
    const sample = services.cluster.snapshot().hostSamples.find((s) => s.hostId === host)!
    expect(sample.cpuPressurePct).toBeGreaterThanOrEqual(0)
    expect(sample.ioPressurePct).toBeGreaterThanOrEqual(0)
    expect(sample.swapInBps).toBeGreaterThanOrEqual(0)
    expect(sample.load1).toBeGreaterThan(0)
  })

  it('measures a guest burning one CPU as libvirt does, and idle guests low', async () => {
    const host: LabHost = lab.hosts[2]!
    const burner = await addExtraGuest(lab, host, { name: `${host.name}-burn1`, burn: 1 })
    try {
      await until('the burner in the inventory', () => vmSample(burner.name))
      const cpuTime = async () => ({ t: Date.now(), ns: Number((await domstats(host, burner.name, ['--cpu-total'])).get('cpu.time')) })
      const truthStart = await cpuTime()
      await afterPolls(host.name, 3)
      const truthEnd = await cpuTime()
      // libvirt's own figure over the same stretch: cpu.time advanced / wall time.
      const truthPct = (100 * (truthEnd.ns - truthStart.ns)) / 1e6 / (truthEnd.t - truthStart.t)
      const vmId = services.cluster.snapshot().vms.find((v) => v.name === burner.name)!.id
      const data = dataFileOf(dir)
      const ours = data.samples.raw(vmId, truthStart.t, truthEnd.t + 1)
      data.close()
      const oursPct = ours.reduce((s, x) => s + x.cpuPct, 0) / ours.length
      expect(ours.length).toBeGreaterThanOrEqual(3)
      expect(Math.abs(oursPct - truthPct)).toBeLessThan(15)
      // How much CPU the burner gets depends on what else runs on the machine; that it is the busy
      // one does not: libvirt sees it burning far more than the idle guests.
      const idlePct = Math.max(...host.guests.map((guest) => vmSample(guest.name)!.cpuPct))
      expect(truthPct).toBeGreaterThan(idlePct + 10)
      console.info(`burner: VirtPilot ${oursPct.toFixed(1)} %, libvirt ${truthPct.toFixed(1)} % of its vCPU`)
      for (const guest of host.guests) expect(vmSample(guest.name)!.cpuPct).toBeLessThan(15)
    } finally {
      await removeExtraGuest(host, burner)
    }
  })

  it('collects a VM whose name is full of shell syntax, and nothing on the host runs it', async () => {
    const host = lab.hosts[1]!
    // libvirt refuses '/' in names, so the would-be payload creates files in the shell's folder.
    const name = `odd vm 'q' "dq" ;touch vp-pwned1;$(touch vp-pwned2) \`touch vp-pwned3\` é中`
    const pwned = () => execFileSync('find', [lab.base, '/root', '/tmp', '-maxdepth', '4', '-name', 'vp-pwned*']).toString().trim()
    const safe = guestOf(lab.base, { name: `${host.name}-odd` })
    const xml = domainXml(safe, { kernel: lab.guestImage.kernel, initrd: lab.guestImage.initrd }).replace(
      `<name>${safe.name}</name>`,
      `<name>${name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')}</name>`,
    )
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', safe.disk, '16M'])
    writeFileSync(`${safe.disk}.xml`, xml)
    await virsh(host.libvirt.uri, ['define', `${safe.disk}.xml`])
    await virsh(host.libvirt.uri, ['start', name])
    try {
      await until('the odd VM with a sample', () => vmSample(name), 60_000)
      const vm = services.cluster.snapshot().vms.find((v) => v.name === name)!
      expect(vm.state).toBe('running')
      expect(vm.hostId).toBe(host.name)
      expect(pwned()).toBe('')
    } finally {
      await virsh(host.libvirt.uri, ['destroy', name]).catch(() => undefined)
      await virsh(host.libvirt.uri, ['undefine', name]).catch(() => undefined)
      rmSync(safe.disk, { force: true })
      rmSync(`${safe.disk}.xml`, { force: true })
      rmSync(safe.consoleLog, { force: true })
    }
    expect(pwned()).toBe('')
  })

  it('reports a host that prints garbage as an error of that host only', async () => {
    const liar = new LoopbackSshd()
    liar.forceCommand = 'echo this is not what virsh prints'
    await liar.start()
    try {
      const sshDir = join(dir, '.ssh')
      writeFileSync(join(sshDir, 'config'), `${readFileSync(join(sshDir, 'config'), 'utf8')}Host liar\n  HostName 127.0.0.1\n  Port ${liar.port}\n  User ${liar.user}\n  IdentityFile ${liar.clientKey}\n`)
      writeFileSync(join(sshDir, 'known_hosts'), `${readFileSync(join(sshDir, 'known_hosts'), 'utf8')}[127.0.0.1]:${liar.port} ssh-ed25519 ${liar.hostPublicKeyBase64()}\n`)
      const added = await call<ManagedHost>(services, 'hosts.add', { target: 'liar' })
      const status = await until('an error for the lying host', () => services.hosts.list().find((h) => h.id === added.id && h.error))
      expect(status.error).toMatch(/cannot tell whether this is a libvirt or a Proxmox VE host: the host type probe printed "this is not what virsh prints"/)
      // The others go on.
      const h1 = lab.hosts[0]!.name
      await afterPolls(h1, 1)
      expect(services.hosts.list().find((h) => h.id === h1)!.state).toBe('online')
      await call(services, 'hosts.remove', { id: added.id })
    } finally {
      await liar.dispose()
    }
  })
})
