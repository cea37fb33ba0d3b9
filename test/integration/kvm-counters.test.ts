import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { VmSample } from '../../shared/model'
import type { Services } from '../../src-main/services/services'
import { kvmGuestOf, kvmMissing, removeKvmGuest, startKvmGuest, waitForFirmwareIdle, type KvmGuest } from '../lab/kvm-guest'
import { dataFileOf, servicesForLab, until } from './support/services'
import { describeWithLab, domstats, type LabHost } from './lab'
import { connectHost, execOn } from './ssh'

// KVM's own counters on a real KVM host: the lab's opt-in KVM guest (test/lab/kvm-guest.ts:
// SeaBIOS halting, since this machine's paravirtual KVM boots no stock kernel) beside lab host
// h1's two TCG guests, polled through VirtPilot's real path (ssh -> resident stats session ->
// parsers -> rates -> SQLite) as the non-root lab user. Skipped only where there is no /dev/kvm.

const noKvm = await kvmMissing()

describeWithLab('KVM counters of a real KVM guest', (lab) => {
  if (noKvm) {
    describe('on a machine without KVM', () => it.skip(`needs /dev/kvm: ${noKvm}`, () => undefined))
    return
  }
  const host: LabHost = lab.hosts[0]!
  let dir: string
  let services: Services
  let guest: KvmGuest

  const snapshotOf = () => services.cluster.snapshot()
  const vmIdOf = (name: string) => snapshotOf().vms.find((v) => v.name === name)?.id
  const vmSample = (name: string): VmSample | undefined => snapshotOf().vmSamples.find((s) => s.vmId === vmIdOf(name))
  const afterPolls = async (polls: number) => {
    const start = services.hosts.diagnostics(host.name)!.polls
    await until(`${polls} polls of ${host.name}`, () => (services.hosts.diagnostics(host.name)!.polls >= start + polls ? true : undefined), 30_000 + polls * 5000)
  }

  beforeAll(async () => {
    guest = kvmGuestOf(lab.base, `${host.name}-kvm`)
    // libvirt's own error, verbatim, if it refuses a KVM guest here: a failure, never a skip.
    await startKvmGuest(host.libvirt.uri, guest)
    await waitForFirmwareIdle(guest)
    dir = mkdtempSync(join(tmpdir(), 'virtpilot-kvm-'))
    services = await servicesForLab(lab, dir)
  })

  afterAll(async () => {
    await services?.stop()
    if (guest) await removeKvmGuest(host.libvirt.uri, guest)
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('libvirt has KVM binary statistics for the guest: per vCPU with --vcpu, VM-wide with --vm', async () => {
    const vcpu = await domstats(host, guest.name, ['--vcpu'])
    const vm = await domstats(host, guest.name, ['--vm'])
    expect(Number(vcpu.get('vcpu.0.exits.sum'))).toBeGreaterThan(0)
    expect(vcpu.has('vcpu.0.halt_wait_ns.sum')).toBe(true)
    expect([...vm.keys()].filter((k) => k.startsWith('vm.')).length).toBeGreaterThan(5)
    expect(vm.has('vm.remote_tlb_flush.sum')).toBe(true)
    // The TCG guests beside it have none: there is nothing to show for them, not zeros.
    const tcg = await domstats(host, host.guests[0]!.name, ['--vcpu', '--vm'])
    expect([...tcg.keys()].filter((k) => k.endsWith('.sum'))).toEqual([])
  })

  it('rates per second per VM that match libvirt\'s counters, and none for the TCG guests', async () => {
    await until('KVM rates for the KVM guest', () => vmSample(guest.name)?.kvmExitsPs, 60_000)
    const read = async () => {
      const stats = await domstats(host, guest.name, ['--vcpu'])
      return { t: Date.now(), exits: Number(stats.get('vcpu.0.exits.sum')), haltExits: Number(stats.get('vcpu.0.halt_exits.sum')) }
    }
    // libvirt's figures over the stretch VirtPilot's samples cover, read right after a poll ended.
    await afterPolls(1)
    const first = await read()
    await afterPolls(6)
    const last = await read()
    expect(last.exits).toBeGreaterThan(first.exits)
    const truthPs = (last.exits - first.exits) / ((last.t - first.t) / 1000)
    const data = dataFileOf(dir)
    const metrics = ['kvmExitsPs', 'kvmHaltExitsPs', 'kvmIrqInjectionsPs', 'kvmIoExitsPs', 'kvmMmioExitsPs', 'kvmTlbFlushesPs', 'kvmHaltWaitCores', 'kvmHaltPollSuccessCores', 'kvmHaltPollFailCores'] as const
    const series = data.samples.vmSeries(vmIdOf(guest.name)!, metrics, { from: first.t, to: last.t + 1, maxPoints: 1000, now: last.t + 1 })
    data.close()
    const values = (m: (typeof metrics)[number]) => series.series[m].values.filter((v): v is number => v !== null)
    const mean = (m: (typeof metrics)[number]) => values(m).reduce((a, b) => a + b, 0) / values(m).length
    console.info(
      `KVM guest ${guest.name} over ${values('kvmExitsPs').length} polls: VirtPilot ${metrics.map((m) => `${m} ${mean(m).toFixed(3)}`).join(', ')}; ` +
        `libvirt exits ${truthPs.toFixed(1)}/s (vcpu.0.exits.sum ${first.exits} -> ${last.exits}, halt_exits ${first.haltExits} -> ${last.haltExits})`,
    )
    expect(values('kvmExitsPs').length).toBeGreaterThanOrEqual(4)
    for (const m of metrics) for (const v of values(m)) expect(v, m).toBeGreaterThanOrEqual(0)
    // A firmware halting between timer interrupts: exits advance at a steady rate, most of them
    // halts woken by an injected interrupt, and the vCPU waits in halt most of the time.
    expect(mean('kvmExitsPs') / truthPs).toBeGreaterThan(0.5)
    expect(mean('kvmExitsPs') / truthPs).toBeLessThan(2)
    expect(mean('kvmHaltExitsPs')).toBeGreaterThan(0)
    expect(mean('kvmIrqInjectionsPs')).toBeGreaterThan(0)
    expect(mean('kvmHaltWaitCores')).toBeGreaterThan(0)
    for (const tcg of host.guests) {
      const s = vmSample(tcg.name)!
      expect(s.cpuUsedCores, tcg.name).toBeGreaterThanOrEqual(0)
      expect(s.kvmExitsPs, tcg.name).toBeUndefined()
      expect(s.kvmHaltWaitCores, tcg.name).toBeUndefined()
    }
  })

  it('host totals come from its VMs, and it says why not from /sys/kernel/debug/kvm: present but not readable', async () => {
    // One poll's samples: the host's exits are its one KVM guest's (the TCG guests add nothing).
    const { sample, vm } = await until(
      'a host sample with KVM rates and its KVM guest\'s of the same poll',
      () => {
        const snapshot = snapshotOf()
        const h = snapshot.hostSamples.find((s) => s.hostId === host.name)
        const v = snapshot.vmSamples.find((s) => s.vmId === vmIdOf(guest.name))
        return h?.kvmExitsPs !== undefined && v?.t === h.t ? { sample: h, vm: v } : undefined
      },
      60_000,
    )
    expect(sample.kvmSource).toBe('vms')
    expect(sample.kvmDebugfs).toBe('not-readable')
    expect(sample.kvmExitsPs).toBeCloseTo(vm.kvmExitsPs!, 6)
    expect(sample.kvmHaltWaitCores).toBeCloseTo(vm.kvmHaltWaitCores!, 6)
    // Ground truth: in the host's mount namespace debugfs is mounted and lists KVM's counters...
    const kvmDir = `/proc/${host.pids.sshd}/root/sys/kernel/debug/kvm`
    expect(readdirSync(kvmDir)).toContain('exits')
    // ... which the lab user (not root) cannot read; on this machine root cannot either (the
    // kernel is locked down: "debugfs access is restricted").
    const asUser = await userReads(host)
    expect(asUser.code).not.toBe(0)
    expect(asUser.text).toMatch(/Permission denied|Operation not permitted/)
    let rootError = 'read'
    try {
      readFileSync(`${kvmDir}/exits`, 'utf8')
    } catch (error) {
      rootError = (error as NodeJS.ErrnoException).code ?? String(error)
    }
    console.info(`/sys/kernel/debug/kvm on ${host.name}: ${readdirSync(kvmDir).length} files; as ${host.ssh.user}: ${asUser.text.trim()}; as root: ${rootError}`)
  })
})

/** `cat /sys/kernel/debug/kvm/exits` over SSH as the lab user: its exit status and what it printed. */
async function userReads(host: LabHost): Promise<{ code: number | null; text: string }> {
  const client = await connectHost(host)
  try {
    const r = await execOn(client, 'cat /sys/kernel/debug/kvm/exits 2>&1')
    return { code: r.code, text: r.stdout }
  } finally {
    client.end()
  }
}
