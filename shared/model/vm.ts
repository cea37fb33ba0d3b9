import { z } from 'zod'
import { hasUnsafeCharacters } from '../text/control'

/** libvirt's domain states collapsed to what an admin acts on. */
export const VmStateSchema = z.enum(['running', 'paused', 'shutoff', 'crashed', 'suspended', 'other'])

export const VmAllocationSchema = z.object({
  vcpus: z.number().int().positive(),
  maxVcpus: z.number().int().positive(),
  memoryMiB: z.number().positive(),
  maxMemoryMiB: z.number().positive(),
  /** cgroup cpu.shares / cpu.weight equivalent; 1024 is the default share. */
  cpuShares: z.number().int().positive().optional(),
})

/** A name from a host or a file: never a line break, control or bidi character (see nameFromHost). */
export const NameSchema = z.string().min(1).refine((s) => !hasUnsafeCharacters(s), { message: 'contains a control, line-break or bidirectional character' })

export const VmSchema = z.object({
  id: z.string().min(1),
  name: NameSchema,
  /** libvirt's UUID: how commands address the VM (never by name). */
  uuid: z.string().optional(),
  hostId: z.string().min(1),
  state: VmStateSchema,
  allocation: VmAllocationSchema,
  tags: z.array(z.string()),
})

export type VmState = z.infer<typeof VmStateSchema>
export type VmAllocation = z.infer<typeof VmAllocationSchema>
export type Vm = z.infer<typeof VmSchema>
