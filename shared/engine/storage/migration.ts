import { isSharedFilesystem, mountFor, type HostStorage, type LinkSpeed, type MigrationDisk, type MigrationStorage, type StoragePool, type VmDiskStorage } from '../../model/storage'

/**
 * The storage side of moving a VM from one host to another: which of its disks the destination
 * already reaches (shared storage: nothing to copy), which must be copied while the guest runs
 * (`--copy-storage-all`), into which destination pool, how many bytes and how long that takes at
 * the measured link speed; or why the move is refused (no pool to receive a disk, no room in it).
 */

export interface StorageContext {
  /** Storage as discovery read it, by host id. */
  storage: Readonly<Record<string, HostStorage>>
  /** Throughput of finished migrations. */
  links: readonly LinkSpeed[]
  /** The link speed to assume between hosts no migration has measured yet, MiB/s. */
  assumedMiBps: number
}

export type StoragePlan =
  | { ok: true; storage: MigrationStorage; copyDisks: string[]; needs: { pool: string; bytes: number; free: number }[] }
  | { ok: false; reason: string }

/** The key of a pool in PlacementProblem.poolFree. */
export const poolKey = (hostId: string, poolId: string): string => `${hostId}/${poolId}`

const MiB = 2 ** 20
const GiB = 2 ** 30

export const gibText = (bytes: number): string => `${(bytes / GiB).toFixed(1)} GiB`

/** Measured throughput from `from` to `to` (the median of the kept measurements; the other direction when only it was measured). */
export function linkSpeed(links: readonly LinkSpeed[], from: string, to: string, assumedMiBps: number): { miBps: number; measured: boolean } {
  const pick = (a: string, b: string) => links.filter((l) => l.from === a && l.to === b && l.seconds > 0 && l.bytes > 0).map((l) => l.bytes / l.seconds / MiB)
  const speeds = pick(from, to).length > 0 ? pick(from, to) : pick(to, from)
  if (speeds.length === 0) return { miBps: assumedMiBps, measured: false }
  speeds.sort((a, b) => a - b)
  return { miBps: speeds[Math.floor(speeds.length / 2)]!, measured: true }
}

/**
 * Where a file lands, as a key equal on two hosts exactly when both see the same file: the
 * network filesystem and the path inside it, or on a local filesystem the kernel (boot id), the
 * device and the folder of that filesystem (bind mounts differ there).
 */
export function fileIdentity(path: string, host: HostStorage): string | undefined {
  const m = mountFor(path, host.mounts)
  if (!m) return undefined
  const rel = m.mountPoint === '/' ? path : path.slice(m.mountPoint.length)
  const inside = `${m.root === '/' ? '' : m.root}${rel.startsWith('/') ? rel : `/${rel}`}`
  if (isSharedFilesystem(m.fsType)) return `net|${m.fsType}|${m.source}|${inside}`
  return host.bootId ? `local|${host.bootId}|${m.device}|${inside}` : undefined
}

const FILE_POOLS = new Set(['dir', 'fs', 'netfs'])

const disksByVm = new WeakMap<HostStorage, Map<string, VmDiskStorage[]>>()

/** A host's disks of one VM (indexed once per storage object: placement asks for every VM and host). */
export function disksOf(host: HostStorage, vmId: string): VmDiskStorage[] {
  let index = disksByVm.get(host)
  if (!index) {
    index = new Map()
    for (const d of host.disks) {
      const list = index.get(d.vmId)
      if (list) list.push(d)
      else index.set(d.vmId, [d])
    }
    disksByVm.set(host, index)
  }
  return index.get(vmId) ?? []
}

function dirname(path: string): string {
  const i = path.lastIndexOf('/')
  return i <= 0 ? '/' : path.slice(0, i)
}

function trimSlash(path: string): string {
  let end = path.length
  while (end > 1 && path[end - 1] === '/') end--
  return path.slice(0, end)
}

/** Whether the destination reaches the disk's data without a copy, and why (or why not). */
function reach(disk: VmDiskStorage, from: HostStorage, to: HostStorage): { shared: boolean; reason: string } {
  const source = disk.source
  if (disk.sourceType === 'network') return { shared: true, reason: `network disk ${source ?? ''}: QEMU on the destination connects to the same storage` }
  if (disk.sourceType === 'volume' && source) {
    const [poolName] = source.split('/')
    const a = from.pools.find((p) => p.name === poolName)
    const b = to.pools.find((p) => p.name === poolName && p.active)
    if (a?.sharing === 'shared' && b && b.sharing === 'shared' && b.source === a.source) return { shared: true, reason: `pool ${poolName} is the same shared storage on both hosts` }
    return { shared: false, reason: `pool ${poolName} is ${a?.sharing ?? 'unknown'} storage of ${from.hostId}` }
  }
  if (!source?.startsWith('/')) return { shared: false, reason: 'no path' }
  if (disk.sourceType === 'block') {
    if (from.bootId && from.bootId === to.bootId) return { shared: true, reason: `both hosts run on one kernel and see device ${source}` }
    const a = from.pools.find((p) => p.volumes?.some((v) => v.path === source))
    const b = to.pools.find((p) => p.active && p.volumes?.some((v) => v.path === source))
    if (a?.sharing === 'shared' && b?.sharing === 'shared') return { shared: true, reason: `LUN ${source} of shared pool ${b.name} is on both hosts` }
    return { shared: false, reason: `block device ${source} is local to ${from.hostId}` }
  }
  const ka = fileIdentity(source, from)
  const kb = fileIdentity(source, to)
  const fsA = mountFor(source, from.mounts)
  if (ka !== undefined && ka === kb) {
    return { shared: true, reason: fsA && isSharedFilesystem(fsA.fsType) ? `${fsA.fsType} ${fsA.source} is mounted at the same place on both hosts` : `both hosts run on one kernel and see the same ${fsA?.fsType ?? ''} folder` }
  }
  return { shared: false, reason: fsA ? `${dirname(source)} is on ${from.hostId}'s own ${fsA.fsType} filesystem` : `${dirname(source)} is on storage of ${from.hostId} only` }
}

/** The destination pool libvirt creates the copy in: by name for pool volumes, by folder for files. */
function receivingPool(disk: VmDiskStorage, to: HostStorage): StoragePool | undefined {
  const source = disk.source ?? ''
  if (disk.sourceType === 'volume') return to.pools.find((p) => p.active && p.name === source.split('/')[0])
  if (disk.sourceType !== 'file') return undefined
  const dir = dirname(source)
  return to.pools.find((p) => p.active && FILE_POOLS.has(p.type) && p.targetPath !== undefined && trimSlash(p.targetPath) === dir)
}

/**
 * The storage plan of moving `vmId` from `fromId` to `toId`; undefined when the source's storage
 * is unknown (nothing read: the move is planned as before, memory only).
 */
export function planMigrationStorage(vmId: string, fromId: string, toId: string, ctx: StorageContext): StoragePlan | undefined {
  const from = ctx.storage[fromId]
  if (!from) return undefined
  const disks = disksOf(from, vmId)
  if (disks.length === 0) return undefined
  const to = ctx.storage[toId]
  const link = linkSpeed(ctx.links, fromId, toId, ctx.assumedMiBps)
  const out: MigrationDisk[] = []
  const needByPool = new Map<StoragePool, { bytes: number; capacity: number; targets: string[] }>()
  for (const d of disks) {
    if (d.source === undefined && d.sourceType !== 'network') {
      out.push({ target: d.target, mode: 'skip', reason: 'empty drive' })
      continue
    }
    if (!to) return { ok: false, reason: `${toId}'s storage has not been read yet, so VirtPilot cannot tell whether it reaches ${d.target} (${d.source ?? ''})` }
    const r = reach(d, from, to)
    if (r.shared) {
      out.push({ target: d.target, mode: 'shared', reason: r.reason })
      continue
    }
    if (d.readonly || d.shareable || d.device === 'cdrom' || d.device === 'floppy') {
      // libvirt never copies these: the destination must have the same file already.
      const known = to.pools.some((p) => p.active && p.volumes?.some((v) => v.path === d.source))
      if (known) {
        out.push({ target: d.target, mode: 'shared', reason: `${toId} has ${d.source} in a pool` })
        continue
      }
      return { ok: false, reason: `${d.device} ${d.target} uses ${d.source} (${r.reason}); a migration does not copy ${d.readonly ? 'read-only' : 'shareable'} disks: eject it or put the same file on ${toId} first` }
    }
    if (d.sourceType === 'block') return { ok: false, reason: `${d.target} is block device ${d.source} (${r.reason}); libvirt cannot create a device on ${toId}: create one of ${gibText(d.capacityBytes ?? 0)} at the same path there first` }
    const pool = receivingPool(d, to)
    if (!pool) {
      const where = d.sourceType === 'volume' ? `active pool named ${(d.source ?? '').split('/')[0]}` : `active storage pool at ${dirname(d.source ?? '')}`
      return { ok: false, reason: `${d.target} is on local storage (${r.reason}) and ${toId} has no ${where} to receive a copy: define one there (virsh pool-define-as ... dir --target ${dirname(d.source ?? '')})` }
    }
    const bytes = d.allocationBytes ?? d.physicalBytes ?? d.capacityBytes ?? 0
    const need = needByPool.get(pool) ?? { bytes: 0, capacity: 0, targets: [] }
    need.bytes += bytes
    need.capacity += d.capacityBytes ?? bytes
    need.targets.push(d.target)
    needByPool.set(pool, need)
    out.push({ target: d.target, mode: 'copy', bytes, pool: pool.name, reason: r.reason })
  }
  for (const [pool, need] of needByPool) {
    if (need.bytes > pool.availableBytes) {
      return { ok: false, reason: `${toId}'s pool ${pool.name} has ${gibText(pool.availableBytes)} free and the copy of ${need.targets.join(', ')} needs ${gibText(need.bytes)}` }
    }
  }
  const copyDisks = out.filter((d) => d.mode === 'copy').map((d) => d.target)
  const copyBytes = out.reduce((a, d) => a + (d.mode === 'copy' ? (d.bytes ?? 0) : 0), 0)
  const copyCapacityBytes = [...needByPool.values()].reduce((a, n) => a + n.capacity, 0)
  const free = [...needByPool.keys()].map((p) => p.availableBytes)
  return {
    ok: true,
    copyDisks,
    needs: [...needByPool].map(([pool, need]) => ({ pool: poolKey(toId, pool.id), bytes: need.bytes, free: pool.availableBytes })),
    storage: {
      mode: copyDisks.length > 0 ? 'copy' : 'shared',
      disks: out,
      copyBytes,
      copySeconds: copyBytes / (link.miBps * MiB),
      linkMiBps: link.miBps,
      linkMeasured: link.measured,
      ...(free.length > 0 ? { destinationFreeBytes: Math.min(...free) } : {}),
      copyCapacityBytes,
    },
  }
}
