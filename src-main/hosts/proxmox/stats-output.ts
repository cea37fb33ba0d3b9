import type { QemuCpuNs, RawStats, RawVmStats } from '../adapter'
import { parseQemuThreads } from '../linux/parse/qemu-threads'
import { parseNetDev } from '../linux/parse/procfs'
import { linesOf, parsed, unexpectedLine, type Parsed, type ParseProblem } from '../linux/parse/result'
import { bodyOrProblem, splitSections, successfulBody } from '../linux/parse/sections'
import { parseHostStats, type HostExtras } from '../linux/parse/host-stats'
import { nodeNameOf } from './discover-output'
import { parseClusterResources, type ProxmoxClusterVm } from './parse'
import { PVE_STATS_FORMAT } from './stats-script'

/** One `vm` line of the stats script's `qemu` section. */
export interface QemuProcess {
  vmid: number
  pid: number
  /** Cumulative user and system CPU time of the whole QEMU process, in clock ticks. */
  utimeTicks: number
  stimeTicks: number
  /** vCPU threads (`CPU n/KVM`, `CPU n/TCG`) whose schedstat was read, and their sums. */
  vcpuThreads: number
  runtimeNs: number
  runDelayNs: number
  unreadableThreads: number
  /** Its threads' and process's CPU time lines (qemu-threads format), for the thread split; empty from older scripts. */
  taskLines: string[]
}

export interface QemuProcessReport {
  procs: QemuProcess[]
  /** Guests left out and why: `gone PID VMID` (stale pid file: stopped), `bad-pidfile VMID`, `missing DIR`. */
  notes: string[]
}

export function parseQemuProcesses(text: string, section = 'qemu', firstLine = 1): Parsed<QemuProcessReport> {
  const procs: QemuProcess[] = []
  const notes: string[] = []
  const lines = linesOf(text)
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!
    if (l === '') continue
    const m = /^vm (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$/.exec(l)
    if (m) {
      const n = m.slice(1).map(Number)
      procs.push({ vmid: n[0]!, pid: n[1]!, utimeTicks: n[2]!, stimeTicks: n[3]!, vcpuThreads: n[4]!, runtimeNs: n[5]!, runDelayNs: n[6]!, unreadableThreads: n[7]!, taskLines: [] })
    } else if (/^[tp] /.test(l) && procs.length > 0) {
      procs[procs.length - 1]!.taskLines.push(l)
    } else if (/^(missing|unreadable|bad-pidfile|gone) /.test(l)) {
      notes.push(l)
    } else {
      return unexpectedLine(section, l, firstLine + i)
    }
  }
  return parsed({ procs, notes })
}

export interface ProxmoxVmExtras {
  vmId: string
  vmid: number
  pid: number
  vcpuThreads: number
  unreadableThreads: number
  runDelaySource: 'schedstat' | 'unavailable'
  /** tap<vmid>i<n> interfaces whose counters are the guest's network traffic. */
  tapInterfaces: string[]
}

export interface ProxmoxStatsReading {
  raw: RawStats
  /** The host part, read by the libvirt parser (pressure, swap, counted disks and NICs, ...). */
  host: HostExtras
  vms: ProxmoxVmExtras[]
  node?: string
  clockTicksPerSecond: number
  /** This node's guests as /cluster/resources lists them (stopped ones too; empty when pvesh failed). */
  guests: ProxmoxClusterVm[]
  /** vmids on this node that `vmIdOf` did not know: new since discovery; rediscover. */
  unknownVmids: number[]
  /** Sections that failed or were degraded; the reading is still usable. */
  problems: ParseProblem[]
}

export interface ProxmoxStatsOptions {
  hostId: string
  /** The collector's clock, epoch ms (RawStats.t). */
  t: number
  /** The VM id of a vmid on this node (from discovery); undefined for a guest discovery did not see. */
  vmIdOf: (vmid: number) => string | undefined
  /** The node name discovery found; the output's own `nodename` wins when present. */
  node?: string
}


/** A guest's QEMU CPU by thread kind from its task lines; none (with a problem when they do not parse) without them. */
function threadSplit(p: QemuProcess, problems: ParseProblem[]): QemuCpuNs | undefined {
  if (p.taskLines.length === 0) return undefined
  const r = parseQemuThreads(`vm ${p.pid} ${p.vmid}\n${p.taskLines.join('\n')}\n`, 'qemu')
  if (!r.ok) {
    problems.push({ ...r.error, field: `vmid ${p.vmid}` })
    return undefined
  }
  const v = r.value.vms[0]
  return v ? { pid: v.pid, vcpuNs: v.vcpuNs, emulatorNs: v.emulatorNs, iothreadNs: v.iothreadNs, vhostNs: v.vhostNs, otherNs: v.otherNs, totalNs: v.totalNs, threads: v.threads } : undefined
}

/**
 * Parses one poll of a Proxmox node into RawStats: the host as a libvirt host reads it, and each
 * running guest of this node from its QEMU process (CPU time, vCPU run delay), its tap devices
 * (network bytes, the counters Proxmox reports as netin/netout) and /cluster/resources (memory in
 * use, disk bytes). Fails only when the framing or the host's /proc/stat and /proc/meminfo are
 * unusable; a failed pvesh or qemu section leaves the guests out of this reading, with a problem.
 */
export function parseProxmoxStatsOutput(output: string, opts: ProxmoxStatsOptions): Parsed<ProxmoxStatsReading> {
  const split = splitSections(output, PVE_STATS_FORMAT)
  if (!split.ok) return split
  const out = split.value
  const problems: ParseProblem[] = []
  if (!out.complete) problems.push({ section: 'script', message: 'output ended before DONE (cut off or timed out)' })
  const host = parseHostStats(out, opts.hostId, problems)
  if (!host.ok) return host

  const nodeBody = bodyOrProblem(out, 'nodename', problems)
  const node = nodeBody ? nodeNameOf(nodeBody.text) : opts.node
  if (opts.node && node !== opts.node) problems.push({ section: 'nodename', message: `node is now ${JSON.stringify(node)}, discovery saw ${JSON.stringify(opts.node)}` })

  const tckBody = bodyOrProblem(out, 'clk-tck', problems)
  let hz = Number(tckBody?.text.trim())
  if (!(Number.isInteger(hz) && hz > 0)) {
    if (tckBody) problems.push({ section: 'clk-tck', message: `not a tick rate: ${JSON.stringify(tckBody.text.trim().slice(0, 20))}; assuming 100` })
    hz = 100
  }

  let rows: Map<number, ProxmoxClusterVm> | undefined
  const resBody = bodyOrProblem(out, 'cluster-resources', problems)
  if (resBody) {
    const r = parseClusterResources(resBody.text)
    if (r.ok) {
      problems.push(...r.warnings)
      rows = new Map(r.value.filter((v) => v.type === 'qemu' && (node === undefined || v.node === node)).map((v) => [v.vmid, v]))
    } else problems.push(r.error)
  }

  let procs: QemuProcessReport | undefined
  const qemuBody = bodyOrProblem(out, 'qemu', problems)
  if (qemuBody) {
    const q = parseQemuProcesses(qemuBody.text, 'qemu', qemuBody.firstLine)
    if (q.ok) procs = q.value
    else problems.push(q.error)
  }
  for (const note of procs?.notes ?? []) if (!note.startsWith('gone ')) problems.push({ section: 'qemu', message: note })

  // Guest traffic as the guest sees it: what its tap device transmits the guest receives.
  const taps = new Map<number, { rx: number; tx: number; names: string[] }>()
  const netBody = successfulBody(out, 'net-dev')
  const netdev = 'body' in netBody ? parseNetDev(netBody.body, '/proc/net/dev', netBody.section.firstLine) : undefined
  for (const n of netdev?.ok ? netdev.value : []) {
    const m = /^tap(\d+)i\d+$/.exec(n.iface)
    if (!m) continue
    const t = taps.get(Number(m[1])) ?? { rx: 0, tx: 0, names: [] }
    t.rx += n.txBytes
    t.tx += n.rxBytes
    t.names.push(n.iface)
    taps.set(Number(m[1]), t)
  }

  const vms: RawVmStats[] = []
  const extras: ProxmoxVmExtras[] = []
  const unknown = new Set<number>()
  if (rows && procs) {
    for (const p of procs.procs) {
      const vmId = opts.vmIdOf(p.vmid)
      if (vmId === undefined) {
        unknown.add(p.vmid)
        continue
      }
      const row = rows.get(p.vmid)
      if (!row) {
        problems.push({ section: 'cluster-resources', field: `vmid ${p.vmid}`, message: 'runs here but has no row for this node; left out of this reading' })
        continue
      }
      const net = taps.get(p.vmid)
      const qemu = threadSplit(p, problems)
      vms.push({
        vmId,
        hostId: opts.hostId,
        vcpus: p.vcpuThreads > 0 ? p.vcpuThreads : Math.max(1, Math.round(row.maxcpu ?? 1)),
        cpuTimeNs: ((p.utimeTicks + p.stimeTicks) * 1e9) / hz,
        runDelayNs: p.runDelayNs,
        // Proxmox's `mem`: total - free as the guest's balloon driver reports it, else its host-side estimate.
        memUsedKiB: (row.mem ?? 0) / 1024,
        // Bytes the guest read and wrote (QEMU blockstats, via pvestatd); request counts are not exported.
        diskReadBytes: row.diskread ?? 0,
        diskWriteBytes: row.diskwrite ?? 0,
        diskReadReqs: 0,
        diskWriteReqs: 0,
        netRxBytes: net?.rx ?? 0,
        netTxBytes: net?.tx ?? 0,
        ...(qemu ? { qemu } : {}),
      })
      extras.push({
        vmId,
        vmid: p.vmid,
        pid: p.pid,
        vcpuThreads: p.vcpuThreads,
        unreadableThreads: p.unreadableThreads,
        runDelaySource: p.vcpuThreads > 0 ? 'schedstat' : 'unavailable',
        tapInterfaces: net?.names ?? [],
      })
    }
  }
  // A guest created since discovery is new even while stopped.
  for (const vmid of rows?.keys() ?? []) if (opts.vmIdOf(vmid) === undefined && rows?.get(vmid)?.template !== 1) unknown.add(vmid)

  return parsed({
    raw: { t: opts.t, hosts: [host.value.stats], vms },
    host: host.value.extras,
    vms: extras,
    node,
    clockTicksPerSecond: hz,
    guests: [...(rows?.values() ?? [])],
    unknownVmids: [...unknown].sort((a, b) => a - b),
    problems,
  })
}
