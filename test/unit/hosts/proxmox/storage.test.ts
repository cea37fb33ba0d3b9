import { describe, expect, it } from 'vitest'
import { diskFacts } from '../../../../src-main/hosts/proxmox/facts'
import { parseQemuConfFile } from '../../../../src-main/hosts/proxmox/parse'
import { effectiveDisk, parseStorageCfg } from '../../../../src-main/hosts/proxmox/storage'
import { fixture, ok } from '../libvirt/fixture'

const { storages, problems } = parseStorageCfg(fixture('proxmox/storage-cfg2cmd-harness.cfg'))

describe('storage.cfg and the cache/aio Proxmox actually gives a disk', () => {
  it('reads storage types and the krbd flag', () => {
    expect(problems).toEqual([])
    expect([...storages.values()].map((s) => `${s.id}:${s.type}${s.krbd ? '+krbd' : ''}`)).toEqual([
      'local:dir', 'btrfs-store:btrfs', 'cifs-store:cifs', 'rbd-store:rbd', 'krbd-store:rbd+krbd', 'local-lvm:lvmthin', 'lvm-store:lvm',
    ])
  })

  it("matches the QEMU command line Proxmox's own test expects for a btrfs guest (cache unset, io_uring)", () => {
    const cfg = ok(parseQemuConfFile(fixture('proxmox/qemu-server_cfg2cmd_simple-btrfs.conf')))
    const cmd = fixture('proxmox/qemu-server_cfg2cmd_simple-btrfs.conf.cmd')
    for (const disk of cfg.disks) {
      const drive = new RegExp(`-drive '[^']*id=drive-${disk.slot},[^']*'`).exec(cmd)![0]
      const expected = { cache: /,cache=([a-z]+)/.exec(drive)?.[1], io: /,aio=([a-z_]+)/.exec(drive)?.[1] }
      // The test pins QEMU 6.0 (its `# QEMU_VERSION` line).
      const { cache, io } = effectiveDisk(disk, storages, '6.0')
      expect({ slot: disk.slot, cache, io }).toEqual({ slot: disk.slot, ...expected })
    }
  })

  it('follows qemu-server for the storages of its aio test: explicit aio kept, defaults by storage', () => {
    const cfg = ok(parseQemuConfFile(fixture('proxmox/qemu-server_cfg2cmd_aio.conf')))
    const got = cfg.disks.map((d) => `${d.slot}:${effectiveDisk(d, storages, '8.1.5').cache}/${effectiveDisk(d, storages, '8.1.5').io}`)
    expect(got).toEqual([
      'scsi0:none/threads', 'scsi1:none/native', 'scsi2:none/io_uring', 'scsi3:none/io_uring',
      // CIFS: no io_uring by default (kernel 5.15 problems), so native with O_DIRECT.
      'scsi4:none/native', 'scsi5:none/io_uring',
      // krbd with a host page cache cannot use io_uring: threads.
      'scsi6:none/io_uring', 'scsi7:none/io_uring', 'scsi8:writeback/threads', 'scsi9:writeback/io_uring',
      'scsi10:none/io_uring', 'scsi11:none/io_uring',
      // Plain LVM: never io_uring by default.
      'scsi12:none/native', 'scsi13:none/io_uring',
    ])
    expect(cfg.disks.map((d) => effectiveDisk(d, storages, '8.1.5').sourceType)).toEqual([
      'file', 'file', 'file', 'file', 'file', 'file', 'block', 'block', 'block', 'block', 'network', 'network', 'block', 'block',
    ])
    // Before QEMU 6.0 there is no io_uring default; an unknown QEMU leaves io unknown rather than guessed.
    expect(effectiveDisk(cfg.disks[3]!, storages, '5.2').io).toBe('native')
    expect(effectiveDisk(cfg.disks[3]!, storages, undefined).io).toBeUndefined()
  })

  it('gives a disk its own iothread only where Proxmox does (virtio, or SCSI on virtio-scsi-single)', () => {
    const conf = (scsihw: string) => ok(parseQemuConfFile(`scsihw: ${scsihw}\nscsi0: local-lvm:vm-1-disk-0,iothread=1\nvirtio0: local-lvm:vm-1-disk-1,iothread=1\nefidisk0: local-lvm:vm-1-disk-2\n`))
    const host = { storages, qemuVersion: '8.1.5' }
    expect(diskFacts(conf('virtio-scsi-single'), host).map((d) => [d.target, d.iothread])).toEqual([['scsi0', 1], ['virtio0', 2]])
    expect(diskFacts(conf('virtio-scsi-pci'), host).map((d) => [d.target, d.iothread])).toEqual([['scsi0', undefined], ['virtio0', 1]])
  })

  it('reads unknown lines as problems, and paths and unknown storages without guessing', () => {
    const r = parseStorageCfg('dir: local\n\tpath /x\ngarbage here\n', 'storage', 10)
    expect(r.problems).toEqual([{ section: 'storage', line: 12, message: 'unexpected line "garbage here"' }])
    const disk = (volume: string) => ({ slot: 'scsi0', bus: 'scsi', volume, iothread: false })
    expect(effectiveDisk(disk('/dev/sdb'), storages, '8.1.5')).toMatchObject({ sourceType: 'block', format: 'raw', cache: 'none', io: 'io_uring' })
    expect(effectiveDisk(disk('nowhere:vm-1-disk-0'), storages, '8.1.5')).toMatchObject({ sourceType: 'volume', format: undefined })
  })
})
