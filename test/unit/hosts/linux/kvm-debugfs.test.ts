import { describe, expect, it } from 'vitest'
import type { VmSample } from '../../../../shared/model'
import { hostKvm } from '../../../../src-main/collect/rates'
import { KVM_DEBUGFS_FILES } from '../../../../src-main/hosts/linux/host-reads'
import { parseKvmDebugfs } from '../../../../src-main/hosts/linux/parse/kvm-debugfs'
import { parseDomstats } from '../../../../src-main/hosts/libvirt/parse/domstats'
import { kvmCountersOf } from '../../../../src-main/hosts/libvirt/parse/kvm-stats'
import { fixture, ok } from '../libvirt/fixture'

// No real dump of /sys/kernel/debug/kvm's values was found to copy (README.md), and this machine's
// kernel is locked down (root gets EPERM): the section is built here in the kernel's format, one
// number per file, with the counters of a real KVM guest (glances' win11 domstats; debugfs sums the
// same per-vCPU counters over every VM of the host). What is real: the listing of a KVM host's
// /sys/kernel/debug/kvm and a poll's answer where it is present but not readable (the lab's KVM
// host, capture-kvm.ts; kvm-counters.test.ts checks it live).
const win11 = kvmCountersOf(ok(parseDomstats(fixture('virsh_domstats/glances-win11-kvm-binary-stats.txt').replace(/^ {2}(vcpu|block)\.1\.\.\.\n/gm, '')))[0]!)!
const section = (scale: number) =>
  [
    `exits ${win11.exits! * scale}`,
    `halt_exits ${win11.haltExits! * scale}`,
    `io_exits ${win11.ioExits! * scale}`,
    `mmio_exits ${win11.mmioExits! * scale}`,
    `irq_injections ${win11.irqInjections! * scale}`,
    `tlb_flush ${win11.tlbFlushes! * scale}`,
    `halt_poll_success_ns ${win11.haltPollSuccessNs! * scale}`,
    `halt_poll_fail_ns ${win11.haltPollFailNs! * scale}`,
    `halt_wait_ns ${win11.haltWaitNs! * scale}`,
  ].join('\n') + '\n'

describe('/sys/kernel/debug/kvm', () => {
  it('reads the counters the session sends, under the names the binary statistics use', () => {
    const r = ok(parseKvmDebugfs(section(1)))
    expect(r).toEqual({ status: 'read', counters: { exits: 28094008, haltExits: 1173865, ioExits: 1723037, mmioExits: 6536664, irqInjections: 594, tlbFlushes: 286197, haltPollSuccessNs: 13527499051, haltPollFailNs: 8369146975, haltWaitNs: 872563463627 } })
    // Every file the session reads has a counter to go to.
    for (const f of KVM_DEBUGFS_FILES) expect(ok(parseKvmDebugfs(`${f} 1\n`)).status, f).toBe('read')
  })

  it('says why there is nothing: not mounted, not readable (root only), no kvm module', () => {
    expect(ok(parseKvmDebugfs('unavailable not-mounted\n'))).toEqual({ status: 'not-mounted' })
    expect(ok(parseKvmDebugfs('unavailable not-readable\n'))).toEqual({ status: 'not-readable' })
    expect(ok(parseKvmDebugfs('unavailable no-kvm\n'))).toEqual({ status: 'no-kvm' })
    expect(ok(parseKvmDebugfs(''))).toEqual({ status: 'no-kvm' })
  })

  it('reads only files a real KVM host has (kernel 6.18: the listing as root)', () => {
    const transcript = fixture('virtpilot-lab/kvm-debugfs-k1.txt')
    const listing = transcript.slice(transcript.indexOf('$ ls -l /sys/kernel/debug/kvm'), transcript.indexOf('[exit', transcript.indexOf('$ ls -l /sys/kernel/debug/kvm')))
    const files = listing.split('\n').map((l) => /^-r[-w]-r--r-- .* ([a-z0-9_]+)$/.exec(l)?.[1]).filter((f) => f !== undefined)
    expect(files.length).toBeGreaterThan(50)
    for (const f of KVM_DEBUGFS_FILES) expect(files, f).toContain(f)
    // ... which neither the lab user nor, on this locked-down kernel, root can read.
    expect(transcript).toContain('cat: /sys/kernel/debug/kvm/exits: Permission denied')
    expect(transcript).toContain('cat: /sys/kernel/debug/kvm/exits: Operation not permitted')
  })

  it('a real poll of a KVM host where debugfs is present but not readable says so', () => {
    const answer = fixture('virtpilot-lab/kvm-stats-k1-sample1.txt')
    const section = /BEGIN kvm-debugfs\n([^@]*)@@VP [0-9a-f]+ END kvm-debugfs 0/.exec(answer)![1]!
    expect(ok(parseKvmDebugfs(section))).toEqual({ status: 'not-readable' })
  })

  it('refuses what is not a counter line', () => {
    expect(parseKvmDebugfs('exits -1\n').ok).toBe(false)
    expect(parseKvmDebugfs('exits 12\nunavailable not-mounted\n').ok).toBe(false)
    expect(parseKvmDebugfs('vcpu_exits 12\n').ok).toBe(false)
  })
})

describe('a host\'s KVM totals', () => {
  const vm = (id: string, o: Partial<VmSample>): VmSample => ({
    vmId: id, hostId: 'h1', t: 1, cpuPct: 0, cpuUsedCores: 0, cpuReadyPct: 0, memUsedMiB: 0, diskReadBps: 0, diskWriteBps: 0, diskReadIops: 0, diskWriteIops: 0, netRxBps: 0, netTxBps: 0, ...o,
  })
  const a = ok(parseKvmDebugfs(section(1)))
  const b = ok(parseKvmDebugfs(section(2)))

  it('takes the kernel\'s own sum when debugfs was read both times: rates over the interval', () => {
    const h = hostKvm(a, b, [vm('x', { kvmExitsPs: 1 })], 10)
    expect(h.kvmSource).toBe('debugfs')
    expect(h.kvmDebugfs).toBe('read')
    expect(h.kvmExitsPs).toBeCloseTo(2809400.8, 6)
    expect(h.kvmHaltPollFailCores).toBeCloseTo(8369146975 / 1e9 / 10, 9)
  })

  it('else sums its VMs\' rates, only those that have them, and says what debugfs said', () => {
    const h = hostKvm({ status: 'not-readable' }, { status: 'not-readable' }, [vm('x', { kvmExitsPs: 100, kvmHaltPollFailCores: 0.01 }), vm('y', { kvmExitsPs: 50 }), vm('tcg', {})], 10)
    expect(h).toEqual({ kvmExitsPs: 150, kvmHaltPollFailCores: 0.01, kvmSource: 'vms', kvmDebugfs: 'not-readable' })
  })

  it('has none without KVM counters anywhere (TCG), rather than zeros', () => {
    expect(hostKvm({ status: 'not-mounted' }, { status: 'not-mounted' }, [vm('tcg', {})], 10)).toEqual({ kvmDebugfs: 'not-mounted' })
    expect(hostKvm(undefined, undefined, [], 10)).toEqual({})
  })
})
