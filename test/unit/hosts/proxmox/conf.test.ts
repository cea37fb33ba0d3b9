import { describe, expect, it } from 'vitest'
import { parseQemuConfFile, parseQemuConfig } from '../../../../src-main/hosts/proxmox/parse'
import { fixture, ok } from '../libvirt/fixture'

// No Proxmox VE host is available here: these are config files from Proxmox's own qemu-server
// test suite and the packer plugin's captured API JSON (origins in test/fixtures/outputs/README.md).
describe('guest config files (/etc/pve/qemu-server/<vmid>.conf), real Proxmox test configs', () => {
  it('reads the same config from the .conf file as from the config API JSON', () => {
    const fromJson = ok(parseQemuConfig(fixture('proxmox/packer-plugin-proxmox_qemu_100_config.json')))
    const fromFile = ok(parseQemuConfFile(fixture('proxmox/packer-plugin-proxmox_qemu_100_config.conf')))
    expect(fromFile).toEqual(fromJson)
    expect(fromFile).toMatchObject({ name: 'first-vm', kvm: true, allowKsm: true, ostype: 'l26', numaNodes: [], affinity: undefined })
  })

  it('takes the current configuration, not the [test] snapshot after it, and skips the description', () => {
    const r = parseQemuConfFile(fixture('proxmox/qemu-server_snapshot-rollback_101.conf'))
    const c = ok(r)
    expect(r.ok && r.warnings).toEqual([])
    // The snapshot says cores 4, sockets 1, memory 8192, machine somemachine: none of that runs.
    expect(c).toMatchObject({ name: 'win', cores: 2, sockets: 2, vcpus: 4, memoryMiB: 4096, ostype: 'win7', machine: undefined, uuid: '01234567-890a-bcde-f012-34567890abcd' })
    expect(c.disks.map((d) => [d.slot, d.bus, d.volume, d.media, d.sizeBytes])).toEqual([
      ['ide0', 'ide', 'local:snapshotable-disk-1', undefined, 32 * 1024 ** 3],
      ['ide2', 'ide', 'none', 'cdrom', undefined],
    ])
    expect(c.nics).toEqual([{ slot: 'net0', model: 'e1000', mac: '12:34:56:78:90:12', bridge: 'somebr0', firewall: true, queues: undefined }])
  })

  it('reads hugepages and guest NUMA from a file without a final newline', () => {
    const c = ok(parseQemuConfFile(fixture('proxmox/qemu-server_cfg2cmd_memory-hugepages-1g.conf')))
    expect(c).toMatchObject({ hugepages: '1024', numa: true, cores: 2, sockets: 2, vcpus: 4, memoryMiB: 8192 })
  })

  it('reads NIC queues and every disk of the aio test in slot order', () => {
    expect(ok(parseQemuConfFile(fixture('proxmox/qemu-server_cfg2cmd_netdev-7.1-multiqueues.conf'))).nics).toEqual([
      { slot: 'net0', model: 'virtio', mac: 'A2:C0:43:77:08:A0', bridge: 'vmbr0', firewall: false, queues: 2 },
    ])
    const aio = ok(parseQemuConfFile(fixture('proxmox/qemu-server_cfg2cmd_aio.conf')))
    expect(aio.disks.map((d) => d.slot)).toEqual(Array.from({ length: 14 }, (_, i) => `scsi${i}`))
    expect(aio.disks.map((d) => d.aio ?? '-').join(' ')).toBe('threads native io_uring - - io_uring - io_uring - io_uring - io_uring - io_uring')
    expect(aio.disks[8]).toMatchObject({ volume: 'krbd-store:vm-8006-disk-8', cache: 'writeback', discard: 'on', sizeBytes: 104858 * 1024 })
  })

  it('reads the knobs the tuning rules need: memory current/max, affinity, NUMA binding, KSM opt-out, TCG, read-only', () => {
    const c = ok(
      parseQemuConfFile(
        [
          'memory: current=4096,max=16384',
          'balloon: 0',
          'affinity: 0-3,8',
          'numa: 1',
          'numa0: cpus=0-1;3,hostnodes=1,memory=2048,policy=bind',
          'allow-ksm: 0',
          'kvm: 0',
          'virtio1: local-lvm:vm-9-disk-1,ro=1,iothread=1',
          '',
          '[PENDING]',
          'memory: 1',
        ].join('\n'),
      ),
    )
    expect(c).toMatchObject({ memoryMiB: 4096, memoryMaxMiB: 16384, balloonMiB: 0, affinity: [0, 1, 2, 3, 8], allowKsm: false, kvm: false })
    expect(c.numaNodes).toEqual([{ id: 0, cpus: [0, 1, 3], hostNodes: [1], memoryMiB: 2048, policy: 'bind' }])
    expect(c.disks[0]).toMatchObject({ slot: 'virtio1', readonly: true, iothread: true })
  })

  it('flags lines that are not `key: value`, and a bad affinity, without failing', () => {
    const r = parseQemuConfFile('cores: 2\n this is not a key\naffinity: 0-x\n', 'qemu-config 7', 40)
    expect(r).toMatchObject({ ok: true, value: { cores: 2, affinity: undefined } })
    expect(r.ok && r.warnings).toEqual([
      { section: 'qemu-config 7', line: 41, message: 'not a "key: value" line: " this is not a key"' },
      { section: 'qemu-config 7', field: 'affinity', message: 'not a CPU list: "0-x"' },
    ])
    expect(parseQemuConfFile('cores: 0\n')).toMatchObject({ ok: false, error: { field: 'cores' } })
  })
})
