import { msg, said } from '../../../shared/i18n'
import type { HostMount, HostStorage, MessageRef, StoragePool, StorageSharing, StorageVolume, VmDiskStorage } from '../../../shared/model'
import { devicesIo, deviceOfMajorMinor, deviceOfPath, parseDmNames, type DiskstatsRead } from '../linux/disk-latency'
import { isSharedFilesystem, mountFor, parseDf, parseMountinfo, withDfFigures } from '../linux/parse/mounts'
import { parseDiskstats, type DiskStat } from '../linux/parse/procfs'
import type { ParseProblem } from '../linux/parse/result'
import { sectionNamed, type ScriptOutput } from '../linux/parse/sections'
import type { DomainConfig } from './parse/domain-xml'
import { parseDomblkinfo, parsePoolList, parsePoolXml, parseVolList, type BlockInfo, type PoolXml, type VolListRow } from './parse/storage'

/** Pool types whose data other hosts reach by themselves (network or SAN storage), and what they are. */
const SHARED_POOL_TYPES: Record<string, 'networkFilesystem' | 'iscsi' | 'rbd' | 'gluster' | 'sheepdog' | 'vstorage' | 'mpath'> = {
  netfs: 'networkFilesystem',
  iscsi: 'iscsi',
  'iscsi-direct': 'iscsi',
  rbd: 'rbd',
  gluster: 'gluster',
  sheepdog: 'sheepdog',
  vstorage: 'vstorage',
  mpath: 'mpath',
}

/** Where a pool's data lives: shared by its type, or by the filesystem under its folder; why, in English and as a message. */
export function poolSharing(type: string, filesystem: { type: string } | undefined): { sharing: StorageSharing; reason: string; reasonRef: MessageRef } {
  const kind = Object.hasOwn(SHARED_POOL_TYPES, type) ? SHARED_POOL_TYPES[type] : undefined
  if (kind) return { sharing: 'shared', ...said({ reason: msg('storage.poolSharing.byType', { type, kind: msg(`storage.poolSharing.kind.${kind}`) }) }) }
  if (filesystem && isSharedFilesystem(filesystem.type)) return { sharing: 'shared', ...said({ reason: msg('storage.poolSharing.sharedFilesystem', { fsType: filesystem.type }) }) }
  if (filesystem) return { sharing: 'local', ...said({ reason: msg('storage.poolSharing.localFilesystem', { type, fsType: filesystem.type }) }) }
  return { sharing: 'local', ...said({ reason: msg('storage.poolSharing.thisHost', { type }) }) }
}

const FILE_POOLS = new Set(['dir', 'fs', 'netfs'])

export interface StorageRead {
  storage: HostStorage
  /** This discovery's diskstats, for the next one's latency. */
  diskstats?: DiskstatsRead
  problems: ParseProblem[]
}

export interface StorageReadOptions {
  hostId: string
  t: number
  domains: readonly { vmId: string; uuid: string; config: DomainConfig }[]
  /** The previous discovery's diskstats: pool latency is measured between the two. */
  previous?: DiskstatsRead
}

function body(out: ScriptOutput, name: string, problems: ParseProblem[], optional = false): { text: string; firstLine: number } | undefined {
  const s = sectionNamed(out, name)
  if (!s) {
    if (!optional) problems.push({ section: name, message: 'not in the output' })
    return undefined
  }
  if (s.exitCode !== 0 && s.body.trim() === '') {
    const err = sectionNamed(out, `${name}.stderr`)?.body.trim()
    problems.push({ section: name, message: `exit ${s.exitCode ?? 'cut off'}${err ? `: ${err.split('\n')[0]}` : ''}` })
    return undefined
  }
  return { text: s.body, firstLine: s.firstLine }
}

function withoutTrailingSlash(path: string): string {
  let end = path.length
  while (end > 1 && path[end - 1] === '/') end--
  return path.slice(0, end)
}

function dirname(path: string): string {
  const i = path.lastIndexOf('/')
  return i <= 0 ? '/' : path.slice(0, i)
}

/**
 * Storage of one libvirt host from its discovery output: pools (figures fresh from df for
 * file pools), volumes, each disk with its pool and sizes, the filesystems holding them, and
 * pool latency since the previous discovery. Whatever is missing is a problem, never a failure.
 */
export function libvirtStorage(out: ScriptOutput, opts: StorageReadOptions): StorageRead {
  const problems: ParseProblem[] = []
  const take = <T>(p: { ok: true; value: T; warnings: ParseProblem[] } | { ok: false; error: ParseProblem }): T | undefined => {
    if (!p.ok) {
      problems.push(p.error)
      return undefined
    }
    problems.push(...p.warnings)
    return p.value
  }

  const bootId = body(out, 'boot-id', problems)?.text.trim() || undefined
  const mi = body(out, 'mountinfo', problems)
  const dfBody = body(out, 'df', problems)
  const mountList = mi ? (take(parseMountinfo(mi.text, 'mountinfo', mi.firstLine)) ?? []) : []
  const dfRows = dfBody ? (take(parseDf(dfBody.text, 'df', dfBody.firstLine)) ?? []) : []
  const allMounts = withDfFigures(mountList, dfRows)
  const dsBody = body(out, 'diskstats', problems)
  const stats: DiskStat[] = dsBody ? (take(parseDiskstats(dsBody.text, '/proc/diskstats', dsBody.firstLine)) ?? []) : []
  const dmNames = parseDmNames(body(out, 'dm-names', problems, true)?.text ?? '')
  const current: DiskstatsRead | undefined = stats.length > 0 ? { t: opts.t, stats } : undefined

  const listBody = body(out, 'pool-list', problems)
  const listed = listBody ? (take(parsePoolList(listBody.text, 'pool-list', listBody.firstLine)) ?? new Map()) : new Map()
  const poolErr = sectionNamed(out, 'pools.stderr')?.body.trim()
  if (poolErr) problems.push({ section: 'pools', message: poolErr.split('\n').slice(0, 3).join(' / ') })

  const pools: StoragePool[] = []
  for (const s of out.sections) {
    if (!s.name.startsWith('pool ')) continue
    const uuid = s.name.slice('pool '.length)
    if (s.body.trim() === '') continue
    const xml = take(parsePoolXml(s.body, s.name))
    if (!xml) continue
    const volSection = sectionNamed(out, `volumes ${uuid}`)
    const volumes = volSection ? take(parseVolList(volSection.body, volSection.name, volSection.firstLine)) : undefined
    pools.push(poolOf(xml, listed.get(xml.name), volumes, allMounts, stats, dmNames, opts, current))
  }

  const blk = new Map<string, BlockInfo[]>()
  for (const s of out.sections) {
    if (!s.name.startsWith('domblkinfo ')) continue
    const rows = take(parseDomblkinfo(s.body, s.name, s.firstLine))
    if (rows) blk.set(s.name.slice('domblkinfo '.length).toLowerCase(), rows)
  }
  const disks: VmDiskStorage[] = opts.domains.flatMap(({ vmId, uuid, config }) =>
    config.disks.map((d, i) => {
      const target = d.targetDev ?? `disk${i}`
      const info = blk.get(uuid.toLowerCase())?.find((b) => b.target === target)
      const where = poolAndVolume(d.type === 'volume' ? d.source : undefined, d.source, pools)
      return {
        vmId,
        target,
        device: d.device,
        ...(d.bus ? { bus: d.bus } : {}),
        sourceType: d.type,
        ...(d.source ? { source: d.source } : {}),
        ...(d.format ? { format: d.format } : {}),
        ...(d.cache ? { cache: d.cache } : {}),
        ...(d.io ? { io: d.io } : {}),
        readonly: d.readonly,
        shareable: d.shareable,
        ...(d.backingFile ? { backingFile: d.backingFile } : {}),
        ...where,
        ...(info?.capacityBytes !== undefined ? { capacityBytes: info.capacityBytes } : {}),
        ...(info?.allocationBytes !== undefined ? { allocationBytes: info.allocationBytes } : {}),
        ...(info?.physicalBytes !== undefined ? { physicalBytes: info.physicalBytes } : {}),
      }
    }),
  )

  // The filesystems that hold a disk or a pool folder are the ones the admin looks at.
  const used = new Set<HostMount>()
  // Device folders (/dev/vg, /dev/zvol) are not filesystems that hold data.
  for (const d of disks) if (d.sourceType === 'file' && d.source?.startsWith('/')) {
    const m = mountFor(d.source, allMounts)
    if (m) used.add(m)
  }
  for (const p of pools) if (p.targetPath && FILE_POOLS.has(p.type)) {
    const m = mountFor(p.targetPath, allMounts)
    if (m) used.add(m)
  }
  const mounts = allMounts.map((m) => (used.has(m) ? { ...m, holdsVmStorage: true } : m))
  return {
    storage: { hostId: opts.hostId, t: opts.t, ...(bootId ? { bootId } : {}), pools, mounts, disks },
    ...(current ? { diskstats: current } : {}),
    problems,
  }
}

function poolOf(
  xml: PoolXml,
  row: { state: string; autostart: boolean } | undefined,
  volumes: VolListRow[] | undefined,
  mounts: readonly HostMount[],
  stats: readonly DiskStat[],
  dmNames: ReadonlyMap<string, string>,
  opts: StorageReadOptions,
  current: DiskstatsRead | undefined,
): StoragePool {
  const fileBased = FILE_POOLS.has(xml.type) && xml.targetPath !== undefined
  const mount = fileBased ? mountFor(xml.targetPath!, mounts) : undefined
  const filesystem = mount ? { type: mount.fsType, source: mount.source, mountPoint: mount.mountPoint } : undefined
  const { sharing, reason, reasonRef } = poolSharing(xml.type, filesystem)
  // df reads the filesystem now; libvirt's own figures date from its last pool refresh.
  const fresh = mount?.totalBytes !== undefined && mount.usedBytes !== undefined && mount.availableBytes !== undefined
  const devices = new Set<string>()
  if (mount) {
    const d = deviceOfMajorMinor(mount.device, stats)
    if (d) devices.add(d)
  }
  for (const path of xml.source.devices) {
    const d = deviceOfPath(path, stats, dmNames)
    if (d) devices.add(d)
  }
  const io = opts.previous && current ? devicesIo(opts.previous, current, [...devices]) : undefined
  const source = xml.source.dir
    ? `${xml.source.hosts.length ? `${xml.source.hosts.join(',')}:` : ''}${xml.source.dir}`
    : xml.source.name
      ? `${xml.source.hosts.length ? `${xml.source.hosts.join(',')}/` : ''}${xml.source.name}`
      : xml.source.devices.length
        ? `${xml.source.hosts.length ? `${xml.source.hosts.join(',')}:` : ''}${xml.source.devices.join(',')}`
        : undefined
  const vols: StorageVolume[] | undefined = volumes?.map((v) => ({
    name: v.name,
    ...(v.path ? { path: v.path } : {}),
    ...(v.type ? { type: v.type } : {}),
    capacityBytes: v.capacityBytes,
    allocationBytes: v.allocationBytes,
  }))
  return {
    hostId: opts.hostId,
    id: xml.uuid,
    name: xml.name,
    type: xml.type,
    active: row ? row.state === 'running' : volumes !== undefined,
    ...(row ? { autostart: row.autostart } : {}),
    sharing,
    sharingReason: reason,
    sharingReasonRef: reasonRef,
    capacityBytes: fresh ? mount.totalBytes! : xml.capacityBytes,
    allocationBytes: fresh ? mount.usedBytes! : xml.allocationBytes,
    availableBytes: fresh ? mount.availableBytes! : xml.availableBytes,
    figuresFrom: fresh ? 'filesystem' : 'pool',
    ...(xml.targetPath ? { targetPath: xml.targetPath } : {}),
    ...(source ? { source } : {}),
    ...(filesystem ? { filesystem } : {}),
    devices: [...devices],
    ...(io ? { io } : {}),
    ...(vols ? { volumes: vols } : {}),
  }
}

/** The pool (and volume) holding a disk: `pool/volume` disks by name, others by volume path or the pool's folder. */
function poolAndVolume(poolVolume: string | undefined, source: string | undefined, pools: readonly StoragePool[]): { poolId?: string; volume?: string } {
  if (poolVolume !== undefined) {
    const slash = poolVolume.indexOf('/')
    const pool = pools.find((p) => p.name === poolVolume.slice(0, slash))
    return pool ? { poolId: pool.id, volume: poolVolume.slice(slash + 1) } : {}
  }
  if (source === undefined) return {}
  for (const p of pools) {
    const v = p.volumes?.find((x) => x.path === source || (p.type === 'rbd' && source.endsWith(`:${x.path ?? x.name}`)))
    if (v) return { poolId: p.id, volume: v.name }
  }
  const folder = pools.find((p) => p.targetPath !== undefined && FILE_POOLS.has(p.type) && withoutTrailingSlash(p.targetPath) === dirname(source))
  return folder ? { poolId: folder.id, volume: source.slice(source.lastIndexOf('/') + 1) } : {}
}
