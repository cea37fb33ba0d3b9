import type { AllocationStrategy } from '../options'

/**
 * One resource of one host for one replay step, in flat arrays (the replay calls this
 * hosts x steps x 2 times). Without contention the answer is closed-form; with contention it is
 * the engine's `entitle` (shared/engine/entitlement.ts) computed on these arrays in the same order
 * of operations, so the what-if and the recommender share one allocation model to the last bit
 * (a property test holds them equal).
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
  /** Scratch of the contended case. */
  capped: Float64Array
  base: Float64Array
  ceiling: Float64Array
  extra: Float64Array
  ones: Float64Array
  open: Int32Array
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
    capped: new Float64Array(size),
    base: new Float64Array(size),
    ceiling: new Float64Array(size),
    extra: new Float64Array(size),
    ones: new Float64Array(size).fill(1),
    open: new Int32Array(size),
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

/** entitle()'s dynamic and hybrid shares (demand capped by allocation, then water-filling). */
function slowPath(strategy: AllocationStrategy, capacity: number, b: ShareBuffers): number {
  const { n, demand, allocation, reservation, limit, shares, entitlement, capped, base, ceiling, extra } = b
  for (let i = 0; i < n; i++) capped[i] = Math.max(0, Math.min(demand[i]!, allocation[i]!))
  if (strategy === 'dynamic') {
    waterFill(capacity, capped, b.ones, n, entitlement, b.open)
  } else {
    // Reservations first (up to demand, scaled down if they exceed capacity), then the rest by shares up to limits.
    let reservedSum = 0
    for (let i = 0; i < n; i++) {
      base[i] = Math.min(reservation[i]!, capped[i]!)
      reservedSum += base[i]!
    }
    const scale = reservedSum > capacity && reservedSum > 0 ? capacity / reservedSum : 1
    let baseSum = 0
    for (let i = 0; i < n; i++) {
      base[i] = base[i]! * scale
      baseSum += base[i]!
    }
    for (let i = 0; i < n; i++) ceiling[i] = Math.max(0, Math.min(capped[i]!, limit[i]!) - base[i]!)
    waterFill(capacity - baseSum, ceiling, shares, n, extra, b.open)
    for (let i = 0; i < n; i++) entitlement[i] = base[i]! + extra[i]!
  }
  let total = 0
  for (let i = 0; i < n; i++) total += entitlement[i]!
  return total
}

/**
 * entitlement.ts waterFill on the first n values, into `granted`. A VM's own test only reads its
 * own grant, so one pass both finds the satisfied VMs and grants them, in the same order.
 */
function waterFill(capacity: number, caps: Float64Array, weights: Float64Array, n: number, granted: Float64Array, open: Int32Array): void {
  let m = 0
  for (let i = 0; i < n; i++) {
    granted[i] = 0
    if (caps[i]! > 0 && weights[i]! > 0) open[m++] = i
  }
  let remaining = Math.max(0, capacity)
  while (m > 0 && remaining > 1e-12) {
    let weightSum = 0
    for (let k = 0; k < m; k++) weightSum += weights[open[k]!]!
    const perWeight = remaining / weightSum
    let kept = 0
    for (let k = 0; k < m; k++) {
      const i = open[k]!
      if (caps[i]! - granted[i]! <= perWeight * weights[i]! + 1e-12) {
        remaining -= caps[i]! - granted[i]!
        granted[i] = caps[i]!
      } else open[kept++] = i
    }
    if (kept === m) {
      for (let k = 0; k < m; k++) granted[open[k]!] = granted[open[k]!]! + perWeight * weights[open[k]!]!
      break
    }
    m = kept
  }
}
