import { describe, expect, it } from 'vitest'
import { HostSchema, VmSchema } from '../../../../shared/model'
import { DISCOVER_FORMAT } from '../../../../src-main/hosts/libvirt/discover-script'
import { parseDiscoverOutput } from '../../../../src-main/hosts/libvirt/parse/discover-output'
import { bracketedChoice } from '../../../../src-main/hosts/linux/parse/host-tuning'
import { parseVirshVersion } from '../../../../src-main/hosts/libvirt/parse/virsh-version'
import { fixture, ok } from './fixture'

describe('parseDiscoverOutput on a real lab host (discover script output)', () => {
  const d = ok(parseDiscoverOutput(fixture('virtpilot-lab/discover-h1.txt'), { hostId: 'h1' }))

  it('builds a valid Host from capabilities, cpuinfo and meminfo', () => {
    const h = d.inventory.hosts[0]!
    expect(HostSchema.parse(h)).toEqual(h)
    expect(h).toMatchObject({ id: 'h1', source: 'libvirt', state: 'online', cpu: { model: 'AMD EPYC', threads: 2 } })
    expect(h.cpu.mhz).toBeCloseTo(2596.15, 2)
    expect(h.numa.length).toBeGreaterThanOrEqual(1)
    expect(h.numa.flatMap((c) => c.cpus).sort()).toEqual([0, 1])
    expect(d.host).toMatchObject({ libvirtVersion: '9.0.0', hypervisor: 'QEMU', hypervisorVersion: '7.2.22', cpuMhzSource: 'cpuinfo' })
    expect(d.host.kernel).toMatch(/^\d+\.\d+/)
  })

  it('reads the tuning knobs: KSM, THP, hugepage pools, halt_poll_ns, /dev/kvm', () => {
    const t = d.host.tuning!
    expect(t.ksm).toMatchObject({ run: 0, pagesShared: 0, pagesSharing: 0, sleepMillisecs: 20, generalProfit: 0 })
    expect(t.thp).toEqual({ enabled: 'madvise', defrag: 'madvise', enabledChoices: ['always', 'madvise', 'never'] })
    expect(t.hugepagePools.map((p) => p.sizeKiB)).toEqual([2048, 1048576])
    expect(t.haltPollNs).toBe(200000)
    expect(t.kvm.devicePresent).toBe(true)
    expect(t.vhost).toEqual({ netDevice: false, vsockDevice: false, netModuleLoaded: false })
    expect(t.governors.size).toBe(0) // this VM has no cpufreq
  })

  it('lists both guests as valid Vms keyed by UUID, with their XML details', () => {
    expect(d.inventory.vms.map((v) => VmSchema.parse(v))).toEqual(d.inventory.vms)
    expect(d.inventory.vms.map((v) => [v.id, v.name, v.state, v.allocation])).toEqual([
      ['fe124b0f-cf05-4833-b9a3-8a330bd2b984', 'h1-vm1', 'running', { vcpus: 1, maxVcpus: 2, memoryMiB: 128, maxMemoryMiB: 128, cpuShares: 1024 }],
      ['ff86c0d5-47d8-42c4-88dd-785fe2ea07e0', 'h1-vm2', 'running', { vcpus: 1, maxVcpus: 2, memoryMiB: 128, maxMemoryMiB: 128, cpuShares: 1024 }],
    ])
    expect(d.vms.map((v) => [v.autostart, v.stateCode, v.config.type])).toEqual([
      [false, 1, 'qemu'],
      [false, 1, 'qemu'],
    ])
    expect(d.problems).toEqual([])
  })
})

describe('parseDiscoverOutput failures and degradation', () => {
  const caps = fixture('capabilities_xml/virt-manager_kvm-aarch64.xml')
  const frame = (sections: [string, string, number][]) =>
    `@@VP n START ${DISCOVER_FORMAT}\n` + sections.map(([s, b, rc]) => `@@VP n BEGIN ${s}\n${b}\n@@VP n END ${s} ${rc}\n`).join('') + '@@VP n DONE\n'

  it('an aarch64 host without cpu MHz: placeholder clock, flagged; a broken domain XML is named and skipped', () => {
    const out = frame([
      ['capabilities', caps, 0],
      ['meminfo', 'MemTotal: 527000000 kB\n', 0],
      ['cpuinfo', 'processor\t: 0\nBogoMIPS\t: 50.00\nCPU part\t: 0xd0c\n', 0],
      ['dumpxml 0000', "<domain type='kvm'><name>bad</name>", 0],
      ['dumpxml 1111', '', 0],
    ])
    const d = ok(parseDiscoverOutput(out, { hostId: 'arm', hostName: 'ampere' }))
    expect(d.inventory.hosts[0]!.cpu).toEqual({ model: 'Neoverse-N1', sockets: 2, coresPerSocket: 80, threadsPerCore: 1, threads: 160, mhz: 1 })
    expect(d.host.cpuMhzSource).toBe('unknown')
    expect(d.inventory.vms).toEqual([])
    const sections = d.problems.map((p) => p.section)
    expect(sections).toEqual(expect.arrayContaining(['cpuinfo', 'dumpxml 0000: dumpxml', 'dumpxml 1111', 'hostname', 'files']))
  })

  it('fails without capabilities, saying why', () => {
    const r = parseDiscoverOutput(frame([['capabilities', '', 1], ['capabilities.stderr', 'error: authentication failed', 0]]), { hostId: 'x' })
    expect(r).toMatchObject({ ok: false, error: { section: 'capabilities', message: expect.stringContaining('authentication failed') } })
  })

  it('virsh version and bracketed sysfs choices', () => {
    expect(ok(parseVirshVersion('Compiled against library: libvirt 8.0.0\nUsing library: libvirt 8.0.0\nUsing API: QEMU 8.0.0\nRunning hypervisor: QEMU 6.2.0\n'))).toEqual({ libvirt: '8.0.0', hypervisor: 'QEMU', hypervisorVersion: '6.2.0' })
    expect(parseVirshVersion('error: failed to connect').ok).toBe(false)
    expect(bracketedChoice('[always] madvise never')).toEqual({ chosen: 'always', choices: ['always', 'madvise', 'never'] })
  })
})
