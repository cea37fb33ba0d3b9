import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { entitle, type ResourceClaim } from '../../../shared/engine/entitlement'

// 8 cores shared by three VMs that together want 12: contention.
const contended: ResourceClaim[] = [
  { vmId: 'web', demand: 2, allocation: 4, reservation: 0, shares: 1024 },
  { vmId: 'db', demand: 4, allocation: 4, reservation: 3, shares: 1024 },
  { vmId: 'batch', demand: 6, allocation: 8, reservation: 1, shares: 2048, limit: 4 },
]
const byVm = (r: ReturnType<typeof entitle>) => Object.fromEntries(r.entitlements.map((e) => [e.vmId, [e.entitlement, e.unmet]]))

describe('entitlement under contention (hand-computed)', () => {
  it('static: allocations (16) exceed 8 cores, so each gets half its allocation', () => {
    const r = entitle('static', 8, contended)
    expect(byVm(r)).toEqual({ web: [2, 0], db: [2, 2], batch: [4, 2] })
    expect(r.load).toBe(1)
  })

  it('dynamic: max-min fair — web needs 2 (< 8/3), the other two split the remaining 6', () => {
    const r = entitle('dynamic', 8, contended)
    const e = byVm(r)
    expect(e.web).toEqual([2, 0])
    expect(e.db![0]).toBeCloseTo(3)
    expect(e.db![1]).toBeCloseTo(1)
    expect(e.batch![0]).toBeCloseTo(3)
    expect(e.batch![1]).toBeCloseTo(3)
    expect(r.load).toBeCloseTo(1)
    expect(r.demandLoad).toBeCloseTo(12 / 8)
  })

  it('hybrid: reservations 0/3/1 first, the remaining 4 by shares 1:1:2, batch capped by its 4-core limit', () => {
    const r = entitle('hybrid', 8, contended)
    const e = byVm(r)
    // db: 3 reserved + 1 (its demand is then met); web: 1 of its 2; batch: 1 reserved + 2 = 3, below its limit 4.
    expect(e.web![0]).toBeCloseTo(1)
    expect(e.db![0]).toBeCloseTo(4)
    expect(e.batch![0]).toBeCloseTo(3)
    expect(e.batch![1]).toBeCloseTo(3)
    expect(r.load).toBeCloseTo(1)
  })

  it('hybrid: a limit holds even when capacity is free', () => {
    const r = entitle('hybrid', 32, contended)
    expect(byVm(r).batch![0]).toBeCloseTo(4)
    expect(byVm(r).batch![1]).toBeCloseTo(2)
  })

  it('no contention: dynamic gives every VM its demand and load is demand / capacity', () => {
    const r = entitle('dynamic', 16, contended)
    expect(r.entitlements.map((e) => e.entitlement)).toEqual([2, 4, 6])
    expect(r.entitlements.every((e) => e.unmet === 0)).toBe(true)
    expect(r.load).toBeCloseTo(12 / 16)
  })

  it('demand above the allocation is capped: a 2-vCPU VM cannot use 5 cores', () => {
    const r = entitle('dynamic', 16, [{ vmId: 'a', demand: 5, allocation: 2 }])
    expect(r.entitlements[0]).toEqual({ vmId: 'a', demand: 2, entitlement: 2, unmet: 0 })
  })
})

const claimArb = fc.record({
  vmId: fc.string({ minLength: 1, maxLength: 4 }),
  demand: fc.double({ min: 0, max: 64, noNaN: true }),
  allocation: fc.double({ min: 0.5, max: 64, noNaN: true }),
  reservation: fc.double({ min: 0, max: 8, noNaN: true }),
  limit: fc.option(fc.double({ min: 0, max: 64, noNaN: true }), { nil: undefined }),
  shares: fc.integer({ min: 2, max: 8192 }),
})
const claimsArb = fc.array(claimArb, { minLength: 1, maxLength: 12 })
const capacityArb = fc.double({ min: 1, max: 128, noNaN: true })
const eps = 1e-6

describe('entitlement properties', () => {
  it('never hands out more than the host has, nor negative shares', () => {
    fc.assert(
      fc.property(fc.constantFrom('static', 'dynamic', 'hybrid' as const), capacityArb, claimsArb, (s, cap, claims) => {
        const r = entitle(s, cap, claims)
        const total = r.entitlements.reduce((a, e) => a + e.entitlement, 0)
        expect(total).toBeLessThanOrEqual(cap + eps)
        for (const e of r.entitlements) {
          expect(e.entitlement).toBeGreaterThanOrEqual(-eps)
          expect(e.unmet).toBeGreaterThanOrEqual(0)
        }
      }),
    )
  })

  it('dynamic is work-conserving and max-min fair', () => {
    fc.assert(
      fc.property(capacityArb, claimsArb, (cap, claims) => {
        const r = entitle('dynamic', cap, claims)
        const demand = r.entitlements.reduce((a, e) => a + e.demand, 0)
        const total = r.entitlements.reduce((a, e) => a + e.entitlement, 0)
        expect(total).toBeCloseTo(Math.min(cap, demand), 6)
        // Anyone short of demand got at least as much as anyone else.
        for (const short of r.entitlements.filter((e) => e.unmet > eps))
          for (const other of r.entitlements) expect(short.entitlement).toBeGreaterThanOrEqual(other.entitlement - eps)
      }),
    )
  })

  it('hybrid honours reservations (when they fit) and limits', () => {
    fc.assert(
      fc.property(capacityArb, claimsArb, (cap, claims) => {
        const reserved = claims.reduce((a, c) => a + Math.min(c.reservation, c.demand, c.allocation), 0)
        fc.pre(reserved <= cap)
        const r = entitle('hybrid', cap, claims)
        r.entitlements.forEach((e, i) => {
          const c = claims[i]!
          expect(e.entitlement).toBeGreaterThanOrEqual(Math.min(c.reservation, e.demand) - eps)
          expect(e.entitlement).toBeLessThanOrEqual(Math.max(Math.min(c.reservation, e.demand), c.limit ?? Infinity) + eps)
          expect(e.entitlement).toBeLessThanOrEqual(e.demand + eps)
        })
      }),
    )
  })
})
