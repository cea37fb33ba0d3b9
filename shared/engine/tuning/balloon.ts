import { msg, said } from '../../i18n'
import { figure } from '../words'
import type { TuningAdvice, TuningRule } from './rule'
import { evidence, gib, runningVms } from './rule'

/**
 * Missing balloon device: without a virtio balloon, memory cannot be handed back to the host
 * live (rightsizing then needs a restart) and the guest reports no memory statistics, so the
 * engine sees only what QEMU has touched, not what the guest uses.
 */
export const balloonRule: TuningRule = {
  id: 'balloon',
  evaluate({ facts }) {
    const out: TuningAdvice[] = []
    for (const vm of runningVms(facts)) {
      if (vm.balloon !== 'none' || vm.hugepagesBacking) continue
      out.push({
        rule: 'balloon',
        target: { type: 'vm', id: vm.vmId },
        priority: 4,
        ...said({
          title: msg('engine.tuning.balloon.title', { vm: vm.name }),
          rationale: msg('engine.tuning.balloon.rationale', { vm: vm.name, memory: gib(vm.memoryMiB) }),
          effect: msg('engine.tuning.balloon.effect'),
          riskNote: msg('engine.tuning.balloon.risk'),
        }),
        evidence: [evidence(msg('tuning.fact.memballoonModel'), msg('tuning.value.none'))],
        predicted: [figure(msg('engine.tuning.balloon.figure'), 'MiB', 0, Math.round(vm.maxMemoryMiB))],
        risk: 'low',
        needsRestart: true,
        confidence: 'normal',
        actions: [
          {
            action: { kind: 'setVmDevice', vm: vm.vmId, host: vm.hostId, setting: 'memballoon.model', value: 'virtio' },
            rollback: { kind: 'setVmDevice', vm: vm.vmId, host: vm.hostId, setting: 'memballoon.model', value: 'none' },
          },
        ],
      })
    }
    return out
  },
}
