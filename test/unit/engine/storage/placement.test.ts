import { describe, expect, it } from 'vitest'
import { withStorage, type StorageContext } from '../../../../shared/engine/storage'
import { storageFit } from '../../../../shared/engine/storage/migration'
import type { HostStorage } from '../../../../shared/model/storage'
import { phost, problemOf, pvm } from '../support/placement'
import { dirPool, disk, GiB, hostStorage } from './support'

const ctx = (storage: HostStorage[]): StorageContext => ({ storage: Object.fromEntries(storage.map((s) => [s.hostId, s])), links: [], assumedMiBps: 100 })

describe('disk copies in the placement problem', () => {
  // Three hosts: c's local pool is small; web and db have local disks of different sizes (db two
  // of them), files lives on NFS (nothing to copy), idle has no disk read.
  const storage = ctx([
    hostStorage('a', { disks: [disk('web', '/var/lib/libvirt/images/web.qcow2', { allocationBytes: 10 * GiB }), disk('files', '/srv/nfs/files.qcow2')] }),
    hostStorage('b', { disks: [disk('db', '/var/lib/libvirt/images/db.qcow2', { allocationBytes: 30 * GiB }), disk('db', '/var/lib/libvirt/images/db-log.qcow2', { target: 'vdb', allocationBytes: 5 * GiB })] }),
    hostStorage('c', { pools: [dirPool('c', { availableBytes: 20 * GiB })] }),
  ])
  const problem = problemOf([phost('a'), phost('b'), phost('c')], [pvm('web', 'a', 1, 1), pvm('files', 'a', 1, 1), pvm('idle', 'c', 1, 1), pvm('db', 'b', 1, 1)])
  const { problem: placed } = withStorage(problem, storage)
  const vm = (id: string) => placed.vms.find((v) => v.id === id)!

  it('gives each VM, toward each host, the copy time and pool room of its own disks', () => {
    const web = vm('web').copies!
    expect(web.seconds('b')).toBeCloseTo((10 * 1024) / 100, 9)
    expect(web.needs('b')).toEqual([{ pool: 'b/b-local', bytes: 10 * GiB }])
    expect(web.seconds('c')).toBeCloseTo((10 * 1024) / 100, 9)
    expect(web.needs('c')).toEqual([{ pool: 'c/c-local', bytes: 10 * GiB }])
    // Both of db's disks land in the one local pool: one need of their sum.
    const db = vm('db').copies!
    expect(db.seconds('a')).toBeCloseTo((35 * 1024) / 100, 9)
    expect(db.needs('a')).toEqual([{ pool: 'a/a-local', bytes: 35 * GiB }])
    // Its own host holds the disks; NFS is reached everywhere; an unknown host costs nothing.
    expect(web.seconds('a')).toBe(0)
    expect(web.needs('a')).toEqual([])
    expect(vm('files').copies!.seconds('b')).toBe(0)
    expect(vm('files').copies!.needs('c')).toEqual([])
    expect(web.seconds('elsewhere')).toBe(0)
    expect(web.needs('elsewhere')).toEqual([])
    expect(vm('idle').copies).toBeUndefined()
  })

  it('answers for every pair what storageFit says of that move, and refuses what does not fit', () => {
    for (const v of placed.vms) {
      if (!v.copies) continue
      for (const h of placed.hosts) {
        const fit = h.id === v.hostId ? undefined : storageFit(v.id, v.hostId, h.id, storage)
        expect(v.copies.seconds(h.id)).toBe(fit?.ok ? fit.copySeconds : 0)
        expect(v.copies.needs(h.id)).toEqual(fit?.ok ? fit.needs.map((n) => ({ pool: n.pool, bytes: n.bytes })) : [])
      }
    }
    // 35 GiB do not fit in c's 20 GiB: db may not go there, and says why.
    expect(vm('db').storageRefusals).toHaveProperty('c')
    expect(vm('db').allowedHosts).toEqual(['a', 'b'])
    expect(placed.poolFree).toMatchObject({ 'b/b-local': 400 * GiB, 'c/c-local': 20 * GiB, 'a/a-local': 400 * GiB })
  })
})
