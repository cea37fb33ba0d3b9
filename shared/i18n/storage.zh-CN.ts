import type { storageEn } from './storage.en'
import type { Catalogue } from './types'

/** 存储检查的文字：目标宿主机能否访问虚拟机的磁盘，以及迁移为何被拒绝（没有接收副本的存储池、存储池空间不足）。 */
export const storageZhCN: Catalogue<typeof storageEn> = {
  reach: {
    networkDisk: '网络磁盘 {source}：目标宿主机上的 QEMU 连接同一存储',
    samePool: '存储池 {pool} 在两台宿主机上是同一共享存储',
    poolOfHost: '存储池 {pool} 是 {host} 的{sharing}存储',
    noPath: '没有路径',
    oneKernelDevice: '两台宿主机运行在同一内核上，都能看到设备 {device}',
    sharedLun: '共享存储池 {pool} 的 LUN {device} 在两台宿主机上都有',
    localDevice: '块设备 {device} 是 {host} 的本地设备',
    sameMount: '{fsType} {source} 在两台宿主机上挂载在同一位置',
    oneKernelFolder: '两台宿主机运行在同一内核上，看到同一个 {fsType} 目录',
    ownFilesystem: '{folder} 位于 {host} 自己的 {fsType} 文件系统上',
    hostOnly: '{folder} 只在 {host} 的存储上',
    inPool: '{host} 的存储池中有 {source}',
  },
  sharing: {
    local: '本地',
    shared: '共享',
    unknown: '未知',
  },
  device: {
    disk: '磁盘',
    cdrom: '光驱',
    floppy: '软驱',
    lun: 'LUN',
  },
  emptyDrive: '空驱动器',
  poolSharing: {
    byType: '存储池类型 {type}（{kind}）',
    sharedFilesystem: '其目录位于 {fsType} 文件系统上',
    localFilesystem: '存储池类型 {type}，位于本地 {fsType} 文件系统上',
    thisHost: '存储池类型 {type}（本宿主机的存储）',
    proxmoxShared: 'Proxmox VE 将存储 {storage}（{type}）标记为共享',
    proxmoxLocal: 'Proxmox VE 将存储 {storage}（{type}）标记为本节点的本地存储',
    kind: {
      networkFilesystem: '网络文件系统',
      iscsi: 'iSCSI 目标',
      rbd: 'Ceph RBD',
      gluster: 'GlusterFS 卷',
      sheepdog: 'Sheepdog 集群',
      vstorage: 'Virtuozzo 存储',
      mpath: '多路径 SAN 设备',
    },
  },
  refusal: {
    notRead: '尚未读取 {host} 的存储，VirtPilot 无法判断它能否访问 {disk}（{source}）',
    readOnly: '{device} {disk} 使用 {source}（{why}）；迁移不复制只读磁盘：请先弹出它，或在 {host} 上放置同一文件',
    shareable: '{device} {disk} 使用 {source}（{why}）；迁移不复制可共享磁盘：请先弹出它，或在 {host} 上放置同一文件',
    blockDevice: '{disk} 是块设备 {source}（{why}）；libvirt 无法在 {host} 上创建设备：请先在那里的同一路径创建一个 {size} 的设备',
    noPoolNamed: '{disk} 位于本地存储（{why}），而 {host} 没有名为 {pool} 的活动存储池来接收副本：请先在那里定义一个（virsh pool-define-as ... dir --target {folder}）',
    noPoolAt: '{disk} 位于本地存储（{why}），而 {host} 在 {folder} 没有活动存储池来接收副本：请先在那里定义一个（virsh pool-define-as ... dir --target {folder}）',
    poolFull: '{host} 的存储池 {pool} 剩余 {free}，而复制 {disks} 需要 {need}',
  },
}
