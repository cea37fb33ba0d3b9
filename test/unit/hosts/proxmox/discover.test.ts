import { replaceSection } from './fake-node'
import { describe, expect, it } from 'vitest'
import { HostSchema, VmSchema } from '../../../../shared/model'
import { ClusterFactsSchema } from '../../../../shared/model/facts'
import { tuningAdvice } from '../../../../shared/engine/tuning'
import { parseProxmoxDiscoverOutput } from '../../../../src-main/hosts/proxmox/discover-output'
import { PVE_DISCOVER_FORMAT } from '../../../../src-main/hosts/proxmox/discover-script'
import { factsFromProxmoxDiscovery } from '../../../../src-main/hosts/proxmox/facts'
import { parseLscpuParsable, topologyOf } from '../../../../src-main/hosts/proxmox/host-topology'
import { fixture, ok } from '../libvirt/fixture'

// No Proxmox VE host here: discover-assembled.txt is the real discover script run on this machine
// with a FAKE pvesh printing the real fixture JSON (see test/fixtures/outputs/README.md).
const assembled = fixture('proxmox/discover-assembled.txt')
const discovery = ok(parseProxmoxDiscoverOutput(assembled, { hostId: 'pve-a' }))

describe('parseProxmoxDiscoverOutput on the assembled discovery', () => {
  it('builds a valid Proxmox Host from lscpu -p, cpuinfo, meminfo and node meminfo', () => {
    expect(discovery.problems).toEqual([])
    const host = discovery.inventory.hosts[0]!
    expect(HostSchema.parse(host)).toEqual(host)
    expect(host).toMatchObject({ id: 'pve-a', name: 'vm', source: 'proxmox', state: 'online', memoryMiB: 24684096 / 1024 })
    expect(host.cpu).toEqual({ model: 'AMD EPYC', sockets: 1, coresPerSocket: 2, threadsPerCore: 1, threads: 2, mhz: 2596.15 })
    expect(host.numa).toEqual([{ id: 0, cpus: [0, 1], memoryMiB: 9922776 / 1024 }])
    expect(discovery.host).toMatchObject({ node: 'vm', kernel: '6.18.44-fc-v595', qemuVersion: '7.2.22', pve: { manager: '8.1.4', runningKernel: '6.5.11-8-pve' }, cpuMhzSource: 'cpuinfo' })
  })

  it("lists this node's QEMU guests only, by vmid, with no libvirt UUID", () => {
    const vms = discovery.inventory.vms
    for (const vm of vms) expect(VmSchema.parse(vm)).toEqual(vm)
    // 102 is a template on node pve: neither belongs here. Names come from the config files.
    expect(vms.map((v) => [v.id, v.name, v.state, v.allocation.vcpus, v.allocation.memoryMiB, v.uuid])).toEqual([
      ['pve-100', 'first-vm', 'shutoff', 1, 2048, undefined],
      ['pve-101', 'second-vm', 'shutoff', 1, 512, undefined],
      ['pve-113', 'win', 'running', 4, 4096, undefined],
    ])
    expect(discovery.vms.map((v) => [v.vmid, v.config?.disks.length])).toEqual([[100, 2], [101, 14], [113, 2]])
  })

  it('turns into tuning facts the rules read, with the cache and aio Proxmox gives each disk', () => {
    const facts = factsFromProxmoxDiscovery(discovery)
    expect(ClusterFactsSchema.parse(facts)).toEqual(facts)
    expect(facts.hosts['pve-a']).toEqual({
      hostId: 'pve-a',
      memoryMiB: 24684096 / 1024,
      logicalCpus: 2,
      numaNodes: [{ id: 0, cpus: [0, 1], memoryMiB: 9922776 / 1024 }],
      kernel: '6.18.44-fc-v595',
      qemuVersion: '7.2.22',
      kvmDevice: true,
      ksm: { running: false, pagesShared: 0, pagesSharing: 0, fullScans: 0 },
      transparentHugepages: 'madvise',
      hugepagePools: [{ sizeKiB: 2048, total: 0, free: 0 }, { sizeKiB: 1048576, total: 0, free: 0 }],
      cpuGovernors: {},
      haltPollNs: 200000,
      vhostNet: false,
    })
    expect(facts.vms['pve-100']).toMatchObject({ running: false, accelerator: 'kvm', vcpus: 1, memoryMiB: 2048, guestOs: 'l26', balloon: 'virtio', noSharePages: false, vcpuPins: [] })
    expect(facts.vms['pve-100']!.disks).toEqual([
      { target: 'ide2', device: 'cdrom', bus: 'ide', sourceType: 'file', format: undefined, cache: undefined, io: 'io_uring', iothread: undefined, readonly: true },
      { target: 'scsi0', device: 'disk', bus: 'scsi', sourceType: 'block', format: 'raw', cache: 'none', io: 'io_uring', iothread: 1, readonly: false },
    ])
    expect(facts.vms['pve-100']!.nics).toEqual([{ type: 'bridge', model: 'virtio', queues: undefined, mac: 'BC:24:11:30:AD:93' }])
    expect(facts.vms['pve-113']).toMatchObject({ name: 'win', running: true, guestOs: 'win7', nics: [{ type: 'bridge', model: 'e1000' }] })
  })

  it('gives the advice a running Windows guest on IDE and e1000 calls for, and nothing for stopped guests; storage advice for the full thin pool', () => {
    const advice = tuningAdvice({ facts: factsFromProxmoxDiscovery(discovery) }).map((a) => `${a.rule}:${a.target.id}`)
    expect(advice.sort()).toEqual(['pool-capacity:pve-a', 'pool-overcommit:pve-a', 'thin-volumes:pve-a', 'virtio-disk:pve-113', 'virtio-nic:pve-113'])
  })

  it('reads the node storage list (SYNTHETIC sizes) with Proxmox\'s shared flag, the guest volumes and the disks they back', () => {
    const s = discovery.storage
    expect(s.pools.map((p) => [p.name, p.type, p.sharing, p.active])).toEqual([
      ['local', 'dir', 'local', true],
      ['btrfs-store', 'btrfs', 'local', true],
      ['cifs-store', 'cifs', 'shared', true],
      ['rbd-store', 'rbd', 'shared', true],
      ['krbd-store', 'rbd', 'shared', true],
      ['local-lvm', 'lvmthin', 'local', true],
      ['lvm-store', 'lvm', 'local', false],
    ])
    const lvm = s.pools.find((p) => p.name === 'local-lvm')!
    expect(lvm).toMatchObject({ capacityBytes: 141465485312, allocationBytes: 126025891840, availableBytes: 15439593472, source: 'pve/data', figuresFrom: 'pool' })
    expect(lvm.volumes!.map((v) => [v.name, v.capacityBytes / 2 ** 30])).toEqual([['vm-100-disk-0', 32], ['vm-104-disk-0', 64], ['vm-105-disk-0', 80]])
    expect(s.pools.find((p) => p.name === 'cifs-store')).toMatchObject({ targetPath: '/mnt/pve/cifs-store', source: '127.0.0.42' })
    // Guest 100's disk is a thin LVM volume: its size from the config, its use from the content list.
    expect(s.disks.find((d) => d.vmId === 'pve-100' && d.target === 'scsi0')).toMatchObject({ poolId: 'local-lvm', volume: 'vm-100-disk-0', capacityBytes: 32 * 2 ** 30, allocationBytes: 9771487232, sourceType: 'block', cache: 'none' })
    expect(s.bootId).toMatch(/^[0-9a-f-]{36}$/)
    expect(s.mounts.length).toBeGreaterThan(0)
  })

  it('reads a 2-socket, 8-node EPYC topology from real lscpu -p output (default columns)', () => {
    const t = ok(topologyOf(ok(parseLscpuParsable(fixture('proxmox/util-linux_lscpu-p_x86_64-epyc_7451.txt')))))
    expect(t).toMatchObject({ sockets: 2, coresPerSocket: 24, threadsPerCore: 2, logicalCpus: 96 })
    expect(t.nodes.map((n) => n.cpus.length)).toEqual([12, 12, 12, 12, 12, 12, 12, 12])
    expect(t.nodes[0]).toEqual({ id: 0, cpus: [0, 1, 2, 3, 4, 5, 48, 49, 50, 51, 52, 53] })
    // Without NUMA, lscpu leaves the node column empty: no cells rather than a made-up one.
    expect(ok(topologyOf(ok(parseLscpuParsable('0,0,0,\n1,0,0,\n'))))).toEqual({ sockets: 1, coresPerSocket: 1, threadsPerCore: 2, logicalCpus: 2, nodes: [] })
    expect(parseLscpuParsable('0,0\n', 'lscpu', 7)).toMatchObject({ ok: false, error: { line: 7 } })
  })
})

/** The assembled output with one section's body (and exit status) replaced. */
function withSection(name: string, body: string, rc = 0, text = assembled): string {
  return replaceSection(text, name, body, rc)
}

describe('parseProxmoxDiscoverOutput failures', () => {
  const parse = (text: string) => parseProxmoxDiscoverOutput(text, { hostId: 'h' })

  it('refuses garbage, another script, and a host that is not Proxmox VE, saying why', () => {
    expect(parse('Last login: yesterday\n')).toMatchObject({ ok: false, error: { section: 'script' } })
    expect(parse(assembled.replace(PVE_DISCOVER_FORMAT, 'discover-1'))).toMatchObject({ ok: false, error: { message: expect.stringContaining('discover-1') } })
    expect(parse(withSection('pveversion', 'sh: 1: pveversion: not found', 127))).toMatchObject({ ok: false, error: { section: 'pveversion', message: expect.stringContaining('is this a Proxmox VE node?') } })
    expect(parse(withSection('pveversion', 'proxmox-backup-server 3.1.2'))).toMatchObject({ ok: false, error: { message: expect.stringContaining('not Proxmox VE') } })
  })

  it('refuses a node name with shell characters instead of carrying it anywhere', () => {
    const r = parse(withSection('nodename', 'pve;reboot $(id)'))
    expect(r).toMatchObject({ ok: false, error: { section: 'nodename', message: expect.stringContaining('is not a Proxmox node name') } })
    // A fully qualified host name is fine: Proxmox's node name is the part before the first dot.
    expect(ok(parse(withSection('nodename', 'vm.lab.example'))).host.node).toBe('vm')
  })

  it('says pvesh needs root when it fails, and fails on guest JSON it cannot read', () => {
    expect(parse(withSection('cluster-resources', '', 1))).toMatchObject({ ok: false, error: { section: 'cluster-resources', message: expect.stringContaining('runs only as root') } })
    expect(parse(withSection('cluster-resources', '<html>login</html>'))).toMatchObject({ ok: false, error: { section: 'pvesh /cluster/resources' } })
  })

  it('skips a vmid that is not digits and a config that cannot be read, naming them, and keeps the rest', () => {
    const nonce = /^@@VP (\S+) START/.exec(assembled)![1]
    const extra = `@@VP ${nonce} BEGIN qemu-config 1x;rm\ncores: 1\n\n@@VP ${nonce} END qemu-config 1x;rm 0\n`
    const text = withSection('qemu-config 101', 'cat: 101.conf: Permission denied', 1).replace(`@@VP ${nonce} DONE`, `${extra}@@VP ${nonce} DONE`)
    const r = ok(parse(text))
    expect(r.problems).toEqual([
      { section: 'qemu-config 101', message: 'could not be read (exit 1)' },
      { section: 'qemu-config 1x;rm', message: 'not a vmid' },
      { section: 'qemu-config', field: 'vmid 101', message: 'no readable config file on this node' },
    ])
    expect(r.inventory.vms.map((v) => v.id)).toEqual(['pve-100', 'pve-101', 'pve-113'])
    expect(Object.keys(factsFromProxmoxDiscovery(r).vms)).toEqual(['pve-100', 'pve-113'])
  })

  it('keeps working without the optional host reads, and flags output cut off before DONE', () => {
    const bare = ['kernel', 'qemu-version', 'cpuinfo', 'numa-meminfo', 'files', 'storage'].reduce((t, s) => withSection(s, '', 1, t), assembled)
    const r = ok(parse(bare.slice(0, bare.lastIndexOf('@@VP '))))
    expect(r.problems.map((p) => p.section)).toEqual(['script', 'kernel', 'qemu-version', 'cpuinfo', 'numa-meminfo', 'files', 'storage', 'cpuinfo'])
    expect(r.inventory.hosts[0]!.cpu.mhz).toBe(1)
    expect(r.inventory.hosts[0]!.numa).toEqual([{ id: 0, cpus: [0, 1], memoryMiB: 0 }])
    // Without QEMU's version the aio default is unknown and stays absent rather than guessed.
    expect(factsFromProxmoxDiscovery(r).vms['pve-100']!.disks[1]).toMatchObject({ cache: 'none', io: undefined, sourceType: 'volume' })
  })
})
