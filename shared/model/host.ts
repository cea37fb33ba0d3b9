import { z } from 'zod'
import { NameSchema } from './vm'

/** Where a host's facts come from: the embedded demo cluster or a real hypervisor. */
export const HostSourceSchema = z.enum(['demo', 'libvirt', 'proxmox'])

/** Connection state as the admin sees it (the ssh state machine fills the real-host values). */
export const HostStateSchema = z.enum([
  'online',
  'connecting',
  'auth-failed',
  'host-key-rejected',
  'unreachable',
  'backing-off',
  'maintenance',
])

export const NumaCellSchema = z.object({
  id: z.number().int().nonnegative(),
  cpus: z.array(z.number().int().nonnegative()),
  memoryMiB: z.number().nonnegative(),
})

export const HostCpuSchema = z.object({
  model: z.string(),
  sockets: z.number().int().positive(),
  coresPerSocket: z.number().int().positive(),
  threadsPerCore: z.number().int().positive(),
  /** Logical CPUs the scheduler can use (sockets x cores x threads). */
  threads: z.number().int().positive(),
  mhz: z.number().positive(),
})

/**
 * How far the admin lets a host be allocated: vCPUs per logical CPU and guest memory per MiB of
 * RAM (Settings, per host or for the cluster). No recommendation may take a host above either.
 */
export const AllocationRatioSchema = z.object({
  cpu: z.number().positive().max(64),
  memory: z.number().positive().max(4),
})

export { DEFAULT_ALLOCATION_RATIO } from './defaults'

/**
 * The cluster a host belongs to: VMs move between the hosts of one cluster only (a Proxmox VE
 * guest cannot live-migrate into another Proxmox cluster, nor onto a plain libvirt host). Hosts
 * without one are the admin's libvirt hosts, one cluster among themselves.
 */
export const HostClusterSchema = z.object({
  /** Unique per cluster and configured source, though two clusters share a name (two labs' `pve`). */
  id: z.string().min(1),
  /** The cluster's own name (Proxmox VE's cluster name; a standalone node's name). */
  name: NameSchema,
  /** Where VirtPilot reads it: the SSH target or the metrics store (and the label that tells clusters apart there). */
  via: NameSchema,
})

export const HostSchema = z.object({
  id: z.string().min(1),
  name: NameSchema,
  source: HostSourceSchema,
  cluster: HostClusterSchema.optional(),
  state: HostStateSchema,
  cpu: HostCpuSchema,
  memoryMiB: z.number().positive(),
  numa: z.array(NumaCellSchema),
  tags: z.array(z.string()),
  /** The ratios that apply to this host; absent: the engine's cluster-wide defaults. */
  allocationRatio: AllocationRatioSchema.optional(),
})

export type HostSource = z.infer<typeof HostSourceSchema>
export type HostState = z.infer<typeof HostStateSchema>
export type NumaCell = z.infer<typeof NumaCellSchema>
export type HostCpu = z.infer<typeof HostCpuSchema>
export type AllocationRatio = z.infer<typeof AllocationRatioSchema>
export type Host = z.infer<typeof HostSchema>
export type HostCluster = z.infer<typeof HostClusterSchema>
