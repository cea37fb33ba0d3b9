import { z } from 'zod'

const percent = z.number().min(0).max(100)
const rate = z.number().nonnegative()

/** One host's derived figures for one poll. `t` is epoch milliseconds. */
export const HostSampleSchema = z.object({
  hostId: z.string().min(1),
  t: z.number().int().nonnegative(),
  /** Share of all logical CPUs busy, 0-100. */
  cpuPct: percent,
  /** Busy logical CPUs (cores' worth). */
  cpuUsedCores: rate,
  memUsedMiB: rate,
  memTotalMiB: rate,
  diskReadBps: rate,
  diskWriteBps: rate,
  netRxBps: rate,
  netTxBps: rate,
  /** Share of the poll interval some task stalled on CPU, memory or I/O (/proc/pressure), %; absent without PSI. */
  cpuPressurePct: percent.optional(),
  memPressurePct: percent.optional(),
  ioPressurePct: percent.optional(),
  /** Swap traffic, bytes/s; absent when /proc/vmstat was not read. */
  swapInBps: rate.optional(),
  swapOutBps: rate.optional(),
  /** 1-minute load average (runnable and uninterruptible tasks). */
  load1: rate.optional(),
  /** vmstat's columns: r, b (tasks), swpd (MiB), bi/bo (KiB/s), in, cs (per second), us/sy/id/wa/st (% of all CPUs). */
  procsRunning: rate.optional(),
  procsBlocked: rate.optional(),
  swapUsedMiB: rate.optional(),
  pageInKBps: rate.optional(),
  pageOutKBps: rate.optional(),
  interruptsPs: rate.optional(),
  contextSwitchesPs: rate.optional(),
  cpuUserPct: percent.optional(),
  cpuSystemPct: percent.optional(),
  cpuIdlePct: percent.optional(),
  cpuIowaitPct: percent.optional(),
  cpuStealPct: percent.optional(),
  /**
   * KVM's counters of the whole host as rates (per second; halt polling in cores): from
   * /sys/kernel/debug/kvm where readable, else summed over its VMs' KVM statistics. Absent without KVM counters.
   */
  kvmExitsPs: rate.optional(),
  kvmHaltExitsPs: rate.optional(),
  kvmIoExitsPs: rate.optional(),
  kvmMmioExitsPs: rate.optional(),
  kvmIrqInjectionsPs: rate.optional(),
  kvmTlbFlushesPs: rate.optional(),
  kvmRemoteTlbFlushesPs: rate.optional(),
  kvmHaltPollSuccessCores: rate.optional(),
  kvmHaltPollFailCores: rate.optional(),
  kvmHaltWaitCores: rate.optional(),
  /** Where those came from this poll, and what /sys/kernel/debug/kvm said (live only: not stored). */
  kvmSource: z.enum(['debugfs', 'vms']).optional(),
  kvmDebugfs: z.enum(['read', 'not-mounted', 'not-readable', 'no-kvm']).optional(),
})

/** One block device of a host for one poll, as `iostat -x` shows it. */
export const DiskSampleSchema = z.object({
  hostId: z.string().min(1),
  device: z.string().min(1),
  t: z.number().int().nonnegative(),
  readsPs: rate,
  writesPs: rate,
  readKBps: rate,
  writeKBps: rate,
  /** ms per completed read / write; absent when none completed. */
  readAwaitMs: rate.optional(),
  writeAwaitMs: rate.optional(),
  /** aqu-sz: requests queued or in service, on average. */
  queueSize: rate,
  utilPct: percent,
})

/** One VM's derived figures for one poll. */
export const VmSampleSchema = z.object({
  vmId: z.string().min(1),
  hostId: z.string().min(1),
  t: z.number().int().nonnegative(),
  /** Share of its own vCPUs busy, 0-100. */
  cpuPct: percent,
  /** Host CPU cores' worth it used. */
  cpuUsedCores: rate,
  /** Time its vCPUs were runnable but waiting for a host CPU (CPU ready), as % of its vCPUs. */
  cpuReadyPct: percent,
  memUsedMiB: rate,
  diskReadBps: rate,
  diskWriteBps: rate,
  diskReadIops: rate,
  diskWriteIops: rate,
  netRxBps: rate,
  netTxBps: rate,
  /**
   * Its QEMU process's CPU by thread kind, cores: vCPU threads, main loop (and monitor), iothreads,
   * vhost workers, the rest (block worker pool, RCU, ...). Absent where the host does not show threads.
   */
  qemuVcpuCores: rate.optional(),
  qemuEmulatorCores: rate.optional(),
  qemuIothreadCores: rate.optional(),
  qemuVhostCores: rate.optional(),
  qemuOtherCores: rate.optional(),
  /** Host CPU the VM costs beyond its vCPU threads (everything of QEMU that is not a vCPU, vhost included), cores. */
  overheadCores: rate.optional(),
  /** KVM's counters as rates (per second, all vCPUs); absent where the host has no KVM binary stats. */
  kvmExitsPs: rate.optional(),
  kvmHaltExitsPs: rate.optional(),
  kvmIoExitsPs: rate.optional(),
  kvmMmioExitsPs: rate.optional(),
  kvmIrqInjectionsPs: rate.optional(),
  kvmTlbFlushesPs: rate.optional(),
  kvmRemoteTlbFlushesPs: rate.optional(),
  /** Halt polling, in cores: polling that found work, polling that did not, halted waiting. */
  kvmHaltPollSuccessCores: rate.optional(),
  kvmHaltPollFailCores: rate.optional(),
  kvmHaltWaitCores: rate.optional(),
  /**
   * Paging inside the guest, as its balloon driver reports it (virtio balloon statistics): swap read
   * and written, bytes/s, and major page faults per second. Absent when the guest does not report them.
   */
  guestSwapInBps: rate.optional(),
  guestSwapOutBps: rate.optional(),
  guestMajorFaultsPs: rate.optional(),
})

export type HostSample = z.infer<typeof HostSampleSchema>
export type VmSample = z.infer<typeof VmSampleSchema>
export type DiskSample = z.infer<typeof DiskSampleSchema>
