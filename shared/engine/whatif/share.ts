import { entitle, type ResourceClaim } from '../entitlement'
import type { AllocationStrategy } from '../options'

/**
 * One resource of one host for one replay step, in flat arrays (the replay calls this
 * hosts x steps x 2 times). Without contention the answer is closed-form; with contention it
 * is the engine's own `entitle`, so the what-if and the recommender share one allocation model.
 */
export interface ShareBuffers {
  n: number
  demand: Float64Array
  allocation: Float64Array
  reservation: Float64Array
  /** Infinity when none. */
  limit: Float64Array
  shares: Float64Array
  /** Output. */
  entitlement: Float64Array
}

export function shareBuffers(size: number): ShareBuffers {
  return {
    n: 0,
    demand: new Float64Array(size),
    allocation: new Float64Array(size),
    reservation: new Float64Array(size),
    limit: new Float64Array(size),
    shares: new Float64Array(size),
    entitlement: new Float64Array(size),
  }
}

export function growShareBuffers(b: ShareBuffers, size: number): ShareBuffers {
  return b.demand.length >= size ? b : shareBuffers(Math.max(size, b.demand.length * 2))
}

/** Fills `b.entitlement[0..n)`; returns the sum of entitlements. */
export function shareResource(strategy: AllocationStrategy, capacity: number, b: ShareBuffers): number {
  const { n, demand, allocation, reservation, limit, entitlement } = b
  if (strategy === 'static') {
    let total = 0
    for (let i = 0; i < n; i++) total += allocation[i]!
    const scale = total > capacity && total > 0 ? capacity / total : 1
    for (let i = 0; i < n; i++) entitlement[i] = allocation[i]! * scale
    return total * scale
  }
  if (strategy === 'dynamic') {
    let total = 0
    for (let i = 0; i < n; i++) {
      const capped = Math.max(0, Math.min(demand[i]!, allocation[i]!))
      entitlement[i] = capped
      total += capped
    }
    if (total <= capacity) return total
    return slowPath(strategy, capacity, b)
  }
  // Hybrid without contention: each gets max(its reservation, demand up to its limit).
  let reservedSum = 0
  let ceilingSum = 0
  let total = 0
  for (let i = 0; i < n; i++) {
    const capped = Math.max(0, Math.min(demand[i]!, allocation[i]!))
    const base = Math.min(reservation[i]!, capped)
    const ceiling = Math.max(0, Math.min(capped, limit[i]!) - base)
    reservedSum += base
    ceilingSum += ceiling
    entitlement[i] = base + ceiling
    total += base + ceiling
  }
  if (reservedSum <= capacity && ceilingSum <= capacity - reservedSum) return total
  return slowPath(strategy, capacity, b)
}

function slowPath(strategy: AllocationStrategy, capacity: number, b: ShareBuffers): number {
  const claims: ResourceClaim[] = []
  for (let i = 0; i < b.n; i++) {
    claims.push({
      vmId: String(i),
      demand: b.demand[i]!,
      allocation: b.allocation[i]!,
      reservation: b.reservation[i]!,
      ...(Number.isFinite(b.limit[i]!) ? { limit: b.limit[i]! } : {}),
      shares: b.shares[i]!,
    })
  }
  const share = entitle(strategy, capacity, claims)
  let total = 0
  share.entitlements.forEach((e, i) => {
    b.entitlement[i] = e.entitlement
    total += e.entitlement
  })
  return total
}
