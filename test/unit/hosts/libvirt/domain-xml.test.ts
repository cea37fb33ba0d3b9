import { describe, expect, it } from 'vitest'
import { parseDomainXml } from '../../../../src-main/hosts/libvirt/parse/domain-xml'
import { fixture, ok } from './fixture'

describe('parseDomainXml', () => {
  it('reads a running CloudStack system VM (telegraf fixture)', () => {
    const d = ok(parseDomainXml(fixture('domain_xml/telegraf_libvirt_testdata_cloudstack_running_domain.xml')))
    expect(d).toMatchObject({
      name: 'r-2825-QA', uuid: 'a68ff3a5-7c65-48e5-aa0d-8559c0b0afc0', runningId: 787, type: 'kvm',
      vcpusCurrent: 1, vcpusMax: 1, memoryCurrentKiB: 262144, memoryMaxKiB: 262144, cpuMode: 'custom',
    })
    expect(d.cputune).toEqual({ shares: 166, vcpupin: [], periodUs: undefined, quotaUs: undefined, emulatorPeriodUs: undefined, emulatorQuotaUs: undefined, emulatorpin: undefined })
    expect(d.disks).toEqual([
      { device: 'disk', type: 'network', targetDev: 'vda', bus: 'virtio', format: 'raw', cache: 'none', io: undefined, discard: undefined, iothread: undefined, source: 'rbd:rbdnjcloudhost/bacfe2c6-8be7-4261-9558-1994fc9e83e9', readonly: false, shareable: false, backingFile: undefined },
      { device: 'cdrom', type: 'file', targetDev: 'hdc', bus: 'ide', format: 'raw', cache: 'none', io: undefined, discard: undefined, iothread: undefined, source: '/usr/share/cloudstack-common/vms/systemvm.iso', readonly: true, shareable: false, backingFile: undefined },
    ])
    expect(d.nics.map((n) => [n.model, n.source, n.targetDev])).toEqual([
      ['virtio', 'cloud0', 'vnet22'],
      ['virtio', 'brbond0-101', 'vnet23'],
      ['virtio', 'brbond0-452', 'vnet32'],
    ])
    expect(d.memballoon).toEqual({ model: 'none', statsPeriodS: undefined, autodeflate: undefined, freePageReporting: undefined })
  })

  it('reads a lab TCG guest: current 1 of 2 vCPUs, virtio balloon', () => {
    const text = fixture('virtpilot-lab/discover-h1.txt')
    const start = text.indexOf("<domain type='qemu' id=")
    const xml = text.slice(start, text.indexOf('</domain>', start) + '</domain>'.length)
    const d = ok(parseDomainXml(xml))
    expect(d).toMatchObject({ name: 'h1-vm1', type: 'qemu', vcpusCurrent: 1, vcpusMax: 2, memoryMaxKiB: 131072 })
    expect(d.cputune.shares).toBe(1024)
    expect(d.disks[0]).toMatchObject({ bus: 'virtio', format: 'qcow2', targetDev: 'vda' })
    expect(d.memballoon).toMatchObject({ model: 'virtio', statsPeriodS: 2 })
  })

  // Constructed from libvirt's documented elements: no real fixture carries pinning and memtune.
  it('reads cputune quota/period/vcpupin, memtune, numatune and memoryBacking', () => {
    const d = ok(parseDomainXml(`<domain type='kvm'><name>db</name><uuid>00000000-0000-0000-0000-000000000001</uuid>
      <maxMemory slots='16' unit='GiB'>64</maxMemory><memory unit='GiB'>8</memory><currentMemory unit='MiB'>4096</currentMemory>
      <vcpu current='2'>4</vcpu>
      <cputune><shares>2048</shares><period>100000</period><quota>-1</quota><vcpupin vcpu='0' cpuset='1'/><vcpupin vcpu='1' cpuset='2-5,^3'/><emulatorpin cpuset='0'/></cputune>
      <memtune><hard_limit unit='KiB'>9007199254740991</hard_limit><soft_limit unit='MiB'>6144</soft_limit></memtune>
      <numatune><memory mode='strict' nodeset='0'/></numatune>
      <memoryBacking><hugepages/><nosharepages/></memoryBacking>
      <devices><disk type='block' device='disk'><driver name='qemu' type='raw' cache='none' io='native' discard='unmap' iothread='1'/><source dev='/dev/vg/db'/><target dev='sda' bus='scsi'/></disk>
      <interface type='network'><source network='default'/><model type='e1000e'/><driver name='vhost' queues='4'/></interface>
      <memballoon model='virtio' autodeflate='on'><stats period='10'/></memballoon></devices></domain>`))
    expect(d).toMatchObject({ vcpusCurrent: 2, vcpusMax: 4, memoryCurrentKiB: 4194304, memoryMaxKiB: 8388608, memoryHotplugMaxKiB: 67108864 })
    expect(d.cputune).toMatchObject({ shares: 2048, periodUs: 100000, quotaUs: undefined, vcpupin: [{ vcpu: 0, cpus: [1] }, { vcpu: 1, cpus: [2, 4, 5] }], emulatorpin: [0] })
    expect(d.memtune).toEqual({ hardLimitKiB: undefined, softLimitKiB: 6291456, swapHardLimitKiB: undefined, minGuaranteeKiB: undefined })
    expect(d.numatune).toEqual({ mode: 'strict', nodeset: [0] })
    expect(d.memoryBacking).toEqual({ hugepages: true, nosharepages: true, locked: false })
    expect(d.disks[0]).toMatchObject({ type: 'block', bus: 'scsi', io: 'native', discard: 'unmap', iothread: 1, source: '/dev/vg/db' })
    expect(d.nics[0]).toMatchObject({ model: 'e1000e', driver: 'vhost', queues: 4, source: 'default' })
    expect(d.memballoon).toEqual({ model: 'virtio', statsPeriodS: 10, autodeflate: true, freePageReporting: undefined })
  })

  // No fixture here carries <metadata>; the block below follows what virt-install / virt-manager
  // write and `virsh dumpxml` prints back (libosinfo namespace, <libosinfo:os id=.../>).
  const virtInstall = (metadata: string) => `<domain type='kvm' id='4'>
  <name>deb12</name>
  <uuid>29cc9a23-f712-4649-a61f-eea1cb11599e</uuid>
  <metadata>${metadata}
  </metadata>
  <memory unit='KiB'>2097152</memory>
  <currentMemory unit='KiB'>2097152</currentMemory>
  <vcpu placement='static'>2</vcpu>
  <os>
    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
    <boot dev='hd'/>
  </os>
</domain>`

  it('reads the guest OS id virt-install and virt-manager keep in <metadata> (libosinfo)', () => {
    const d = ok(parseDomainXml(virtInstall(`
    <libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0">
      <libosinfo:os id="http://debian.org/debian/12"/>
    </libosinfo:libosinfo>`)))
    expect(d.guestOs).toBe('http://debian.org/debian/12')
  })

  it('matches libosinfo metadata by namespace, not by prefix, and ignores other applications\' metadata', () => {
    const other = `<app1:foo xmlns:app1="http://app1.org/app1/"><app1:os id="not-this"/></app1:foo>`
    const renamed = `<osi:libosinfo xmlns:osi="http://libosinfo.org/xmlns/libvirt/domain/1.0"><osi:os id="http://fedoraproject.org/fedora/40"/></osi:libosinfo>`
    expect(ok(parseDomainXml(virtInstall(other + renamed))).guestOs).toBe('http://fedoraproject.org/fedora/40')
    expect(ok(parseDomainXml(virtInstall(other))).guestOs).toBeUndefined()
    // The CloudStack domain has only a free-text <description>: no OS id is made up from it.
    expect(ok(parseDomainXml(fixture('domain_xml/telegraf_libvirt_testdata_cloudstack_running_domain.xml'))).guestOs).toBeUndefined()
  })

  it('says which domain and field is wrong', () => {
    expect(parseDomainXml(`<domain><name>x</name><uuid>u</uuid><memory>1</memory><vcpu>zero</vcpu></domain>`)).toMatchObject({ ok: false, error: { field: 'x: vcpu' } })
    expect(parseDomainXml(`<domain><name>x</name><vcpu>1</vcpu></domain>`)).toMatchObject({ ok: false, error: { field: 'uuid' } })
    expect(parseDomainXml(`<network/>`)).toMatchObject({ ok: false })
  })
})
