import { msg } from '../../../shared/i18n'
import { failed, linesOf, parsed, type Parsed, type ParseProblem } from '../linux/parse/result'

/**
 * CPU topology and NUMA cells of a host without libvirt: `lscpu -p=CPU,CORE,SOCKET,NODE` (or
 * plain `lscpu -p`, whose first four columns are the same) and the MemTotal line of each
 * /sys/devices/system/node/node<N>/meminfo.
 */
export interface LscpuCpu {
  cpu: number
  core: number
  socket: number
  /** undefined when the kernel has no NUMA (lscpu prints an empty column). */
  node?: number
}

export interface HostTopology {
  sockets: number
  coresPerSocket: number
  threadsPerCore: number
  /** Online logical CPUs (lscpu -p lists only those). */
  logicalCpus: number
  /** CPUs of each NUMA node, by node id; empty without NUMA information. */
  nodes: { id: number; cpus: number[] }[]
}

export function parseLscpuParsable(text: string, section = 'lscpu', firstLine = 1): Parsed<LscpuCpu[]> {
  const out: LscpuCpu[] = []
  const lines = linesOf(text)
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim()
    if (l === '' || l.startsWith('#')) continue
    const [cpu, core, socket, node] = l.split(',')
    const num = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined)
    const c = num(cpu)
    const k = num(core)
    const s = num(socket)
    if (c === undefined || k === undefined || s === undefined || (node !== undefined && node !== '' && num(node) === undefined)) {
      return failed(section, msg('hostOutput.expectedGot', { format: 'cpu,core,socket,node', output: JSON.stringify(l.slice(0, 60)) }), { line: firstLine + i })
    }
    const n = num(node)
    out.push(n === undefined ? { cpu: c, core: k, socket: s } : { cpu: c, core: k, socket: s, node: n })
  }
  if (out.length === 0) return failed(section, msg('hostOutput.proxmox.noCpuLines'))
  return parsed(out)
}

/** Sockets, cores and threads as libvirt's capabilities give them (see capabilities.ts). */
export function topologyOf(cpus: readonly LscpuCpu[], section = 'lscpu'): Parsed<HostTopology> {
  const sockets = new Set(cpus.map((c) => c.socket)).size
  const perCore = new Map<string, number>()
  for (const c of cpus) perCore.set(`${c.socket}:${c.core}`, (perCore.get(`${c.socket}:${c.core}`) ?? 0) + 1)
  const threadsPerCore = Math.max(1, ...perCore.values())
  const logicalCpus = cpus.length
  const coresPerSocket = Math.max(1, Math.round(logicalCpus / (sockets * threadsPerCore)))
  const warnings: ParseProblem[] = []
  if (coresPerSocket * sockets * threadsPerCore !== logicalCpus) {
    warnings.push({ section, field: 'topology', message: `${logicalCpus} CPUs do not divide into ${sockets} sockets x ${threadsPerCore} threads (offline CPUs?)` })
  }
  const byNode = new Map<number, number[]>()
  for (const c of cpus) if (c.node !== undefined) byNode.set(c.node, [...(byNode.get(c.node) ?? []), c.cpu])
  const nodes = [...byNode.entries()].sort((a, b) => a[0] - b[0]).map(([id, list]) => ({ id, cpus: list.sort((a, b) => a - b) }))
  return parsed({ sockets, coresPerSocket, threadsPerCore, logicalCpus, nodes }, warnings)
}

/** `Node 0 MemTotal:  32823516 kB` lines: KiB per NUMA node. */
export function parseNodeMemTotals(text: string, section = 'numa-meminfo', firstLine = 1): Parsed<Map<number, number>> {
  const out = new Map<number, number>()
  const lines = linesOf(text)
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!
    if (l.trim() === '') continue
    const m = /^Node (\d+) MemTotal:\s+(\d+) kB\s*$/.exec(l)
    if (!m) return failed(section, msg('hostOutput.expectedGot', { format: 'Node N MemTotal: X kB', output: JSON.stringify(l.slice(0, 60)) }), { line: firstLine + i })
    out.set(Number(m[1]), Number(m[2]))
  }
  return parsed(out)
}

/** `QEMU emulator version 8.1.5 (pve-qemu-kvm_8.1.5-3)` -> 8.1.5. */
export function parseQemuVersion(text: string): string | undefined {
  return /^QEMU emulator version (\d+(?:\.\d+)*)/m.exec(text)?.[1]
}
