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

export const HostSchema = z.object({
  id: z.string().min(1),
  name: NameSchema,
  source: HostSourceSchema,
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
