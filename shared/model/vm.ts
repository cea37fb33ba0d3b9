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

/** Cluster managers that place and size VMs themselves; VirtPilot leaves their VMs alone. */
export const VmManagerKindSchema = z.enum(['proxmox-ha', 'pacemaker', 'ovirt', 'openstack', 'cloudstack'])

/** How each manager calls itself (proper names, the same in every language). */
export const MANAGER_NAMES: Record<z.infer<typeof VmManagerKindSchema>, string> = {
  'proxmox-ha': 'Proxmox VE HA',
  pacemaker: 'Pacemaker',
  ovirt: 'oVirt',
  openstack: 'OpenStack Nova',
  cloudstack: 'Apache CloudStack',
}

/** Another manager owns this VM: what discovery saw that says so. */
export const VmManagerSchema = z.object({
  manager: VmManagerKindSchema,
  /** The manager's own name for it: `vm:100`, a pacemaker resource id, a nova instance name. */
  ref: NameSchema,
  /** Where that was read: a file (`/etc/pve/ha/resources.cfg`), a command or the domain's XML. */
  source: NameSchema,
  /** The manager's settings that matter, in its own syntax (`state=started, group=db; crs: ha=static`). */
  detail: NameSchema.optional(),
})

export const VmSchema = z.object({
  id: z.string().min(1),
  name: NameSchema,
  /** libvirt's UUID: how commands address the VM (never by name). */
  uuid: z.string().optional(),
  hostId: z.string().min(1),
  state: VmStateSchema,
  allocation: VmAllocationSchema,
  tags: z.array(z.string()),
  /** Set when a cluster manager (Proxmox VE HA, pacemaker, oVirt, OpenStack, ...) owns the VM. */
  managedBy: VmManagerSchema.optional(),
})

export type VmState = z.infer<typeof VmStateSchema>
export type VmAllocation = z.infer<typeof VmAllocationSchema>
export type Vm = z.infer<typeof VmSchema>
export type VmManager = z.infer<typeof VmManagerSchema>
export type VmManagerKind = z.infer<typeof VmManagerKindSchema>
