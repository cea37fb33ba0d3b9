import { msg } from '../../../../shared/i18n'
import { failed, parsed, toCounter, type Parsed, type ParseProblem } from '../../linux/parse/result'
import { child, children, parseXml, textAt, type XmlElement } from './xml'
import { parseCpuList } from '../../linux/parse/cpu-list'

const SECTION = 'capabilities'

export interface CapabilitiesCpu {
  id: number
  socketId?: number
  coreId?: number
  /** Logical CPUs sharing this CPU's core (hyperthread siblings), including itself. */
  siblings: number[]
}

export interface CapabilitiesCell {
  id: number
  memoryKiB: number
  /** Free-pool counts per page size in KiB (the 4 KiB/64 KiB base pages included). */
  pages: { sizeKiB: number; count: number }[]
  cpus: CapabilitiesCpu[]
  /** NUMA distance to each cell id. */
  distances: Map<number, number>
}

/** `virsh capabilities`, the host part that matters for placement. */
export interface HostCapabilities {
  uuid?: string
  arch: string
  /** libvirt's CPU model name (e.g. Skylake-Client-noTSX-IBRS, Neoverse-N1, POWER8). */
  model?: string
  vendor?: string
  /** What libvirt's <topology> says; note libvirt reports sockets per NUMA cell, not per host. */
  topology?: { sockets: number; dies: number; clusters?: number; cores: number; threads: number }
  /** Host-wide figures derived from the cells' CPUs (falling back to <topology> x cells). */
  sockets: number
  coresPerSocket: number
  threadsPerCore: number
  logicalCpus: number
  /** TSC frequency (x86), MHz. */
  tscMHz?: number
  /** Page sizes the host supports, KiB. */
  pageSizesKiB: number[]
  cells: CapabilitiesCell[]
  /** Guest architectures QEMU offers and whether each can use KVM acceleration. */
  guests: { arch: string; osType: string; domainTypes: string[] }[]
  /** True when a guest of the host's own arch can run with type='kvm'. */
  kvmAvailable: boolean
}

function intAttr(el: XmlElement | undefined, name: string): number | undefined {
  return toCounter(el?.attrs[name])
}

/** Memory size with its unit attribute, in KiB. */
export function toKiB(value: number, unit: string | undefined): number | undefined {
  const u = (unit ?? 'KiB').toLowerCase()
  const factor: Record<string, number> = {
    b: 1 / 1024, bytes: 1 / 1024, k: 1, kib: 1, kb: 1000 / 1024, m: 1024, mib: 1024, mb: 1e6 / 1024,
    g: 1024 ** 2, gib: 1024 ** 2, gb: 1e9 / 1024, t: 1024 ** 3, tib: 1024 ** 3, tb: 1e12 / 1024,
  }
  const f = Object.hasOwn(factor, u) ? factor[u] : undefined
  return f === undefined ? undefined : value * f
}

export function parseCapabilities(xml: string): Parsed<HostCapabilities> {
  const doc = parseXml(xml, SECTION)
  if (!doc.ok) return doc
  const root = doc.value
  if (root.name !== 'capabilities') return failed(SECTION, `root element is <${root.name}>, expected <capabilities>`, { line: root.line, ref: msg('access.hostOutput.capabilitiesRoot', { name: root.name }) })
  const host = child(root, 'host')
  const cpu = child(host, 'cpu')
  const arch = textAt(cpu, 'arch')
  if (!host || !cpu || !arch) return failed(SECTION, 'no <host><cpu><arch>', { field: 'host/cpu/arch', ref: msg('access.hostOutput.noCapabilities') })
  const warnings: ParseProblem[] = []

  const topoEl = child(cpu, 'topology')
  let topology: HostCapabilities['topology']
  if (topoEl) {
    const [sockets, dies, cores, threads] = ['sockets', 'dies', 'cores', 'threads'].map((a) => intAttr(topoEl, a))
    if (!sockets || !cores || !threads) return failed(SECTION, msg('hostOutput.capabilities.topology'), { line: topoEl.line, field: 'topology' })
    topology = { sockets, dies: dies ?? 1, cores, threads, clusters: intAttr(topoEl, 'clusters') }
  }

  const cells: CapabilitiesCell[] = []
  for (const cellEl of children(child(host, 'topology', 'cells'), 'cell')) {
    const id = intAttr(cellEl, 'id')
    if (id === undefined) return failed(SECTION, msg('hostOutput.capabilities.cellId'), { line: cellEl.line, field: 'cell/@id' })
    const memEl = child(cellEl, 'memory')
    const memValue = toCounter(memEl?.text.trim())
    const memoryKiB = memValue === undefined ? undefined : toKiB(memValue, memEl?.attrs.unit)
    if (memoryKiB === undefined) {
      // Some hosts (and memory-less cells) print no <memory>; keep the cell for its CPUs.
      warnings.push({ section: SECTION, line: cellEl.line, field: `cell ${id} memory`, message: 'no usable <memory>' })
    }
    const pages = children(cellEl, 'pages').flatMap((p) => {
      const size = toCounter(p.attrs.size)
      const count = toCounter(p.text.trim())
      const sizeKiB = size === undefined ? undefined : toKiB(size, p.attrs.unit)
      return sizeKiB === undefined || count === undefined ? [] : [{ sizeKiB, count }]
    })
    const cpus: CapabilitiesCpu[] = []
    for (const c of children(child(cellEl, 'cpus'), 'cpu')) {
      const cpuId = intAttr(c, 'id')
      if (cpuId === undefined) return failed(SECTION, msg('hostOutput.capabilities.cpuId'), { line: c.line, field: 'cpu/@id' })
      const siblings = c.attrs.siblings === undefined ? [cpuId] : parseCpuList(c.attrs.siblings)
      if (!siblings) return failed(SECTION, msg('hostOutput.capabilities.siblings', { value: JSON.stringify(c.attrs.siblings) }), { line: c.line, field: 'cpu/@siblings' })
      cpus.push({ id: cpuId, socketId: intAttr(c, 'socket_id'), coreId: intAttr(c, 'core_id'), siblings })
    }
    const distances = new Map<number, number>()
    for (const s of children(child(cellEl, 'distances'), 'sibling')) {
      const to = intAttr(s, 'id')
      const value = intAttr(s, 'value')
      if (to !== undefined && value !== undefined) distances.set(to, value)
    }
    cells.push({ id, memoryKiB: memoryKiB ?? 0, pages, cpus, distances })
  }

  const allCpus = cells.flatMap((c) => c.cpus)
  const withSocket = allCpus.filter((c) => c.socketId !== undefined)
  const socketIds = new Set(withSocket.map((c) => c.socketId))
  const threadsPerCore = topology?.threads ?? Math.max(1, ...allCpus.map((c) => c.siblings.length))
  let logicalCpus = allCpus.length
  let sockets = withSocket.length === allCpus.length && socketIds.size > 0 ? socketIds.size : undefined
  if (logicalCpus === 0 && topology) {
    // No <topology><cells>: libvirt's <topology> counts are then for the whole host.
    logicalCpus = topology.sockets * topology.dies * (topology.clusters ?? 1) * topology.cores * topology.threads
  }
  // libvirt's <topology sockets> is per NUMA cell (docs: "sockets per NUMA node").
  sockets ??= (topology?.sockets ?? 1) * Math.max(1, cells.length)
  if (logicalCpus === 0) return failed(SECTION, 'no CPUs in <topology><cells> and no <cpu><topology>', { field: 'host/topology', ref: msg('access.hostOutput.noCpus') })
  const coresPerSocket = Math.max(1, Math.round(logicalCpus / (sockets * threadsPerCore)))
  if (coresPerSocket * sockets * threadsPerCore !== logicalCpus) {
    warnings.push({ section: SECTION, field: 'topology', message: `${logicalCpus} CPUs do not divide into ${sockets} sockets x ${threadsPerCore} threads (offline CPUs?)` })
  }

  const tsc = child(cpu, 'counter')
  const tscHz = tsc?.attrs.name === 'tsc' ? toCounter(tsc.attrs.frequency) : undefined

  const guests = children(root, 'guest').map((g) => {
    const archEl = child(g, 'arch')
    return {
      arch: archEl?.attrs.name ?? '',
      osType: textAt(g, 'os_type') ?? '',
      domainTypes: children(archEl, 'domain').map((d) => d.attrs.type ?? ''),
    }
  })
  const kvmAvailable = guests.some((g) => g.arch === arch && g.domainTypes.includes('kvm'))

  return parsed(
    {
      uuid: textAt(host, 'uuid'),
      arch,
      model: textAt(cpu, 'model'),
      vendor: textAt(cpu, 'vendor'),
      topology,
      sockets,
      coresPerSocket,
      threadsPerCore,
      logicalCpus,
      tscMHz: tscHz ? tscHz / 1e6 : undefined,
      pageSizesKiB: children(cpu, 'pages').flatMap((p) => {
        const s = toCounter(p.attrs.size)
        const k = s === undefined ? undefined : toKiB(s, p.attrs.unit)
        return k === undefined ? [] : [k]
      }),
      cells,
      guests,
      kvmAvailable,
    },
    warnings,
  )
}
