import { english, msg } from '../../i18n'
import type { MessageRef } from '../../model/message'
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
  | { ok: false; reason: string; reasonRef: MessageRef }

/** The key of a pool in PlacementProblem.poolFree. */
export const poolKey = (hostId: string, poolId: string): string => `${hostId}/${poolId}`

const MiB = 2 ** 20
const GiB = 2 ** 30

export const gibText = (bytes: number): string => `${(bytes / GiB).toFixed(1)} GiB`

/** Measured throughput from `from` to `to` (the median of the kept measurements; the other direction when only it was measured). */
export function linkSpeed(links: readonly LinkSpeed[], from: string, to: string, assumedMiBps: number): { miBps: number; measured: boolean } {
  const index = speedsByLink(links)
  const speeds = index.get(`${from}\u0000${to}`) ?? index.get(`${to}\u0000${from}`)
  if (!speeds) return { miBps: assumedMiBps, measured: false }
  return { miBps: speeds[Math.floor(speeds.length / 2)]!, measured: true }
}

const linkIndex = new WeakMap<readonly LinkSpeed[], Map<string, number[]>>()

/** Measured speeds (MiB/s, sorted) by `from\0to`, indexed once per list: placement asks for every VM and host. */
function speedsByLink(links: readonly LinkSpeed[]): Map<string, number[]> {
  let index = linkIndex.get(links)
  if (!index) {
    index = new Map()
    for (const l of links) {
      if (!(l.seconds > 0 && l.bytes > 0)) continue
      const key = `${l.from}\u0000${l.to}`
      index.set(key, [...(index.get(key) ?? []), l.bytes / l.seconds / MiB])
    }
    for (const speeds of index.values()) speeds.sort((a, b) => a - b)
    linkIndex.set(links, index)
  }
  return index
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

/** What happens to one disk, with its reason in English and as a message. */
function diskPlan(d: Omit<MigrationDisk, 'reason' | 'reasonRef'>, why: MessageRef): MigrationDisk {
  return { ...d, reason: english(why), reasonRef: why }
}

/** A guest device's name in the reader's language (libvirt's own word where it has no other). */
function deviceWord(device: string): MessageRef | string {
  return device === 'disk' || device === 'cdrom' || device === 'floppy' || device === 'lun' ? msg(`storage.device.${device}`) : device
}

/** Whether the destination reaches the disk's data without a copy, and why (or why not). */
function reach(disk: VmDiskStorage, from: HostStorage, to: HostStorage): { shared: boolean; why: MessageRef } {
  const source = disk.source
  if (disk.sourceType === 'network') return { shared: true, why: msg('storage.reach.networkDisk', { source: source ?? '' }) }
  if (disk.sourceType === 'volume' && source) {
    const [poolName] = source.split('/')
    const a = from.pools.find((p) => p.name === poolName)
    const b = to.pools.find((p) => p.name === poolName && p.active)
    if (a?.sharing === 'shared' && b && b.sharing === 'shared' && b.source === a.source) return { shared: true, why: msg('storage.reach.samePool', { pool: poolName ?? '' }) }
    return { shared: false, why: msg('storage.reach.poolOfHost', { pool: poolName ?? '', sharing: msg(`storage.sharing.${a?.sharing ?? 'unknown'}`), host: from.hostId }) }
  }
  if (!source?.startsWith('/')) return { shared: false, why: msg('storage.reach.noPath') }
  if (disk.sourceType === 'block') {
    if (from.bootId && from.bootId === to.bootId) return { shared: true, why: msg('storage.reach.oneKernelDevice', { device: source }) }
    const a = from.pools.find((p) => p.volumes?.some((v) => v.path === source))
    const b = to.pools.find((p) => p.active && p.volumes?.some((v) => v.path === source))
    if (a?.sharing === 'shared' && b?.sharing === 'shared') return { shared: true, why: msg('storage.reach.sharedLun', { device: source, pool: b.name }) }
    return { shared: false, why: msg('storage.reach.localDevice', { device: source, host: from.hostId }) }
  }
  const ka = fileIdentity(source, from)
  const kb = fileIdentity(source, to)
  const fsA = mountFor(source, from.mounts)
  if (ka !== undefined && ka === kb) {
    return { shared: true, why: fsA && isSharedFilesystem(fsA.fsType) ? msg('storage.reach.sameMount', { fsType: fsA.fsType, source: fsA.source }) : msg('storage.reach.oneKernelFolder', { fsType: fsA?.fsType ?? '' }) }
  }
  const folder = dirname(source)
  return { shared: false, why: fsA ? msg('storage.reach.ownFilesystem', { folder, host: from.hostId, fsType: fsA.fsType }) : msg('storage.reach.hostOnly', { folder, host: from.hostId }) }
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
  const d = decide(vmId, fromId, toId, ctx, true)
  if (!d) return undefined
  if (!d.ok) return { ok: false, reason: english(d.reasonRef), reasonRef: d.reasonRef }
  const copyCapacityBytes = [...d.needByPool.values()].reduce((a, n) => a + n.capacity, 0)
  const free = [...d.needByPool.keys()].map((p) => p.availableBytes)
  return {
    ok: true,
    copyDisks: d.copyDisks,
    needs: needsOf(d, toId),
    storage: {
      mode: d.copyDisks.length > 0 ? 'copy' : 'shared',
      disks: d.disks,
      copyBytes: d.copyBytes,
      copySeconds: d.copyBytes / (d.link.miBps * MiB),
      linkMiBps: d.link.miBps,
      linkMeasured: d.link.measured,
      ...(free.length > 0 ? { destinationFreeBytes: Math.min(...free) } : {}),
      copyCapacityBytes,
    },
  }
}

/** What placement weighs of a move's storage: whether it is refused (and why), the copy's time and the room it takes. */
export type StorageFit = { ok: true; copySeconds: number; needs: { pool: string; bytes: number; free: number }[] } | { ok: false; reasonRef: MessageRef }

/** planMigrationStorage without its words: placement asks it for every VM and host. */
export function storageFit(vmId: string, fromId: string, toId: string, ctx: StorageContext): StorageFit | undefined {
  const d = decide(vmId, fromId, toId, ctx, false)
  if (!d) return undefined
  if (!d.ok) return d
  return { ok: true, copySeconds: d.copyBytes / (d.link.miBps * MiB), needs: needsOf(d, toId) }
}

interface Need { bytes: number; capacity: number; targets: string[] }
type Decision =
  | { ok: false; reasonRef: MessageRef }
  | { ok: true; disks: MigrationDisk[]; copyDisks: string[]; copyBytes: number; needByPool: Map<StoragePool, Need>; link: { miBps: number; measured: boolean } }

const needsOf = (d: { needByPool: Map<StoragePool, Need> }, toId: string) => [...d.needByPool].map(([pool, need]) => ({ pool: poolKey(toId, pool.id), bytes: need.bytes, free: pool.availableBytes }))

const refused = (reasonRef: MessageRef): Decision => ({ ok: false, reasonRef })

/** What moving the VM does to each of its disks, or why it is refused; each disk's words only when `words`. */
function decide(vmId: string, fromId: string, toId: string, ctx: StorageContext, words: boolean): Decision | undefined {
  const from = ctx.storage[fromId]
  if (!from) return undefined
  const disks = disksOf(from, vmId)
  if (disks.length === 0) return undefined
  const to = ctx.storage[toId]
  const link = linkSpeed(ctx.links, fromId, toId, ctx.assumedMiBps)
  const out: MigrationDisk[] = []
  const copyDisks: string[] = []
  let copyBytes = 0
  const needByPool = new Map<StoragePool, Need>()
  for (const d of disks) {
    if (d.source === undefined && d.sourceType !== 'network') {
      if (words) out.push(diskPlan({ target: d.target, mode: 'skip' }, msg('storage.emptyDrive')))
      continue
    }
    if (!to) return refused(msg('storage.refusal.notRead', { host: toId, disk: d.target, source: d.source ?? '' }))
    const r = reach(d, from, to)
    if (r.shared) {
      if (words) out.push(diskPlan({ target: d.target, mode: 'shared' }, r.why))
      continue
    }
    if (d.readonly || d.shareable || d.device === 'cdrom' || d.device === 'floppy') {
      // libvirt never copies these: the destination must have the same file already.
      const known = to.pools.some((p) => p.active && p.volumes?.some((v) => v.path === d.source))
      if (known) {
        if (words) out.push(diskPlan({ target: d.target, mode: 'shared' }, msg('storage.reach.inPool', { host: toId, source: d.source ?? '' })))
        continue
      }
      return refused(msg(d.readonly ? 'storage.refusal.readOnly' : 'storage.refusal.shareable', { device: deviceWord(d.device), disk: d.target, source: d.source ?? '', why: r.why, host: toId }))
    }
    if (d.sourceType === 'block') return refused(msg('storage.refusal.blockDevice', { disk: d.target, source: d.source ?? '', why: r.why, host: toId, size: gibText(d.capacityBytes ?? 0) }))
    const pool = receivingPool(d, to)
    if (!pool) {
      const params = { disk: d.target, why: r.why, host: toId, folder: dirname(d.source ?? '') }
      return refused(d.sourceType === 'volume' ? msg('storage.refusal.noPoolNamed', { ...params, pool: (d.source ?? '').split('/')[0] ?? '' }) : msg('storage.refusal.noPoolAt', params))
    }
    const bytes = d.allocationBytes ?? d.physicalBytes ?? d.capacityBytes ?? 0
    const need = needByPool.get(pool) ?? { bytes: 0, capacity: 0, targets: [] }
    need.bytes += bytes
    need.capacity += d.capacityBytes ?? bytes
    need.targets.push(d.target)
    needByPool.set(pool, need)
    copyDisks.push(d.target)
    copyBytes += bytes
    if (words) out.push(diskPlan({ target: d.target, mode: 'copy', bytes, pool: pool.name }, r.why))
  }
  for (const [pool, need] of needByPool) {
    if (need.bytes > pool.availableBytes) {
      return refused(msg('storage.refusal.poolFull', { host: toId, pool: pool.name, free: gibText(pool.availableBytes), disks: need.targets.join(', '), need: gibText(need.bytes) }))
    }
  }
  return { ok: true, disks: out, copyDisks, copyBytes, needByPool, link }
}
