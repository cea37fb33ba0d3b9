import { describe, expect, it } from 'vitest'
import { deriveSamples, kvmRates } from '../../../../src-main/collect/rates'
import { parseDomstats } from '../../../../src-main/hosts/libvirt/parse/domstats'
import { KVM_VCPU_STATS, kvmCountersOf } from '../../../../src-main/hosts/libvirt/parse/kvm-stats'
import { parseStatsOutput } from '../../../../src-main/hosts/libvirt/parse/stats-output'
import { fixture, ok } from './fixture'

// A real KVM host's `virsh domstats` (libvirt 10, QEMU 8.2, Windows 11 guest; README.md), without
// the two lines its author wrote to cut it short (`  vcpu.1...`, `  block.1...`: not virsh output).
const win11 = fixture('virsh_domstats/glances-win11-kvm-binary-stats.txt').replace(/^ {2}(vcpu|block)\.1\.\.\.\n/gm, '')

describe("KVM's binary statistics in domstats", () => {
  it('sums the counters a KVM host prints per vCPU, and the VM-wide remote TLB flushes', () => {
    const [d] = ok(parseDomstats(win11))
    expect(kvmCountersOf(d!)).toEqual({
      exits: 28094008,
      haltExits: 1173865,
      ioExits: 1723037,
      mmioExits: 6536664,
      irqExits: 1265655,
      irqInjections: 594,
      haltPollSuccessNs: 13527499051,
      haltPollFailNs: 8369146975,
      haltWaitNs: 872563463627,
      haltSuccessfulPolls: 457799,
      haltAttemptedPolls: 610576,
      tlbFlushes: 286197,
      remoteTlbFlushes: 436456,
    })
  })

  it('a TCG host has none: its zero cpu.haltpoll figures are not taken for measurements', () => {
    const lab = fixture('virtpilot-lab/stats-h1-sample1.txt')
    const body = lab.slice(lab.indexOf('\n', lab.indexOf('BEGIN domstats')) + 1, lab.indexOf('@@VP', lab.indexOf('BEGIN domstats') + 10))
    const domains = ok(parseDomstats(body))
    expect(domains.length).toBe(2)
    expect(domains[0]!.fields.get('cpu.haltpoll.success.time')).toBe('0')
    for (const d of domains) expect(kvmCountersOf(d)).toBeUndefined()
  })

  it('rates per second; halt polling as cores; nothing for counters read only once', () => {
    const [d] = ok(parseDomstats(win11))
    const a = kvmCountersOf(d!)!
    const b = { ...a, exits: a.exits! + 50_000, haltPollFailNs: a.haltPollFailNs! + 2e9, haltExits: undefined }
    const r = kvmRates(a, b, 10)
    expect(r.kvmExitsPs).toBe(5000)
    expect(r.kvmHaltPollFailCores).toBeCloseTo(0.2, 9)
    expect(r.kvmHaltPollSuccessCores).toBe(0)
    expect(r.kvmHaltExitsPs).toBeUndefined()
    expect(kvmRates(undefined, b, 10)).toEqual({})
  })
})

// A real KVM guest (domain type='kvm') in this machine's lab: libvirt 9.0.0, QEMU 7.2, kernel 6.18
// with a paravirtual KVM (kvm_pvm); SeaBIOS found no disk and halts between timer interrupts
// (capture-kvm.ts, README.md).
describe("KVM's binary statistics of a real KVM guest in the lab", () => {
  /** Names of KVM's statistics in QEMU's query-stats reply; `scalar`: only those with one value, not histograms. */
  const queryStatsNames = (file: string, scalar = false) => {
    const reply = JSON.parse(fixture(`virtpilot-lab/${file}`)) as { return: { provider: string; stats: { name: string; value: unknown }[] }[] }
    return reply.return
      .filter((r) => r.provider === 'kvm')
      .flatMap((r) => r.stats.filter((x) => !scalar || !Array.isArray(x.value)).map((x) => x.name))
      .sort()
  }

  it('domstats --vcpu: the counters per vCPU, summed', () => {
    const [d] = ok(parseDomstats(fixture('virtpilot-lab/kvm-domstats-vcpu-k1.txt')))
    expect(d!.name).toBe('k1-kvm')
    expect(kvmCountersOf(d!)).toEqual({
      exits: 8877,
      haltExits: 122,
      ioExits: 0,
      mmioExits: 0,
      irqExits: 0,
      irqInjections: 123,
      haltPollSuccessNs: 0,
      haltPollFailNs: 1152,
      haltWaitNs: 223705646,
      haltSuccessfulPolls: 0,
      haltAttemptedPolls: 3,
      tlbFlushes: 4,
    })
  })

  it('domstats --vm: only VM-wide counters, of which the remote TLB flushes are kept', () => {
    const [d] = ok(parseDomstats(fixture('virtpilot-lab/kvm-domstats-vm-k1.txt')))
    expect([...d!.fields.keys()].every((k) => k.startsWith('vm.'))).toBe(true)
    expect(kvmCountersOf(d!)).toEqual({ remoteTlbFlushes: 0 })
  })

  it('every counter VirtPilot keeps is one this KVM reports, under the name libvirt passes on from QEMU', () => {
    const vcpu = queryStatsNames('kvm-qmp-query-stats-vcpu.json')
    for (const name of Object.keys(KVM_VCPU_STATS)) expect(vcpu, name).toContain(name)
    expect(queryStatsNames('kvm-qmp-query-stats-vm.json')).toContain('remote_tlb_flush')
    // libvirt prints each of QEMU's single-valued statistics with a suffix for its kind (.sum,
    // .cur, .max) and leaves the histograms (halt_wait_hist...) out.
    const [d] = ok(parseDomstats(fixture('virtpilot-lab/kvm-domstats-vcpu-k1.txt')))
    const fromLibvirt = [...d!.fields.keys()].map((k) => /^vcpu\.0\.([a-z0-9_]+)\.(sum|cur|max)$/.exec(k)?.[1]).filter((n) => n !== undefined)
    expect(fromLibvirt.sort()).toEqual(queryStatsNames('kvm-qmp-query-stats-vcpu.json', true))
    expect(vcpu).toContain('halt_wait_hist')
  })

  it('two real polls 10 s apart: rates per second for the VM, the host\'s from its VMs, debugfs not readable', () => {
    const ids = new Map([['k1-kvm', 'vm-kvm']])
    const opts = (t: number) => ({ hostId: 'k1', t, vmIdOf: (n: string) => ids.get(n) })
    const a = ok(parseStatsOutput(fixture('virtpilot-lab/kvm-stats-k1-sample1.txt'), opts(0)))
    const b = ok(parseStatsOutput(fixture('virtpilot-lab/kvm-stats-k1-sample2.txt'), opts(10_000)))
    expect(a.raw.hosts[0]!.kvmDebugfs).toEqual({ status: 'not-readable' })
    expect(a.raw.vms[0]!.kvm!.exits).toBe(8887)
    expect(b.raw.vms[0]!.kvm!.exits).toBe(9815)
    const { hostSamples, vmSamples } = deriveSamples(a.raw, b.raw, new Map([['k1', 2]]))
    const vm = vmSamples[0]!
    expect(vm.kvmExitsPs).toBeCloseTo(92.8, 6)
    expect(vm.kvmHaltExitsPs).toBeCloseTo(18.3, 6)
    expect(vm.kvmIrqInjectionsPs).toBeCloseTo(18.3, 6)
    expect(vm.kvmIoExitsPs).toBe(0)
    // Halted nearly all the time: about one core's worth of halt wait for its one vCPU.
    expect(vm.kvmHaltWaitCores).toBeGreaterThan(0.9)
    expect(vm.kvmHaltWaitCores).toBeLessThan(1.1)
    expect(hostSamples[0]).toMatchObject({ kvmSource: 'vms', kvmDebugfs: 'not-readable', kvmExitsPs: vm.kvmExitsPs })
  })
})
