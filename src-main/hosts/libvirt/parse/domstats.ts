import type { VmState } from '../../../../shared/model'
import { msg } from '../../../../shared/i18n'
import { nameFromHost } from '../../../../shared/text/control'
import { failed, linesOf, parsed, toCounter, type Parsed, type ParseProblem } from '../../linux/parse/result'

const SECTION = 'domstats'

/** libvirt's virDomainState numbers (state.state) collapsed to what an admin acts on. */
export function vmStateFromLibvirt(code: number | undefined): VmState {
  switch (code) {
    case 1: // running
    case 2: // blocked on a resource: still a running guest, just idle
    case 4: // being shut down: still running until it is off
      return 'running'
    case 3:
      return 'paused'
    case 5:
      return 'shutoff'
    case 6:
      return 'crashed'
    case 7:
      return 'suspended'
    default:
      return 'other'
  }
}

export interface VcpuStats {
  index: number
  state?: number
  /** Guest CPU time of this vCPU thread, ns, cumulative. */
  timeNs?: number
  /** Time the vCPU waited for I/O or similar (vcpu.N.wait), ns. */
  waitNs?: number
  /** Time the vCPU thread was runnable but not running (vcpu.N.delay, libvirt >= 7.x), ns. */
  delayNs?: number
}

export interface NetStats {
  index: number
  name?: string
  rxBytes: number
  rxPkts: number
  rxErrs: number
  rxDrop: number
  txBytes: number
  txPkts: number
  txErrs: number
  txDrop: number
}

export interface BlockStats {
  index: number
  name?: string
  path?: string
  rdReqs: number
  rdBytes: number
  rdTimesNs: number
  wrReqs: number
  wrBytes: number
  wrTimesNs: number
  flReqs: number
  allocation?: number
  capacity?: number
  physical?: number
}

/** The balloon group; memory figures in KiB as libvirt reports them. */
export interface BalloonStats {
  currentKiB?: number
  maximumKiB?: number
  swapInKiB?: number
  swapOutKiB?: number
  majorFault?: number
  minorFault?: number
  unusedKiB?: number
  availableKiB?: number
  usableKiB?: number
  rssKiB?: number
  diskCachesKiB?: number
  /** Epoch seconds of the guest's last balloon stats report. */
  lastUpdate?: number
}

/** One `Domain: '...'` block of `virsh domstats --raw`. */
export interface DomainStats {
  name: string
  /** state.state as libvirt numbers it (1 running, 3 paused, 5 shut off, ...). */
  stateCode?: number
  state: VmState
  stateReason?: number
  cpuTimeNs?: number
  cpuUserNs?: number
  cpuSystemNs?: number
  balloon: BalloonStats
  vcpuCurrent?: number
  vcpuMaximum?: number
  vcpus: VcpuStats[]
  net: NetStats[]
  block: BlockStats[]
  /** Every key=value as printed, for fields this parser does not name. */
  fields: ReadonlyMap<string, string>
}

const HEADER_PREFIX = "Domain: '"

/** Fields whose value is text (everything else libvirt prints here is a number). */
function isTextField(key: string): boolean {
  return /^(net\.\d+\.name|block\.\d+\.(name|path)|dirtyrate\..*|iothread\..*name)$/.test(key) || key.startsWith('cpu.cache.')
}

const BALLOON_KEYS: Record<string, keyof BalloonStats> = {
  'balloon.current': 'currentKiB',
  'balloon.maximum': 'maximumKiB',
  'balloon.swap_in': 'swapInKiB',
  'balloon.swap_out': 'swapOutKiB',
  'balloon.major_fault': 'majorFault',
  'balloon.minor_fault': 'minorFault',
  'balloon.unused': 'unusedKiB',
  'balloon.available': 'availableKiB',
  'balloon.usable': 'usableKiB',
  'balloon.rss': 'rssKiB',
  'balloon.disk_caches': 'diskCachesKiB',
  'balloon.last-update': 'lastUpdate',
}

/** Lookup that ignores Object.prototype, since keys come from host output (`constructor=1`). */
function own<V>(table: Record<string, V>, key: string): V | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined
}

function isUsedCounter(key: string): boolean {
  if (/^(state\.(state|reason)|cpu\.(time|user|system)|vcpu\.(current|maximum))$/.test(key)) return true
  if (own(BALLOON_KEYS, key)) return true
  const m = /^(vcpu|net|block)\.\d+\.(.+)$/.exec(key)
  if (!m) return false
  if (m[1] === 'vcpu') return /^(state|time|wait|delay)$/.test(m[2]!)
  return own(m[1] === 'net' ? NET_KEYS : BLOCK_KEYS, m[2]!) !== undefined
}

function emptyNet(index: number): NetStats {
  return { index, rxBytes: 0, rxPkts: 0, rxErrs: 0, rxDrop: 0, txBytes: 0, txPkts: 0, txErrs: 0, txDrop: 0 }
}

function emptyBlock(index: number): BlockStats {
  return { index, rdReqs: 0, rdBytes: 0, rdTimesNs: 0, wrReqs: 0, wrBytes: 0, wrTimesNs: 0, flReqs: 0 }
}

const NET_KEYS: Record<string, keyof NetStats> = {
  'rx.bytes': 'rxBytes',
  'rx.pkts': 'rxPkts',
  'rx.errs': 'rxErrs',
  'rx.drop': 'rxDrop',
  'tx.bytes': 'txBytes',
  'tx.pkts': 'txPkts',
  'tx.errs': 'txErrs',
  'tx.drop': 'txDrop',
}

const BLOCK_KEYS: Record<string, keyof BlockStats> = {
  'rd.reqs': 'rdReqs',
  'rd.bytes': 'rdBytes',
  'rd.times': 'rdTimesNs',
  'wr.reqs': 'wrReqs',
  'wr.bytes': 'wrBytes',
  'wr.times': 'wrTimesNs',
  'fl.reqs': 'flReqs',
  allocation: 'allocation',
  capacity: 'capacity',
  physical: 'physical',
}

function entry<T extends { index: number }>(list: T[], index: number, make: (i: number) => T): T {
  let e = list.find((x) => x.index === index)
  if (!e) {
    e = make(index)
    list.push(e)
  }
  return e
}

/** Builds the typed view of one domain from its key=value fields. */
function buildDomain(name: string, fields: Map<string, string>, numbers: Map<string, number>): DomainStats {
  const d: DomainStats = {
    name,
    state: 'other',
    balloon: {},
    vcpus: [],
    net: [],
    block: [],
    fields,
  }
  for (const [key, n] of numbers) {
    if (key === 'state.state') d.stateCode = n
    else if (key === 'state.reason') d.stateReason = n
    else if (key === 'cpu.time') d.cpuTimeNs = n
    else if (key === 'cpu.user') d.cpuUserNs = n
    else if (key === 'cpu.system') d.cpuSystemNs = n
    else if (key === 'vcpu.current') d.vcpuCurrent = n
    else if (key === 'vcpu.maximum') d.vcpuMaximum = n
    else if (own(BALLOON_KEYS, key)) d.balloon[own(BALLOON_KEYS, key)!] = n
    else {
      const m = /^(vcpu|net|block)\.(\d+)\.(.+)$/.exec(key)
      if (!m) continue
      const index = Number(m[2])
      const rest = m[3]!
      if (m[1] === 'vcpu') {
        const v = entry<VcpuStats>(d.vcpus, index, (i) => ({ index: i }))
        if (rest === 'state') v.state = n
        else if (rest === 'time') v.timeNs = n
        else if (rest === 'wait') v.waitNs = n
        else if (rest === 'delay') v.delayNs = n
      } else if (m[1] === 'net') {
        const k = own(NET_KEYS, rest)
        if (k && k !== 'index' && k !== 'name') entry(d.net, index, emptyNet)[k] = n
      } else {
        const k = own(BLOCK_KEYS, rest)
        if (k && k !== 'index' && k !== 'name' && k !== 'path') entry(d.block, index, emptyBlock)[k] = n
      }
    }
  }
  for (const [key, value] of fields) {
    const m = /^(net|block)\.(\d+)\.(name|path)$/.exec(key)
    if (!m) continue
    const index = Number(m[2])
    if (m[1] === 'net') entry(d.net, index, emptyNet).name = value
    else if (m[3] === 'name') entry(d.block, index, emptyBlock).name = value
    else entry(d.block, index, emptyBlock).path = value
  }
  d.state = vmStateFromLibvirt(d.stateCode)
  const byIndex = (a: { index: number }, b: { index: number }) => a.index - b.index
  d.vcpus.sort(byIndex)
  d.net.sort(byIndex)
  d.block.sort(byIndex)
  return d
}

/**
 * Parses `virsh domstats --raw` (any groups, any number of domains, shut-off domains with only
 * state/balloon.maximum/vcpu/block). A domain name is everything between `Domain: '` and the
 * line's last `'`, so names with quotes, spaces, `;`, `$()` or non-ASCII survive; libvirt
 * forbids newlines in names, which is what makes the format unambiguous.
 */
export function parseDomstats(text: string, firstLine = 1): Parsed<DomainStats[]> {
  const lines = linesOf(text)
  const domains: DomainStats[] = []
  const warnings: ParseProblem[] = []
  let name: string | undefined
  let fields = new Map<string, string>()
  let numbers = new Map<string, number>()
  const seen = new Set<string>()
  const flush = () => {
    if (name !== undefined) domains.push(buildDomain(name, fields, numbers))
  }
  for (let i = 0; i < lines.length; i++) {
    const lineText = lines[i]!
    const line = firstLine + i
    if (lineText.trim() === '') continue
    if (lineText.startsWith(HEADER_PREFIX)) {
      if (!lineText.endsWith("'") || lineText.length < HEADER_PREFIX.length + 2) {
        return failed(SECTION, msg('hostOutput.domstats.unclosedHeader', { output: JSON.stringify(lineText.slice(0, 80)) }), { line })
      }
      flush()
      // Escaped as discovery escapes it, so both name the domain the same way.
      name = nameFromHost(lineText.slice(HEADER_PREFIX.length, -1)).name
      if (seen.has(name)) return failed(SECTION, msg('hostOutput.domstats.twice', { name: JSON.stringify(name) }), { line })
      seen.add(name)
      fields = new Map()
      numbers = new Map()
      continue
    }
    const m = /^\s+([A-Za-z0-9_.-]+)=([^]*)$/s.exec(lineText)
    if (!m) return failed(SECTION, msg('hostOutput.domstats.expectedEither', { format: "Domain: '<name>'", other: '  key=value', output: JSON.stringify(lineText.slice(0, 80)) }), { line })
    if (name === undefined) return failed(SECTION, msg('hostOutput.domstats.fieldBeforeHeader', { header: 'Domain:' }), { line, field: m[1] })
    const key = m[1]!
    const value = m[2]!
    fields.set(key, value)
    if (isTextField(key)) continue
    const n = toCounter(value)
    if (n === undefined) {
      const problem = { line, field: key }
      // The counters VirtPilot computes with must be counters; other groups may grow text fields.
      if (isUsedCounter(key)) return failed(SECTION, msg('hostOutput.notCounter', { value: JSON.stringify(value.slice(0, 40)) }), problem)
      warnings.push({ section: SECTION, ...problem, message: `not a counter: ${JSON.stringify(value.slice(0, 40))}` })
      continue
    }
    numbers.set(key, n)
  }
  flush()
  return parsed(domains, warnings)
}
