import type { KvmCounters } from '../../adapter'
import type { DomainStats } from './domstats'

/**
 * KVM's binary statistics per vCPU (`vcpu.N.<name>.sum`, libvirt 8.x+ with QEMU 7.1+ query-stats), by
 * what VirtPilot keeps. libvirt prints them in the `--vcpu` group, which the poll reads (seen on
 * libvirt 9.0 / QEMU 7.2 / kernel 6.18 here); `--vm` brings only the VM-wide ones (`vm.<name>.*`:
 * remote TLB flushes, MMU pages), which the poll does not ask for (one more QMP call per guest).
 */
export const KVM_VCPU_STATS: Readonly<Record<string, keyof KvmCounters>> = {
  exits: 'exits',
  halt_exits: 'haltExits',
  io_exits: 'ioExits',
  mmio_exits: 'mmioExits',
  irq_exits: 'irqExits',
  irq_injections: 'irqInjections',
  halt_poll_success_ns: 'haltPollSuccessNs',
  halt_poll_fail_ns: 'haltPollFailNs',
  halt_wait_ns: 'haltWaitNs',
  halt_successful_poll: 'haltSuccessfulPolls',
  halt_attempted_poll: 'haltAttemptedPolls',
  tlb_flush: 'tlbFlushes',
}

/**
 * A domain's KVM counters summed over its vCPUs; undefined when it has none (TCG, an older libvirt
 * or QEMU): then nothing is measured, rather than zeros. `cpu.haltpoll.*` alone does not count:
 * libvirt prints it as 0 on TCG hosts too.
 */
export function kvmCountersOf(d: DomainStats): KvmCounters | undefined {
  const out: KvmCounters = {}
  let found = false
  for (const [key, value] of d.fields) {
    const m = /^vcpu\.\d+\.([a-z_]+)\.sum$/.exec(key)
    if (!m || !Object.hasOwn(KVM_VCPU_STATS, m[1]!)) continue
    const n = Number(value)
    if (!/^\d+$/.test(value) || !Number.isFinite(n)) continue
    const k = KVM_VCPU_STATS[m[1]!]!
    out[k] = (out[k] ?? 0) + n
    found = true
  }
  const remote = d.fields.get('vm.remote_tlb_flush.sum')
  if (remote !== undefined && /^\d+$/.test(remote)) {
    out.remoteTlbFlushes = Number(remote)
    found = true
  }
  return found ? out : undefined
}
