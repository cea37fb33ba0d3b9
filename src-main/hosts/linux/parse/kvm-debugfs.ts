import type { KvmCounters, KvmDebugfs } from '../../adapter'
import { linesOf, parsed, toCounter, unexpectedLine, type Parsed } from './result'

/** File of /sys/kernel/debug/kvm → the counter VirtPilot keeps (the names KVM's binary stats use too). */
const FILES: Record<string, keyof KvmCounters> = {
  exits: 'exits',
  halt_exits: 'haltExits',
  io_exits: 'ioExits',
  mmio_exits: 'mmioExits',
  irq_injections: 'irqInjections',
  tlb_flush: 'tlbFlushes',
  remote_tlb_flush: 'remoteTlbFlushes',
  halt_poll_success_ns: 'haltPollSuccessNs',
  halt_poll_fail_ns: 'haltPollFailNs',
  halt_wait_ns: 'haltWaitNs',
  halt_successful_poll: 'haltSuccessfulPolls',
  halt_attempted_poll: 'haltAttemptedPolls',
}

/** The kvm-debugfs section of a stats answer (host-reads.ts): `<file> <value>` lines or one `unavailable <why>`. */
export function parseKvmDebugfs(text: string, section = 'kvm-debugfs', firstLine = 1): Parsed<KvmDebugfs> {
  const lines = linesOf(text).filter((l) => l !== '')
  const why = /^unavailable (not-mounted|not-readable|no-kvm)$/.exec(lines[0] ?? '')
  if (why && lines.length === 1) return parsed({ status: why[1] as 'not-mounted' | 'not-readable' | 'no-kvm' })
  const counters: KvmCounters = {}
  for (const [i, l] of lines.entries()) {
    const m = /^([a-z_]+) (\d+)$/.exec(l)
    const key = m && Object.hasOwn(FILES, m[1]!) ? FILES[m[1]!] : undefined
    const n = toCounter(m?.[2])
    if (!key || n === undefined) return unexpectedLine(section, l, firstLine + i)
    counters[key] = n
  }
  // Debugfs mounted and readable but no counter in it: nothing measured, as without it.
  return parsed(Object.keys(counters).length > 0 ? { status: 'read', counters } : { status: 'no-kvm' })
}
