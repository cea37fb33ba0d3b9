import { createHash } from 'node:crypto'
import type { HostStorage, Vm } from '../../../shared/model'
import type { DiskStat, HostAdapter, Inventory, KvmCounters, RawHostStats, RawStats, RawVmStats } from '../adapter'
import traces from './data/demo-traces.json'
import { demoHosts } from './hosts'
import { demoStorage } from './storage'

interface TraceVm {
  name: string
  host: string
  trace: string
  vcpus: number
  mhzPerCore: number
  memoryMiB: number
  cpuMhz: number[]
  memUsedMiB: number[]
  diskReadKBs: number[]
  diskWriteKBs: number[]
  netRxKBs: number[]
  netTxKBs: number[]
}

/** Wall-clock time one 5-minute trace row lasts live: the demo plays two days in about 19 minutes. */
export const DEMO_ROW_MS = 2000
/** The trace's own step: before `origin` the demo is its recorded history, one row per 5 minutes. */
export const DEMO_HISTORY_ROW_MS = 300_000
/** Recorded history readable before `origin`: two passes of the trace (96 h), more than raw retention keeps. */
const HISTORY_LOOPS = 2
/** The trace has throughput only; requests are derived with this assumed average request size. */
const ASSUMED_IO_BYTES = 16 * 1024
/** CPU the host itself burns: a base plus each VM's emulator threads, in cores. */
const HOST_BASE_CORES = 0.2
const EMULATOR_CORES_PER_VM = 0.03
const HOST_BASE_MEM_MIB = 2048
const QEMU_OVERHEAD_MIB = 200
const USER_HZ = 100
/** Host CPU a guest's I/O costs outside its vCPUs: vhost per network byte, the block layer's workers per disk byte (ns/byte). */
const VHOST_NS_PER_BYTE = 1.5
const BLOCK_WORKER_NS_PER_BYTE = 0.4
/** The made-up host's system activity (vmstat in/cs) besides what its guests' CPU brings. */
const BASE_INTERRUPTS_PER_S = 1500
const BASE_SWITCHES_PER_S = 2500
const SWITCHES_PER_BUSY_CORE_S = 4000
/** Device time per request of the demo's NVMe disk, ms (reads, writes). */
const DISK_READ_MS = 0.15
const DISK_WRITE_MS = 0.4

/** Per-row rates of one VM after host contention is applied. */
interface VmRates {
  vm: Vm
  cores: Float64Array // CPU it got
  readyCores: Float64Array // demand it did not get (waiting runnable)
  memUsedMiB: Float64Array
  rdBps: Float64Array
  wrBps: Float64Array
  rxBps: Float64Array
  txBps: Float64Array
  /** Swap the guest reads back (bytes/s): it pages once its memory in use nears its allocation. */
  guestSwapInBps: Float64Array
}

/** Where a demo guest starts paging, as a share of its allocation in use, and its swap-in at the allocation. */
const GUEST_PAGING_FROM = 0.85
const GUEST_SWAP_IN_AT_FULL_BPS = 4 * 1024 * 1024

/**
 * Made-up KVM counters of a demo VM from what it did: halts when idle (a share of them ended by
 * a successful poll), MMIO doorbells and interrupts per disk request and network packet.
 */
function demoKvm(busySeconds: number, vcpuSeconds: number, diskRequests: number, packets: number): KvmCounters {
  const idleSeconds = Math.max(0, vcpuSeconds - busySeconds)
  const haltExits = Math.round(idleSeconds * 300)
  const mmioExits = Math.round(diskRequests + packets * 0.2)
  const irqInjections = Math.round(diskRequests + packets * 0.5 + vcpuSeconds * 250)
  return {
    exits: haltExits + mmioExits + Math.round(busySeconds * 2000),
    haltExits,
    ioExits: 0,
    mmioExits,
    irqInjections,
    haltPollSuccessNs: Math.round(haltExits * 0.6 * 20_000),
    haltPollFailNs: Math.round(haltExits * 0.4 * 200_000),
    haltWaitNs: Math.round(idleSeconds * 0.9 * 1e9),
    tlbFlushes: Math.round(busySeconds * 50),
    // VM-wide (domstats --vm): flushing every vCPU's TLB after the guest's page tables changed.
    remoteTlbFlushes: Math.round(busySeconds * 20 + diskRequests * 0.05),
  }
}

/** The demo host's one NVMe disk as /proc/diskstats would count the guests' I/O on it. */
function demoDisk(readBytes: number, writeBytes: number): DiskStat {
  const reads = Math.round(readBytes / ASSUMED_IO_BYTES)
  const writes = Math.round(writeBytes / ASSUMED_IO_BYTES)
  const msReading = Math.round(reads * DISK_READ_MS)
  const msWriting = Math.round(writes * DISK_WRITE_MS)
  return {
    major: 259, minor: 0, name: 'nvme0n1',
    readsCompleted: reads, readsMerged: 0, sectorsRead: Math.round(readBytes / 512), msReading,
    writesCompleted: writes, writesMerged: 0, sectorsWritten: Math.round(writeBytes / 512), msWriting,
    inFlight: 0, msDoingIo: Math.round((msReading + msWriting) * 0.8), weightedMsDoingIo: msReading + msWriting,
  }
}

/** A stable UUID per demo VM, so plans show commands exactly as they would read on a real host. */
function demoUuid(name: string): string {
  const h = createHash('sha256').update(`virtpilot-demo:${name}`).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
}

/** Cumulative integral of a per-row rate: prefix[i] = sum of rows < i, in rate x row seconds. */
function prefixSums(rates: Float64Array): Float64Array {
  const prefix = new Float64Array(rates.length + 1)
  for (let i = 0; i < rates.length; i++) prefix[i + 1] = prefix[i]! + rates[i]!
  return prefix
}

/**
 * The embedded demo cluster: three hosts and 24 VMs whose CPU, memory, disk and network demand
 * is replayed from real Bitbrains VM traces. Before `origin` (when the demo started) it is the
 * trace at its own pace, so the two recorded days end at `origin` and fill the history; from
 * `origin` on the trace plays again, time-compressed, as the live cluster. It produces cumulative
 * counters like a real host does, in closed form from `now`, so the collector derives rates
 * exactly as it will for libvirt hosts, and any moment (live or history) is reproducible.
 */
export class DemoCluster implements HostAdapter {
  readonly id = 'demo'
  readonly canReadPast = true
  private readonly rows: number
  private readonly vmRates: VmRates[]
  private readonly integrals = new Map<VmRates, Record<'cores' | 'ready' | 'rd' | 'wr' | 'rx' | 'tx' | 'swapIn', Float64Array>>()

  constructor(private readonly origin = 0) {
    const data = traces as { rows: number; vms: TraceVm[] }
    this.rows = data.rows
    this.vmRates = data.vms.map((t) => this.ratesOf(t))
    this.applyContention()
    for (const r of this.vmRates) {
      this.integrals.set(r, {
        cores: prefixSums(r.cores),
        ready: prefixSums(r.readyCores),
        rd: prefixSums(r.rdBps),
        wr: prefixSums(r.wrBps),
        rx: prefixSums(r.rxBps),
        tx: prefixSums(r.txBps),
        swapIn: prefixSums(r.guestSwapInBps),
      })
    }
  }

  private ratesOf(t: TraceVm): VmRates {
    const vm: Vm = {
      id: `demo:${t.name}`,
      name: t.name,
      uuid: demoUuid(t.name),
      hostId: t.host,
      state: 'running',
      allocation: { vcpus: t.vcpus, maxVcpus: Math.max(t.vcpus, 2 * t.vcpus), memoryMiB: t.memoryMiB, maxMemoryMiB: t.memoryMiB, cpuShares: 1024 },
      tags: ['demo', `trace:${t.trace}`],
    }
    const kb = (xs: number[]) => Float64Array.from(xs, (x) => x * 1024)
    const pressure = (m: number) => Math.max(0, Math.min(1, (m / t.memoryMiB - GUEST_PAGING_FROM) / (1 - GUEST_PAGING_FROM)))
    return {
      vm,
      // A VM cannot use more cores than it has vCPUs, whatever the trace rounding says.
      cores: Float64Array.from(t.cpuMhz, (mhz) => Math.min(mhz / t.mhzPerCore, t.vcpus)),
      readyCores: new Float64Array(t.cpuMhz.length),
      memUsedMiB: Float64Array.from(t.memUsedMiB, (m) => Math.min(m, t.memoryMiB)),
      rdBps: kb(t.diskReadKBs),
      wrBps: kb(t.diskWriteKBs),
      rxBps: kb(t.netRxKBs),
      txBps: kb(t.netTxKBs),
      guestSwapInBps: Float64Array.from(t.memUsedMiB, (m) => pressure(m) * GUEST_SWAP_IN_AT_FULL_BPS),
    }
  }

  /** Where a host's VMs want more CPU than it has, each gets a proportional share; the rest waits. */
  private applyContention(): void {
    for (const host of demoHosts) {
      const onHost = this.vmRates.filter((r) => r.vm.hostId === host.id)
      const usable = host.cpu.threads - HOST_BASE_CORES - EMULATOR_CORES_PER_VM * onHost.length
      for (let row = 0; row < this.rows; row++) {
        const demand = onHost.reduce((sum, r) => sum + r.cores[row]!, 0)
        if (demand <= usable) continue
        const scale = usable / demand
        for (const r of onHost) {
          r.readyCores[row] = r.cores[row]! * (1 - scale)
          r.cores[row] = r.cores[row]! * scale
        }
      }
    }
  }

  /** Where the history this demo can replay begins: HISTORY_LOOPS passes of the trace before `origin`. */
  private get historyStart(): number {
    return this.origin - HISTORY_LOOPS * this.rows * DEMO_HISTORY_ROW_MS
  }

  /** Trace rows played from the history's start to `t` (fractional). */
  private rowsAt(t: number): number {
    if (t >= this.origin) return HISTORY_LOOPS * this.rows + (t - this.origin) / DEMO_ROW_MS
    return Math.max(0, t - this.historyStart) / DEMO_HISTORY_ROW_MS
  }

  /** The trace row playing at `t`. */
  private rowAt(t: number): number {
    return Math.floor(this.rowsAt(t)) % this.rows
  }

  /** Sum of a per-row rate over the first `rowsPlayed` rows (fractional), in rate x rows. */
  private rowSum(prefix: Float64Array, rates: Float64Array, rowsPlayed: number): number {
    const whole = Math.floor(rowsPlayed)
    const row = whole % this.rows
    return Math.floor(whole / this.rows) * prefix[this.rows]! + prefix[row]! + (rowsPlayed - whole) * rates[row]!
  }

  /** Integral of a per-row rate from the history's start to `t`, in rate x seconds. */
  private integral(prefix: Float64Array, rates: Float64Array, t: number): number {
    const history = HISTORY_LOOPS * prefix[this.rows]! * (DEMO_HISTORY_ROW_MS / 1000)
    const rows = this.rowsAt(t)
    if (t < this.origin) return this.rowSum(prefix, rates, rows) * (DEMO_HISTORY_ROW_MS / 1000)
    return history + this.rowSum(prefix, rates, rows - HISTORY_LOOPS * this.rows) * (DEMO_ROW_MS / 1000)
  }

  /**
   * The moments to read to fill history from `from` to `now`: every trace row before `origin`
   * (the recorded history, at its own step), then every `intervalMs` like live polls.
   */
  backfillTimes(from: number, now: number, intervalMs: number): number[] {
    const times: number[] = []
    const firstRow = Math.ceil((Math.max(from, this.historyStart) - this.historyStart) / DEMO_HISTORY_ROW_MS)
    for (let t = this.historyStart + firstRow * DEMO_HISTORY_ROW_MS; t < Math.min(this.origin, now); t += DEMO_HISTORY_ROW_MS) times.push(t)
    for (let t = now - Math.floor((now - Math.max(from, this.origin)) / intervalMs) * intervalMs; t < now; t += intervalMs) if (t >= this.origin) times.push(t)
    // At least one read before now, so the first live poll already yields rates.
    return times.length > 0 ? times : [from]
  }

  async discover(): Promise<Inventory> {
    return { hosts: structuredClone([...demoHosts]), vms: this.vmRates.map((r) => structuredClone(r.vm)) }
  }

  async readStats(now: number): Promise<RawStats> {
    const row = this.rowAt(now)
    const vms: RawVmStats[] = this.vmRates.map((r) => {
      const acc = this.integrals.get(r)!
      const rd = this.integral(acc.rd, r.rdBps, now)
      const wr = this.integral(acc.wr, r.wrBps, now)
      const rx = this.integral(acc.rx, r.rxBps, now)
      const tx = this.integral(acc.tx, r.txBps, now)
      const vcpuNs = this.integral(acc.cores, r.cores, now) * 1e9
      const emulatorNs = EMULATOR_CORES_PER_VM * (Math.max(0, now - this.historyStart) / 1000) * 1e9
      const vhostNs = (rx + tx) * VHOST_NS_PER_BYTE
      const otherNs = (rd + wr) * BLOCK_WORKER_NS_PER_BYTE
      const swapIn = this.integral(acc.swapIn, r.guestSwapInBps, now)
      const kvm = demoKvm(vcpuNs / 1e9, r.vm.allocation.vcpus * (Math.max(0, now - this.historyStart) / 1000), (rd + wr) / ASSUMED_IO_BYTES, (rx + tx) / 1500)
      return {
        vmId: r.vm.id,
        hostId: r.vm.hostId,
        vcpus: r.vm.allocation.vcpus,
        cpuTimeNs: this.integral(acc.cores, r.cores, now) * 1e9,
        runDelayNs: this.integral(acc.ready, r.readyCores, now) * 1e9,
        memUsedKiB: r.memUsedMiB[row]! * 1024,
        diskReadBytes: rd,
        diskWriteBytes: wr,
        diskReadReqs: rd / ASSUMED_IO_BYTES,
        diskWriteReqs: wr / ASSUMED_IO_BYTES,
        netRxBytes: rx,
        netTxBytes: tx,
        // One QEMU process since the demo's history starts: vCPUs, a main loop, vhost-net, block workers.
        qemu: { pid: 1000 + this.vmRates.indexOf(r), vcpuNs, emulatorNs, iothreadNs: 0, vhostNs, otherNs, totalNs: vcpuNs + emulatorNs + vhostNs + otherNs },
        kvm,
        // What a guest's balloon driver reports: swap read back, half as much written, a major fault per page read.
        guest: { swapInKiB: swapIn / 1024, swapOutKiB: swapIn / 2048, majorFaults: swapIn / 4096 },
      }
    })
    const hosts: RawHostStats[] = demoHosts.map((host) => {
      const mine = vms.filter((v) => v.hostId === host.id)
      const elapsedSeconds = Math.max(0, now - this.historyStart) / 1000
      const overheadCores = HOST_BASE_CORES + EMULATOR_CORES_PER_VM * mine.length
      const busySeconds = mine.reduce((sum, v) => sum + v.cpuTimeNs / 1e9, 0) + overheadCores * elapsedSeconds
      const totalSeconds = host.cpu.threads * elapsedSeconds
      const usedMiB = HOST_BASE_MEM_MIB + mine.reduce((sum, v) => sum + v.memUsedKiB / 1024 + QEMU_OVERHEAD_MIB, 0)
      const sum = (key: 'diskReadBytes' | 'diskWriteBytes' | 'netRxBytes' | 'netTxBytes') => mine.reduce((s, v) => s + v[key], 0)
      return {
        hostId: host.id,
        // Guest time shows as user time on a KVM host; the host's own work as system time.
        cpuTicks: {
          user: (busySeconds - overheadCores * elapsedSeconds) * USER_HZ,
          nice: 0,
          system: overheadCores * elapsedSeconds * USER_HZ,
          idle: Math.max(0, totalSeconds - busySeconds) * USER_HZ,
          iowait: 0,
          irq: 0,
          softirq: 0,
          steal: 0,
        },
        memTotalKiB: host.memoryMiB * 1024,
        memAvailableKiB: Math.max(0, host.memoryMiB - usedMiB) * 1024,
        diskReadBytes: sum('diskReadBytes'),
        diskWriteBytes: sum('diskWriteBytes'),
        netRxBytes: sum('netRxBytes'),
        netTxBytes: sum('netTxBytes'),
        vmstat: {
          contextSwitches: Math.round(BASE_SWITCHES_PER_S * elapsedSeconds + SWITCHES_PER_BUSY_CORE_S * busySeconds),
          interrupts: Math.round(BASE_INTERRUPTS_PER_S * elapsedSeconds + SWITCHES_PER_BUSY_CORE_S * 0.5 * busySeconds),
          pageInKiB: Math.round(sum('diskReadBytes') / 1024),
          pageOutKiB: Math.round(sum('diskWriteBytes') / 1024),
          // Runnable now: about one task per busy core.
          procsRunning: Math.round(overheadCores + this.vmRates.reduce((n, r) => n + (r.vm.hostId === host.id ? r.cores[row]! : 0), 0)),
          procsBlocked: 0,
        },
        disks: [demoDisk(sum('diskReadBytes'), sum('diskWriteBytes'))],
      }
    })
    return { t: now, hosts, vms }
  }

  /** The demo's made-up storage (storage.ts) at `now`. */
  storage(now: number): HostStorage[] {
    return demoStorage(now)
  }

  async close(): Promise<void> {}
}
