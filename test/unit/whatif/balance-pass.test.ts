import { describe, expect, it } from 'vitest'
import { accountStep } from '../../../shared/engine/whatif/account'
import { applyMoves, balancingPass, runBalancer } from '../../../shared/engine/whatif/balance-pass'
import { flat, replayState, scenario } from './support/scenarios'

// h1 carries four 3-core VMs (12 of 16 cores), h2 one: load 0.75 against 0.19.
const lopsided = () =>
  scenario({
    hosts: [{ id: 'h1', cpuCores: 16, memoryMiB: 65536 }, { id: 'h2', cpuCores: 16, memoryMiB: 65536 }],
    steps: 120,
    vms: ['a', 'b', 'c', 'd', 'e'].map((id, i) => ({ id, hostId: i < 4 ? 'h1' : 'h2', vcpus: 4, memoryMiB: 4096 })),
    workload: ['a', 'b', 'c', 'd', 'e'].map((vm) => ({ vm, ...flat(120, 3, 2048) })),
  })

describe('applyMoves', () => {
  it('moves VMs as planned, counting migrations and starting their cooldown; a VM already there is not a migration', () => {
    const st = replayState(lopsided())
    st.queue.dirty = false
    applyMoves(st, 7, [{ vmId: 'a', to: 'h2' }, { vmId: 'e', to: 'h2' }])
    expect(st.migrations).toBe(1)
    expect(st.vms.hostOf[0]).toBe(1)
    expect(st.vms.rt[0]).toMatchObject({ lastMoveFrom: 0, lastMoveStep: 7 })
    expect(st.queue.dirty).toBe(true)
  })
})

describe('balancing in the replay', () => {
  it('balances at its interval once a host\'s load has been above the threshold for the window', () => {
    const st = replayState(lopsided(), { balance: { enabled: true, intervalMinutes: 30, thresholdLoad: 0.7 } })
    for (let s = 0; s < 30; s++) {
      balancingPass(st, s)
      accountStep(st, s)
    }
    expect(st.migrations).toBe(0)
    balancingPass(st, 30)
    expect(st.migrations).toBeGreaterThan(0)
    expect(st.vms.countOn(0)).toBeLessThan(4)
  })

  it('does not balance below the threshold, and with no migration budget only empties hosts in maintenance', () => {
    const calm = replayState(lopsided(), { balance: { enabled: true, intervalMinutes: 30, thresholdLoad: 0.9 } })
    for (let s = 0; s <= 30; s++) {
      balancingPass(calm, s)
      accountStep(calm, s)
    }
    expect(calm.migrations).toBe(0)
    const st = replayState(lopsided())
    runBalancer(st, 0, 0)
    expect(st.migrations).toBe(0)
    st.hosts[1]!.maintenance = true
    runBalancer(st, 0, 0)
    expect(st.vms.countOn(1)).toBe(0)
  })
})
