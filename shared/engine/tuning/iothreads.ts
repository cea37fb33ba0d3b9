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
        title: `Give ${vm.name}'s disks an I/O thread`,
        rationale: `${vm.name} does ${Math.round(iops)} disk operations/s with ${vm.vcpus} vCPUs, and its virtio disk${disks.length > 1 ? 's' : ''} ${disks.map((d) => d.target).join(', ')} ${disks.length > 1 ? 'are' : 'is'} served by QEMU's main loop (no iothread).`,
        evidence: [
          { fact: 'disk operations (sustained)', value: Math.round(iops), unit: 'IOPS' },
          { fact: 'vCPUs', value: vm.vcpus },
          ...disks.map((d) => ({ fact: `disk ${d.target} iothread`, value: 'none' })),
        ],
        effect: 'Disk requests are handled on a dedicated thread: lower latency under load and no stalls from monitor or emulation work.',
        predicted: [{ label: 'Busy virtio disks without an I/O thread', unit: 'disks', before: disks.length, after: 0 }],
        risk: 'low',
        riskNote: 'Needs a restart; adds one host thread per I/O thread.',
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
