import type { ClusterFacts, HostStorage, Inventory } from '../../shared/model'
import type { DiskStat } from './linux/parse/procfs'

export type { DiskStat }
/** /proc/diskstats counts 512-byte sectors whatever the device's own sector size. */
export { DISKSTATS_SECTOR_BYTES } from './linux/parse/procfs'

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
  /** What vmstat reads besides the above: cumulative counters and gauges; absent when not read. */
  vmstat?: HostVmstat
  /** Block devices as /proc/diskstats counts them (iostat's view); absent when not read. */
  disks?: readonly DiskStat[]
  /** KVM's host-wide counters from /sys/kernel/debug/kvm, or why there are none; absent when not read. */
  kvmDebugfs?: KvmDebugfs
}

export interface HostVmstat {
  contextSwitches?: number
  interrupts?: number
  /** /proc/vmstat pgpgin, pgpgout: KiB read from and written to block devices. */
  pageInKiB?: number
  pageOutKiB?: number
  /** Gauges: runnable and blocked tasks, swap in use. */
  procsRunning?: number
  procsBlocked?: number
  swapUsedKiB?: number
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
  /** CPU time of its QEMU process split by thread kind (ns, cumulative); absent when not read. */
  qemu?: QemuCpuNs
  /** KVM's own counters summed over its vCPUs (cumulative); absent without KVM binary stats. */
  kvm?: KvmCounters
  /** Paging inside the guest from its balloon statistics (cumulative since it booted); absent when not reported. */
  guest?: GuestPaging
}

/** What a guest's balloon driver reports of its paging, cumulative since the guest booted. */
export interface GuestPaging {
  swapInKiB?: number
  swapOutKiB?: number
  majorFaults?: number
}

/** KVM's counters of one VM, cumulative since it started; only those the host reports. */
export interface KvmCounters {
  exits?: number
  haltExits?: number
  ioExits?: number
  mmioExits?: number
  irqExits?: number
  irqInjections?: number
  /** ns the vCPUs spent polling before halting: polls that found work, polls that did not. */
  haltPollSuccessNs?: number
  haltPollFailNs?: number
  /** ns the vCPUs spent halted (waiting) after polling. */
  haltWaitNs?: number
  haltSuccessfulPolls?: number
  haltAttemptedPolls?: number
  tlbFlushes?: number
  remoteTlbFlushes?: number
}

/** What /sys/kernel/debug/kvm gave: the kernel's counters summed over every VM of the host, or why none. */
export type KvmDebugfs = { status: 'read'; counters: KvmCounters } | { status: 'not-mounted' | 'not-readable' | 'no-kvm' }

/** A QEMU process's CPU time by what its threads do (see linux/parse/qemu-threads.ts), ns. */
export interface QemuCpuNs {
  /** The process the counters belong to: another one (the guest restarted) starts them again. */
  pid: number
  vcpuNs: number
  emulatorNs: number
  iothreadNs: number
  vhostNs: number
  otherNs: number
  totalNs: number
  /** Threads read (the listing's): more than last time means threads listed anew, whose whole past time shows at once. */
  threads?: number
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
  /** The QEMU process of a running VM as the last poll saw it (hosts that show their threads). */
  qemuPid?(vmId: string): number | undefined
  /** True while a metrics store keeps this adapter's history (Prometheus): the collector copies no samples of it. */
  historyInStore?(): boolean
  close(): Promise<void>
}
