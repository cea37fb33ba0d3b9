import { msg, said } from '../../../shared/i18n'
import type { HostStorage, StoragePool, StorageVolume, VmDiskStorage } from '../../../shared/model'
import traces from './data/demo-traces.json'
import { demoHosts } from './hosts'

/**
 * Storage of the demo cluster.
 *
 * MADE UP FOR THE DEMO (the Bitbrains traces say nothing about storage), chosen to be plausible
 * for a small lab and to show what the storage views and advice look like:
 * - every host has a local `default` dir pool on ext4 (/var/lib/libvirt/images), and all three
 *   mount one NFS export as the shared pool `nfs-vms`;
 * - the VMs of families bb001, bb124, bb287, bb392 and bb421 keep their disk on the NFS pool (they
 *   move without copying storage); the others on their host's local pool;
 * - demo-c's local pool is small and filling, its thin volumes could grow beyond it (600 GiB of
 *   virtual disks on 560 GiB), bb232-a's disk is 97 % written, and its disk is slow (38-52 ms);
 * - pools grow steadily (guests write logs and data) and a monthly clean-up frees the growth
 *   again, so the days-to-full forecast has a trend to read at any time.
 * Figures are a closed form of time, like the rest of the demo: any moment is reproducible.
 */

interface TraceVm { name: string; host: string }

const GiB = 2 ** 30
const TiB = 2 ** 40
const DAY_MS = 24 * 3600_000
/** The clean-up cycle: growth restarts from the base every 30 days. */
const CYCLE_MS = 30 * DAY_MS
const SHARED_FAMILIES = new Set(['bb001', 'bb124', 'bb287', 'bb392', 'bb421'])
const NFS_POOL_ID = '6f1c2a9e-7d3b-4c1e-9a55-0b2d8e4f7a10'
const DEMO_BOOT_IDS: Record<string, string> = { 'demo-a': 'b7a1c3d0-0000-4000-8000-00000000000a', 'demo-b': 'b7a1c3d0-0000-4000-8000-00000000000b', 'demo-c': 'b7a1c3d0-0000-4000-8000-00000000000c' }

interface LocalPool { id: string; capacity: number; base: number; growthPerDay: number; device: string }
const LOCAL: Record<string, LocalPool> = {
  'demo-a': { id: '0a1d6a3e-3f0c-4f5e-8a61-3c0f1c2a9d01', capacity: 1.8 * TiB, base: 0.9 * TiB, growthPerDay: 12 * GiB, device: 'nvme0n1' },
  'demo-b': { id: '0a1d6a3e-3f0c-4f5e-8a61-3c0f1c2a9d02', capacity: 900 * GiB, base: 420 * GiB, growthPerDay: 6 * GiB, device: 'sda' },
  'demo-c': { id: '0a1d6a3e-3f0c-4f5e-8a61-3c0f1c2a9d03', capacity: 560 * GiB, base: 450 * GiB, growthPerDay: 2.5 * GiB, device: 'sda' },
}
const NFS = { capacity: 8 * TiB, base: 3.1 * TiB, growthPerDay: 40 * GiB }

/** Virtual disk size of a VM (GiB), by trace family, and how much of it the guest has written. */
function diskOf(name: string): { capacity: number; written: number } {
  const family = name.slice(0, 5)
  const sizes: Record<string, [number, number]> = {
    bb001: [80, 0.55], bb010: [60, 0.7], bb020: [40, 0.45], bb024: [200, 0.3], bb041: [120, 0.62], bb124: [100, 0.5],
    bb186: [100, 0.78], bb232: [80, 0.97], bb287: [60, 0.4], bb392: [150, 0.35], bb407: [40, 0.5], bb410: [60, 0.6], bb421: [160, 0.45],
  }
  const [cap, frac] = sizes[family] ?? [50, 0.5]
  return { capacity: cap * GiB, written: cap * GiB * frac }
}

/** Where in its clean-up cycle the demo is at `now`, in days. */
function cycleDays(now: number): number {
  return (((now % CYCLE_MS) + CYCLE_MS) % CYCLE_MS) / DAY_MS
}

function volumeOf(vm: TraceVm, dir: string, growth: number): StorageVolume {
  const d = diskOf(vm.name)
  const allocation = Math.min(d.capacity, d.written * (1 + growth))
  return { name: `${vm.name}.qcow2`, path: `${dir}/${vm.name}.qcow2`, type: 'file', capacityBytes: d.capacity, allocationBytes: Math.round(allocation), format: 'qcow2' }
}

/** Storage of every demo host at `now`. */
export function demoStorage(now: number): HostStorage[] {
  const vms = (traces as { vms: TraceVm[] }).vms
  const days = cycleDays(now)
  const nfsVolumes = vms.filter((v) => SHARED_FAMILIES.has(v.name.slice(0, 5))).map((v) => volumeOf(v, '/var/lib/libvirt/nfs', days * 0.004))
  const nfsUsed = Math.min(NFS.capacity, NFS.base + NFS.growthPerDay * days)
  return demoHosts.map((host) => {
    const local = LOCAL[host.id]!
    const mine = vms.filter((v) => v.host === host.id)
    const localVolumes = mine.filter((v) => !SHARED_FAMILIES.has(v.name.slice(0, 5))).map((v) => volumeOf(v, '/var/lib/libvirt/images', days * 0.004))
    const used = Math.min(local.capacity, local.base + local.growthPerDay * days)
    const pools: StoragePool[] = [
      {
        hostId: host.id, id: local.id, name: 'default', type: 'dir', active: true, autostart: true, sharing: 'local',
        ...said({ sharingReason: msg('storage.poolSharing.localFilesystem', { type: 'dir', fsType: 'ext4' }) }), capacityBytes: local.capacity, allocationBytes: Math.round(used),
        availableBytes: Math.round(local.capacity - used), figuresFrom: 'filesystem', targetPath: '/var/lib/libvirt/images',
        filesystem: { type: 'ext4', source: `/dev/${local.device}1`, mountPoint: '/' }, devices: [local.device], volumes: localVolumes,
        io: { devices: [local.device], windowSeconds: 300, readsPerSecond: 180, writesPerSecond: 95, readMsPerOp: host.id === 'demo-c' ? 38 : 0.4, writeMsPerOp: host.id === 'demo-c' ? 52 : 0.9, busyPct: host.id === 'demo-c' ? 91 : 12 },
      },
      {
        hostId: host.id, id: NFS_POOL_ID, name: 'nfs-vms', type: 'netfs', active: true, autostart: true, sharing: 'shared',
        ...said({ sharingReason: msg('storage.poolSharing.byType', { type: 'netfs', kind: msg('storage.poolSharing.kind.networkFilesystem') }) }), capacityBytes: NFS.capacity, allocationBytes: Math.round(nfsUsed),
        availableBytes: Math.round(NFS.capacity - nfsUsed), figuresFrom: 'filesystem', targetPath: '/var/lib/libvirt/nfs',
        source: '10.0.0.5:/export/vms', filesystem: { type: 'nfs4', source: '10.0.0.5:/export/vms', mountPoint: '/var/lib/libvirt/nfs' }, devices: [],
        volumes: nfsVolumes,
      },
    ]
    const disks: VmDiskStorage[] = mine.map((v) => {
      const shared = SHARED_FAMILIES.has(v.name.slice(0, 5))
      const vol = (shared ? nfsVolumes : localVolumes).find((x) => x.name === `${v.name}.qcow2`)!
      return {
        vmId: `demo:${v.name}`, target: v.name === 'bb010-b' ? 'hda' : 'vda', device: 'disk', bus: v.name === 'bb010-b' ? 'ide' : 'virtio', sourceType: 'file',
        source: vol.path!, format: 'qcow2', ...(v.name === 'bb287-a' || v.name === 'bb410-b' ? {} : { cache: 'none', io: 'native' }),
        readonly: false, shareable: false, poolId: shared ? NFS_POOL_ID : local.id, volume: vol.name,
        capacityBytes: vol.capacityBytes, allocationBytes: vol.allocationBytes, physicalBytes: vol.allocationBytes + 2 * 2 ** 20,
      }
    })
    const mounts = [
      { mountPoint: '/', fsType: 'ext4', source: `/dev/${local.device}1`, device: '259:1', root: '/', totalBytes: local.capacity, usedBytes: Math.round(used), availableBytes: Math.round(local.capacity - used) },
      { mountPoint: '/var/lib/libvirt/nfs', fsType: 'nfs4', source: '10.0.0.5:/export/vms', device: '0:52', root: '/', totalBytes: NFS.capacity, usedBytes: Math.round(nfsUsed), availableBytes: Math.round(NFS.capacity - nfsUsed) },
    ]
    return { hostId: host.id, t: Math.round(now), bootId: DEMO_BOOT_IDS[host.id]!, pools, mounts, disks }
  })
}
