import type { HostMount, HostStorage, StoragePool, VmDiskStorage } from '../../../../shared/model/storage'

/** Hand-made storage for engine tests: a host's local dir pool, NFS mounts, disks. */
export const GiB = 2 ** 30

export function dirPool(hostId: string, o: Partial<StoragePool> = {}): StoragePool {
  return {
    hostId,
    id: `${hostId}-local`,
    name: 'default',
    type: 'dir',
    active: true,
    sharing: 'local',
    sharingReason: 'pool type dir on a local ext4 filesystem',
    capacityBytes: 500 * GiB,
    allocationBytes: 100 * GiB,
    availableBytes: 400 * GiB,
    figuresFrom: 'filesystem',
    targetPath: '/var/lib/libvirt/images',
    filesystem: { type: 'ext4', source: '/dev/sda1', mountPoint: '/' },
    devices: ['sda'],
    volumes: [],
    ...o,
  }
}

export function nfsPool(hostId: string, o: Partial<StoragePool> = {}): StoragePool {
  return dirPool(hostId, {
    id: `${hostId}-nfs`,
    name: 'nfs-vms',
    type: 'netfs',
    sharing: 'shared',
    sharingReason: 'pool type netfs',
    targetPath: '/srv/nfs',
    source: '10.0.0.5:/export/vms',
    filesystem: { type: 'nfs4', source: '10.0.0.5:/export/vms', mountPoint: '/srv/nfs' },
    devices: [],
    capacityBytes: 8000 * GiB,
    allocationBytes: 3000 * GiB,
    availableBytes: 5000 * GiB,
    ...o,
  })
}

export const rootMount = (device = '8:1'): HostMount => ({ mountPoint: '/', fsType: 'ext4', source: '/dev/sda1', device, root: '/' })
export const nfsMount: HostMount = { mountPoint: '/srv/nfs', fsType: 'nfs4', source: '10.0.0.5:/export/vms', device: '0:52', root: '/' }

export function disk(vmId: string, source: string, o: Partial<VmDiskStorage> = {}): VmDiskStorage {
  return { vmId, target: 'vda', device: 'disk', bus: 'virtio', sourceType: 'file', source, format: 'qcow2', readonly: false, shareable: false, capacityBytes: 40 * GiB, allocationBytes: 10 * GiB, ...o }
}

export function hostStorage(hostId: string, o: Partial<HostStorage> = {}): HostStorage {
  return { hostId, t: 0, bootId: `boot-${hostId}`, pools: [dirPool(hostId), nfsPool(hostId)], mounts: [rootMount(), nfsMount], disks: [], ...o }
}
