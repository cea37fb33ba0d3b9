import { describe, expect, it } from 'vitest'
import { kvmRates } from '../../../../src-main/collect/rates'
import { parseDomstats } from '../../../../src-main/hosts/libvirt/parse/domstats'
import { kvmCountersOf } from '../../../../src-main/hosts/libvirt/parse/kvm-stats'
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
