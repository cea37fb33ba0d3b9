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

export const HostSchema = z.object({
  id: z.string().min(1),
  name: NameSchema,
  source: HostSourceSchema,
  state: HostStateSchema,
  cpu: HostCpuSchema,
  memoryMiB: z.number().positive(),
  numa: z.array(NumaCellSchema),
  tags: z.array(z.string()),
})

export type HostSource = z.infer<typeof HostSourceSchema>
export type HostState = z.infer<typeof HostStateSchema>
export type NumaCell = z.infer<typeof NumaCellSchema>
export type HostCpu = z.infer<typeof HostCpuSchema>
export type Host = z.infer<typeof HostSchema>
