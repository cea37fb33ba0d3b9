import { msg, said } from '../../i18n'
import { figure } from '../words'
import type { TuningAdvice, TuningRule } from './rule'
import { evidence, runningVms } from './rule'

/** Emulated disk buses: every request traps into QEMU's device model. */
const EMULATED_BUSES = new Set(['ide', 'sata', 'fdc', 'usb'])

/**
 * Paravirtual disks: a data disk (not a CD-ROM) on an emulated IDE/SATA bus is several times
 * slower and costlier in host CPU than virtio-blk. The change needs a restart and guest drivers.
 */
export const virtioDiskRule: TuningRule = {
  id: 'virtio-disk',
  evaluate({ facts }) {
    const out: TuningAdvice[] = []
    for (const vm of runningVms(facts)) {
      const slow = vm.disks.filter((d) => d.device === 'disk' && d.bus !== undefined && EMULATED_BUSES.has(d.bus))
      if (slow.length === 0) continue
      out.push({
        rule: 'virtio-disk',
        target: { type: 'vm', id: vm.vmId },
        priority: 3,
        ...said({
          title: msg('engine.tuning.virtioDisk.title', { vm: vm.name, disks: slow.map((d) => d.target).join(', ') }),
          rationale: msg('engine.tuning.virtioDisk.rationale', { vm: vm.name, count: slow.length, buses: slow.map((d) => `${d.target} (${d.bus})`).join(', ') }),
          effect: msg('engine.tuning.virtioDisk.effect'),
          riskNote: msg('engine.tuning.virtioDisk.risk'),
        }),
        evidence: slow.map((d) => evidence(msg('tuning.fact.diskBus', { disk: d.target }), d.bus!)),
        predicted: [figure(msg('engine.tuning.virtioDisk.figure'), 'disks', slow.length, 0)],
        risk: 'medium',
        needsRestart: true,
        confidence: 'normal',
        actions: slow.map((d) => ({
          action: { kind: 'setVmDevice', vm: vm.vmId, host: vm.hostId, setting: 'disk.bus', device: d.target, value: 'virtio' },
          rollback: { kind: 'setVmDevice', vm: vm.vmId, host: vm.hostId, setting: 'disk.bus', device: d.target, value: d.bus! },
        })),
      })
    }
    return out
  },
}
