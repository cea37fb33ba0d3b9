import { describe, expect, it } from 'vitest'
import { planMigrationStorage, type StorageContext, type StoragePlan } from '../../../../shared/engine/storage'
import { english, formatMessage } from '../../../../shared/i18n'
import type { HostStorage, StoragePool } from '../../../../shared/model/storage'
import { englishRuns } from '../../../support/english-runs'
import { dirPool, disk, GiB, hostStorage, nfsPool, rootMount } from './support'

/**
 * What the storage check says about a move, in the admin's language: every reason (why a disk is
 * shared or copied, why a move is refused) carries its message beside the English, the English is
 * the message said in English word for word, and in Chinese no run of English words is left
 * (host names, disk names, paths, pools and the virsh command it suggests apart).
 */

const ctx = (storage: HostStorage[]): StorageContext => ({ storage: Object.fromEntries(storage.map((s) => [s.hostId, s])), links: [], assumedMiBps: 100 })
const NAMES = ['a', 'b', 'c', 'vda', 'vdb', 'hdc', 'sda', 'default', 'nfs-vms', 'san', 'ext4', 'nfs4', 'pool-define-as', 'dir']

function chinese(ref: Parameters<typeof formatMessage>[0]): string {
  const text = formatMessage(ref, 'zh-CN')
  expect(englishRuns(text, { names: NAMES }), text).toEqual([])
  return text
}

function refusal(plan: StoragePlan | undefined): string {
  if (!plan || plan.ok) throw new Error(`expected a refusal, got ${JSON.stringify(plan)}`)
  expect(english(plan.reasonRef)).toBe(plan.reason)
  return chinese(plan.reasonRef)
}

function diskReasons(plan: StoragePlan | undefined): string[] {
  if (!plan?.ok) throw new Error(`expected a plan, got ${JSON.stringify(plan)}`)
  return plan.storage.disks.map((d) => {
    expect(d.reasonRef, d.reason).toBeDefined()
    expect(english(d.reasonRef!)).toBe(d.reason)
    return chinese(d.reasonRef!)
  })
}

const san = (hostId: string, o: Partial<StoragePool> = {}): StoragePool =>
  dirPool(hostId, { id: `${hostId}-san`, name: 'san', type: 'logical', sharing: 'shared', targetPath: undefined, volumes: [{ name: 'db', path: '/dev/san/db', type: 'block', capacityBytes: 40 * GiB, allocationBytes: 40 * GiB }], ...o })

describe('storage reasons in the admin’s language', () => {
  it('why the destination reaches a disk or the move copies it: NFS, own filesystem, network disk, shared LUN, one kernel, an ISO it has, an empty drive', () => {
    const a = hostStorage('a', {
      disks: [
        disk('web', '/srv/nfs/web.qcow2'),
        disk('web', '/var/lib/libvirt/images/web-data.qcow2', { target: 'vdb' }),
        disk('web', undefined as unknown as string, { target: 'hdc', device: 'cdrom', readonly: true, source: undefined }),
      ],
    })
    expect(diskReasons(planMigrationStorage('web', 'a', 'b', ctx([a, hostStorage('b')])))).toEqual([
      'nfs4 10.0.0.5:/export/vms 在两台宿主机上挂载在同一位置',
      '/var/lib/libvirt/images 位于 a 自己的 ext4 文件系统上',
      '空驱动器',
    ])
    const net = hostStorage('a', { disks: [disk('db', '', { sourceType: 'network', source: 'rbd:pool/db' })] })
    expect(diskReasons(planMigrationStorage('db', 'a', 'b', ctx([net, hostStorage('b')])))).toEqual(['网络磁盘 rbd:pool/db：目标宿主机上的 QEMU 连接同一存储'])
    const lun = hostStorage('a', { pools: [san('a')], disks: [disk('db', '/dev/san/db', { sourceType: 'block', format: 'raw' })] })
    expect(diskReasons(planMigrationStorage('db', 'a', 'b', ctx([lun, hostStorage('b', { pools: [san('b')] })])))).toEqual(['共享存储池 san 的 LUN /dev/san/db 在两台宿主机上都有'])
    const kernel = (h: string, o: Partial<HostStorage>) => hostStorage(h, { bootId: 'same', mounts: [rootMount('254:0')], ...o })
    const block = kernel('a', { disks: [disk('db', '/dev/vg/db', { sourceType: 'block' })] })
    expect(diskReasons(planMigrationStorage('db', 'a', 'b', ctx([block, kernel('b', {})])))).toEqual(['两台宿主机运行在同一内核上，都能看到设备 /dev/vg/db'])
    const folder = kernel('a', { disks: [disk('g', '/tmp/lab/g.qcow2')] })
    expect(diskReasons(planMigrationStorage('g', 'a', 'b', ctx([folder, kernel('b', {})])))).toEqual(['两台宿主机运行在同一内核上，看到同一个 ext4 目录'])
    const iso = hostStorage('a', { disks: [disk('web', '/srv/iso/install.iso', { target: 'hdc', device: 'cdrom', readonly: true })], mounts: [] })
    const has = hostStorage('b', { pools: [dirPool('b', { targetPath: '/srv/iso', volumes: [{ name: 'install.iso', path: '/srv/iso/install.iso', type: 'file', capacityBytes: GiB, allocationBytes: GiB }] })] })
    expect(diskReasons(planMigrationStorage('web', 'a', 'b', ctx([iso, has])))).toEqual(['b 的存储池中有 /srv/iso/install.iso'])
  })

  it('why a move is refused: no pool at the folder or by that name, no room, a read-only or shareable disk, a block device, storage not read', () => {
    const a = hostStorage('a', { disks: [disk('web', '/var/lib/libvirt/images/web.qcow2', { allocationBytes: 30 * GiB })] })
    expect(refusal(planMigrationStorage('web', 'a', 'b', ctx([a, hostStorage('b', { pools: [] })])))).toBe(
      'vda 位于本地存储（/var/lib/libvirt/images 位于 a 自己的 ext4 文件系统上），而 b 在 /var/lib/libvirt/images 没有活动存储池来接收副本：请先在那里定义一个（virsh pool-define-as ... dir --target /var/lib/libvirt/images）',
    )
    const full = hostStorage('b', { pools: [dirPool('b', { availableBytes: 20 * GiB })] })
    expect(refusal(planMigrationStorage('web', 'a', 'b', ctx([a, full])))).toBe('b 的存储池 default 剩余 20.0 GiB，而复制 vda 需要 30.0 GiB')
    expect(refusal(planMigrationStorage('web', 'a', 'c', ctx([a])))).toBe('尚未读取 c 的存储，VirtPilot 无法判断它能否访问 vda（/var/lib/libvirt/images/web.qcow2）')

    const volume = hostStorage('a', { disks: [disk('web', 'default/web.qcow2', { sourceType: 'volume' })] })
    expect(refusal(planMigrationStorage('web', 'a', 'b', ctx([volume, hostStorage('b', { pools: [nfsPool('b')] })])))).toMatch(/^vda 位于本地存储（存储池 default 是 a 的本地存储），而 b 没有名为 default 的活动存储池来接收副本/)

    const cdrom = hostStorage('a', { disks: [disk('web', '/var/lib/libvirt/images/install.iso', { target: 'hdc', device: 'cdrom', readonly: true })] })
    expect(refusal(planMigrationStorage('web', 'a', 'b', ctx([cdrom, hostStorage('b')])))).toMatch(/^光驱 hdc 使用 .*；迁移不复制只读磁盘：请先弹出它，或在 b 上放置同一文件$/)
    const shared = hostStorage('a', { disks: [disk('web', '/var/lib/libvirt/images/quorum.raw', { target: 'vdb', shareable: true })] })
    expect(refusal(planMigrationStorage('web', 'a', 'b', ctx([shared, hostStorage('b')])))).toMatch(/^磁盘 vdb 使用 .*；迁移不复制可共享磁盘/)

    const lvm = hostStorage('a', { disks: [disk('db', '/dev/vg/db', { sourceType: 'block', format: 'raw' })] })
    expect(refusal(planMigrationStorage('db', 'a', 'b', ctx([lvm, hostStorage('b')])))).toBe(
      'vda 是块设备 /dev/vg/db（块设备 /dev/vg/db 是 a 的本地设备）；libvirt 无法在 b 上创建设备：请先在那里的同一路径创建一个 40.0 GiB 的设备',
    )
    const unmounted = hostStorage('a', { mounts: [], disks: [disk('web', '/data/web.qcow2')] })
    expect(refusal(planMigrationStorage('web', 'a', 'b', ctx([unmounted, hostStorage('b', { pools: [] })])))).toMatch(/^vda 位于本地存储（\/data 只在 a 的存储上）/)
  })
})
