import { describe, expect, it } from 'vitest'
import { host, snapshot, T0, usage, vm } from '../support/cluster'
import { migrations, recommendChecked } from '../support/plan'

const base = { history: { vms: {} }, now: T0, seed: 5 }
const busy = (vms: ReturnType<typeof vm>[]) => vms.map((v) => usage(v, 1, 1024))

describe('rules the mandatory phase cannot fix by moving', () => {
  it('moves the balancer\'s own VM off a host it shares with an anti-affine VM another balancer manages', () => {
    // Group order puts the movable VM first: it must still be the one that moves. No budget, so
    // only a mandatory move can do it.
    const hosts = [host('h1'), host('h2')]
    const vms = [vm('mine', 'h1'), vm('theirs', 'h1')]
    const out = recommendChecked({ ...base, snapshot: snapshot(hosts, vms, busy(vms)), options: { balance: { maxMigrations: 0 }, rules: { antiAffinity: [['mine', 'theirs']], externallyManaged: ['theirs'] } } })
    expect(migrations(out).map((m) => `${m.vm}:${m.to}`)).toEqual(['mine:h2'])
    expect(out.balance.moves.every((m) => m.mandatory)).toBe(true)
    expect(out.feasible).toBe(true)
  })

  it('reports a VM another balancer manages that stays on a host in maintenance', () => {
    const hosts = [host('h1', { state: 'maintenance' }), host('h2')]
    const vms = [vm('theirs', 'h1'), vm('mine', 'h1')]
    const out = recommendChecked({ ...base, snapshot: snapshot(hosts, vms, busy(vms)), options: { rules: { externallyManaged: ['theirs'] } } })
    expect(migrations(out).map((m) => m.vm)).toEqual(['mine'])
    expect(out.feasible).toBe(false)
    expect(out.reasons.join(' ')).toMatch(/h1 is in maintenance: theirs is managed by another balancer/)
  })

  it('reports VMs that are both affine and anti-affine instead of moving them back and forth', () => {
    const hosts = [host('h1'), host('h2')]
    const vms = [vm('a', 'h1'), vm('b', 'h1')]
    const out = recommendChecked({ ...base, snapshot: snapshot(hosts, vms, busy(vms)), options: { rules: { affinity: [['a', 'b']], antiAffinity: [['a', 'b']] } } })
    expect(out.balance.moves.filter((m) => m.mandatory)).toEqual([])
    expect(out.feasible).toBe(false)
    expect(out.reasons).toContain('a and b must run together (affinity) and apart (anti-affinity)')
  })
})
