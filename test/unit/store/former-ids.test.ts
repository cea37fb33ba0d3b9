// Proxmox guests were `pve-VMID` before two labs' clusters were told apart; now `pve-VMID@CLUSTER-CA`.
// The history and rules recorded under the former id carry on under the new one, once.
import { describe, expect, it } from 'vitest'
import type { VmSample } from '../../../shared/model'
import { openStore } from '../../../src-main/store'

function vmSample(vmId: string, t: number, cores: number): VmSample {
  return { vmId, hostId: 'pve1', t, cpuPct: 0, cpuUsedCores: cores, cpuReadyPct: 0, memUsedMiB: 512, diskReadBps: 0, diskWriteBps: 0, diskReadIops: 0, diskWriteIops: 0, netRxBps: 0, netTxBps: 0 }
}

describe('a VM whose id changed keeps its history', () => {
  it('samples, rollups and placement rules move to the new id; never onto one that already has history, and only once', () => {
    const store = openStore(':memory:')
    try {
      const t0 = Date.UTC(2026, 0, 1)
      const old = Array.from({ length: 24 }, (_, i) => vmSample('pve-100', t0 + i * 3_600_000, 1 + (i % 3)))
      store.samples.save([], [...old, vmSample('pve-101', t0, 0.5)])
      store.samples.rollUp(t0 + 48 * 3_600_000)
      store.rules.add({ kind: 'anti-affinity', vms: ['pve-100', 'pve-101'], hosts: [] }, t0, 'admin')
      const before = store.samples.usageHistory(['pve-100'], t0, t0 + 24 * 3_600_000).vms['pve-100']!

      const adopted = store.inventory.adoptFormerIds({ 'pve-100@pvec-3705e7f4': 'pve-100', 'pve-102@pvec-3705e7f4': 'pve-102' })
      expect(adopted).toEqual(['pve-100@pvec-3705e7f4'])
      const after = store.samples.usageHistory(['pve-100@pvec-3705e7f4', 'pve-100'], t0, t0 + 24 * 3_600_000).vms
      expect(after['pve-100@pvec-3705e7f4']).toEqual(before)
      expect(after['pve-100']).toBeUndefined()
      expect(store.samples.raw('pve-100@pvec-3705e7f4', t0, t0 + 24 * 3_600_000)).toHaveLength(24)
      expect(store.rules.list()[0]!.vms).toEqual(['pve-100@pvec-3705e7f4', 'pve-101'])

      // Another lab's guest 100 that shows up later finds no former history left: it starts its own.
      expect(store.inventory.adoptFormerIds({ 'pve-100@pvec-3326de54': 'pve-100' })).toEqual([])
      // The new id already has history: nothing is merged into it.
      store.samples.save([], [vmSample('pve-101@pvec-3705e7f4', t0 + 3_600_000, 2)])
      expect(store.inventory.adoptFormerIds({ 'pve-101@pvec-3705e7f4': 'pve-101' })).toEqual([])
      expect(store.samples.raw('pve-101', t0, t0 + 1)).toHaveLength(1)
    } finally {
      store.close()
    }
  })
})
