import { z } from 'zod'
import { HostMountSchema, StoragePoolSchema, VmDiskStorageSchema } from '../model'

/** Schemas of the storage channels: a host's pools (with use, promise and forecast) and a VM's disks. */

export const PoolForecastViewSchema = z.object({
  growthBytesPerDay: z.number(),
  /** Null when the pool is not growing. */
  daysToFull: z.number().nullable(),
  from: z.number(),
  to: z.number(),
  samples: z.number().int(),
})

export const PoolViewSchema = z.object({
  pool: StoragePoolSchema,
  /** allocation / capacity, 0-1. */
  usedShare: z.number().nullable(),
  volumeCount: z.number().int().nullable(),
  volumeCapacityBytes: z.number().nullable(),
  /** Volumes' virtual size / capacity: above 1 thin volumes were promised more than the pool holds. */
  overcommit: z.number().nullable(),
  /** Thin volumes whose growth to full size exceeds the free space. */
  thinAtRisk: z.array(z.object({ volume: z.string(), growBytes: z.number() })),
  /** Null without enough history (see forecastNote). */
  forecast: PoolForecastViewSchema.nullable(),
  /** Pool figures stored so far for this pool (days-to-full needs an hour and four samples). */
  historySamples: z.number().int(),
  /** Other hosts that see the same shared pool. */
  alsoOn: z.array(z.string()),
})

export const VmDiskViewSchema = VmDiskStorageSchema.extend({
  vmName: z.string(),
  /** Name of the pool holding it, when one does. */
  poolName: z.string().optional(),
})

export const HostStorageViewSchema = z.object({
  hostId: z.string(),
  /** When discovery read it; null when it has not (yet), or the host has no storage VirtPilot can read. */
  t: z.number().nullable(),
  pools: z.array(PoolViewSchema),
  /** Filesystems holding the host's VM disks and pool folders, with their use. */
  mounts: z.array(HostMountSchema),
  disks: z.array(VmDiskViewSchema),
})

export const VmStorageViewSchema = z.object({
  vmId: z.string(),
  hostId: z.string().nullable(),
  t: z.number().nullable(),
  disks: z.array(VmDiskViewSchema),
})

export type PoolForecastView = z.infer<typeof PoolForecastViewSchema>
export type PoolView = z.infer<typeof PoolViewSchema>
export type VmDiskView = z.infer<typeof VmDiskViewSchema>
export type HostStorageView = z.infer<typeof HostStorageViewSchema>
export type VmStorageView = z.infer<typeof VmStorageViewSchema>
