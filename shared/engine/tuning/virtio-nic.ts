import { msg, said } from '../../i18n'
import { figure } from '../words'
import type { TuningAdvice, TuningRule } from './rule'
import { evidence, runningVms } from './rule'

/** Emulated NIC models (real hardware QEMU imitates register by register). */
const EMULATED_NICS = new Set(['e1000', 'e1000e', 'rtl8139', 'ne2k_pci', 'pcnet', 'vmxnet3'])

/**
 * Paravirtual NICs: an emulated e1000/rtl8139 caps throughput far below virtio-net and costs
 * an exit per register access. Needs guest drivers and a restart.
 */
export const virtioNicRule: TuningRule = {
  id: 'virtio-nic',
  evaluate({ facts }) {
    const out: TuningAdvice[] = []
    for (const vm of runningVms(facts)) {
      const slow = vm.nics.map((n, i) => ({ n, i })).filter(({ n }) => n.model !== undefined && EMULATED_NICS.has(n.model))
      if (slow.length === 0) continue
      const name = (i: number) => vm.nics[i]!.mac ?? `nic${i}`
      out.push({
        rule: 'virtio-nic',
        target: { type: 'vm', id: vm.vmId },
        priority: 3,
        ...said({
          title: msg('engine.tuning.virtioNic.title', { vm: vm.name, count: slow.length }),
          rationale: msg('engine.tuning.virtioNic.rationale', { vm: vm.name, count: slow.length, models: slow.map(({ n, i }) => `${n.model} (${name(i)})`).join(', ') }),
          effect: msg('engine.tuning.virtioNic.effect'),
          riskNote: msg('engine.tuning.virtioNic.risk'),
        }),
        evidence: slow.map(({ n, i }) => evidence(msg('tuning.fact.interfaceModel', { nic: name(i) }), n.model!)),
        predicted: [figure(msg('engine.tuning.virtioNic.figure'), 'NICs', slow.length, 0)],
        risk: 'medium',
        needsRestart: true,
        confidence: 'normal',
        actions: slow.map(({ n, i }) => ({
          action: { kind: 'setVmDevice', vm: vm.vmId, host: vm.hostId, setting: 'nic.model', device: name(i), value: 'virtio' },
          rollback: { kind: 'setVmDevice', vm: vm.vmId, host: vm.hostId, setting: 'nic.model', device: name(i), value: n.model! },
        })),
      })
    }
    return out
  },
}
