import { z } from 'zod'
import { MessageRefSchema } from './message'

/**
 * Storage as discovery reads it on one host: pools and their volumes, the filesystems that hold
 * VM disks, and each VM disk with what backs it. Bytes throughout. A figure the host did not
 * report is absent, never guessed.
 */

const bytes = z.number().nonnegative()

/** Where a pool's data lives, as an admin sorts pools: on this host only, or reachable from others. */
export const StorageSharingSchema = z.enum(['local', 'shared'])

export const StorageVolumeSchema = z.object({
  name: z.string(),
  /** Path of the file or device; absent for network volumes without one. */
  path: z.string().optional(),
  /** file, block, dir, network, netdir, ploop. */
  type: z.string().optional(),
  /** Size the guest sees. */
  capacityBytes: bytes,
  /** Bytes the volume holds in the pool now (thin volumes grow up to capacity). */
  allocationBytes: bytes,
  /** Size of the file or device on the host (a qcow2 file may be larger than its data). */
  physicalBytes: bytes.optional(),
  format: z.string().optional(),
})

/** I/O of the block devices under a pool between two discoveries (/proc/diskstats). */
export const StorageIoSchema = z.object({
  /** Devices read (diskstats names). */
  devices: z.array(z.string()),
  /** Seconds between the two reads. */
  windowSeconds: z.number().positive(),
  readsPerSecond: z.number().nonnegative(),
  writesPerSecond: z.number().nonnegative(),
  /** Mean time one request took, ms (iostat's r_await / w_await); absent without requests. */
  readMsPerOp: z.number().nonnegative().optional(),
  writeMsPerOp: z.number().nonnegative().optional(),
  /** Share of the window the busiest device had requests in flight, 0-100 (iostat %util). */
  busyPct: z.number().min(0).max(100),
})

export const StoragePoolSchema = z.object({
  hostId: z.string().min(1),
  /** libvirt pool UUID, or the Proxmox storage id. */
  id: z.string().min(1),
  name: z.string().min(1),
  /** dir, fs, netfs, logical, disk, iscsi, iscsi-direct, scsi, mpath, rbd, gluster, zfs, vstorage; Proxmox: dir, nfs, cifs, lvm, lvmthin, zfspool, rbd, cephfs, ... */
  type: z.string().min(1),
  active: z.boolean(),
  autostart: z.boolean().optional(),
  sharing: StorageSharingSchema,
  /** Why it counts as shared or local, in admin words (pool type, filesystem type, Proxmox flag): in English, and as a message. */
  sharingReason: z.string(),
  sharingReasonRef: MessageRefSchema.optional(),
  capacityBytes: bytes,
  allocationBytes: bytes,
  availableBytes: bytes,
  /** Where the capacity figures come from: the pool's own, or the filesystem under its folder (df, fresher). */
  figuresFrom: z.enum(['pool', 'filesystem']),
  /** Folder or device folder where its volumes appear on this host. */
  targetPath: z.string().optional(),
  /** Where the data comes from: NFS export, iSCSI target, Ceph pool, volume group, device. */
  source: z.string().optional(),
  /** The filesystem holding its folder, for file-based pools. */
  filesystem: z.object({ type: z.string(), source: z.string(), mountPoint: z.string() }).optional(),
  /** Block devices under it (diskstats names) whose latency is its latency. */
  devices: z.array(z.string()),
  io: StorageIoSchema.optional(),
  /** Absent when the volumes could not be listed (inactive pool). */
  volumes: z.array(StorageVolumeSchema).optional(),
})

/** A mounted filesystem as /proc/self/mountinfo and df show it. */
export const HostMountSchema = z.object({
  mountPoint: z.string(),
  fsType: z.string(),
  source: z.string(),
  /** major:minor of the device, and the folder of that filesystem mounted here (bind mounts). */
  device: z.string(),
  root: z.string(),
  totalBytes: bytes.optional(),
  usedBytes: bytes.optional(),
  availableBytes: bytes.optional(),
  /** It holds VM disks or pool folders of this host (what the host view lists). */
  holdsVmStorage: z.boolean().optional(),
})

export const VmDiskStorageSchema = z.object({
  vmId: z.string().min(1),
  /** Guest device name: vda, sdb, hdc. */
  target: z.string(),
  /** disk, cdrom, floppy, lun. */
  device: z.string(),
  bus: z.string().optional(),
  /** file, block, network, volume. */
  sourceType: z.string(),
  /** Path, device, `protocol:name` or `pool/volume`, as the domain defines it. */
  source: z.string().optional(),
  format: z.string().optional(),
  cache: z.string().optional(),
  io: z.string().optional(),
  readonly: z.boolean(),
  /** Shared with other guests (<shareable/>): never copied by a migration. */
  shareable: z.boolean(),
  /** Image it is an overlay of (qcow2 backing file), when the domain shows one. */
  backingFile: z.string().optional(),
  /** The pool holding it, when one does (by id). */
  poolId: z.string().optional(),
  volume: z.string().optional(),
  capacityBytes: bytes.optional(),
  allocationBytes: bytes.optional(),
  physicalBytes: bytes.optional(),
})

export const HostStorageSchema = z.object({
  hostId: z.string().min(1),
  /** When discovery read it, epoch ms. */
  t: z.number().int().nonnegative(),
  /** /proc/sys/kernel/random/boot_id: hosts that report the same one run on one kernel (containers, the test lab). */
  bootId: z.string().optional(),
  pools: z.array(StoragePoolSchema),
  /** Mounted filesystems (pseudo ones left out): where a disk path lands on this host. */
  mounts: z.array(HostMountSchema),
  disks: z.array(VmDiskStorageSchema),
})

/** One pool's figures at one discovery: what the days-to-full forecast reads. */
export const PoolSampleSchema = z.object({
  hostId: z.string(),
  poolId: z.string(),
  t: z.number().int().nonnegative(),
  capacityBytes: bytes,
  allocationBytes: bytes,
  availableBytes: bytes,
  /** Sum of its volumes' capacities (what thin volumes may grow to); absent without a volume list. */
  volumeCapacityBytes: bytes.optional(),
  readMsPerOp: z.number().nonnegative().optional(),
  writeMsPerOp: z.number().nonnegative().optional(),
  busyPct: z.number().min(0).max(100).optional(),
})

/** Measured throughput of a finished migration from one host to another. */
export const LinkSpeedSchema = z.object({
  from: z.string(),
  to: z.string(),
  t: z.number().int().nonnegative(),
  bytes: bytes,
  seconds: z.number().positive(),
})

export type StorageSharing = z.infer<typeof StorageSharingSchema>
export type StorageVolume = z.infer<typeof StorageVolumeSchema>
export type StorageIo = z.infer<typeof StorageIoSchema>
export type StoragePool = z.infer<typeof StoragePoolSchema>
export type HostMount = z.infer<typeof HostMountSchema>
export type VmDiskStorage = z.infer<typeof VmDiskStorageSchema>
export type HostStorage = z.infer<typeof HostStorageSchema>
export type PoolSample = z.infer<typeof PoolSampleSchema>
export type LinkSpeed = z.infer<typeof LinkSpeedSchema>

/** The mount holding `path`: the one with the longest mount point that is a prefix of it (the last one mounted wins a tie). */
export function mountFor<T extends { mountPoint: string }>(path: string, mounts: readonly T[]): T | undefined {
  let best: T | undefined
  for (const m of mounts) {
    const mp = m.mountPoint
    // Inside mp: mp itself or below it (no string built: placement asks this for every VM and host).
    const inside = mp === '/' || path === mp || (path.startsWith(mp) && (mp.endsWith('/') || path.charCodeAt(mp.length) === 47))
    if (inside && (!best || mp.length >= best.mountPoint.length)) best = m
  }
  return best
}

/** Filesystems whose data other hosts reach too: network, cluster and distributed ones. */
const SHARED_FS = new Set([
  'nfs', 'nfs4', 'cifs', 'smb3', 'smbfs', 'glusterfs', 'fuse.glusterfs', 'ceph', 'fuse.ceph', 'fuse.cephfs', 'cephfs',
  'gfs2', 'ocfs2', 'lustre', 'gpfs', 'beegfs', 'fuse.beegfs', 'fuse.sshfs', 'afs', 'moosefs', 'fuse.mfs', 'vstorage', 'fuse.vstorage',
])

export function isSharedFilesystem(fsType: string): boolean {
  return SHARED_FS.has(fsType)
}

/** What happens to one disk when its VM moves to another host. */
export const MigrationDiskSchema = z.object({
  target: z.string(),
  /** shared: the destination reaches the same data; copy: copied during the migration; skip: nothing to carry (empty drive). */
  mode: z.enum(['shared', 'copy', 'skip']),
  /** Bytes copied (the disk's allocation). */
  bytes: z.number().nonnegative().optional(),
  /** The destination pool that receives the copy. */
  pool: z.string().optional(),
  /** Why, in admin words (same NFS export, local filesystem, ...): in English, and as a message. */
  reason: z.string(),
  reasonRef: MessageRefSchema.optional(),
})

/** A migration's storage side: which disks move with it, how many bytes, how long, and where to. */
export const MigrationStorageSchema = z.object({
  /** shared: memory only; copy: `--copy-storage-all` of the disks marked copy. */
  mode: z.enum(['shared', 'copy']),
  disks: z.array(MigrationDiskSchema),
  copyBytes: z.number().nonnegative(),
  /** Predicted time of the copy alone, s. */
  copySeconds: z.number().nonnegative(),
  /** Link speed the prediction uses, MiB/s, and whether VirtPilot measured it (earlier migrations) or assumed it (Settings). */
  linkMiBps: z.number().positive(),
  linkMeasured: z.boolean(),
  /** Free space of the destination pool(s) before the copy, bytes; the smallest when several. */
  destinationFreeBytes: z.number().nonnegative().optional(),
  /** Virtual size of the copied disks: what the thin copies may grow to on the destination. */
  copyCapacityBytes: z.number().nonnegative(),
})

export type MigrationDisk = z.infer<typeof MigrationDiskSchema>
export type MigrationStorage = z.infer<typeof MigrationStorageSchema>
