import { z } from 'zod'

/**
 * A change to a host or VM, as data. Exactly one module (src-main/apply) turns an Action into
 * argv for a host; nothing here is a command line.
 */
const vmTarget = { vm: z.string().min(1), host: z.string().min(1) }

/** Online vCPUs; `live: false` means it takes effect at the next restart. */
export const SetVcpusActionSchema = z.object({
  kind: z.literal('setVcpus'),
  ...vmTarget,
  count: z.number().int().positive(),
  live: z.boolean(),
})

/** Raise the vCPU ceiling (config only, needs a restart). */
export const SetMaxVcpusActionSchema = z.object({
  kind: z.literal('setMaxVcpus'),
  ...vmTarget,
  count: z.number().int().positive(),
})

/** Balloon target (live) or configured memory (next restart). */
export const SetMemoryActionSchema = z.object({
  kind: z.literal('setMemory'),
  ...vmTarget,
  memoryMiB: z.number().positive(),
  live: z.boolean(),
})

/** Raise the memory ceiling (config only, needs a restart). */
export const SetMaxMemoryActionSchema = z.object({
  kind: z.literal('setMaxMemory'),
  ...vmTarget,
  memoryMiB: z.number().positive(),
})

/** cgroup cpu.shares (cpu.weight is derived from it by the host adapter). */
export const SetCpuSharesActionSchema = z.object({
  kind: z.literal('setCpuShares'),
  ...vmTarget,
  shares: z.number().int().positive(),
})

/** A guest device name as libvirt names disks: vda, sdb, hdc, xvda, nvme0n1. */
const diskTarget = z.string().regex(/^[a-z][a-z0-9]{1,15}$/, 'not a disk target name')

export const MigrateActionSchema = z.object({
  kind: z.literal('migrate'),
  vm: z.string().min(1),
  from: z.string().min(1),
  to: z.string().min(1),
  live: z.boolean(),
  /** Known at recommendation time: libvirt calls this live migration unsafe (host-cached disks); it runs only where the plan allows that. */
  unsafe: z.boolean().optional(),
  /** Disks on storage the destination does not reach: copied while the guest runs (`--copy-storage-all --migrate-disks`). */
  copyDisks: z.array(diskTarget).min(1).optional(),
})

/** A host-level knob (sysfs/sysctl/tuned/module parameter) set to a value. */
export const SetHostTuningActionSchema = z.object({
  kind: z.literal('setHostTuning'),
  host: z.string().min(1),
  setting: z.enum([
    'ksm.run',
    'transparent_hugepage.enabled',
    'hugepages.nr_2M',
    'cpu.governor',
    'tuned.profile',
    'kvm.halt_poll_ns',
    'vm.overcommit_memory',
  ]),
  value: z.string(),
})

/** A change to a VM's device/domain definition (takes effect at the next restart). */
export const SetVmDeviceActionSchema = z.object({
  kind: z.literal('setVmDevice'),
  ...vmTarget,
  setting: z.enum([
    'disk.bus',
    'disk.cache',
    'disk.io',
    'disk.iothread',
    'nic.model',
    'nic.vhost',
    'memballoon.model',
    'memoryBacking.hugepages',
    'vcpu.pinning',
  ]),
  device: z.string().optional(),
  value: z.string(),
})

export const ActionSchema = z.discriminatedUnion('kind', [
  SetVcpusActionSchema,
  SetMaxVcpusActionSchema,
  SetMemoryActionSchema,
  SetMaxMemoryActionSchema,
  SetCpuSharesActionSchema,
  MigrateActionSchema,
  SetHostTuningActionSchema,
  SetVmDeviceActionSchema,
])

/** An action paired with the action that undoes it. */
export const ReversibleActionSchema = z.object({
  action: ActionSchema,
  rollback: ActionSchema,
})

export type SetVcpusAction = z.infer<typeof SetVcpusActionSchema>
export type SetMaxVcpusAction = z.infer<typeof SetMaxVcpusActionSchema>
export type SetMemoryAction = z.infer<typeof SetMemoryActionSchema>
export type SetMaxMemoryAction = z.infer<typeof SetMaxMemoryActionSchema>
export type SetCpuSharesAction = z.infer<typeof SetCpuSharesActionSchema>
export type MigrateAction = z.infer<typeof MigrateActionSchema>
export type SetHostTuningAction = z.infer<typeof SetHostTuningActionSchema>
export type SetVmDeviceAction = z.infer<typeof SetVmDeviceActionSchema>
export type Action = z.infer<typeof ActionSchema>
export type ReversibleAction = z.infer<typeof ReversibleActionSchema>
