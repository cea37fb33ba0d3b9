import type { RecommendOutput } from '../../../../shared/engine/recommend'
import { describe, expect, it } from 'vitest'
import { withDefaults } from '../../../../shared/engine/options'
import { fileIdentity, linkSpeed, planMigrationStorage, type StorageContext } from '../../../../shared/engine/storage'
import { validatePlan } from '../../../../shared/engine/validate'
import { formatMessage } from '../../../../shared/i18n'
import type { HostStorage } from '../../../../shared/model/storage'
import { host, snapshot, T0, usage, vm } from '../support/cluster'
import { migrations, recommendChecked } from '../support/plan'
import { dirPool, disk, GiB, hostStorage, rootMount } from './support'

const MiB = 2 ** 20
const ctx = (storage: HostStorage[], links: StorageContext['links'] = []): StorageContext => ({ storage: Object.fromEntries(storage.map((s) => [s.hostId, s])), links, assumedMiBps: 100 })

/** A VM's move as the admin reads it: in a "Rebalance" set (its own words and storage) or a move of its own. */
function moveOf(out: RecommendOutput, vmId: string) {
  const rec = out.recommendations.find((r) => (r.kind === 'migrate' || r.kind === 'evacuate') && r.actions.some((a) => a.action.kind === 'migrate' && a.action.vm === vmId))!
  const i = rec.actions.findIndex((a) => a.action.kind === 'migrate' && a.action.vm === vmId)
  const move = rec.rebalance?.moves[i]
  return { rec, action: rec.actions[i]!, storage: move ? move.storage : rec.storage, words: move ? (move.notes ?? '') : rec.rationale }
}

describe('which disks a migration must copy', () => {
  it('a disk on the same NFS export, mounted at the same place on both hosts, is shared: nothing to copy', () => {
    const a = hostStorage('a', { disks: [disk('web', '/srv/nfs/web.qcow2')] })
    const plan = planMigrationStorage('web', 'a', 'b', ctx([a, hostStorage('b')]))
    expect(plan).toMatchObject({ ok: true, copyDisks: [], storage: { mode: 'shared', copyBytes: 0, copySeconds: 0 } })
    expect(plan!.ok && plan!.storage.disks[0]!.reason).toBe('nfs4 10.0.0.5:/export/vms is mounted at the same place on both hosts')
  })

  it('a disk on a local filesystem is copied into the destination pool at the same folder, timed at the link speed', () => {
    const a = hostStorage('a', { disks: [disk('web', '/var/lib/libvirt/images/web.qcow2', { allocationBytes: 10 * GiB, capacityBytes: 40 * GiB })] })
    const plan = planMigrationStorage('web', 'a', 'b', ctx([a, hostStorage('b')]))
    expect(plan).toMatchObject({ ok: true, copyDisks: ['vda'], needs: [{ pool: 'b/b-local', bytes: 10 * GiB, free: 400 * GiB }] })
    if (!plan?.ok) throw new Error('expected a plan')
    expect(plan.storage).toMatchObject({ mode: 'copy', copyBytes: 10 * GiB, linkMiBps: 100, linkMeasured: false, destinationFreeBytes: 400 * GiB, copyCapacityBytes: 40 * GiB })
    expect(plan.storage.copySeconds).toBeCloseTo((10 * 1024) / 100, 6)
    expect(plan.storage.disks).toMatchObject([{ target: 'vda', mode: 'copy', bytes: 10 * GiB, pool: 'default', reason: "/var/lib/libvirt/images is on a's own ext4 filesystem" }])
  })

  it('hosts on one kernel (the test lab) share a local folder only where both see the same filesystem folder, not their own bind mounts', () => {
    const bind = (h: string) => ({ mountPoint: '/var/lib/libvirt', fsType: 'ext4', source: '/dev/vda', device: '254:0', root: `/lab/${h}/var-lib-libvirt` })
    const a = hostStorage('a', { bootId: 'same', mounts: [rootMount('254:0'), bind('a')], disks: [disk('g', '/tmp/lab/guests/g.qcow2'), disk('g', '/var/lib/libvirt/images/g-data.qcow2', { target: 'vdb' })] })
    const b = hostStorage('b', { bootId: 'same', mounts: [rootMount('254:0'), bind('b')] })
    expect(fileIdentity('/tmp/lab/guests/g.qcow2', a)).toBe(fileIdentity('/tmp/lab/guests/g.qcow2', b))
    expect(fileIdentity('/var/lib/libvirt/images/x', a)).not.toBe(fileIdentity('/var/lib/libvirt/images/x', b))
    const plan = planMigrationStorage('g', 'a', 'b', ctx([a, b]))
    expect(plan?.ok && plan.storage.disks.map((d) => [d.target, d.mode])).toEqual([['vda', 'shared'], ['vdb', 'copy']])
    // Two separate machines never share a local filesystem, whatever its device numbers.
    expect(fileIdentity('/tmp/x', hostStorage('c', { mounts: [rootMount('254:0')] }))).not.toBe(fileIdentity('/tmp/x', hostStorage('d', { mounts: [rootMount('254:0')] })))
  })

  it('refuses with the reason when the destination has no pool at that folder, or too little room, or a local ISO in a drive', () => {
    const a = hostStorage('a', { disks: [disk('web', '/var/lib/libvirt/images/web.qcow2', { allocationBytes: 30 * GiB })] })
    expect(planMigrationStorage('web', 'a', 'b', ctx([a, hostStorage('b', { pools: [] })]))).toMatchObject({
      ok: false,
      reason: "vda is on local storage (/var/lib/libvirt/images is on a's own ext4 filesystem) and b has no active storage pool at /var/lib/libvirt/images to receive a copy: define one there (virsh pool-define-as ... dir --target /var/lib/libvirt/images)",
    })
    const full = hostStorage('b', { pools: [dirPool('b', { availableBytes: 20 * GiB })] })
    expect(planMigrationStorage('web', 'a', 'b', ctx([a, full]))).toMatchObject({ ok: false, reason: "b's pool default has 20.0 GiB free and the copy of vda needs 30.0 GiB" })
    const iso = hostStorage('a', { disks: [disk('web', '/srv/nfs/web.qcow2'), disk('web', '/var/lib/libvirt/images/install.iso', { target: 'hdc', device: 'cdrom', readonly: true, format: 'raw' })] })
    const r = planMigrationStorage('web', 'a', 'b', ctx([iso, hostStorage('b')]))
    expect(r?.ok).toBe(false)
    expect(!r?.ok && r?.reason).toMatch(/^cdrom hdc uses \/var\/lib\/libvirt\/images\/install.iso .* eject it or put the same file on b first$/)
    // Not read yet: a copy cannot be checked, so it is refused rather than guessed.
    expect(planMigrationStorage('web', 'a', 'c', ctx([a]))?.ok).toBe(false)
    // The source never read: nothing known, planned as before.
    expect(planMigrationStorage('web', 'x', 'b', ctx([a]))).toBeUndefined()
  })

  it('network disks are reached from anywhere; block devices cannot be created by libvirt on the destination', () => {
    const net = hostStorage('a', { disks: [disk('db', undefined as unknown as string, { sourceType: 'network', source: 'rbd:pool/db' })] })
    expect(planMigrationStorage('db', 'a', 'b', ctx([net, hostStorage('b')]))).toMatchObject({ ok: true, storage: { mode: 'shared' } })
    const lvm = hostStorage('a', { disks: [disk('db', '/dev/vg/db', { sourceType: 'block', format: 'raw' })] })
    const r = planMigrationStorage('db', 'a', 'b', ctx([lvm, hostStorage('b')]))
    expect(!r?.ok && r?.reason).toContain('libvirt cannot create a device on b')
  })

  it('link speed: the median of measured migrations between the pair (either direction), else the assumed figure', () => {
    const links = [
      { from: 'a', to: 'b', t: 1, bytes: 100 * MiB, seconds: 1 },
      { from: 'a', to: 'b', t: 2, bytes: 300 * MiB, seconds: 1 },
      { from: 'a', to: 'b', t: 3, bytes: 1000 * MiB, seconds: 2 },
    ]
    expect(linkSpeed(links, 'a', 'b', 50)).toEqual({ miBps: 300, measured: true })
    expect(linkSpeed(links, 'b', 'a', 50)).toEqual({ miBps: 300, measured: true })
    expect(linkSpeed(links, 'a', 'c', 50)).toEqual({ miBps: 50, measured: false })
  })
})

describe('storage in balancing: disk-aware migration', () => {
  // Two 16-thread hosts; a is busy. Both VMs could move to b; web's disk is local, api's on NFS.
  const hosts = [host('a'), host('b')]
  const vms = [vm('web', 'a', { vcpus: 8 }), vm('api', 'a', { vcpus: 8 }), vm('idle', 'b', { vcpus: 2 })]
  const snap = snapshot(hosts, vms, [usage(vms[0]!, 7, 3000), usage(vms[1]!, 7, 3000), usage(vms[2]!, 0.2, 500)])
  const storage = (bFree: number) => ({
    a: hostStorage('a', { disks: [disk('web', '/var/lib/libvirt/images/web.qcow2', { allocationBytes: 200 * GiB }), disk('api', '/srv/nfs/api.qcow2')] }),
    b: hostStorage('b', { pools: [dirPool('b', { availableBytes: bFree }), hostStorage('b').pools[1]!] }),
  })
  const input = (bFree: number, links: StorageContext['links'] = []) => ({ snapshot: snap, history: { vms: {} }, now: T0, seed: 1, facts: { hosts: {}, vms: {}, storage: storage(bFree) }, linkSpeeds: links })

  it('prefers the VM on shared storage (no copy in its cost), and says so in the recommendation', () => {
    const out = recommendChecked(input(400 * GiB))
    expect(migrations(out).map((m) => [m.vm, m.to, m.copyDisks])).toEqual([['api', 'b', undefined]])
    const api = moveOf(out, 'api')
    expect(api.storage).toMatchObject({ mode: 'shared', copyBytes: 0 })
    expect(api.words).toContain('Its disks are on storage both hosts reach: only memory moves.')
  })

  it('moves a VM on local disks with --copy-storage-all when that is the move: bytes, time at the measured link, a higher cost', () => {
    const onlyWeb = { ...input(400 * GiB, [{ from: 'a', to: 'b', t: T0 - 1, bytes: 1000 * MiB, seconds: 1 }]), options: { rules: { externallyManaged: ['api'] } } }
    const out = recommendChecked(onlyWeb)
    // (idle, whose storage b did not report, may move back as before.)
    expect(migrations(out).filter((m) => m.vm !== 'idle').map((m) => [m.vm, m.to, m.copyDisks])).toEqual([['web', 'b', ['vda']]])
    const web = moveOf(out, 'web')
    expect(web.storage).toMatchObject({ mode: 'copy', copyBytes: 200 * GiB, linkMiBps: 1000, linkMeasured: true })
    expect(web.storage!.copySeconds).toBeCloseTo(204.8, 3)
    expect(web.action.rollback).toMatchObject({ kind: 'migrate', from: 'b', to: 'a', copyDisks: ['vda'] })
    expect(web.words).toContain("Copies vda (200.0 GiB) to b's pool default while the guest runs: about 205 s at 1000 MiB/s (measured).")
    expect(web.rec.riskNote).toContain('--copy-storage-all')
    // Its cost includes the copy: at 100 MiB/s it takes over half an hour, too dear for an optional move (5 min at most).
    const slow = { ...onlyWeb, linkSpeeds: [{ from: 'a', to: 'b', t: T0 - 1, bytes: 100 * MiB, seconds: 1 }] }
    expect(migrations(recommendChecked(slow)).filter((m) => m.vm === 'web')).toEqual([])
  })

  it('never sends a VM where its disks cannot go: a full destination pool rules the host out, even for a mandatory move (with the reason)', () => {
    const maintenance = snapshot([host('a', { state: 'maintenance' }), host('b')], vms, [usage(vms[0]!, 7, 3000), usage(vms[1]!, 7, 3000), usage(vms[2]!, 0.2, 500)])
    const out = recommendChecked({ ...input(100 * GiB), snapshot: maintenance })
    expect(migrations(out).map((m) => m.vm).sort()).toEqual(['api'])
    expect(out.feasible).toBe(false)
    expect(out.reasons.join(' ')).toContain("storage: b: b's pool default has 100.0 GiB free and the copy of vda needs 200.0 GiB")
    // The same in Chinese: the storage check's reason is a message too, not its English inside a Chinese sentence.
    expect(out.reasonRefs.map((r) => formatMessage(r, 'zh-CN')).join('')).toContain('存储：b：b 的存储池 default 剩余 100.0 GiB，而复制 vda 需要 200.0 GiB')
  })

  it('copies into one pool must fit together', () => {
    const two = hostStorage('a', { disks: [disk('web', '/var/lib/libvirt/images/web.qcow2', { allocationBytes: 60 * GiB }), disk('api', '/var/lib/libvirt/images/api.qcow2', { allocationBytes: 60 * GiB })] })
    const maintenance = snapshot([host('a', { state: 'maintenance' }), host('b')], vms, [usage(vms[0]!, 7, 3000), usage(vms[1]!, 7, 3000), usage(vms[2]!, 0.2, 500)])
    const facts = { hosts: {}, vms: {}, storage: { a: two, b: hostStorage('b', { pools: [dirPool('b', { availableBytes: 100 * GiB })] }) } }
    const out = recommendChecked({ snapshot: maintenance, history: { vms: {} }, now: T0, seed: 1, facts })
    expect(migrations(out)).toHaveLength(1)
    expect(out.feasible).toBe(false)
  })

  it('the validator refuses what the engine would never propose: a copy into a pool without room, or copying the wrong disks', () => {
    const s = storage(100 * GiB)
    const options = withDefaults()
    const context = ctx([s.a, s.b])
    const copy = { kind: 'migrate' as const, vm: 'web', from: 'a', to: 'b', live: true, copyDisks: ['vda'] }
    const back = { kind: 'migrate' as const, vm: 'web', from: 'b', to: 'a', live: true, copyDisks: ['vda'] }
    expect(validatePlan(snap, [{ action: copy, rollback: back }], options, { vms: {} }, T0, context).violations.map((v) => v.code)).toContain('storage-refused')
    const bare = { kind: 'migrate' as const, vm: 'web', from: 'a', to: 'b', live: true }
    const roomy = ctx([s.a, storage(400 * GiB).b])
    expect(validatePlan(snap, [{ action: bare, rollback: { ...bare, from: 'b', to: 'a' } }], options, { vms: {} }, T0, roomy).violations.map((v) => v.code)).toEqual(['storage-copy'])
    expect(validatePlan(snap, [{ action: copy, rollback: back }], options, { vms: {} }, T0, roomy).violations).toEqual([])
  })
})

