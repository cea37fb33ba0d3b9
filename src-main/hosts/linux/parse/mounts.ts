import type { HostMount } from '../../../../shared/model/storage'
import { msg } from '../../../../shared/i18n'
import { failed, linesOf, parsed, toCounter, type Parsed, type ParseProblem } from './result'

/** One line of /proc/self/mountinfo (proc(5)): what is mounted where, from which device and folder. */
export interface MountInfo {
  mountPoint: string
  /** major:minor of the filesystem's device. */
  device: string
  /** Folder of that filesystem mounted here ("/" unless a bind mount). */
  root: string
  fsType: string
  source: string
}

/** Filesystems that never hold VM disks or pools. */
const PSEUDO = new Set([
  'proc', 'sysfs', 'devpts', 'cgroup', 'cgroup2', 'securityfs', 'debugfs', 'tracefs', 'pstore', 'bpf', 'mqueue',
  'hugetlbfs', 'configfs', 'fusectl', 'binfmt_misc', 'autofs', 'rpc_pipefs', 'nsfs', 'efivarfs', 'ramfs', 'selinuxfs',
])

/** mountinfo and fstab escape space, tab, newline and backslash as \040, \011, \012, \134. */
export function unescapeMountField(field: string): string {
  if (!field.includes('\\')) return field
  let out = ''
  for (let i = 0; i < field.length; i++) {
    const c = field[i]!
    const code = field.slice(i + 1, i + 4)
    if (c === '\\' && code.length === 3 && code >= '000' && code <= '377' && [...code].every((d) => d >= '0' && d <= '7')) {
      out += String.fromCharCode(parseInt(code, 8))
      i += 3
    } else out += c
  }
  return out
}

/** /proc/self/mountinfo; pseudo filesystems are left out. */
export function parseMountinfo(text: string, section = 'mountinfo', firstLine = 1): Parsed<MountInfo[]> {
  const mounts: MountInfo[] = []
  const warnings: ParseProblem[] = []
  const lines = linesOf(text)
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!
    if (l.trim() === '') continue
    const f = l.split(' ')
    const dash = f.indexOf('-', 6)
    if (f.length < 10 || dash < 0 || dash + 2 >= f.length || !f[2]!.includes(':')) {
      warnings.push({ section, line: firstLine + i, message: `not a mountinfo line: ${JSON.stringify(l.slice(0, 80))}` })
      continue
    }
    const fsType = f[dash + 1]!
    if (PSEUDO.has(fsType)) continue
    mounts.push({ device: f[2]!, root: unescapeMountField(f[3]!), mountPoint: unescapeMountField(f[4]!), fsType, source: unescapeMountField(f[dash + 2]!) })
  }
  if (mounts.length === 0 && lines.length > 0) return failed(section, msg('hostOutput.mounts.none'))
  return parsed(mounts, warnings)
}

/** One filesystem as `df -P -T -B1` prints it. */
export interface DfRow {
  source: string
  fsType: string
  totalBytes: number
  usedBytes: number
  availableBytes: number
  mountPoint: string
}

/** `df -P -T -B1`: one line per filesystem; the mount point is the rest of the line (it may hold spaces). */
export function parseDf(text: string, section = 'df', firstLine = 1): Parsed<DfRow[]> {
  const rows: DfRow[] = []
  const warnings: ParseProblem[] = []
  const lines = linesOf(text)
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!
    if (l.trim() === '' || l.startsWith('Filesystem')) continue
    const parts: string[] = []
    let at = 0
    // Six whitespace-separated fields, then the mount point verbatim.
    while (parts.length < 6 && at < l.length) {
      while (at < l.length && l[at] === ' ') at++
      const end = l.indexOf(' ', at)
      if (end < 0) break
      parts.push(l.slice(at, end))
      at = end
    }
    while (at < l.length && l[at] === ' ') at++
    const mountPoint = l.slice(at)
    const [total, used, avail] = [toCounter(parts[2]), toCounter(parts[3]), toCounter(parts[4])]
    if (parts.length < 6 || mountPoint === '' || total === undefined || used === undefined || avail === undefined) {
      warnings.push({ section, line: firstLine + i, message: `not a df -P -T -B1 line: ${JSON.stringify(l.slice(0, 80))}` })
      continue
    }
    rows.push({ source: parts[0]!, fsType: parts[1]!, totalBytes: total, usedBytes: used, availableBytes: avail, mountPoint })
  }
  return parsed(rows, warnings)
}

export { isSharedFilesystem, mountFor } from '../../../../shared/model/storage'

/**
 * Mounts with their df figures. df lists a filesystem once (bind mounts of it are left out), so
 * a mount without its own line takes the figures of another mount of the same device.
 */
export function withDfFigures(mounts: readonly MountInfo[], df: readonly DfRow[]): HostMount[] {
  const byMountPoint = new Map(df.map((r) => [r.mountPoint, r]))
  const byDevice = new Map<string, DfRow>()
  for (const m of mounts) {
    const row = byMountPoint.get(m.mountPoint)
    if (row && !byDevice.has(m.device)) byDevice.set(m.device, row)
  }
  return mounts.map((m) => {
    const d = byMountPoint.get(m.mountPoint) ?? byDevice.get(m.device)
    return { ...m, ...(d ? { totalBytes: d.totalBytes, usedBytes: d.usedBytes, availableBytes: d.availableBytes } : {}) }
  })
}
