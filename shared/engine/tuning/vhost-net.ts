import { msg, said } from '../../i18n'
import { figure } from '../words'
import type { TuningAdvice, TuningRule } from './rule'
import { runningVms } from './rule'

/**
 * vhost-net: a virtio NIC of a KVM guest whose backend is forced to userspace (`driver
 * name='qemu'`) moves every packet through QEMU's main loop; the in-kernel vhost backend is
 * the fast path. Only where the host has /dev/vhost-net (else the change would not start).
 */
export const vhostNetRule: TuningRule = {
  id: 'vhost-net',
  evaluate({ facts }) {
    const out: TuningAdvice[] = []
    for (const vm of runningVms(facts)) {
      const host = facts.hosts[vm.hostId]!
      if (vm.accelerator !== 'kvm' || host.vhostNet !== true) continue
      const userspace = vm.nics.map((n, i) => ({ n, i })).filter(({ n }) => n.model === 'virtio' && n.driver === 'qemu' && n.type !== 'user')
      if (userspace.length === 0) continue
      const name = (i: number) => vm.nics[i]!.mac ?? `nic${i}`
      out.push({
        rule: 'vhost-net',
        target: { type: 'vm', id: vm.vmId },
        priority: 4,
        ...said({
          title: msg('engine.tuning.vhostNet.title', { vm: vm.name }),
          rationale: msg('engine.tuning.vhostNet.rationale', { vm: vm.name, count: userspace.length, nics: userspace.map(({ i }) => name(i)).join(', '), host: vm.hostId }),
          effect: msg('engine.tuning.vhostNet.effect'),
          riskNote: msg('engine.tuning.vhostNet.risk'),
        }),
        evidence: [
          ...userspace.map(({ i }) => ({ fact: `interface ${name(i)} driver`, value: 'qemu' })),
          { fact: `${vm.hostId} /dev/vhost-net`, value: 'present' },
        ],
        predicted: [figure(msg('engine.tuning.vhostNet.figure'), 'NICs', userspace.length, 0)],
        risk: 'low',
        needsRestart: true,
        confidence: 'normal',
        actions: userspace.map(({ i }) => ({
          action: { kind: 'setVmDevice', vm: vm.vmId, host: vm.hostId, setting: 'nic.vhost', device: name(i), value: 'vhost' },
          rollback: { kind: 'setVmDevice', vm: vm.vmId, host: vm.hostId, setting: 'nic.vhost', device: name(i), value: 'qemu' },
        })),
      })
    }
    return out
  },
}
