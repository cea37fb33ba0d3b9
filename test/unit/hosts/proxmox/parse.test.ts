import { describe, expect, it } from 'vitest'
import { VmSchema } from '../../../../shared/model'
import {
  detectProxmox,
  isSafeNodeName,
  parseClusterResources,
  parseQemuConfig,
  parseQemuStatus,
  proxmoxVms,
} from '../../../../src-main/hosts/proxmox/parse'
import { fixture, ok } from '../libvirt/fixture'

// There is no Proxmox VE host here: these tests run on real PVE API JSON captured by other projects
// (hashicorp/packer-plugin-proxmox and influxdata/telegraf test data; see test/fixtures/outputs/README.md).
describe('Proxmox VE JSON (real fixtures; no Proxmox host available here)', () => {
  it('reads /cluster/resources: two VMs and a template, all stopped', () => {
    const r = ok(parseClusterResources(fixture('proxmox/packer-plugin-proxmox_cluster_resources_qemu.json')))
    expect(r.map((v) => [v.vmid, v.name, v.status, v.template, v.maxmem, v.node])).toEqual([
      [100, 'first-vm', 'stopped', 0, 2147483648, 'pve'],
      [101, 'second-vm', 'stopped', 0, 2147483648, 'pve'],
      [102, 'template-three', 'stopped', 1, 2147483648, 'pve'],
    ])
    const vms = ok(proxmoxVms(r, { hostIdOf: (n) => `pve:${n}` }))
    expect(vms.map((v) => VmSchema.parse(v))).toEqual(vms)
    expect(vms.map((v) => [v.id, v.name, v.hostId, v.state, v.allocation.vcpus, v.allocation.memoryMiB, v.tags])).toEqual([
      ['pve-100', 'first-vm', 'pve:pve', 'shutoff', 1, 2048, []],
      ['pve-101', 'second-vm', 'pve:pve', 'shutoff', 1, 2048, ['blue', 'red']],
    ])
  })

  it('reads `qm config` JSON: cores, memory, disks and NICs', () => {
    const c = ok(parseQemuConfig(fixture('proxmox/packer-plugin-proxmox_qemu_100_config.json')))
    expect(c).toMatchObject({ name: 'first-vm', uuid: '413c6ca3-d043-43fe-9fb4-bc4a6e60c7ef', cores: 1, sockets: 1, vcpus: 1, memoryMiB: 2048, cpuType: 'x86-64-v2-AES', numa: false, scsiController: 'virtio-scsi-single' })
    expect(c.disks).toEqual([
      { slot: 'ide2', bus: 'ide', volume: 'none', media: 'cdrom', cache: undefined, aio: undefined, iothread: false, discard: undefined, sizeBytes: undefined, format: undefined },
      { slot: 'scsi0', bus: 'scsi', volume: 'local-lvm:vm-100-disk-0', media: undefined, cache: undefined, aio: undefined, iothread: true, discard: undefined, sizeBytes: 32 * 1024 ** 3, format: undefined },
    ])
    expect(c.nics).toEqual([{ slot: 'net0', model: 'virtio', mac: 'BC:24:11:30:AD:93', bridge: 'vmbr0', firewall: true, queues: undefined }])
  })

  it('reads a running VM from /nodes/<node>/qemu and status/current (vmid as a string)', () => {
    const list = ok(parseQemuStatus(fixture('proxmox/telegraf_proxmox_nodes_qemu_list.json')))
    const one = ok(parseQemuStatus(fixture('proxmox/telegraf_proxmox_qemu_status_current.json')))
    expect(list).toEqual(one)
    expect(one[0]).toMatchObject({ vmid: 113, name: 'qemu1', status: 'running', mem: 1722451796, maxmem: 2147483648, uptime: 2159739, diskread: 8604417024, netout: 58448585 })
    expect(one[0]!.cpu).toBeCloseTo(0.0293, 4)
  })

  it('config values override the resource row (vCPUs hot-plugged, cpuunits as shares)', () => {
    const r = ok(parseClusterResources(fixture('proxmox/packer-plugin-proxmox_cluster_resources_qemu.json')))
    const cfg = ok(parseQemuConfig('{"cores":4,"sockets":2,"vcpus":3,"memory":"8192","cpuunits":2048}'))
    const vms = ok(proxmoxVms(r, { hostIdOf: (n) => n, configs: new Map([[100, cfg]]) }))
    expect(vms[0]!.allocation).toEqual({ vcpus: 3, maxVcpus: 8, memoryMiB: 8192, maxMemoryMiB: 8192, cpuShares: 2048 })
  })

  it('detects Proxmox from pveversion and rejects anything else', () => {
    expect(detectProxmox('pve-manager/8.1.4/ec5affc9e41f1d79 (running kernel: 6.5.11-8-pve)\n')).toEqual({ manager: '8.1.4', runningKernel: '6.5.11-8-pve' })
    expect(detectProxmox('not-proxmox\n')).toBeUndefined()
    expect(detectProxmox('sh: pveversion: not found')).toBeUndefined()
  })

  it('bad JSON and wrong shapes are errors naming the section', () => {
    expect(parseClusterResources('<html>')).toMatchObject({ ok: false, error: { section: 'pvesh /cluster/resources' } })
    expect(parseClusterResources('{"data":{}}')).toMatchObject({ ok: false })
    expect(parseQemuStatus('[{"name":"x"}]')).toMatchObject({ ok: false, error: { field: '[0]' } })
    expect(parseQemuConfig('{"cores":0}')).toMatchObject({ ok: false, error: { field: 'cores' } })
    expect(isSafeNodeName('pve1')).toBe(true)
    expect(isSafeNodeName('pve;reboot')).toBe(false)
  })
})
