import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import type { History } from '../../../../shared/engine/history'
import type { Host } from '../../../../shared/model/host'
import type { Snapshot } from '../../../../shared/model/snapshot'
import type { Vm } from '../../../../shared/model/vm'
import type { VmSample } from '../../../../shared/model/sample'

const HOUR = 3_600_000

/** One Bitbrains VM of the hourly fixture: hourly mean CPU (cores) and memory use (MiB), NaN where it has no sample. */
export interface HourlyVm {
  vm: string
  vcpus: number
  memProvMiB: number
  cpu: Float64Array
  mem: Float64Array
}

export interface HourlyTrace {
  /** Epoch ms of hour 0 (2013-07-01 00:00 CEST). */
  start: number
  hours: number
  vms: HourlyVm[]
}

let cached: HourlyTrace | undefined

/** The 500 Bitbrains VMs of July 2013, hour by hour (bitbrains-500vms-hourly.csv.gz, see its README). */
export function loadHourly500(): HourlyTrace {
  if (cached) return cached
  const file = fileURLToPath(new URL('../../../fixtures/traces/bitbrains-500vms-hourly.csv.gz', import.meta.url))
  const lines = gunzipSync(readFileSync(file)).toString('utf8').trim().split('\n')
  const meta = /start_epoch_s=(\d+) step_s=3600 hours=(\d+)/.exec(lines[1]!)
  if (!meta) throw new Error(`${file}: no start/hours line`)
  const hours = Number(meta[2])
  const parse = (field: string, scale: number) => {
    const out = new Float64Array(hours).fill(Number.NaN)
    field.split(' ').forEach((x, h) => { if (x !== '') out[h] = Number(x) * scale })
    return out
  }
  const vms = lines.slice(3).map((line) => {
    const [vm, vcpus, mem, cpu, used] = line.split(',')
    return { vm: vm!, vcpus: Number(vcpus), memProvMiB: Number(mem), cpu: parse(cpu!, 0.01), mem: parse(used!, 16) }
  })
  cached = { start: Number(meta[1]) * 1000, hours, vms }
  return cached
}

/** Deterministic uniform numbers in [0, 1) (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface TraceClusterSpec {
  hosts: number
  vms: number
  /** Which VMs are drawn (with replacement once the pool is used up; copies get a suffix). */
  seed: number
  /** Epoch ms of the decision: the start of a trace hour. */
  at: number
  /** Allocation ratios every host carries (vCPUs per thread, memory per MiB of RAM). */
  cpuRatio?: number
  memRatio?: number
  /** Share of the hosts' vCPU allowance the VMs take (hosts are sized from it). */
  fill?: number
}

/** A cluster made of trace VMs at a decision hour: what the engine sees, and the day that follows. */
export interface TraceCluster {
  name: string
  spec: TraceClusterSpec
  now: number
  snapshot: Snapshot
  history: History
  /** Per VM (snapshot order): demand in each of the 24 hours after `now`; cores and MiB. */
  nextDay: { cpu: Float64Array; mem: Float64Array }[]
}

/**
 * VMs drawn from the trace (those with samples in the hour before the decision and in at least 20
 * of the 24 after it, at most 16 vCPUs and 64 GiB), on identical hosts sized so the VMs take
 * `fill` of the vCPU allowance and 80 % of the memory. Each VM is placed, in draw order, on the
 * host with the fewest vCPUs allocated that has room: allocations are even, CPU use is not, as
 * in a cluster filled by hand. History is every earlier trace hour (hourly means, stamped at the
 * hour's start); gaps in a VM's trace stay gaps.
 */
export function traceCluster(trace: HourlyTrace, spec: TraceClusterSpec): TraceCluster {
  const cpuRatio = spec.cpuRatio ?? 2
  const memRatio = spec.memRatio ?? 1
  const fill = spec.fill ?? 0.75
  const h0 = Math.round((spec.at - trace.start) / HOUR)
  if (h0 < 24 || h0 + 24 > trace.hours) throw new Error(`decision hour ${h0} leaves no history or no next day in the trace`)
  const eligible = trace.vms.filter((v) => {
    if (v.vcpus > 16 || v.memProvMiB > 64 * 1024 || Number.isNaN(v.cpu[h0 - 1]!)) return false
    let seen = 0
    for (let h = h0; h < h0 + 24; h++) if (!Number.isNaN(v.cpu[h]!)) seen++
    return seen >= 20
  })
  const rnd = seeded(spec.seed)
  const pool = [...eligible]
  const drawn: { src: HourlyVm; id: string }[] = []
  const copies = new Map<string, number>()
  for (let i = 0; i < spec.vms; i++) {
    if (pool.length === 0) pool.push(...eligible)
    const src = pool.splice(Math.floor(rnd() * pool.length), 1)[0]!
    const n = copies.get(src.vm) ?? 0
    copies.set(src.vm, n + 1)
    drawn.push({ src, id: n === 0 ? `vm${src.vm}` : `vm${src.vm}-${n + 1}` })
  }
  const totalVcpus = drawn.reduce((a, d) => a + d.src.vcpus, 0)
  const totalMem = drawn.reduce((a, d) => a + d.src.memProvMiB, 0)
  const largestMem = Math.max(...drawn.map((d) => d.src.memProvMiB))
  const threads = 2 * Math.ceil(totalVcpus / spec.hosts / (cpuRatio * fill) / 2)
  // Hosts grow by 4 GiB until the fill in draw order places every VM.
  let memoryMiB = 4096 * Math.ceil(Math.max(totalMem / spec.hosts / (memRatio * 0.8), largestMem * 1.1) / 4096)
  let where: number[] | null = null
  while (!where) {
    where = fillInOrder(drawn.map((d) => d.src), spec.hosts, threads * cpuRatio, memoryMiB * memRatio)
    if (!where) memoryMiB += 4096
  }
  const hosts: Host[] = Array.from({ length: spec.hosts }, (_, i) => ({
    id: `h${i}`,
    name: `h${i}`,
    source: 'libvirt',
    state: 'online',
    cpu: { model: 'trace host', sockets: 1, coresPerSocket: threads / 2, threadsPerCore: 2, threads, mhz: 2600 },
    memoryMiB,
    numa: [],
    tags: [],
    allocationRatio: { cpu: cpuRatio, memory: memRatio },
  }))
  const vms: Vm[] = drawn.map(({ src, id }, i) => ({
    id, name: id, hostId: `h${where[i]!}`, state: 'running', allocation: { vcpus: src.vcpus, maxVcpus: src.vcpus, memoryMiB: src.memProvMiB, maxMemoryMiB: src.memProvMiB }, tags: [],
  }))
  const history: History = { vms: {} }
  const vmSamples: VmSample[] = []
  drawn.forEach(({ src }, i) => {
    const vm = vms[i]!
    const series = { t: [] as number[], cpuUsedCores: [] as number[], memUsedMiB: [] as number[] }
    for (let h = 0; h < h0; h++) {
      if (Number.isNaN(src.cpu[h]!)) continue
      series.t.push(trace.start + h * HOUR)
      series.cpuUsedCores.push(src.cpu[h]!)
      series.memUsedMiB.push(src.mem[h]!)
    }
    history.vms[vm.id] = series
    const cpu = src.cpu[h0 - 1]!
    vmSamples.push({
      vmId: vm.id, hostId: vm.hostId, t: spec.at, cpuPct: Math.min(100, (100 * cpu) / src.vcpus), cpuUsedCores: cpu, cpuReadyPct: 0,
      memUsedMiB: src.mem[h0 - 1]!, diskReadBps: 0, diskWriteBps: 0, diskReadIops: 0, diskWriteIops: 0, netRxBps: 0, netTxBps: 0,
    })
  })
  // A gap in the next day counts as the hour before it (the VM did not stop). The trace reports
  // some VMs above 100 % of their cores (MHz above the provisioned clock): a VM uses at most its vCPUs.
  const nextDay = drawn.map(({ src }) => {
    const cpu = new Float64Array(24)
    const mem = new Float64Array(24)
    for (let k = 0; k < 24; k++) {
      const c = Math.min(src.cpu[h0 + k]!, src.vcpus)
      cpu[k] = Number.isNaN(c) ? (k > 0 ? cpu[k - 1]! : Math.min(src.cpu[h0 - 1]!, src.vcpus)) : c
      const m = src.mem[h0 + k]!
      mem[k] = Number.isNaN(m) ? (k > 0 ? mem[k - 1]! : src.mem[h0 - 1]!) : m
    }
    return { cpu, mem }
  })
  const snapshot: Snapshot = { t: spec.at, hosts, vms, hostSamples: [], vmSamples }
  return { name: `${spec.hosts}x${spec.vms}`, spec, now: spec.at, snapshot, history, nextDay }
}

/** Each VM in order on the host with the fewest vCPUs that has room; null when one fits nowhere. */
function fillInOrder(vms: readonly HourlyVm[], hosts: number, vcpuLimit: number, memLimit: number): number[] | null {
  const vcpusOn = new Array<number>(hosts).fill(0)
  const memOn = new Array<number>(hosts).fill(0)
  const out: number[] = []
  for (const vm of vms) {
    let best = -1
    for (let h = 0; h < hosts; h++) {
      if (vcpusOn[h]! + vm.vcpus > vcpuLimit || memOn[h]! + vm.memProvMiB > memLimit) continue
      if (best < 0 || vcpusOn[h]! < vcpusOn[best]!) best = h
    }
    if (best < 0) return null
    vcpusOn[best]! += vm.vcpus
    memOn[best]! += vm.memProvMiB
    out.push(best)
  }
  return out
}
