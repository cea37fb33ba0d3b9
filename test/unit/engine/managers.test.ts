import { describe, expect, it } from 'vitest'
import type { ReversibleAction } from '../../../shared/model/action'
import type { Vm } from '../../../shared/model'
import { withDefaults } from '../../../shared/engine/options'
import { validatePlan } from '../../../shared/engine/validate'
import { host, snapshot, T0, usage, vm } from './support/cluster'
import { migrations, recommendChecked } from './support/plan'

const nova: Vm['managedBy'] = { manager: 'openstack', ref: 'django_vm_001', source: '<metadata> http://openstack.org/xmlns/libvirt/nova/1.0' }
const ha: Vm['managedBy'] = { manager: 'proxmox-ha', ref: 'vm:501', source: '/etc/pve/ha/resources.cfg', detail: 'state=started; crs: ha=static' }

describe('VMs another manager owns are never moved or resized: advice only, with the manager named', () => {
  it('balancing moves only the VMs VirtPilot may move, even when the managed ones are the hot ones', () => {
    const hosts = [host('h1', { threads: 8 }), host('h2', { threads: 8 })]
    const vms = [{ ...vm('web', 'h1', { vcpus: 4 }), managedBy: ha }, { ...vm('db', 'h1', { vcpus: 4 }), managedBy: nova }, vm('mine', 'h1', { vcpus: 2 })]
    const samples = [usage(vms[0]!, 3.5, 2048), usage(vms[1]!, 3.5, 2048), usage(vms[2]!, 1.5, 1024)]
    const out = recommendChecked({ history: { vms: {} }, now: T0, seed: 1, snapshot: snapshot(hosts, vms, samples) })
    expect(migrations(out).map((m) => m.vm)).toEqual(['mine'])
    // Unmarked, the engine would have moved one of the hot managed VMs instead.
    const plain = recommendChecked({ history: { vms: {} }, now: T0, seed: 1, snapshot: snapshot(hosts, vms.map(({ managedBy: _m, ...v }) => v), samples) })
    expect(migrations(plain).map((m) => m.vm)).not.toEqual(['mine'])
  })

  it('a resize of a managed VM is advice naming the manager, in English and as a message for the renderer', () => {
    const hosts = [host('h1', { threads: 4 })]
    const vms = [{ ...vm('db', 'h1', { vcpus: 8, maxVcpus: 8 }), managedBy: nova }]
    const out = recommendChecked({ history: { vms: {} }, now: T0, seed: 1, snapshot: snapshot(hosts, vms) })
    const rec = out.recommendations.find((r) => r.target.id === 'db')!
    expect(rec.actions.map((a) => a.action.kind)).toContain('setVcpus')
    expect(rec.managedBy).toEqual({
      manager: 'openstack',
      reason: 'db is managed by OpenStack Nova (django_vm_001, read from <metadata> http://openstack.org/xmlns/libvirt/nova/1.0): VirtPilot does not move or resize it, so this is advice only. Make the change through OpenStack Nova.',
      reasonRef: { key: 'engine.managed.reason', params: { vm: 'db', manager: 'OpenStack Nova', ref: 'django_vm_001', source: '<metadata> http://openstack.org/xmlns/libvirt/nova/1.0' } },
    })
  })

  it('validatePlan refuses every change to a managed VM, and says whose it is', () => {
    const hosts = [host('h1'), host('h2')]
    const snap = snapshot(hosts, [{ ...vm('web', 'h1'), managedBy: ha }, vm('mine', 'h1')])
    const plan: ReversibleAction[] = [
      { action: { kind: 'migrate', vm: 'web', from: 'h1', to: 'h2', live: true }, rollback: { kind: 'migrate', vm: 'web', from: 'h2', to: 'h1', live: true } },
      { action: { kind: 'setVcpus', vm: 'web', host: 'h1', count: 3, live: true }, rollback: { kind: 'setVcpus', vm: 'web', host: 'h1', count: 2, live: true } },
      { action: { kind: 'setMemory', vm: 'web', host: 'h1', memoryMiB: 2048, live: true }, rollback: { kind: 'setMemory', vm: 'web', host: 'h1', memoryMiB: 4096, live: true } },
      { action: { kind: 'setVcpus', vm: 'mine', host: 'h1', count: 3, live: true }, rollback: { kind: 'setVcpus', vm: 'mine', host: 'h1', count: 2, live: true } },
    ]
    const found = validatePlan(snap, plan, withDefaults(), { vms: {} }, T0).violations.filter((v) => v.code === 'externally-managed')
    expect(found.map((v) => v.actionIndex)).toEqual([0, 1, 2])
    expect(found[0]!.message).toBe('web is managed by Proxmox VE HA (vm:501): VirtPilot does not change it')
  })
})
