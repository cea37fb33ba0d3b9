import type { ClusterFacts, HostStorage, Inventory } from '../../shared/model'

export type { Inventory }

/** Cumulative /proc/stat CPU time of the whole host, in USER_HZ ticks (1/100 s). */
export interface CpuTicks {
  user: number
  nice: number
  system: number
  idle: number
  iowait: number
  irq: number
  softirq: number
  steal: number
}

/** Host counters as read: cumulative where the kernel keeps counters, gauges otherwise. */
export interface RawHostStats {
  hostId: string
  cpuTicks: CpuTicks
  memTotalKiB: number
  memAvailableKiB: number
  diskReadBytes: number
  diskWriteBytes: number
  netRxBytes: number
  netTxBytes: number
  /** Cumulative stall time (µs) of /proc/pressure's "some" lines: tasks waiting for CPU, memory, I/O. Absent without PSI. */
  pressureUs?: { cpu?: number; memory?: number; io?: number }
  /** Cumulative pages swapped in and out (/proc/vmstat pswpin, pswpout). */
  swapInPages?: number
  swapOutPages?: number
  /** 1-minute load average: a gauge. */
  load1?: number
}

/** VM counters as `virsh domstats` and schedstat give them. */
export interface RawVmStats {
  vmId: string
  hostId: string
  vcpus: number
  /** cpu.time: nanoseconds of host CPU used, cumulative. */
  cpuTimeNs: number
  /** Sum of its vCPU threads' run delay (schedstat field 2): time runnable but not running. */
  runDelayNs: number
  /** balloon.available - balloon.unused when the guest reports them, else balloon.rss. */
  memUsedKiB: number
  diskReadBytes: number
  diskWriteBytes: number
  diskReadReqs: number
  diskWriteReqs: number
  netRxBytes: number
  netTxBytes: number
}

export interface RawStats {
  /** When the counters were read, epoch ms. */
  t: number
  hosts: RawHostStats[]
  vms: RawVmStats[]
}

export interface ReadOptions {
  /** How long a read may take before the host counts as not answering (the poll interval). */
  timeoutMs?: number
}

/**
 * One hypervisor source behind one interface: the demo cluster, libvirt over SSH, Proxmox VE.
 */
export interface HostAdapter {
  readonly id: string
  /** True when stats can be read for past moments too (the demo replays a trace; real hosts cannot). */
  readonly canReadPast: boolean
  /** Reads the inventory (and storage); `now` is the collector's clock, the time storage figures carry. */
  discover(now?: number): Promise<Inventory>
  /** Reads all counters at once; `now` is the collector's clock (the demo replays against it). */
  readStats(now: number, options?: ReadOptions): Promise<RawStats>
  /** Past moments worth reading to fill history from `from` to `now` (adapters that can read the past); every `intervalMs` otherwise. */
  backfillTimes?(from: number, now: number, intervalMs: number): number[]
  /** True when the last read saw VMs the inventory does not list, or VMs that changed: discover again. */
  inventoryStale?(): boolean
  /** Tuning facts from the last discovery (KSM, hugepages, disk and NIC models, ...), once read. */
  facts?(): ClusterFacts | undefined
  /** Storage of each host as of the last discovery (the demo computes it for `now`); absent when not read. */
  storage?(now: number): HostStorage[]
  /** True while a metrics store keeps this adapter's history (Prometheus): the collector copies no samples of it. */
  historyInStore?(): boolean
  close(): Promise<void>
}
