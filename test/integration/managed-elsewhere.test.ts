import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { RecommendationList } from '../../shared/api'
import type { Plan } from '../../shared/model'
import type { Services } from '../../src-main/services/services'
import type { Store } from '../../src-main/store'
import { describeWithLab, groundTruth, hostNamed } from './lab'
import { recommendation } from './support/recommendations'
import { call, dataFileOf, servicesForLab } from './support/services'

// A lab guest tagged the way OpenStack Nova tags its instances (<nova:instance> in the domain's
// <metadata>, set with `virsh metadata` on the running guest): VirtPilot must see who owns it and
// never move or resize it.

const NOVA_NS = 'http://openstack.org/xmlns/libvirt/nova/1.1'

let dir: string
let services: Services
let data: Store

describeWithLab('a guest another manager owns is left alone', (lab) => {
  const h1 = hostNamed(lab, 'h1')
  const name = h1.guests[0]!.name

  beforeAll(async () => {
    await groundTruth(h1, ['metadata', name, '--uri', NOVA_NS, '--key', 'nova', '--set', '<instance><name>lab-nova-instance</name></instance>', '--live'])
    dir = mkdtempSync(join(tmpdir(), 'virtpilot-managed-'))
    services = await servicesForLab(lab, dir)
    data = dataFileOf(dir)
  })

  afterAll(async () => {
    data?.close()
    await services?.stop()
    rmSync(dir, { recursive: true, force: true })
    await groundTruth(h1, ['metadata', name, '--uri', NOVA_NS, '--remove', '--live'])
  })

  it('discovery reads the nova metadata: the VM is OpenStack Nova\'s, the other guests are not', () => {
    const vms = services.cluster.snapshot().vms
    expect(vms.find((v) => v.name === name)?.managedBy).toEqual({ manager: 'openstack', ref: 'lab-nova-instance', source: `<metadata> ${NOVA_NS}` })
    expect(vms.filter((v) => v.name !== name).every((v) => v.managedBy === undefined)).toBe(true)
  })

  it('the engine proposes no change to it that could go into a plan, and a plan that would move or resize it is refused with the manager named', async () => {
    const vm = services.cluster.snapshot().vms.find((v) => v.name === name)!
    const vcpus = vm.allocation.vcpus
    const list = await call<RecommendationList>(services, 'recommendations.refresh', {})
    const touching = list.items.map((i) => i.recommendation).filter((r) => r.actions.some((a) => 'vm' in a.action && a.action.vm === vm.id))
    expect(touching.every((r) => r.managedBy?.manager === 'openstack')).toBe(true)

    const recs = [
      recommendation('it-nova-move', `Move ${name} to h2`, [{ action: { kind: 'migrate', vm: vm.id, from: 'h1', to: 'h2', live: true }, rollback: { kind: 'migrate', vm: vm.id, from: 'h2', to: 'h1', live: true } }]),
      // One vCPU more than it has now: an earlier test (apply) leaves this guest with a hot-added one.
      recommendation('it-nova-cpu', `Give ${name} one more vCPU`, [{ action: { kind: 'setVcpus', vm: vm.id, host: 'h1', count: vcpus + 1, live: true }, rollback: { kind: 'setVcpus', vm: vm.id, host: 'h1', count: vcpus, live: true } }]),
    ]
    data.recommendations.replaceOpen(recs, Date.now())
    for (const r of recs) await call(services, 'recommendations.decide', { id: r.id, decision: 'approve' })
    for (const r of recs) {
      await expect(call<Plan>(services, 'plans.create', { recommendationIds: [r.id], allowUnsafeMigration: true })).rejects.toThrow(/managed by OpenStack Nova \(lab-nova-instance\)/)
    }
    expect(data.plans.listPlans()).toEqual([])
    // Where and as it was, by the host's own account.
    expect((await groundTruth(h1, ['domstate', name])).trim()).toBe('running')
    expect((await groundTruth(h1, ['vcpucount', name, '--live', '--active'])).trim()).toBe(String(vcpus))
  })
})
