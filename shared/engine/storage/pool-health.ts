import type { StoragePool, StorageVolume } from '../../model/storage'

/** How full a pool is, how much its volumes were promised, and which thin volumes could not grow to their size. */
export interface PoolHealth {
  /** allocation / capacity, 0-1; null for a pool of unknown size. */
  usedShare: number | null
  /** Sum of its volumes' virtual sizes; null without a volume list. */
  volumeCapacityBytes: number | null
  /** volumeCapacityBytes / capacity: above 1 the volumes were promised more than the pool holds. */
  overcommit: number | null
  /** What its thin volumes may still grow by, together. */
  thinGrowthBytes: number
  /** Volumes whose own growth to full size exceeds the pool's free space. */
  thinAtRisk: { volume: StorageVolume; growBytes: number }[]
  /** Volumes written to nearly all of their size (the guest may be running out of disk). */
  nearlyFull: { volume: StorageVolume; share: number }[]
}

export const NEARLY_FULL_SHARE = 0.95

export function poolHealth(pool: StoragePool): PoolHealth {
  const volumes = pool.volumes
  const volumeCapacityBytes = volumes ? volumes.reduce((a, v) => a + v.capacityBytes, 0) : null
  const thin = (volumes ?? []).map((v) => ({ volume: v, growBytes: Math.max(0, v.capacityBytes - v.allocationBytes) }))
  return {
    usedShare: pool.capacityBytes > 0 ? pool.allocationBytes / pool.capacityBytes : null,
    volumeCapacityBytes,
    overcommit: volumeCapacityBytes !== null && pool.capacityBytes > 0 ? volumeCapacityBytes / pool.capacityBytes : null,
    thinGrowthBytes: thin.reduce((a, t) => a + t.growBytes, 0),
    thinAtRisk: thin.filter((t) => t.growBytes > pool.availableBytes).sort((a, b) => b.growBytes - a.growBytes),
    nearlyFull: (volumes ?? [])
      .filter((v) => v.capacityBytes > 0 && v.allocationBytes / v.capacityBytes >= NEARLY_FULL_SHARE)
      .map((v) => ({ volume: v, share: v.allocationBytes / v.capacityBytes })),
  }
}
