import { z } from 'zod'
import { HostSchema } from './host'
import { VmSchema } from './vm'
import { DiskSampleSchema, HostSampleSchema, VmSampleSchema } from './sample'

/**
 * The cluster as of one poll: inventory plus the latest sample of every host and VM.
 * Hosts or VMs without a sample yet (just discovered, shut off) simply have none.
 */
export const SnapshotSchema = z.object({
  t: z.number().int().nonnegative(),
  hosts: z.array(HostSchema),
  vms: z.array(VmSchema),
  hostSamples: z.array(HostSampleSchema),
  vmSamples: z.array(VmSampleSchema),
  /** Block devices' iostat figures of this poll (hosts that report them). */
  diskSamples: z.array(DiskSampleSchema).optional(),
})

export type Snapshot = z.infer<typeof SnapshotSchema>
