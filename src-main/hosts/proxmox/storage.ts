import { versionAtLeast } from '../../../shared/engine/tuning/rule'
import { linesOf, type ParseProblem } from '../linux/parse/result'
import type { ProxmoxDisk } from './parse'

/**
 * /etc/pve/storage.cfg and what a disk's storage means for its effective settings. Proxmox fills
 * in cache and aio itself when a disk leaves them unset, so the tuning rules must see those
 * values, not QEMU's defaults (see qemu-server's print_drive_commandline_full).
 */
export interface ProxmoxStorage {
  id: string
  /** dir, lvm, lvmthin, zfspool, rbd, nfs, cifs, btrfs, iscsi, iscsidirect, zfs, cephfs, ... */
  type: string
  /** rbd through the kernel driver (a /dev/rbd block device) instead of librbd. */
  krbd: boolean
  /** btrfs `nocow`: O_DIRECT is safe, so Proxmox defaults to cache=none there too. */
  nocow: boolean
}

/** `type: id` lines, each followed by indented `key value` options. */
export function parseStorageCfg(text: string, section = 'storage.cfg', firstLine = 1): { storages: Map<string, ProxmoxStorage>; problems: ParseProblem[] } {
  const storages = new Map<string, ProxmoxStorage>()
  const problems: ParseProblem[] = []
  let current: ProxmoxStorage | undefined
  const lines = linesOf(text)
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!
    if (l.trim() === '' || l.trim().startsWith('#')) continue
    const head = /^([a-z][a-z0-9]*):\s*(\S+)\s*$/.exec(l)
    if (head) {
      current = { id: head[2]!, type: head[1]!, krbd: false, nocow: false }
      storages.set(current.id, current)
      continue
    }
    // Indented `key [value]`: the value is the trimmed rest (no lazy group before `\s*$`, which backtracks).
    const opt = /^\s+(\S+)/.exec(l)
    if (opt && current) {
      const value = l.slice(opt[0].length).trim()
      if (opt[1] === 'krbd') current.krbd = value === '' || value === '1'
      if (opt[1] === 'nocow') current.nocow = value === '' || value === '1'
      continue
    }
    problems.push({ section, line: firstLine + i, message: `unexpected line ${JSON.stringify(l.slice(0, 60))}` })
  }
  return { storages, problems }
}

const FILE_STORAGES = new Set(['dir', 'nfs', 'cifs', 'glusterfs', 'cephfs', 'btrfs'])
const BLOCK_STORAGES = new Set(['lvm', 'lvmthin', 'zfspool', 'iscsi'])
/** Reached by QEMU itself over the network (librbd, libiscsi), not through a host device. */
const NETWORK_STORAGES = new Set(['iscsidirect', 'zfs'])

export interface EffectiveDisk {
  storage?: ProxmoxStorage
  /** file, block, network, or volume when the storage type is unknown. */
  sourceType: string
  format?: string
  /** undefined: QEMU's default (writeback), which Proxmox leaves on CD-ROMs and copy-on-write btrfs. */
  cache?: string
  /** undefined when it cannot be known (QEMU version unknown and no aio set). */
  io?: string
}

/** The storage id of a volume such as `local-lvm:vm-100-disk-0`; undefined for paths and `none`. */
export function storageIdOf(volume: string): string | undefined {
  return /^([a-z][a-z0-9\-_.]*[a-z0-9]):/i.exec(volume)?.[1]
}

/**
 * A disk as QEMU runs it on Proxmox: cache=none unless set (or a CD-ROM, or btrfs without
 * nocow), aio=io_uring on QEMU >= 6.0 unless the storage is LVM, CIFS, or krbd without O_DIRECT
 * (then native with O_DIRECT, else threads).
 */
export function effectiveDisk(disk: ProxmoxDisk, storages: ReadonlyMap<string, ProxmoxStorage>, qemuVersion: string | undefined): EffectiveDisk {
  const id = storageIdOf(disk.volume)
  const storage = id === undefined ? undefined : storages.get(id)
  const cdrom = disk.media === 'cdrom'
  const sourceType = disk.volume.startsWith('/dev/')
    ? 'block'
    : disk.volume.startsWith('/') || disk.volume === 'none' || cdrom
      ? 'file'
      : storage === undefined
        ? 'volume'
        : FILE_STORAGES.has(storage.type)
          ? 'file'
          : BLOCK_STORAGES.has(storage.type) || (storage.type === 'rbd' && storage.krbd)
            ? 'block'
            : storage.type === 'rbd' || NETWORK_STORAGES.has(storage.type)
              ? 'network'
              : 'volume'
  const ext = /\.(qcow2|raw|vmdk)$/.exec(disk.volume)?.[1]
  const format = disk.format ?? ext ?? (sourceType === 'block' || sourceType === 'network' ? 'raw' : undefined)

  const cacheDirect = disk.cache !== undefined ? /^(off|none|directsync)$/.test(disk.cache) : !cdrom && !(storage?.type === 'btrfs' && !storage.nocow)
  const cache = disk.cache ?? (cacheDirect ? 'none' : undefined)
  let io = disk.aio
  if (io === undefined && qemuVersion !== undefined) {
    const uringAllowed = !(storage?.type === 'rbd' && storage.krbd && !cacheDirect) && storage?.type !== 'lvm' && storage?.type !== 'cifs'
    io = versionAtLeast(qemuVersion, '6.0') && uringAllowed ? 'io_uring' : cacheDirect ? 'native' : 'threads'
  }
  return { ...(storage ? { storage } : {}), sourceType, format, cache, io }
}
