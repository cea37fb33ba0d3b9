import { z } from 'zod'
import { HostStorageSchema } from './storage'

/**
 * Configuration facts the tuning rules read, in admin words: what a host's kernel is set to and
 * how each VM is defined. Measured load is not here (that is the snapshot); these are the knobs.
 * A fact that discovery could not read is absent, and a rule that needs it stays quiet.
 */

const count = z.number().int().nonnegative()

export const NumaNodeFactsSchema = z.object({
  id: count,
  cpus: z.array(count),
  memoryMiB: z.number().nonnegative(),
})

export const HostFactsSchema = z.object({
  hostId: z.string().min(1),
  memoryMiB: z.number().positive(),
  logicalCpus: z.number().int().positive(),
  numaNodes: z.array(NumaNodeFactsSchema),
  kernel: z.string().optional(),
  libvirtVersion: z.string().optional(),
  /** QEMU version as libvirt reports it (`Running hypervisor: QEMU x.y.z`). */
  qemuVersion: z.string().optional(),
  /** /dev/kvm exists: guests can run hardware-accelerated. */
  kvmDevice: z.boolean().optional(),
  /** Kernel samepage merging (/sys/kernel/mm/ksm). */
  ksm: z
    .object({
      running: z.boolean(),
      /** Pages other pages are merged into, and pages merged into them (the saving). */
      pagesShared: count,
      pagesSharing: count,
      fullScans: count,
    })
    .optional(),
  /** Transparent hugepages mode: always, madvise or never. */
  transparentHugepages: z.string().optional(),
  /** Reserved hugepage pools by page size. */
  hugepagePools: z.array(z.object({ sizeKiB: z.number().positive(), total: count, free: count })),
  /** CPUs per cpufreq scaling governor; empty when the host exposes no cpufreq (e.g. nested). */
  cpuGovernors: z.record(z.string(), count),
  /** CPU clock read at discovery (cpufreq): the mean current clock of the CPUs and cpu0's maximum, MHz. */
  cpuClock: z.object({ currentMHz: z.number().positive(), maxMHz: z.number().positive() }).optional(),
  /** Active tuned profile, when known. */
  tunedProfile: z.string().optional(),
  /** kvm module parameter halt_poll_ns; absent when the kvm module is not loaded. */
  haltPollNs: z.number().int().nonnegative().optional(),
  /** /dev/vhost-net exists (in-kernel virtio-net backend available). */
  vhostNet: z.boolean().optional(),
})

export const VmDiskFactsSchema = z.object({
  /** Guest device name (vda, sda, hdc, ...). */
  target: z.string(),
  /** disk, cdrom, floppy, lun. */
  device: z.string(),
  bus: z.string().optional(),
  /** file, block, network, volume. */
  sourceType: z.string(),
  /** qcow2, raw, ... */
  format: z.string().optional(),
  /** Absent means the hypervisor default (QEMU: writeback). */
  cache: z.string().optional(),
  /** Absent means the default (threads). */
  io: z.string().optional(),
  iothread: z.number().int().positive().optional(),
  readonly: z.boolean(),
})

export const VmNicFactsSchema = z.object({
  /** bridge, network, direct, user, ... */
  type: z.string(),
  /** virtio, e1000, e1000e, rtl8139, ...; absent means the machine default. */
  model: z.string().optional(),
  /** vhost (in-kernel) or qemu (userspace); absent means vhost when available. */
  driver: z.string().optional(),
  queues: z.number().int().positive().optional(),
  mac: z.string().optional(),
})

export const VmFactsSchema = z.object({
  vmId: z.string().min(1),
  name: z.string().min(1),
  hostId: z.string().min(1),
  running: z.boolean(),
  /** kvm (hardware-accelerated) or qemu (emulated, TCG). */
  accelerator: z.string(),
  vcpus: z.number().int().positive(),
  memoryMiB: z.number().positive(),
  maxMemoryMiB: z.number().positive(),
  /** Operating system id (e.g. libosinfo's), when known: guests alike share pages under KSM. */
  guestOs: z.string().optional(),
  disks: z.array(VmDiskFactsSchema),
  nics: z.array(VmNicFactsSchema),
  /** Balloon device model; 'none' when absent or disabled. */
  balloon: z.string(),
  hugepagesBacking: z.boolean(),
  /** <nosharepages/>: the VM opts out of KSM. */
  noSharePages: z.boolean(),
  /** Host CPUs each vCPU is pinned to (empty: not pinned). */
  vcpuPins: z.array(z.object({ vcpu: count, cpus: z.array(count) })),
  /** <numatune><memory mode nodeset>, when set. */
  numaMemory: z.object({ mode: z.string().optional(), nodes: z.array(count).optional() }).optional(),
})

export const ClusterFactsSchema = z.object({
  hosts: z.record(z.string(), HostFactsSchema),
  vms: z.record(z.string(), VmFactsSchema),
  /** Pools, volumes and disks per host, where discovery read them. */
  storage: z.record(z.string(), HostStorageSchema).optional(),
})

export type NumaNodeFacts = z.infer<typeof NumaNodeFactsSchema>
export type HostFacts = z.infer<typeof HostFactsSchema>
export type VmDiskFacts = z.infer<typeof VmDiskFactsSchema>
export type VmNicFacts = z.infer<typeof VmNicFactsSchema>
export type VmFacts = z.infer<typeof VmFactsSchema>
export type ClusterFacts = z.infer<typeof ClusterFactsSchema>
