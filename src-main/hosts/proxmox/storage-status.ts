import { z } from 'zod'
import { msg, said } from '../../../shared/i18n'
import type { HostMount, HostStorage, StoragePool, StorageVolume, VmDiskStorage } from '../../../shared/model'
import { mountFor } from '../linux/parse/mounts'
import { failed, parsed, type Parsed, type ParseProblem } from '../linux/parse/result'
import type { ProxmoxQemuConfig } from './parse'
import { effectiveDisk, storageIdOf, type ProxmoxStorage } from './storage'

/**
 * Proxmox VE storage as `pvesh get /nodes/localhost/storage --output-format json` and
 * `.../storage/<id>/content --content images` print it, joined with storage.cfg and the guests'
 * disks into the same HostStorage a libvirt host gives.
 */

const num = z.union([z.number(), z.string().regex(/^\d+(\.\d+)?$/).transform(Number)])
const flag = z.union([z.number(), z.string(), z.boolean()]).transform((v) => v === 1 || v === '1' || v === true)

const NodeStorageSchema = z.object({
  storage: z.string().min(1),
  type: z.string().min(1),
  content: z.string().optional(),
  active: flag.optional(),
  enabled: flag.optional(),
  shared: flag.optional(),
  total: num.optional(),
  used: num.optional(),
  avail: num.optional(),
})

const ContentSchema = z.object({
  volid: z.string().min(1),
  format: z.string().optional(),
  size: num.optional(),
  used: num.optional(),
  vmid: num.optional(),
})

export type ProxmoxNodeStorage = z.infer<typeof NodeStorageSchema>
export type ProxmoxContent = z.infer<typeof ContentSchema>

function jsonArray(text: string, section: string): Parsed<unknown[]> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    return failed(section, msg('hostOutput.notJson', { error: (e as Error).message }))
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'data' in value) value = (value as { data: unknown }).data
  return Array.isArray(value) ? parsed(value) : failed(section, msg('hostOutput.jsonArray'))
}

/** Rows that do not fit are left out with a warning naming them. */
function rowsOf<T>(text: string, section: string, schema: z.ZodType<T>): Parsed<T[]> {
  const arr = jsonArray(text, section)
  if (!arr.ok) return arr
  const out: T[] = []
  const warnings: ParseProblem[] = []
  arr.value.forEach((row, i) => {
    const r = schema.safeParse(row)
    if (r.success) out.push(r.data)
    else warnings.push({ section, field: `[${i}]`, message: r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ') })
  })
  return parsed(out, warnings)
}

/** `pvesh get /nodes/<node>/storage`: each storage this node can use, with its size and use. */
export function parseNodeStorage(text: string, section = 'node-storage'): Parsed<ProxmoxNodeStorage[]> {
  return rowsOf(text, section, NodeStorageSchema)
}

/** `pvesh get /nodes/<node>/storage/<id>/content --content images`: the guest volumes on one storage. */
export function parseStorageContent(text: string, section = 'storage-content'): Parsed<ProxmoxContent[]> {
  return rowsOf(text, section, ContentSchema)
}

/** Proxmox's storage types that are file systems on the node (their folder has a df line). */
const FILE_TYPES = new Set(['dir', 'nfs', 'cifs', 'glusterfs', 'cephfs', 'btrfs'])

export interface ProxmoxStorageInput {
  hostId: string
  t: number
  bootId?: string
  node: ProxmoxNodeStorage[]
  contents: ReadonlyMap<string, ProxmoxContent[]>
  cfg: ReadonlyMap<string, ProxmoxStorage>
  mounts: readonly HostMount[]
  guests: readonly { vmId: string; config: ProxmoxQemuConfig }[]
  qemuVersion?: string
}

/** One node's storage: Proxmox's own sizes and shared flag, volumes by content listing, disks by config. */
export function proxmoxStorage(input: ProxmoxStorageInput): HostStorage {
  const pools: StoragePool[] = input.node.map((s) => {
    const cfg = input.cfg.get(s.storage)
    const path = cfg?.path
    const mount = path && FILE_TYPES.has(s.type) ? mountFor(path, input.mounts) : undefined
    const shared = s.shared ?? cfg?.shared ?? false
    const volumes: StorageVolume[] | undefined = input.contents.get(s.storage)?.map((c) => ({
      name: c.volid.slice(c.volid.indexOf(':') + 1),
      path: c.volid,
      capacityBytes: c.size ?? 0,
      // Proxmox reports `used` where the storage knows it (thin LVM, ZFS, files); otherwise the full size is what it holds.
      allocationBytes: c.used ?? c.size ?? 0,
      ...(c.format ? { format: c.format } : {}),
    }))
    const total = s.total ?? 0
    const used = s.used ?? 0
    return {
      hostId: input.hostId,
      id: s.storage,
      name: s.storage,
      type: s.type,
      active: s.active ?? false,
      sharing: shared ? 'shared' : 'local',
      ...said({ sharingReason: msg(shared ? 'storage.poolSharing.proxmoxShared' : 'storage.poolSharing.proxmoxLocal', { storage: s.storage, type: s.type }) }),
      capacityBytes: total,
      allocationBytes: used,
      availableBytes: s.avail ?? Math.max(0, total - used),
      figuresFrom: 'pool',
      ...(path ? { targetPath: path } : {}),
      ...(cfg?.source ? { source: cfg.source } : {}),
      ...(mount ? { filesystem: { type: mount.fsType, source: mount.source, mountPoint: mount.mountPoint } } : {}),
      devices: [],
      ...(volumes ? { volumes } : {}),
    }
  })
  const disks: VmDiskStorage[] = input.guests.flatMap(({ vmId, config }) =>
    config.disks.map((d) => {
      const e = effectiveDisk(d, input.cfg, input.qemuVersion)
      const id = storageIdOf(d.volume)
      const content = id ? input.contents.get(id)?.find((c) => c.volid === d.volume) : undefined
      const cdrom = d.media === 'cdrom'
      return {
        vmId,
        target: d.slot,
        device: cdrom ? 'cdrom' : 'disk',
        bus: d.bus,
        sourceType: e.sourceType,
        source: d.volume,
        ...(e.format ? { format: e.format } : {}),
        ...(e.cache ? { cache: e.cache } : {}),
        ...(e.io ? { io: e.io } : {}),
        readonly: cdrom || d.readonly === true,
        shareable: false,
        ...(id && pools.some((p) => p.id === id) ? { poolId: id, volume: d.volume.slice(d.volume.indexOf(':') + 1) } : {}),
        ...((content?.size ?? d.sizeBytes) !== undefined ? { capacityBytes: content?.size ?? d.sizeBytes } : {}),
        ...(content?.used !== undefined ? { allocationBytes: content.used } : {}),
      }
    }),
  )
  const used = new Set<HostMount>()
  for (const p of pools) if (p.targetPath && FILE_TYPES.has(p.type)) {
    const m = mountFor(p.targetPath, input.mounts)
    if (m) used.add(m)
  }
  return { hostId: input.hostId, t: input.t, ...(input.bootId ? { bootId: input.bootId } : {}), pools, mounts: input.mounts.map((m) => (used.has(m) ? { ...m, holdsVmStorage: true } : m)), disks }
}
