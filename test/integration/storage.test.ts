import { mkdtempSync, rmSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { planMigrationStorage } from '../../shared/engine/storage'
import type { Plan, Recommendation, ReversibleAction } from '../../shared/model'
import type { Services } from '../../src-main/services/services'
import type { Store } from '../../src-main/store'
import { guestOf, virsh } from '../lab/guest'
import { defineLocalDirPool, defineLogicalPool, localPoolPaths, readMarker, startGuestOnLocalPool } from '../lab/storage'
import { describeWithLab, groundTruth, hostNamed } from './lab'
import { call, dataFileOf, servicesForLab, until } from './support/services'

// A guest whose disk is on a LOCAL dir pool (each lab host's own /var/lib/libvirt) moves live
// with its storage (--copy-storage-all) through VirtPilot: planned from what discovery read,
// checked with virsh and by reading the disk on the destination.

const GUEST = 'h1-local-disk'
const MARKER = 'VIRTPILOT-DISK-TRAVELLED-7f3a'
const DISK_MIB = 64

let dir: string
let services: Services
let data: Store
const undo: (() => Promise<void>)[] = []

function recommendation(id: string, actions: ReversibleAction[]): Recommendation {
  return { id, kind: 'migrate', target: { type: 'vm', id: (actions[0]!.action as { vm: string }).vm }, priority: 3, title: `Move ${GUEST} (${id})`, rationale: 'integration test', predicted: [], risk: 'low', riskNote: '', needsRestart: false, confidence: 'normal', actions }
}

describeWithLab('migration with storage on real hosts', (lab) => {
  const [h1, h2, h3] = [hostNamed(lab, 'h1'), hostNamed(lab, 'h2'), hostNamed(lab, 'h3')]

  beforeAll(async () => {
    undo.push(await defineLocalDirPool(lab.base, h1), await defineLocalDirPool(lab.base, h2))
    // An LVM volume group on a loop device (no device-mapper here: the group holds no volumes).
    undo.push((await defineLogicalPool(lab.base, h3)).undo)
    const guest = guestOf(lab.base, { name: GUEST })
    await startGuestOnLocalPool(lab.base, h1, guest, { kernel: lab.guestImage.kernel, initrd: lab.guestImage.initrd }, DISK_MIB, MARKER)
    dir = mkdtempSync(join(tmpdir(), 'virtpilot-storage-'))
    services = await servicesForLab(lab, dir)
    data = dataFileOf(dir)
  })

  afterAll(async () => {
    data?.close()
    await services?.stop()
    for (const host of [h1, h2]) {
      await virsh(host.libvirt.uri, ['destroy', GUEST]).catch(() => undefined)
      await virsh(host.libvirt.uri, ['undefine', GUEST]).catch(() => undefined)
      await rm(join(localPoolPaths(lab.base, host).here, `${GUEST}.raw`), { force: true })
    }
    for (const u of undo.reverse()) await u()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  const vmId = () => services.cluster.snapshot().vms.find((v) => v.name === GUEST)?.id

  it('discovery reads the dir and logical pools and the guest\'s disk; a host without a pool there is refused with the reason', async () => {
    const vm = await until('the guest and its disk in storage discovery', () => {
      const id = vmId()
      return id && services.storage.context()?.storage.h1?.disks.some((d) => d.vmId === id) ? id : undefined
    })
    const ctx = services.storage.context()!
    expect(ctx.storage.h1!.pools.find((p) => p.name === 'vplab-local')).toMatchObject({ type: 'dir', sharing: 'local', active: true, targetPath: '/var/lib/libvirt/images' })
    const lvm = await until('h3\'s logical pool in discovery', () => services.storage.context()?.storage.h3?.pools.find((p) => p.type === 'logical'))
    expect(lvm).toMatchObject({ name: 'vplab-lvm', sharing: 'local', active: true, source: 'vplab_h3', targetPath: '/dev/vplab_h3' })
    expect(lvm.capacityBytes).toBeGreaterThan(0)
    expect(ctx.storage.h1!.disks.find((d) => d.vmId === vm)).toMatchObject({ target: 'vda', source: `/var/lib/libvirt/images/${GUEST}.raw`, format: 'raw', capacityBytes: DISK_MIB * 2 ** 20 })
    // The lab's hosts share a kernel but not /var/lib/libvirt: the disk must be copied to h2.
    const toH2 = planMigrationStorage(vm, 'h1', 'h2', ctx)
    expect(toH2).toMatchObject({ ok: true, copyDisks: ['vda'], storage: { mode: 'copy' } })
    const toH3 = planMigrationStorage(vm, 'h1', 'h3', ctx)
    expect(toH3?.ok).toBe(false)
    // Planning it anyway is refused before anything runs, with the reason.
    const move = (to: string): ReversibleAction => ({ action: { kind: 'migrate', vm, from: 'h1', to, live: true, copyDisks: ['vda'] }, rollback: { kind: 'migrate', vm, from: to, to: 'h1', live: true, copyDisks: ['vda'] } })
    data.recommendations.replaceOpen([recommendation('it-to-h3', [move('h3')])], Date.now())
    await call(services, 'recommendations.decide', { id: 'it-to-h3', decision: 'approve' })
    await expect(call(services, 'plans.create', { recommendationIds: ['it-to-h3'] })).rejects.toThrow(/cannot move to h3: vda is on local storage .* h3 has no active storage pool at \/var\/lib\/libvirt\/images/)
  })

  it('live-migrates the guest to h2 copying its disk: the plan says so, the guest runs on h2 from its own copy of the disk', async () => {
    const vm = vmId()!
    const action: ReversibleAction = { action: { kind: 'migrate', vm, from: 'h1', to: 'h2', live: true, copyDisks: ['vda'] }, rollback: { kind: 'migrate', vm, from: 'h2', to: 'h1', live: true, copyDisks: ['vda'] } }
    data.recommendations.replaceOpen([recommendation('it-copy', [action])], Date.now())
    await call(services, 'recommendations.decide', { id: 'it-copy', decision: 'approve' })
    const plan = await call<Plan>(services, 'plans.create', { recommendationIds: ['it-copy'] })
    const step = plan.steps[0]!
    expect(step.storage).toMatchObject({ mode: 'copy', disks: [{ target: 'vda', mode: 'copy', pool: 'vplab-local' }] })
    expect(step.commands[0]!.argv).toEqual(expect.arrayContaining(['--copy-storage-all', '--migrate-disks', 'vda']))
    await call(services, 'plans.apply', { id: plan.id })
    const finished = await until('the plan to finish', () => {
      const p = data.plans.getPlan(plan.id)!
      return p.state !== 'running' && p.state !== 'ready' ? p : undefined
    }, 180_000)
    expect(finished.state, finished.steps[0]!.message).toBe('done')
    const s = finished.steps[0]!
    console.log(`migration with storage: ${DISK_MIB} MiB disk, predicted ${step.estimatedSeconds} s, took ${((s.endedAt! - s.startedAt!) / 1000).toFixed(1)} s`)
    expect((await groundTruth(h2, ['domstate', GUEST])).trim()).toBe('running')
    expect((await groundTruth(h1, ['list', '--all', '--name'])).split('\n')).not.toContain(GUEST)
    expect(await groundTruth(h2, ['domblklist', GUEST])).toContain(`/var/lib/libvirt/images/${GUEST}.raw`)
    // h2's own file (its /var/lib/libvirt is not h1's) holds the data written on h1.
    expect(await readMarker(join(localPoolPaths(lab.base, h2).here, `${GUEST}.raw`), MARKER.length)).toBe(MARKER)
    expect(await groundTruth(h2, ['vol-list', 'vplab-local'])).toContain(`${GUEST}.raw`)
  })
})
