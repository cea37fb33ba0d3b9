import { msg, said } from '../../i18n'
import { figure } from '../words'
import type { TuningAdvice, TuningRule } from './rule'
import { runningVms } from './rule'

/**
 * I/O threads: without one, a VM's virtio disks are served from QEMU's main loop, which also
 * handles monitor commands and device emulation; a disk-busy VM with several vCPUs then waits
 * on that single thread. Fires only with measured disk load (sustained IOPS), not on config alone.
 */
export const iothreadsRule: TuningRule = {
  id: 'iothreads',
  evaluate({ facts, usage, options }) {
    const out: TuningAdvice[] = []
    for (const vm of runningVms(facts)) {
      const iops = usage.vms[vm.vmId]?.diskIops
      if (iops === undefined || iops < options.iothreadMinIops || vm.vcpus < 2) continue
      const disks = vm.disks.filter((d) => d.device === 'disk' && d.bus === 'virtio' && d.iothread === undefined)
      if (disks.length === 0) continue
      out.push({
        rule: 'iothreads',
        target: { type: 'vm', id: vm.vmId },
        priority: 4,
        ...said({
          title: msg('engine.tuning.iothreads.title', { vm: vm.name }),
          rationale: msg('engine.tuning.iothreads.rationale', { vm: vm.name, iops: Math.round(iops), vcpus: vm.vcpus, count: disks.length, disks: disks.map((d) => d.target).join(', ') }),
          effect: msg('engine.tuning.iothreads.effect'),
          riskNote: msg('engine.tuning.iothreads.risk'),
        }),
        evidence: [
          { fact: 'disk operations (sustained)', value: Math.round(iops), unit: 'IOPS' },
          { fact: 'vCPUs', value: vm.vcpus },
          ...disks.map((d) => ({ fact: `disk ${d.target} iothread`, value: 'none' })),
        ],
        predicted: [figure(msg('engine.tuning.iothreads.figure'), 'disks', disks.length, 0)],
        risk: 'low',
        needsRestart: true,
        confidence: 'normal',
        actions: disks.map((d) => ({
          action: { kind: 'setVmDevice', vm: vm.vmId, host: vm.hostId, setting: 'disk.iothread', device: d.target, value: '1' },
          rollback: { kind: 'setVmDevice', vm: vm.vmId, host: vm.hostId, setting: 'disk.iothread', device: d.target, value: 'none' },
        })),
      })
    }
    return out
  },
}
