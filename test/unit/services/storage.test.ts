import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ClusterFacts, HostStorage, Snapshot } from '../../../shared/model'
import { createStorage } from '../../../src-main/services/storage'
import { openStore, type Store } from '../../../src-main/store'
import { dirPool, disk, GiB, hostStorage, nfsPool } from '../engine/storage/support'

const DAY = 24 * 3600_000
const NOW = Date.UTC(2026, 10, 20)

describe('the storage service (real SQLite store)', () => {
  let dir: string
  let store: Store
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'virtpilot-storage-'))
    store = openStore(join(dir, 'v.db'))
  })
  afterEach(() => {
    store.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const at = (used: number): HostStorage => hostStorage('kvm1', { t: NOW, pools: [dirPool('kvm1', { allocationBytes: used * GiB, availableBytes: (500 - used) * GiB }), nfsPool('kvm1')], disks: [disk('web', '/var/lib/libvirt/images/web.qcow2', { poolId: 'kvm1-local' })] })
  const service = (storage: HostStorage) =>
    createStorage({
      store,
      clock: () => NOW,
      facts: (): ClusterFacts => ({ hosts: {}, vms: {}, storage: { kvm1: storage, kvm2: hostStorage('kvm2', { pools: [nfsPool('kvm2')] }) } }),
      snapshot: () => ({ t: NOW, hosts: [], vms: [{ id: 'web', name: 'web-01', hostId: 'kvm1' }], hostSamples: [], vmSamples: [] }) as unknown as Snapshot,
    })

  it("a host's pools with their use and days to full from the stored discoveries, the shared pool's other hosts, and its VMs' disks", () => {
    // A week of discoveries, 10 GiB a day: 170 GiB used now, 330 free.
    for (let k = 0; k <= 28; k++) store.storage.savePools([at(100 + k * 2.5)], NOW - 7 * DAY + (k * DAY) / 4)
    const view = service(at(170)).host('kvm1')
    const local = view.pools.find((p) => p.pool.name === 'default')!
    expect(local.usedShare).toBeCloseTo(170 / 500, 9)
    expect(local.historySamples).toBe(29)
    expect(local.forecast!.growthBytesPerDay / GiB).toBeCloseTo(10, 6)
    expect(local.forecast!.daysToFull).toBeCloseTo(33, 6)
    expect(view.pools.find((p) => p.pool.name === 'nfs-vms')!.alsoOn).toEqual(['kvm2'])
    expect(view.disks).toEqual([expect.objectContaining({ vmId: 'web', vmName: 'web-01', target: 'vda', poolName: 'default' })])
    // A host discovery has not read: said so, not an error.
    expect(service(at(170)).host('kvm9')).toEqual({ hostId: 'kvm9', t: null, pools: [], mounts: [], disks: [] })
  })

  it('a finished migration\'s throughput is kept and becomes the link speed migrations are planned with', () => {
    const s = service(at(170))
    expect(s.context()!.links).toEqual([])
    s.recordLink({ from: 'kvm1', to: 'kvm2', t: NOW, bytes: 600 * 2 ** 20, seconds: 5 })
    expect(s.context()!.links).toEqual([{ from: 'kvm1', to: 'kvm2', t: NOW, bytes: 600 * 2 ** 20, seconds: 5 }])
    expect(s.vm('web').disks.map((d) => d.target)).toEqual(['vda'])
  })
})
