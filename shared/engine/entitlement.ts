import type { AllocationStrategy } from './options'

/** What one VM asks of one resource on its host (CPU in cores or memory in MiB). */
export interface ResourceClaim {
  vmId: string
  demand: number
  /** What is configured for it (vCPUs, memory); it can never use more. */
  allocation: number
  reservation?: number
  limit?: number
  /** Relative weight (cgroup cpu.shares); 1024 by default. */
  shares?: number
}

export interface Entitlement {
  vmId: string
  demand: number
  entitlement: number
  /** Demand it does not get: the contention the admin sees as slowness or swapping. */
  unmet: number
}

export interface ResourceShare {
  entitlements: Entitlement[]
  /** Sum of entitlements / capacity, 0-1. */
  load: number
  /** Sum of capped demand / capacity; above 1 means the host is short. */
  demandLoad: number
}

const defaultShares = 1024

/** Share `capacity` among claims under the admin's chosen strategy. */
export function entitle(strategy: AllocationStrategy, capacity: number, claims: readonly ResourceClaim[]): ResourceShare {
  const demands = claims.map((c) => Math.max(0, Math.min(c.demand, c.allocation)))
  const granted =
    strategy === 'static'
      ? staticShares(capacity, claims)
      : strategy === 'dynamic'
        ? waterFill(capacity, demands, claims.map(() => 1))
        : hybridShares(capacity, claims, demands)
  const entitlements = claims.map((c, i) => ({
    vmId: c.vmId,
    demand: demands[i]!,
    entitlement: granted[i]!,
    unmet: Math.max(0, demands[i]! - granted[i]!),
  }))
  const sumGranted = granted.reduce((a, b) => a + b, 0)
  const sumDemand = demands.reduce((a, b) => a + b, 0)
  return {
    entitlements,
    load: capacity > 0 ? sumGranted / capacity : 0,
    demandLoad: capacity > 0 ? sumDemand / capacity : 0,
  }
}

/** Static: each VM holds its full allocation; when allocations exceed capacity all shrink alike. */
function staticShares(capacity: number, claims: readonly ResourceClaim[]): number[] {
  const total = claims.reduce((a, c) => a + c.allocation, 0)
  const scale = total > capacity && total > 0 ? capacity / total : 1
  return claims.map((c) => c.allocation * scale)
}

/**
 * Weighted max-min fair share (water-filling): capacity is split by weight; a VM that needs
 * less than its share gets what it needs and the rest is split again among the others.
 */
export function waterFill(capacity: number, caps: readonly number[], weights: readonly number[]): number[] {
  const granted = caps.map(() => 0)
  let open = caps.map((_, i) => i).filter((i) => caps[i]! > 0 && weights[i]! > 0)
  let remaining = Math.max(0, capacity)
  while (open.length > 0 && remaining > 1e-12) {
    const weightSum = open.reduce((a, i) => a + weights[i]!, 0)
    const perWeight = remaining / weightSum
    const satisfied = open.filter((i) => caps[i]! - granted[i]! <= perWeight * weights[i]! + 1e-12)
    if (satisfied.length === 0) {
      for (const i of open) granted[i] = granted[i]! + perWeight * weights[i]!
      remaining = 0
      break
    }
    for (const i of satisfied) {
      remaining -= caps[i]! - granted[i]!
      granted[i] = caps[i]!
    }
    open = open.filter((i) => !satisfied.includes(i))
  }
  return granted
}

/** Hybrid: reservations first (up to demand), then the rest by shares, capped by limits. */
function hybridShares(capacity: number, claims: readonly ResourceClaim[], demands: readonly number[]): number[] {
  const reserved = claims.map((c, i) => Math.min(c.reservation ?? 0, demands[i]!))
  const reservedSum = reserved.reduce((a, b) => a + b, 0)
  // Admission control should prevent this; if reservations still exceed capacity, scale them.
  const scale = reservedSum > capacity && reservedSum > 0 ? capacity / reservedSum : 1
  const base = reserved.map((r) => r * scale)
  const ceilings = claims.map((c, i) => Math.max(0, Math.min(demands[i]!, c.limit ?? Infinity) - base[i]!))
  const extra = waterFill(
    capacity - base.reduce((a, b) => a + b, 0),
    ceilings,
    claims.map((c) => c.shares ?? defaultShares),
  )
  return base.map((b, i) => b + extra[i]!)
}
