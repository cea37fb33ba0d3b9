import { describe, expect, it } from 'vitest'
import { ClusterFactsSchema } from '../../../shared/model/facts'
import { tuningAdvice } from '../../../shared/engine/tuning'
import { mergeFacts } from '../../../src-main/hosts/facts'
import { factsFromDiscovery } from '../../../src-main/hosts/libvirt/facts'
import { parseDiscoverOutput, type Discovery } from '../../../src-main/hosts/libvirt/parse/discover-output'
import { parseDomainXml } from '../../../src-main/hosts/libvirt/parse/domain-xml'
import { demoFacts } from '../../../src-main/hosts/demo/facts'
import { DemoCluster } from '../../../src-main/hosts/demo/demo-cluster'
import { fixture, ok } from './libvirt/fixture'

const lab = ok(parseDiscoverOutput(fixture('virtpilot-lab/discover-h1.txt'), { hostId: 'h1' }))

describe('factsFromDiscovery on the real lab host h1', () => {
  const facts = factsFromDiscovery(lab)

  it('maps the host knobs discovery read', () => {
    expect(ClusterFactsSchema.parse(facts)).toEqual(facts)
    expect(facts.hosts.h1).toEqual({
      hostId: 'h1',
      memoryMiB: 24684096 / 1024,
      logicalCpus: 2,
      numaNodes: [{ id: 0, cpus: [0, 1], memoryMiB: 7694552 / 1024 }],
      kernel: '6.18.44-fc-v595',
      libvirtVersion: '9.0.0',
      qemuVersion: '7.2.22',
      kvmDevice: true,
      ksm: { running: false, pagesShared: 0, pagesSharing: 0, fullScans: 0 },
      transparentHugepages: 'madvise',
      hugepagePools: [{ sizeKiB: 2048, total: 0, free: 0 }, { sizeKiB: 1048576, total: 0, free: 0 }],
      cpuGovernors: {},
      haltPollNs: 200000,
      vhostNet: false,
    })
  })

  it('maps both guests: TCG, virtio disk with default cache, virtio balloon', () => {
    const vm = facts.vms['fe124b0f-cf05-4833-b9a3-8a330bd2b984']!
    expect(Object.keys(facts.vms)).toHaveLength(2)
    expect(vm).toMatchObject({ name: 'h1-vm1', hostId: 'h1', running: true, accelerator: 'qemu', vcpus: 1, memoryMiB: 128, balloon: 'virtio', vcpuPins: [], hugepagesBacking: false })
    expect(vm.disks).toEqual([{ target: 'vda', device: 'disk', bus: 'virtio', sourceType: 'file', format: 'qcow2', cache: undefined, io: undefined, iothread: undefined, readonly: false }])
    expect(vm.nics).toEqual([])
    expect(vm.guestOs).toBeUndefined()
  })

  it('gives the advice these facts support, and nothing a TCG lab host cannot use', () => {
    const rules = tuningAdvice({ facts }).map((a) => `${a.rule}:${a.target.id}`)
    // Default cache/io on both qcow2 disks; no KSM (6 % of RAM allocated), no halt-poll/vhost (TCG guests).
    expect(rules.sort()).toEqual(['disk-cache-io:fe124b0f-cf05-4833-b9a3-8a330bd2b984', 'disk-cache-io:ff86c0d5-47d8-42c4-88dd-785fe2ea07e0'])
  })
})

describe('factsFromDiscovery on the real CloudStack domain XML', () => {
  const config = ok(parseDomainXml(fixture('domain_xml/telegraf_libvirt_testdata_cloudstack_running_domain.xml')))
  const withCloudstack: Discovery = {
    ...lab,
    inventory: { ...lab.inventory, vms: [{ ...lab.inventory.vms[0]!, id: 'r-2825-QA', name: 'r-2825-QA', state: 'running' }] },
    vms: [{ vmId: 'r-2825-QA', config }],
  }
  const facts = factsFromDiscovery(withCloudstack)
  const vm = facts.vms['r-2825-QA']!

  it('maps the rbd disk, the IDE CD-ROM, three virtio NICs and the disabled balloon', () => {
    expect(ClusterFactsSchema.parse(facts)).toEqual(facts)
    expect(vm).toMatchObject({ accelerator: 'kvm', vcpus: 1, memoryMiB: 256, balloon: 'none' })
    expect(vm.disks.map((d) => [d.target, d.device, d.bus, d.sourceType, d.cache, d.readonly])).toEqual([
      ['vda', 'disk', 'virtio', 'network', 'none', false],
      ['hdc', 'cdrom', 'ide', 'file', 'none', true],
    ])
    expect(vm.nics.map((n) => [n.type, n.model, n.mac])).toEqual([
      ['bridge', 'virtio', '0e:00:a9:fe:03:3c'],
      ['bridge', 'virtio', '06:a3:cc:00:32:e7'],
      ['bridge', 'virtio', '06:6a:b2:00:32:f3'],
    ])
  })

  it('advises a balloon and nothing for the IDE CD-ROM or the rbd disk', () => {
    expect(tuningAdvice({ facts }).map((a) => `${a.rule}:${a.target.id}`)).toEqual(['balloon:r-2825-QA'])
  })

  it('merges hosts of several discoveries', () => {
    const both = mergeFacts([factsFromDiscovery(lab), { hosts: { h2: { ...facts.hosts.h1!, hostId: 'h2' } }, vms: {} }])
    expect(Object.keys(both.hosts)).toEqual(['h1', 'h2'])
    expect(Object.keys(both.vms)).toHaveLength(2)
  })
})

describe('factsFromDiscovery with the libosinfo OS id virt-install records', () => {
  // Same format as `virsh dumpxml` of a virt-install / virt-manager guest (no such fixture yet).
  const domain = (name: string, uuid: string, os: string) => ok(parseDomainXml(`<domain type='kvm'>
  <name>${name}</name>
  <uuid>${uuid}</uuid>
  <metadata>
    <libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0">
      <libosinfo:os id="${os}"/>
    </libosinfo:libosinfo>
  </metadata>
  <memory unit='KiB'>8388608</memory>
  <currentMemory unit='KiB'>8388608</currentMemory>
  <vcpu placement='static'>2</vcpu>
</domain>`))
  const guests = [
    ['web1', '00000000-0000-0000-0000-000000000001', 'http://debian.org/debian/12'],
    ['web2', '00000000-0000-0000-0000-000000000002', 'http://debian.org/debian/12'],
    ['db1', '00000000-0000-0000-0000-000000000003', 'http://fedoraproject.org/fedora/40'],
  ] as const
  const discovery: Discovery = {
    ...lab,
    inventory: { ...lab.inventory, vms: guests.map(([name, uuid]) => ({ ...lab.inventory.vms[0]!, id: uuid, name, state: 'running' as const })) },
    vms: guests.map(([name, uuid, os]) => ({ vmId: uuid, config: domain(name, uuid, os) })),
  }
  const facts = factsFromDiscovery(discovery)

  it('passes the OS id to VmFacts.guestOs', () => {
    expect(ClusterFactsSchema.parse(facts)).toEqual(facts)
    expect(Object.values(facts.vms).map((v) => [v.name, v.guestOs])).toEqual(guests.map(([name, , os]) => [name, os]))
  })

  it('lets the KSM rule group the two Debian 12 guests (24 GiB allocated on a 23.5 GiB host, KSM off)', () => {
    const ksm = tuningAdvice({ facts }).filter((a) => a.rule === 'ksm')
    expect(ksm.map((a) => a.target.id)).toEqual(['h1'])
    expect(ksm[0]!.evidence).toContainEqual(expect.objectContaining({ fact: 'guests with the same OS', value: '2 x http://debian.org/debian/12', factRef: { key: 'tuning.fact.sameOs', params: {} } }))
  })
})

describe('demo facts (made up, on the real demo inventory)', () => {
  const facts = demoFacts()

  it('match the demo hosts and VMs one to one', async () => {
    expect(ClusterFactsSchema.parse(facts)).toEqual(facts)
    const inv = await new DemoCluster().discover()
    expect(Object.keys(facts.hosts).sort()).toEqual(inv.hosts.map((h) => h.id).sort())
    expect(Object.keys(facts.vms).sort()).toEqual(inv.vms.map((v) => v.id).sort())
    for (const v of inv.vms) expect(facts.vms[v.id]).toMatchObject({ hostId: v.hostId, vcpus: v.allocation.vcpus, memoryMiB: v.allocation.memoryMiB })
  })

  it('show the documented tuning advice', () => {
    const got = new Set(tuningAdvice({ facts }).map((a) => `${a.rule}:${a.target.id}`))
    for (const want of [
      'ksm:demo-c', 'hugepages:demo-b', 'governor:demo-a', 'numa-pinning:demo:bb421-a', 'virtio-disk:demo:bb010-b',
      'virtio-nic:demo:bb020-a', 'vhost-net:demo:bb001-b', 'balloon:demo:bb407-a', 'disk-cache-io:demo:bb287-a',
    ]) expect(got).toContain(want)
    expect(got).not.toContain('ksm:demo-a')
  })
})
