import { describe, expect, it } from 'vitest'
import type { ReversibleAction } from '../../../shared/model/action'
import { withDefaults } from '../../../shared/engine/options'
import { validatePlan, type PlanViolation } from '../../../shared/engine/validate'
import { english, formatMessage } from '../../../shared/i18n'
import { englishRuns } from '../../support/english-runs'
import { host, snapshot, T0, vm } from './support/cluster'

// The checker must catch broken plans, or "every test runs it" proves nothing.
const hosts = [host('h1', { threads: 4, memoryMiB: 16384 }), host('h2', { threads: 4, memoryMiB: 16384 }), host('h3', { state: 'maintenance' })]
const vms = [vm('a', 'h1', { vcpus: 2, memoryMiB: 8192 }), vm('b', 'h2', { vcpus: 2, memoryMiB: 12288 }), vm('c', 'h1', { vcpus: 1, memoryMiB: 1024 })]
const snap = snapshot(hosts, vms)
const mig = (v: string, from: string, to: string): ReversibleAction => ({
  action: { kind: 'migrate', vm: v, from, to, live: true },
  rollback: { kind: 'migrate', vm: v, from: to, to: from, live: true },
})
const codes = (plan: ReversibleAction[], options = withDefaults(), history = { vms: {} }) => spoken(validatePlan(snap, plan, options, history, T0).violations).map((v) => v.code)

/** Every violation is a message, its English word for word, and reads in Chinese without a run of English words. */
function spoken<T extends PlanViolation>(violations: T[]): T[] {
  for (const v of violations) {
    expect(english(v.messageRef)).toBe(v.message)
    const chinese = formatMessage(v.messageRef, 'zh-CN')
    expect(englishRuns(chinese, { names: ['h1', 'h2', 'h3', 'a', 'b', 'c', 'd', 'cpu.shares', 'pool-define-as', 'dir'] }), chinese).toEqual([])
  }
  return violations
}

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
    expect(spoken(validatePlan(s, [], withDefaults()).violations).map((v) => v.code)).toContain('left-on-maintenance-host')
    const pingPong = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? mig('c', 'h1', 'h2') : mig('c', 'h2', 'h1')))
    expect(codes(pingPong)).toContain('over-migration-budget')
  })
  it('says the rest in the admin’s language too: CPU shares out of range, memory above max live, an excluded VM, disks the destination cannot take or the action does not copy', () => {
    const shares: ReversibleAction = { action: { kind: 'setCpuShares', vm: 'a', host: 'h1', shares: 1 }, rollback: { kind: 'setCpuShares', vm: 'a', host: 'h1', shares: 1024 } }
    expect(codes([shares])).toContain('bad-shares')
    const bigMemory: ReversibleAction = { action: { kind: 'setMemory', vm: 'c', host: 'h1', memoryMiB: 999_999, live: true }, rollback: { kind: 'setMemory', vm: 'c', host: 'h1', memoryMiB: 1024, live: true } }
    expect(codes([bigMemory])).toEqual(expect.arrayContaining(['above-max-live', 'memory-overcommit']))
    expect(codes([mig('c', 'h1', 'h2')], withDefaults({ rules: { excluded: ['c'] } }))).toContain('excluded')
    const disks = { vmId: 'c', target: 'vda', device: 'disk', sourceType: 'file', source: '/var/lib/libvirt/images/c.qcow2', readonly: false, shareable: false, capacityBytes: 2 ** 30, allocationBytes: 2 ** 30 }
    const local = (hostId: string, o: object = {}) => ({ hostId, t: 0, bootId: hostId, mounts: [{ mountPoint: '/', fsType: 'ext4', source: '/dev/sda1', device: '8:1', root: '/' }], pools: [], disks: [], ...o })
    const storage = { storage: { h1: local('h1', { disks: [disks] }), h2: local('h2') }, links: [], assumedMiBps: 100 }
    expect(spoken(validatePlan(snap, [mig('c', 'h1', 'h2')], withDefaults(), { vms: {} }, T0, storage).violations).map((v) => v.code)).toContain('storage-refused')
    const pool = { hostId: 'h2', id: 'h2-d', name: 'default', type: 'dir', active: true, sharing: 'local' as const, sharingReason: '', capacityBytes: 2 ** 40, allocationBytes: 0, availableBytes: 2 ** 40, figuresFrom: 'pool' as const, targetPath: '/var/lib/libvirt/images', devices: [], volumes: [] }
    const withPool = { ...storage, storage: { ...storage.storage, h2: local('h2', { pools: [pool] }) } }
    expect(spoken(validatePlan(snap, [mig('c', 'h1', 'h2')], withDefaults(), { vms: {} }, T0, withPool).violations).map((v) => v.code)).toContain('storage-copy')
  })
})
