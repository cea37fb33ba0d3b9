import { msg } from '../../../../shared/i18n'
import { failed, linesOf, parsed, toCounter, type Parsed, type ParseProblem } from '../../linux/parse/result'
import { child, children, parseXml, textAt } from './xml'

/**
 * libvirt storage as virsh prints it: `pool-list --all --details`, `pool-dumpxml`, `vol-list
 * --details` and `domblkinfo --all`. The tables are read from the right: their last columns
 * never hold spaces, so names and paths with spaces stay whole. Linear: no regex backtracks.
 */

/** Whitespace-separated words of a line, in order. */
function words(line: string): string[] {
  return line.split(' ').filter((w) => w !== '')
}

/** The line's text before its last `n` words (a name that may contain spaces), trimmed. */
function headBefore(line: string, n: number): string {
  let end = line.length
  for (let k = 0; k < n; k++) {
    while (end > 0 && line[end - 1] === ' ') end--
    const space = line.lastIndexOf(' ', end - 1)
    end = space < 0 ? 0 : space
  }
  return line.slice(0, end).trim()
}

/** Data lines of a virsh table: after the dashed rule under the header, or every line when virsh ran quiet (-q: no header). */
function tableRows(text: string): { line: string; index: number }[] {
  const lines = linesOf(text)
  const rule = lines.findIndex((l) => l.trim() !== '' && l.trim().split('').every((c) => c === '-'))
  return lines.slice(rule + 1).flatMap((line, i) => (line.trim() === '' ? [] : [{ line, index: rule + 1 + i }]))
}

const UNITS: Record<string, number> = { B: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40, PiB: 2 ** 50, EiB: 2 ** 60 }

/** virsh's human sizes (`20.00 GiB`, `196.00 KiB`, `0.00 B`) in bytes; precision is the two decimals printed. */
export function parseHumanBytes(value: string, unit: string): number | undefined {
  const scale = UNITS[unit]
  const n = Number(value)
  if (scale === undefined || value === '' || !Number.isFinite(n) || n < 0 || !/^\d/.test(value)) return undefined
  return Math.round(n * scale)
}

export interface PoolListRow {
  name: string
  /** running, inactive, building, degraded, inaccessible. */
  state: string
  autostart: boolean
  persistent: boolean
}

/** `virsh pool-list --all --details`: state, autostart and persistence per pool name (sizes come from the XML). */
export function parsePoolList(text: string, section = 'pool-list', firstLine = 1): Parsed<Map<string, PoolListRow>> {
  const rows = tableRows(text)
  const out = new Map<string, PoolListRow>()
  const warnings: ParseProblem[] = []
  for (const { line, index } of rows) {
    const w = words(line)
    // Sizes are `- - -` for an inactive pool, three `number unit` pairs otherwise.
    const sizeWords = w.at(-1) === '-' ? 3 : 6
    const fixed = w.slice(-(sizeWords + 3))
    const name = headBefore(line, sizeWords + 3)
    if (fixed.length < sizeWords + 3 || name === '') {
      warnings.push({ section, line: firstLine + index, message: `unexpected pool-list row ${JSON.stringify(line.slice(0, 80))}` })
      continue
    }
    out.set(name, { name, state: fixed[0]!, autostart: fixed[1] === 'yes', persistent: fixed[2] === 'yes' })
  }
  return parsed(out, warnings)
}

export interface PoolXml {
  name: string
  uuid: string
  type: string
  capacityBytes: number
  allocationBytes: number
  availableBytes: number
  targetPath?: string
  source: {
    hosts: string[]
    dir?: string
    devices: string[]
    /** Volume group, Ceph pool, ZFS pool, Gluster volume. */
    name?: string
    /** nfs, cifs, glusterfs, lvm2, ext4, ... */
    format?: string
    /** iSCSI target IQN (device path of an iscsi pool). */
    adapter?: string
  }
}

const SIZE_UNITS: Record<string, number> = {
  b: 1, bytes: 1, k: 2 ** 10, kib: 2 ** 10, kb: 1000, m: 2 ** 20, mib: 2 ** 20, mb: 1e6, g: 2 ** 30, gib: 2 ** 30, gb: 1e9,
  t: 2 ** 40, tib: 2 ** 40, tb: 1e12, p: 2 ** 50, pib: 2 ** 50, pb: 1e15,
}

/** `<capacity unit='bytes'>N</capacity>`; libvirt prints bytes, other units are accepted as its XML allows. */
function sizeOf(text: string | undefined, unit: string | undefined): number | undefined {
  const n = toCounter(text?.trim())
  const scale = SIZE_UNITS[(unit ?? 'bytes').toLowerCase()]
  return n === undefined || scale === undefined ? undefined : n * scale
}

/** `virsh pool-dumpxml`: type, sizes, target folder and source of one pool. */
export function parsePoolXml(xml: string, section = 'pool-dumpxml'): Parsed<PoolXml> {
  const doc = parseXml(xml, section)
  if (!doc.ok) return doc
  const p = doc.value
  if (p.name !== 'pool') return failed(section, msg('hostOutput.rootIs', { name: p.name, expected: 'pool' }), { line: p.line })
  const name = textAt(p, 'name')
  const uuid = textAt(p, 'uuid')
  const type = p.attrs.type
  if (!name || !uuid || !type) return failed(section, msg('hostOutput.pool.incomplete'), { line: p.line })
  const size = (tag: string) => {
    const el = child(p, tag)
    return el ? sizeOf(el.text, el.attrs.unit) : 0
  }
  const capacityBytes = size('capacity')
  const allocationBytes = size('allocation')
  const availableBytes = size('available')
  if (capacityBytes === undefined || allocationBytes === undefined || availableBytes === undefined) {
    return failed(section, msg('hostOutput.pool.notSize', { name: JSON.stringify(name) }), { field: name })
  }
  const src = child(p, 'source')
  const hosts = children(src, 'host').flatMap((h) => (h.attrs.name ? [h.attrs.port ? `${h.attrs.name}:${h.attrs.port}` : h.attrs.name] : []))
  return parsed({
    name,
    uuid: uuid.toLowerCase(),
    type,
    capacityBytes,
    allocationBytes,
    availableBytes,
    targetPath: textAt(p, 'target', 'path') || undefined,
    source: {
      hosts,
      dir: child(src, 'dir')?.attrs.path,
      devices: children(src, 'device').flatMap((d) => (d.attrs.path ? [d.attrs.path] : [])),
      name: textAt(src, 'name') || undefined,
      format: child(src, 'format')?.attrs.type,
      adapter: child(src, 'initiator', 'iqn')?.attrs.name,
    },
  })
}

export interface VolListRow {
  name: string
  path?: string
  type?: string
  capacityBytes: number
  allocationBytes: number
}

/**
 * `virsh vol-list --details`: Name, Path, Type, Capacity, Allocation. Sizes are virsh's rounded
 * human units (two decimals); the path starts where the header's Path column starts.
 */
export function parseVolList(text: string, section = 'vol-list', firstLine = 1): Parsed<VolListRow[]> {
  const lines = linesOf(text)
  const header = lines.find((l) => l.trimStart().startsWith('Name') && l.includes(' Path'))
  const rows = tableRows(text)
  // With a header the path starts under its Path column; quiet output (no header) separates columns by three spaces.
  const pathAt = header === undefined ? -1 : header.indexOf(' Path') + 1
  const out: VolListRow[] = []
  const warnings: ParseProblem[] = []
  for (const { line, index } of rows) {
    const w = words(line)
    const [type, capN, capU, allocN, allocU] = w.slice(-5)
    const capacityBytes = parseHumanBytes(capN ?? '', capU ?? '')
    const allocationBytes = parseHumanBytes(allocN ?? '', allocU ?? '')
    const rest = headBefore(line, 5)
    if (w.length < 6 || capacityBytes === undefined || allocationBytes === undefined || rest === '') {
      warnings.push({ section, line: firstLine + index, message: `unexpected vol-list row ${JSON.stringify(line.slice(0, 100))}` })
      continue
    }
    const lead = line.slice(0, line.indexOf(rest)) + rest
    const gap = rest.indexOf('   ')
    const [name, path] = pathAt > 0 && lead.length > pathAt
      ? [lead.slice(0, pathAt).trim(), lead.slice(pathAt).trim()]
      : gap > 0
        ? [rest.slice(0, gap).trim(), rest.slice(gap).trim()]
        : [rest, undefined]
    out.push({ name: name || rest, ...(path ? { path } : {}), type, capacityBytes, allocationBytes })
  }
  return parsed(out, warnings)
}

export interface BlockInfo {
  target: string
  capacityBytes?: number
  allocationBytes?: number
  physicalBytes?: number
}

/** `virsh domblkinfo --all`: Target, Capacity, Allocation, Physical in bytes; `-` for an empty drive. */
export function parseDomblkinfo(text: string, section = 'domblkinfo', firstLine = 1): Parsed<BlockInfo[]> {
  const rows = tableRows(text)
  const out: BlockInfo[] = []
  const warnings: ParseProblem[] = []
  for (const { line, index } of rows) {
    const w = words(line)
    const num = (s: string | undefined) => (s === '-' ? undefined : toCounter(s))
    if (w[0] === 'Target') continue
    if (w.length !== 4 || w.slice(1).some((s) => s !== '-' && toCounter(s) === undefined)) {
      warnings.push({ section, line: firstLine + index, message: `unexpected domblkinfo row ${JSON.stringify(line.slice(0, 80))}` })
      continue
    }
    out.push({ target: w[0]!, capacityBytes: num(w[1]), allocationBytes: num(w[2]), physicalBytes: num(w[3]) })
  }
  return parsed(out, warnings)
}
