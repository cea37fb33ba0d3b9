import { msg, said, sentences } from '../../i18n'
import { figure } from '../words'
import { coresText, fromConfiguration, measuredEvidence } from './measured'
import type { Evidence, TuningAdvice, TuningRule } from './rule'
import { evidence as fact, runningVms } from './rule'

/**
 * I/O threads: without one, a VM's virtio disks are served from QEMU's main loop, which also
 * handles monitor commands and device emulation; a disk-busy VM with several vCPUs then waits
 * on that single thread. Fires only with measured disk load, not on config alone: the mean over
 * the recent window where the QEMU threads were measured (then the main loop's own time sizes
 * the effect), else the latest poll's.
 */
export const iothreadsRule: TuningRule = {
  id: 'iothreads',
  evaluate({ facts, usage, options }) {
    const out: TuningAdvice[] = []
    for (const vm of runningVms(facts)) {
      const w = usage.vms[vm.vmId]?.measured
      const emulator = w?.mean.qemuEmulatorCores
      const windowIops = w && emulator !== undefined ? (w.mean.diskReadIops ?? 0) + (w.mean.diskWriteIops ?? 0) : undefined
      const iops = windowIops ?? usage.vms[vm.vmId]?.diskIops
      if (iops === undefined || iops < options.iothreadMinIops || vm.vcpus < 2) continue
      const disks = vm.disks.filter((d) => d.device === 'disk' && d.bus === 'virtio' && d.iothread === undefined)
      if (disks.length === 0) continue
      const none = fromConfiguration()
      const names = disks.map((d) => d.target).join(', ')
      const measured = w && emulator !== undefined ? { minutes: w.minutes, emulator } : undefined
      const facts: Evidence[] = measured
        ? [measuredEvidence(msg('tuning.fact.diskOperations'), iops, 'IOPS', measured.minutes), measuredEvidence(msg('tuning.fact.qemuMainLoop'), measured.emulator, 'cores', measured.minutes)]
        : [fact(msg('tuning.fact.diskOperationsSustained'), Math.round(iops), 'IOPS'), none.evidence]
      out.push({
        rule: 'iothreads',
        target: { type: 'vm', id: vm.vmId },
        // A main loop that measurably idles gains little from the move.
        priority: measured && measured.emulator < options.minSavedCores ? 5 : 4,
        ...said({
          title: msg('engine.tuning.iothreads.title', { vm: vm.name }),
          rationale: measured
            ? msg('engine.tuning.iothreads.rationaleMeasured', { vm: vm.name, iops: Math.round(iops), minutes: measured.minutes, vcpus: vm.vcpus, count: disks.length, disks: names, emulator: coresText(measured.emulator) })
            : sentences(msg('engine.tuning.iothreads.rationale', { vm: vm.name, iops: Math.round(iops), vcpus: vm.vcpus, count: disks.length, disks: names }), none.sentence),
          effect: measured
            ? msg('engine.tuning.iothreads.effectMeasured', { low: coresText(measured.emulator / 2), high: coresText(measured.emulator) })
            : msg('engine.tuning.iothreads.effect'),
          riskNote: msg('engine.tuning.iothreads.risk'),
        }),
        evidence: [...facts, fact(msg('tuning.fact.vcpus'), vm.vcpus), ...disks.map((d) => fact(msg('tuning.fact.diskIothread', { disk: d.target }), msg('tuning.value.none')))],
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
