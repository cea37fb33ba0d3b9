import { msg, said, sentences } from '../../i18n'
import { figure } from '../words'
import { coresText, fromConfiguration, measuredEvidence } from './measured'
import type { Evidence, TuningAdvice, TuningRule } from './rule'
import { evidence as fact, runningVms } from './rule'

/**
 * vhost-net: a virtio NIC of a KVM guest whose backend is forced to userspace (`driver
 * name='qemu'`) moves every packet through QEMU's main loop; the in-kernel vhost backend is
 * the fast path. Only where the host has /dev/vhost-net (else the change would not start).
 * Where the QEMU threads were measured with no vhost thread running, the main loop's time under
 * the measured traffic sizes the effect; a NIC that carried next to nothing gets a low priority.
 */
export const vhostNetRule: TuningRule = {
  id: 'vhost-net',
  evaluate({ facts, usage, options }) {
    const out: TuningAdvice[] = []
    for (const vm of runningVms(facts)) {
      const host = facts.hosts[vm.hostId]!
      if (vm.accelerator !== 'kvm' || host.vhostNet !== true) continue
      const userspace = vm.nics.map((n, i) => ({ n, i })).filter(({ n }) => n.model === 'virtio' && n.driver === 'qemu' && n.type !== 'user')
      if (userspace.length === 0) continue
      const name = (i: number) => vm.nics[i]!.mac ?? `nic${i}`
      const w = usage.vms[vm.vmId]?.measured
      const emulator = w?.mean.qemuEmulatorCores
      const measured =
        w && emulator !== undefined && (w.mean.qemuVhostCores ?? 0) === 0 ? { minutes: w.minutes, emulator, bps: (w.mean.netRxBps ?? 0) + (w.mean.netTxBps ?? 0) } : undefined
      const none = fromConfiguration()
      const mbps = measured ? ((measured.bps * 8) / 1e6).toFixed(1) : undefined
      const evidence: Evidence[] = measured
        ? [measuredEvidence(msg('tuning.fact.networkTraffic'), (measured.bps * 8) / 1e6, 'Mbit/s', measured.minutes), measuredEvidence(msg('tuning.fact.qemuMainLoop'), measured.emulator, 'cores', measured.minutes)]
        : [none.evidence]
      out.push({
        rule: 'vhost-net',
        target: { type: 'vm', id: vm.vmId },
        priority: measured && measured.bps < options.idleNetBps ? 5 : 4,
        ...said({
          title: msg('engine.tuning.vhostNet.title', { vm: vm.name }),
          rationale: sentences(
            msg('engine.tuning.vhostNet.rationale', { vm: vm.name, count: userspace.length, nics: userspace.map(({ i }) => name(i)).join(', '), host: vm.hostId }),
            measured ? msg('engine.tuning.vhostNet.measured', { minutes: measured.minutes, mbps: mbps!, emulator: coresText(measured.emulator) }) : none.sentence,
          ),
          effect: measured
            ? msg('engine.tuning.vhostNet.effectMeasured', { low: coresText(measured.emulator / 2), high: coresText(measured.emulator) })
            : msg('engine.tuning.vhostNet.effect'),
          riskNote: msg('engine.tuning.vhostNet.risk'),
        }),
        evidence: [
          ...userspace.map(({ i }) => fact(msg('tuning.fact.interfaceDriver', { nic: name(i) }), 'qemu')),
          { fact: `${vm.hostId} /dev/vhost-net`, value: 'present', valueRef: msg('tuning.value.present') },
          ...evidence,
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
