/**
 * Placement rules an admin sets, beyond what the inventory says.
 * Hosts in maintenance come from `Host.state === 'maintenance'`.
 */
export interface PlacementRules {
  /** Each group stays together on one host. */
  affinity: string[][]
  /** No two VMs of a group share a host. */
  antiAffinity: string[][]
  /** VM id -> hosts it may run on. */
  pinned: Record<string, string[]>
  /** VMs another balancer manages: never moved, still counted. */
  externallyManaged: string[]
}

export const noRules: PlacementRules = { affinity: [], antiAffinity: [], pinned: {}, externallyManaged: [] }

/** vSphere-style per-VM controls for the hybrid strategy; absent values mean "none". */
export interface VmResourceControls {
  cpuReservationCores?: number
  cpuLimitCores?: number
  memReservationMiB?: number
  memLimitMiB?: number
}
