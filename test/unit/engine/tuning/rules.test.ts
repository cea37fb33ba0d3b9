import { describe, expect, it } from 'vitest'
import { RecommendationSchema } from '../../../../shared/model/recommendation'
import { ActionSchema } from '../../../../shared/model/action'
import { tuningAdvice, tuningRecommendation, tuningRules, type TuningAdvice, type TuningUsage } from '../../../../shared/engine/tuning'
import { cluster, hostFacts, vmFacts } from './facts'
import type { ClusterFacts } from '../../../../shared/model/facts'

const run = (facts: ClusterFacts, rule: string, usage?: TuningUsage) =>
  tuningAdvice({ facts, usage }, tuningRules.filter((r) => r.id === rule))

/** Every advice must be a valid Recommendation whose actions and rollbacks are valid Actions. */
function checked(advice: TuningAdvice[]): TuningAdvice[] {
  advice.forEach((a, i) => {
    RecommendationSchema.parse(tuningRecommendation(a, `t-${i}`))
    for (const x of a.actions) {
      ActionSchema.parse(x.action)
      ActionSchema.parse(x.rollback)
    }
    expect(a.evidence.length).toBeGreaterThan(0)
    expect(a.rationale).toMatch(/\d/)
  })
  return advice
}

// A well-tuned host with eight alike 7 GiB guests: 56 GiB of 64 (88 %).
const alike = (o: Parameters<typeof vmFacts>[2] = {}) => Array.from({ length: 8 }, (_, i) => vmFacts(`web${i}`, 'h1', { memoryMiB: 7168, maxMemoryMiB: 7168, guestOs: 'debian12', ...o }))
const quietCluster = cluster([hostFacts('h1')], [vmFacts('a', 'h1'), vmFacts('b', 'h1')])

describe('tuning rules on a well-tuned cluster', () => {
  it('say nothing when there is nothing to fix', () => {
    expect(tuningAdvice({ facts: quietCluster, usage: { hosts: { h1: { cpuLoad: 0.3, memUsedMiB: 8000 } }, vms: {} } })).toEqual([])
  })
})

describe('ksm', () => {
  it('fires when memory is nearly overcommitted, KSM is off and guests run the same OS', () => {
    const [a] = checked(run(cluster([hostFacts('h1')], alike()), 'ksm'))
    expect(a!.target).toEqual({ type: 'host', id: 'h1' })
    expect(a!.rationale).toContain('56.0 GiB of 64.0 GiB RAM (88 %)')
    expect(a!.actions[0]).toEqual({ action: { kind: 'setHostTuning', host: 'h1', setting: 'ksm.run', value: '1' }, rollback: { kind: 'setHostTuning', host: 'h1', setting: 'ksm.run', value: '2' } })
    expect(a!.predicted[0]!.after).toBe(Math.round(8 * 7168 * 0.1))
  })
  it('stays quiet when KSM runs, memory is not tight, likeness is unknown, or guests opt out', () => {
    expect(run(cluster([hostFacts('h1', { ksm: { running: true, pagesShared: 10, pagesSharing: 90, fullScans: 3 } })], alike()), 'ksm')).toEqual([])
    expect(run(cluster([hostFacts('h1', { memoryMiB: 131072 })], alike()), 'ksm')).toEqual([])
    expect(run(cluster([hostFacts('h1')], alike({ guestOs: undefined })), 'ksm')).toEqual([])
    expect(run(cluster([hostFacts('h1')], alike({ noSharePages: true })), 'ksm')).toEqual([])
    expect(run(cluster([hostFacts('h1', { ksm: undefined })], alike()), 'ksm')).toEqual([])
  })
})

describe('hugepages', () => {
  const big = vmFacts('big', 'h1', { memoryMiB: 32768, maxMemoryMiB: 32768 })
  it('turns THP to madvise when it is off and a large guest runs', () => {
    const [a] = checked(run(cluster([hostFacts('h1', { transparentHugepages: 'never' })], [big]), 'hugepages'))
    expect(a!.actions[0]!.action).toMatchObject({ setting: 'transparent_hugepage.enabled', value: 'madvise' })
    expect(a!.actions[0]!.rollback).toMatchObject({ value: 'never' })
  })
  it('grows the 2 MiB pool when a stopped hugepage-backed VM would not fit', () => {
    const hp = vmFacts('hp', 'h1', { memoryMiB: 8192, running: false, hugepagesBacking: true })
    const [a] = checked(run(cluster([hostFacts('h1', { hugepagePools: [{ sizeKiB: 2048, total: 1024, free: 1024 }] })], [hp]), 'hugepages'))
    expect(a!.priority).toBe(2)
    expect(a!.actions[0]).toEqual({
      action: { kind: 'setHostTuning', host: 'h1', setting: 'hugepages.nr_2M', value: '4096' },
      rollback: { kind: 'setHostTuning', host: 'h1', setting: 'hugepages.nr_2M', value: '1024' },
    })
  })
  it('stays quiet with THP on, with only small guests, or with a large enough pool', () => {
    expect(run(cluster([hostFacts('h1')], [big]), 'hugepages')).toEqual([])
    expect(run(cluster([hostFacts('h1', { transparentHugepages: 'never' })], [vmFacts('small', 'h1')]), 'hugepages')).toEqual([])
    const hp = vmFacts('hp', 'h1', { memoryMiB: 8192, running: false, hugepagesBacking: true })
    expect(run(cluster([hostFacts('h1', { hugepagePools: [{ sizeKiB: 2048, total: 4096, free: 4096 }] })], [hp]), 'hugepages')).toEqual([])
  })
})

describe('governor', () => {
  it('advises performance when CPUs run powersave on a host with guests, and tuned virtual-host when tuned is in use', () => {
    const [a] = checked(run(cluster([hostFacts('h1', { cpuGovernors: { powersave: 12, performance: 4 } })], [vmFacts('a', 'h1')]), 'governor'))
    expect(a!.rationale).toContain('12 CPUs on powersave of 16')
    expect(a!.actions[0]).toMatchObject({ action: { setting: 'cpu.governor', value: 'performance' }, rollback: { setting: 'cpu.governor', value: 'powersave' } })
    const [t] = checked(run(cluster([hostFacts('h1', { cpuGovernors: { powersave: 16 }, tunedProfile: 'balanced' })], [vmFacts('a', 'h1')]), 'governor'))
    expect(t!.actions[0]).toMatchObject({ action: { setting: 'tuned.profile', value: 'virtual-host' }, rollback: { setting: 'tuned.profile', value: 'balanced' } })
  })
  it('stays quiet without cpufreq facts, with fast governors, or without guests', () => {
    expect(run(cluster([hostFacts('h1', { cpuGovernors: {} })], [vmFacts('a', 'h1')]), 'governor')).toEqual([])
    expect(run(cluster([hostFacts('h1', { cpuGovernors: { schedutil: 16 } })], [vmFacts('a', 'h1')]), 'governor')).toEqual([])
    expect(run(cluster([hostFacts('h1', { cpuGovernors: { powersave: 16 } })], []), 'governor')).toEqual([])
  })
})

describe('halt-poll', () => {
  const idle: TuningUsage = { hosts: { h1: { cpuLoad: 0.2 } }, vms: {} }
  const busy: TuningUsage = { hosts: { h1: { cpuLoad: 0.92 } }, vms: {} }
  it('turns polling back on when it is 0 on a host with CPU to spare', () => {
    const [a] = checked(run(cluster([hostFacts('h1', { haltPollNs: 0 })], [vmFacts('a', 'h1')]), 'halt-poll', idle))
    expect(a!.actions[0]).toMatchObject({ action: { setting: 'kvm.halt_poll_ns', value: '200000' }, rollback: { value: '0' } })
  })
  it('lowers a large halt_poll_ns on a busy host', () => {
    const [a] = checked(run(cluster([hostFacts('h1', { haltPollNs: 1_000_000 })], [vmFacts('a', 'h1')]), 'halt-poll', busy))
    expect(a!.predicted[0]).toMatchObject({ before: 1_000_000, after: 200_000 })
  })
  it('stays quiet at the default, without load figures, for TCG guests, or when the kvm module is absent', () => {
    expect(run(cluster([hostFacts('h1')], [vmFacts('a', 'h1')]), 'halt-poll', busy)).toEqual([])
    expect(run(cluster([hostFacts('h1', { haltPollNs: 0 })], [vmFacts('a', 'h1')]), 'halt-poll')).toEqual([])
    expect(run(cluster([hostFacts('h1', { haltPollNs: 0 })], [vmFacts('a', 'h1', { accelerator: 'qemu' })]), 'halt-poll', idle)).toEqual([])
    expect(run(cluster([hostFacts('h1', { haltPollNs: undefined })], [vmFacts('a', 'h1')]), 'halt-poll', idle)).toEqual([])
  })
})

describe('virtio disk and NIC models, vhost-net', () => {
  it('moves an IDE data disk to virtio, not the IDE CD-ROM', () => {
    const vm = vmFacts('old', 'h1', {
      disks: [
        { target: 'hda', device: 'disk', bus: 'ide', sourceType: 'file', format: 'qcow2', cache: 'none', io: 'native', readonly: false },
        { target: 'hdc', device: 'cdrom', bus: 'ide', sourceType: 'file', format: 'raw', readonly: true },
      ],
    })
    const [a] = checked(run(cluster([hostFacts('h1')], [vm]), 'virtio-disk'))
    expect(a!.needsRestart).toBe(true)
    expect(a!.actions).toEqual([{ action: { kind: 'setVmDevice', vm: 'old', host: 'h1', setting: 'disk.bus', device: 'hda', value: 'virtio' }, rollback: { kind: 'setVmDevice', vm: 'old', host: 'h1', setting: 'disk.bus', device: 'hda', value: 'ide' } }])
    expect(run(quietCluster, 'virtio-disk')).toEqual([])
  })
  it('moves an e1000 NIC to virtio', () => {
    const [a] = checked(run(cluster([hostFacts('h1')], [vmFacts('old', 'h1', { nics: [{ type: 'bridge', model: 'e1000', mac: '52:54:00:aa:bb:cc' }] })]), 'virtio-nic'))
    expect(a!.actions[0]!.action).toMatchObject({ setting: 'nic.model', device: '52:54:00:aa:bb:cc', value: 'virtio' })
    expect(a!.actions[0]!.rollback).toMatchObject({ value: 'e1000' })
    expect(run(quietCluster, 'virtio-nic')).toEqual([])
  })
  it('switches a userspace virtio backend to vhost only where /dev/vhost-net exists and the guest uses KVM', () => {
    const nics = [{ type: 'bridge', model: 'virtio', driver: 'qemu', mac: '52:54:00:aa:bb:cc' }]
    const [a] = checked(run(cluster([hostFacts('h1')], [vmFacts('v', 'h1', { nics })]), 'vhost-net'))
    expect(a!.actions[0]!.action).toMatchObject({ setting: 'nic.vhost', value: 'vhost' })
    expect(run(cluster([hostFacts('h1', { vhostNet: false })], [vmFacts('v', 'h1', { nics })]), 'vhost-net')).toEqual([])
    expect(run(cluster([hostFacts('h1')], [vmFacts('v', 'h1', { nics, accelerator: 'qemu' })]), 'vhost-net')).toEqual([])
    expect(run(quietCluster, 'vhost-net')).toEqual([])
  })
})

describe('disk cache and io mode', () => {
  const disk = (o: object) => [{ target: 'vda', device: 'disk', bus: 'virtio', sourceType: 'file', format: 'raw', readonly: false, ...o }]
  it('sets cache=none and io_uring (QEMU >= 6, libvirt >= 6.3) on a default-cache disk', () => {
    const [a] = checked(run(cluster([hostFacts('h1')], [vmFacts('v', 'h1', { disks: disk({}) })]), 'disk-cache-io'))
    expect(a!.priority).toBe(5)
    expect(a!.actions.map((x) => [x.action, x.rollback].map((y) => (y.kind === 'setVmDevice' ? `${y.setting}=${y.value}` : '')))).toEqual([
      ['disk.cache=none', 'disk.cache=default'],
      ['disk.io=io_uring', 'disk.io=default'],
    ])
  })
  it('is urgent for cache=unsafe and uses io=native on older QEMU', () => {
    const [a] = checked(run(cluster([hostFacts('h1', { qemuVersion: '4.2.1' })], [vmFacts('v', 'h1', { disks: disk({ cache: 'unsafe' }) })]), 'disk-cache-io'))
    expect(a!.priority).toBe(2)
    expect(a!.actions[1]!.action).toMatchObject({ setting: 'disk.io', value: 'native' })
  })
  it('leaves io alone on network disks and stays quiet on cache=none io=native and read-only media', () => {
    expect(run(cluster([hostFacts('h1')], [vmFacts('v', 'h1', { disks: disk({ sourceType: 'network', cache: 'none' }) })]), 'disk-cache-io')).toEqual([])
    expect(run(cluster([hostFacts('h1')], [vmFacts('v', 'h1', { disks: disk({ device: 'cdrom', readonly: true }) })]), 'disk-cache-io')).toEqual([])
    expect(run(quietCluster, 'disk-cache-io')).toEqual([])
  })
})

describe('iothreads', () => {
  const vm = vmFacts('db', 'h1', { vcpus: 8 })
  it('gives a disk-busy multi-vCPU VM an I/O thread', () => {
    const [a] = checked(run(cluster([hostFacts('h1')], [vm]), 'iothreads', { hosts: {}, vms: { db: { diskIops: 2400 } } }))
    expect(a!.rationale).toContain('2400 disk operations/s with 8 vCPUs')
    expect(a!.actions[0]).toMatchObject({ action: { setting: 'disk.iothread', device: 'vda', value: '1' }, rollback: { value: 'none' } })
  })
  it('stays quiet without measured I/O, with little I/O, or when the disk has an I/O thread', () => {
    expect(run(cluster([hostFacts('h1')], [vm]), 'iothreads')).toEqual([])
    expect(run(cluster([hostFacts('h1')], [vm]), 'iothreads', { hosts: {}, vms: { db: { diskIops: 40 } } })).toEqual([])
    const withThread = vmFacts('db', 'h1', { vcpus: 8, disks: [{ ...vm.disks[0]!, iothread: 1 }] })
    expect(run(cluster([hostFacts('h1')], [withThread]), 'iothreads', { hosts: {}, vms: { db: { diskIops: 2400 } } })).toEqual([])
  })
})

describe('numa-pinning', () => {
  const twoNodes = hostFacts('h1', {
    logicalCpus: 32,
    memoryMiB: 131072,
    numaNodes: [
      { id: 0, cpus: Array.from({ length: 16 }, (_, i) => i), memoryMiB: 65536 },
      { id: 1, cpus: Array.from({ length: 16 }, (_, i) => 16 + i), memoryMiB: 65536 },
    ],
  })
  it('pins VMs that fit in one node, spreading them over the nodes', () => {
    const advice = checked(run(cluster([twoNodes], [vmFacts('a', 'h1', { vcpus: 8 }), vmFacts('b', 'h1', { vcpus: 8 })]), 'numa-pinning'))
    expect(advice.map((a) => a.actions[0]!.action)).toEqual([
      { kind: 'setVmDevice', vm: 'a', host: 'h1', setting: 'vcpu.pinning', value: '0-15' },
      { kind: 'setVmDevice', vm: 'b', host: 'h1', setting: 'vcpu.pinning', value: '16-31' },
    ])
    expect(advice[0]!.actions[0]!.rollback).toMatchObject({ value: 'none' })
  })
  it('re-pins a VM pinned across nodes, with a rollback that restores each vCPU', () => {
    const vcpuPins = [0, 1, 2, 3].map((v) => ({ vcpu: v, cpus: [v * 8] })) // CPUs 0, 8, 16, 24: two nodes
    const [a] = checked(run(cluster([twoNodes], [vmFacts('a', 'h1', { vcpus: 4, vcpuPins })]), 'numa-pinning'))
    expect(a!.actions[0]!.rollback).toMatchObject({ value: '0:0;1:8;2:16;3:24' })
  })
  it('stays quiet on one-node hosts, for small VMs, VMs too big for a node, and VMs already in one node', () => {
    expect(run(cluster([hostFacts('h1')], [vmFacts('a', 'h1', { vcpus: 8 })]), 'numa-pinning')).toEqual([])
    expect(run(cluster([twoNodes], [vmFacts('a', 'h1', { vcpus: 2 })]), 'numa-pinning')).toEqual([])
    expect(run(cluster([twoNodes], [vmFacts('a', 'h1', { vcpus: 24 })]), 'numa-pinning')).toEqual([])
    expect(run(cluster([twoNodes], [vmFacts('a', 'h1', { vcpus: 4, vcpuPins: [0, 1, 2, 3].map((v) => ({ vcpu: v, cpus: [16 + v] })) })]), 'numa-pinning')).toEqual([])
  })
})

describe('balloon', () => {
  it('adds a virtio balloon where there is none', () => {
    const [a] = checked(run(cluster([hostFacts('h1')], [vmFacts('v', 'h1', { balloon: 'none' })]), 'balloon'))
    expect(a!.actions[0]).toMatchObject({ action: { setting: 'memballoon.model', value: 'virtio' }, rollback: { value: 'none' } })
  })
  it('stays quiet with a balloon, for stopped VMs and for hugepage-backed VMs', () => {
    expect(run(quietCluster, 'balloon')).toEqual([])
    expect(run(cluster([hostFacts('h1')], [vmFacts('v', 'h1', { balloon: 'none', running: false })]), 'balloon')).toEqual([])
    expect(run(cluster([hostFacts('h1')], [vmFacts('v', 'h1', { balloon: 'none', hugepagesBacking: true })]), 'balloon')).toEqual([])
  })
})

describe('overcommit', () => {
  const many = Array.from({ length: 10 }, (_, i) => vmFacts(`v${i}`, 'h1', { vcpus: 8, memoryMiB: 8192, maxMemoryMiB: 8192 }))
  it('reports ratios above the limits, urgent when memory in use is near RAM', () => {
    const [a] = checked(run(cluster([hostFacts('h1')], many), 'overcommit', { hosts: { h1: { cpuLoad: 0.5, memUsedMiB: 62000 } }, vms: {} }))
    expect(a!.rationale).toContain('80 vCPUs on 16 CPUs is 5.0:1')
    expect(a!.rationale).toContain('80.0 GiB of 64.0 GiB RAM (125 %)')
    expect(a!.priority).toBe(2)
    expect(a!.risk).toBe('high')
    expect(a!.actions).toEqual([])
    const [calm] = run(cluster([hostFacts('h1')], many), 'overcommit', { hosts: { h1: { cpuLoad: 0.2, memUsedMiB: 20000 } }, vms: {} })
    expect(calm!.priority).toBe(5)
  })
  it('stays quiet within the limits', () => {
    expect(run(quietCluster, 'overcommit')).toEqual([])
  })
})
