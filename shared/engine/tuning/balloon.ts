import type { TuningAdvice, TuningRule } from './rule'
import { gib, runningVms } from './rule'

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
        title: `Add a virtio balloon device to ${vm.name}`,
        rationale: `${vm.name} (${gib(vm.memoryMiB)}) has no balloon device (memballoon model none): its memory can only be resized with a restart, and its guest-side memory use is not reported.`,
        evidence: [{ fact: 'memballoon model', value: 'none' }],
        effect: 'Memory can be lowered or raised live up to its maximum, and guest memory statistics feed rightsizing.',
        predicted: [{ label: 'Memory resizable live', unit: 'MiB', before: 0, after: Math.round(vm.maxMemoryMiB) }],
        risk: 'low',
        riskNote: 'Needs a restart and the virtio-balloon driver in the guest (in Linux; Windows: virtio-win).',
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
