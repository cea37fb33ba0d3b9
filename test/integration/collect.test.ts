import { execFileSync, spawnSync } from 'node:child_process'
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
    // ... vmstat's columns, iostat per block device, and each guest's QEMU CPU by thread kind.
    expect(sample.contextSwitchesPs).toBeGreaterThan(0)
    expect(sample.interruptsPs).toBeGreaterThan(0)
    expect(sample.procsRunning).toBeGreaterThanOrEqual(0)
    const split = ['cpuUserPct', 'cpuSystemPct', 'cpuIdlePct', 'cpuIowaitPct', 'cpuStealPct'] as const
    expect(split.reduce((sum, k) => sum + sample[k]!, 0)).toBeCloseTo(100, 6)
    expect(services.cluster.snapshot().diskSamples?.some((d) => d.hostId === host && d.utilPct >= 0)).toBe(true)
    // The lab's login is not root: /sys/kernel/debug/kvm is not readable (or not mounted), and says so.
    expect(['not-mounted', 'not-readable', 'no-kvm']).toContain(sample.kvmDebugfs)
    for (const guest of lab.hosts[0]!.guests) {
      const vm = vmSample(guest.name)!
      expect(vm.qemuVcpuCores, guest.name).toBeGreaterThanOrEqual(0)
      expect(vm.qemuEmulatorCores, guest.name).toBeGreaterThanOrEqual(0)
      expect(vm.overheadCores, guest.name).toBeGreaterThanOrEqual(0)
    }
  })

  it('measures a guest burning one CPU as libvirt does, and idle guests low', async () => {
    const host: LabHost = lab.hosts[2]!
    const burner = await addExtraGuest(lab, host, { name: `${host.name}-burn1`, burn: 1 })
    try {
      await until('the burner in the inventory', () => vmSample(burner.name))
      // libvirt's counters of a guest: CPU time used, and time its vCPU ran or waited for a core
      // (vcpu.0.delay): what it wanted. Load changes how much it gets, not what it wants.
      const read = async (guest: string) => {
        const stats = await domstats(host, guest, ['--cpu-total', '--vcpu'])
        return { t: Date.now(), cpuNs: Number(stats.get('cpu.time')), wantedNs: Number(stats.get('vcpu.0.time')) + Number(stats.get('vcpu.0.delay')) }
      }
      const guests = [burner.name, ...host.guests.map((g) => g.name)]
      // Read right after a poll ended and right after the last one: libvirt's figure over the
      // stretch VirtPilot's samples cover, whatever the machine's load does to the timing.
      await afterPolls(host.name, 1)
      const first = await Promise.all(guests.map(read))
      await afterPolls(host.name, 6)
      const last = await Promise.all(guests.map(read))
      const truthPct = (100 * (last[0]!.cpuNs - first[0]!.cpuNs)) / 1e6 / (last[0]!.t - first[0]!.t)
      const wanted = guests.map((_, i) => (last[i]!.wantedNs - first[i]!.wantedNs) / 1e6 / (last[i]!.t - first[i]!.t))
      const vmId = services.cluster.snapshot().vms.find((v) => v.name === burner.name)!.id
      const data = dataFileOf(dir)
      const ours = data.samples.raw(vmId, first[0]!.t, last[0]!.t + 1)
      const split = data.samples.vmSeries(vmId, ['qemuVcpuCores', 'overheadCores', 'qemuEmulatorCores', 'qemuOtherCores'], { from: first[0]!.t, to: last[0]!.t + 1, maxPoints: 1000, now: last[0]!.t + 1 })
      data.close()
      const oursPct = ours.reduce((s, x) => s + x.cpuPct, 0) / ours.length
      console.info(`burner: VirtPilot ${oursPct.toFixed(1)} %, libvirt ${truthPct.toFixed(1)} % of its vCPU over ${ours.length} polls; wanted ${wanted.map((w) => w.toFixed(2)).join(', ')} of a core (burner, idle guests)`)
      expect(ours.length).toBeGreaterThanOrEqual(5)
      expect(Math.abs(oursPct - truthPct)).toBeLessThan(15)
      // Its QEMU threads, although it started after the stats session did: the vCPU thread carries
      // the busy loop; all kinds add up to what libvirt counts for the domain (cpu.time covers every
      // thread of the process).
      const mean = (values: readonly number[]) => values.reduce((sum, x) => sum + x, 0) / values.length
      const vcpu = mean(split.series.qemuVcpuCores.values)
      const overhead = mean(split.series.overheadCores.values)
      console.info(`burner QEMU: vCPU threads ${vcpu.toFixed(2)}, overhead ${overhead.toFixed(3)} (main loop ${mean(split.series.qemuEmulatorCores.values).toFixed(3)}, other ${mean(split.series.qemuOtherCores.values).toFixed(3)}) cores over ${split.series.qemuVcpuCores.values.length} polls; libvirt cpu.time ${mean(ours.map((x) => x.cpuUsedCores)).toFixed(2)}`)
      expect(split.series.qemuVcpuCores.values.length).toBeGreaterThanOrEqual(4)
      expect(vcpu).toBeGreaterThan(4 * overhead)
      expect(Math.abs(vcpu + overhead - mean(ours.map((x) => x.cpuUsedCores)))).toBeLessThan(0.1)
      // The burner wants its whole vCPU however busy the machine; the idle guests use little of theirs.
      expect(wanted[0]).toBeGreaterThan(0.8)
      for (const guest of host.guests) expect(vmSample(guest.name)!.cpuPct).toBeLessThan(15)
    } finally {
      await removeExtraGuest(host, burner)
    }
  })

  it('runs perf kvm stat only when asked, shows the command first, and says why the lab host gives no report', async () => {
    const guest = lab.hosts[0]!.guests[0]!.name
    const vm = services.cluster.snapshot().vms.find((v) => v.name === guest)!
    const preview = services.perfKvm.preview(vm.id, 2)
    // The process id the poll read is this guest's QEMU (the lab's processes share this machine's /proc).
    expect(readFileSync(`/proc/${preview.pid}/cmdline`, 'utf8')).toContain(`guest=${guest},`)
    expect(preview.command).toContain(`perf kvm stat record -p $pid sleep 2`)
    expect(preview.command).toContain(`pid=${preview.pid}`)
    expect(services.perfKvm.list(vm.id)).toEqual([])
    // The lab user is not root and has no sudo; where perf is not installed at all, that comes first.
    const perfHere = spawnSync('sh', ['-c', 'command -v perf']).status === 0
    const run = await services.perfKvm.run(vm.id, 2)
    expect(run.status).toBe(perfHere ? 'needs-root' : 'perf-missing')
    expect(run.message).toMatch(perfHere ? /root/ : /not installed/)
    expect(services.perfKvm.list(vm.id).map((r) => r.id)).toEqual([run.id])
  })

  it('collects a VM whose name is full of shell syntax, and nothing on the host runs it', async () => {
    const host = lab.hosts[1]!
    // libvirt refuses '/' in names, so the would-be payload creates files in the shell's folder.
    const name = `odd vm 'q' "dq" ;touch vp-pwned1;$(touch vp-pwned2) \`touch vp-pwned3\` é中`
    // find's exit status also counts folders other processes remove while it looks: what it found is what counts.
    const pwned = () => spawnSync('find', [lab.base, '/root', '/tmp', '-maxdepth', '4', '-name', 'vp-pwned*']).stdout.toString().trim()
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
