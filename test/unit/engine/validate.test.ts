import { describe, expect, it } from 'vitest'
import type { ReversibleAction } from '../../../shared/model/action'
import { withDefaults } from '../../../shared/engine/options'
import { validatePlan } from '../../../shared/engine/validate'
import { host, snapshot, T0, vm } from './support/cluster'

// The checker must catch broken plans, or "every test runs it" proves nothing.
const hosts = [host('h1', { threads: 4, memoryMiB: 16384 }), host('h2', { threads: 4, memoryMiB: 16384 }), host('h3', { state: 'maintenance' })]
const vms = [vm('a', 'h1', { vcpus: 2, memoryMiB: 8192 }), vm('b', 'h2', { vcpus: 2, memoryMiB: 12288 }), vm('c', 'h1', { vcpus: 1, memoryMiB: 1024 })]
const snap = snapshot(hosts, vms)
const mig = (v: string, from: string, to: string): ReversibleAction => ({
  action: { kind: 'migrate', vm: v, from, to, live: true },
  rollback: { kind: 'migrate', vm: v, from: to, to: from, live: true },
})
const codes = (plan: ReversibleAction[], options = withDefaults(), history = { vms: {} }) =>
  validatePlan(snap, plan, options, history, T0).violations.map((v) => v.code)

describe('plan validator', () => {
  it('accepts a plan that keeps every limit', () => {
    expect(codes([mig('c', 'h1', 'h2')])).toEqual([])
  })
  it('catches memory overcommit beyond the ratio', () => {
    expect(codes([mig('a', 'h1', 'h2')])).toContain('memory-overcommit')
    expect(codes([mig('a', 'h1', 'h2')], withDefaults({ balance: { memOvercommit: 1.5 } }))).not.toContain('memory-overcommit')
  })
  it('catches vCPU overcommit beyond the ratio', () => {
    const plan: ReversibleAction[] = [{ action: { kind: 'setVcpus', vm: 'a', host: 'h1', count: 16, live: false }, rollback: { kind: 'setVcpus', vm: 'a', host: 'h1', count: 2, live: false } }]
    expect(codes(plan)).toContain('vcpu-overcommit')
  })
  it('catches moves to maintenance hosts, pinned and externally managed VMs, wrong source hosts', () => {
    expect(codes([mig('c', 'h1', 'h3')])).toContain('maintenance-target')
    expect(codes([mig('c', 'h1', 'h2')], withDefaults({ rules: { pinned: { c: ['h1'] } } }))).toContain('pinned')
    expect(codes([mig('c', 'h1', 'h2')], withDefaults({ rules: { externallyManaged: ['c'] } }))).toContain('externally-managed')
    expect(codes([mig('c', 'h2', 'h1')])).toContain('wrong-source-host')
  })
  it('catches broken affinity and anti-affinity in the end state', () => {
    expect(codes([mig('c', 'h1', 'h2')], withDefaults({ rules: { affinity: [['a', 'c']] } }))).toContain('affinity')
    expect(codes([mig('c', 'h1', 'h2')], withDefaults({ rules: { antiAffinity: [['b', 'c']] } }))).toContain('anti-affinity')
  })
  it('catches a move back within the cooldown', () => {
    const history = { vms: {}, recentMigrations: [{ vmId: 'c', from: 'h2', to: 'h1', t: T0 - 60_000 }] }
    expect(codes([mig('c', 'h1', 'h2')], withDefaults(), history)).toContain('cooldown')
  })
  it('catches memory below the peak working set, less than one vCPU, live changes above max, and wrong rollbacks', () => {
    const history = { vms: { a: { t: [T0 - 1000], cpuUsedCores: [1], memUsedMiB: [4000] } } }
    const low: ReversibleAction = { action: { kind: 'setMemory', vm: 'a', host: 'h1', memoryMiB: 4096, live: true }, rollback: { kind: 'setMemory', vm: 'a', host: 'h1', memoryMiB: 8192, live: true } }
    expect(codes([low], withDefaults(), history)).toContain('below-peak-memory')
    // Growth held back by the host's ratio is below the floor yet adds memory: not refused.
    const heldGrowth: ReversibleAction = { action: { kind: 'setMemory', vm: 'a', host: 'h1', memoryMiB: 4300, live: true }, rollback: { kind: 'setMemory', vm: 'a', host: 'h1', memoryMiB: 4096, live: true } }
    const small = snapshot([host('h1')], [vm('a', 'h1', { memoryMiB: 4096 })])
    expect(validatePlan(small, [heldGrowth], withDefaults(), history).violations.map((v) => v.code)).not.toContain('below-peak-memory')
    const zero: ReversibleAction = { action: { kind: 'setVcpus', vm: 'a', host: 'h1', count: 0, live: true }, rollback: { kind: 'setVcpus', vm: 'a', host: 'h1', count: 2, live: true } }
    expect(codes([zero])).toContain('below-one-vcpu')
    const tooMany: ReversibleAction = { action: { kind: 'setVcpus', vm: 'a', host: 'h1', count: 5, live: true }, rollback: { kind: 'setVcpus', vm: 'a', host: 'h1', count: 2, live: true } }
    expect(codes([tooMany])).toContain('above-max-live')
    const badUndo: ReversibleAction = { action: { kind: 'setVcpus', vm: 'a', host: 'h1', count: 3, live: true }, rollback: { kind: 'setVcpus', vm: 'a', host: 'h1', count: 1, live: true } }
    expect(codes([badUndo])).toContain('bad-rollback')
  })
  it('catches a plan that leaves VMs on a host in maintenance, and one over the migration budget', () => {
    const s = snapshot(hosts, [...vms, vm('d', 'h3', { vcpus: 1, memoryMiB: 512 })])
    expect(validatePlan(s, [], withDefaults()).violations.map((v) => v.code)).toContain('left-on-maintenance-host')
    const pingPong = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? mig('c', 'h1', 'h2') : mig('c', 'h2', 'h1')))
    expect(codes(pingPong)).toContain('over-migration-budget')
  })
})
