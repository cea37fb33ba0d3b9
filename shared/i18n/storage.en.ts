/**
 * What the storage check says about moving a VM's disks to another host: why the destination
 * reaches a disk or not, and why a move is refused (no pool to receive a copy, no room in it), in English.
 */
export const storageEn = {
  reach: {
    networkDisk: 'network disk {source}: QEMU on the destination connects to the same storage',
    samePool: 'pool {pool} is the same shared storage on both hosts',
    poolOfHost: 'pool {pool} is {sharing} storage of {host}',
    noPath: 'no path',
    oneKernelDevice: 'both hosts run on one kernel and see device {device}',
    sharedLun: 'LUN {device} of shared pool {pool} is on both hosts',
    localDevice: 'block device {device} is local to {host}',
    sameMount: '{fsType} {source} is mounted at the same place on both hosts',
    oneKernelFolder: 'both hosts run on one kernel and see the same {fsType} folder',
    ownFilesystem: "{folder} is on {host}'s own {fsType} filesystem",
    hostOnly: '{folder} is on storage of {host} only',
    inPool: '{host} has {source} in a pool',
  },
  sharing: {
    local: 'local',
    shared: 'shared',
    unknown: 'unknown',
  },
  /** A guest device of a disk, as libvirt names it. */
  device: {
    disk: 'disk',
    cdrom: 'cdrom',
    floppy: 'floppy',
    lun: 'lun',
  },
  emptyDrive: 'empty drive',
  /** Why discovery counts a pool as shared or local (Host detail › Storage). */
  poolSharing: {
    byType: 'pool type {type} ({kind})',
    sharedFilesystem: 'its folder is on a {fsType} filesystem',
    localFilesystem: 'pool type {type} on a local {fsType} filesystem',
    thisHost: 'pool type {type} (storage of this host)',
    proxmoxShared: 'Proxmox marks storage {storage} ({type}) shared',
    proxmoxLocal: 'Proxmox marks storage {storage} ({type}) local to this node',
    kind: {
      networkFilesystem: 'network filesystem',
      iscsi: 'iSCSI target',
      rbd: 'Ceph RBD',
      gluster: 'GlusterFS volume',
      sheepdog: 'Sheepdog cluster',
      vstorage: 'Virtuozzo storage',
      mpath: 'multipath SAN devices',
    },
  },
  refusal: {
    notRead: "{host}'s storage has not been read yet, so VirtPilot cannot tell whether it reaches {disk} ({source})",
    readOnly: '{device} {disk} uses {source} ({why}); a migration does not copy read-only disks: eject it or put the same file on {host} first',
    shareable: '{device} {disk} uses {source} ({why}); a migration does not copy shareable disks: eject it or put the same file on {host} first',
    blockDevice: '{disk} is block device {source} ({why}); libvirt cannot create a device on {host}: create one of {size} at the same path there first',
    noPoolNamed: '{disk} is on local storage ({why}) and {host} has no active pool named {pool} to receive a copy: define one there (virsh pool-define-as ... dir --target {folder})',
    noPoolAt: '{disk} is on local storage ({why}) and {host} has no active storage pool at {folder} to receive a copy: define one there (virsh pool-define-as ... dir --target {folder})',
    poolFull: "{host}'s pool {pool} has {free} free and the copy of {disks} needs {need}",
  },
} as const
