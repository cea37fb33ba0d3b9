import type { ReversibleAction } from '../../model/action'
import type { Evidence, TuningAdvice, TuningRule } from './rule'
import { runningVms, versionAtLeast } from './rule'

/** In actions, `default` means "remove the attribute" (back to the hypervisor's default). */
const DEFAULT = 'default'

/**
 * Disk cache and I/O mode. `cache='none'` (O_DIRECT) avoids caching guest data twice (guest
 * and host page cache) and is what libvirt needs to call a live migration safe; `unsafe`
 * ignores flushes and loses data on a host crash; `writethrough` makes every write synchronous.
 * With O_DIRECT, `io='native'` (or `io_uring` on QEMU >= 6.0 with libvirt >= 6.3) submits
 * asynchronously instead of through QEMU's thread pool.
 */
export const diskCacheIoRule: TuningRule = {
  id: 'disk-cache-io',
  evaluate({ facts }) {
    const out: TuningAdvice[] = []
    for (const vm of runningVms(facts)) {
      const host = facts.hosts[vm.hostId]!
      const ioMode = versionAtLeast(host.qemuVersion, '6.0') && versionAtLeast(host.libvirtVersion, '6.3') ? 'io_uring' : 'native'
      const actions: ReversibleAction[] = []
      const evidence: Evidence[] = []
      const notes: string[] = []
      let priority: 2 | 3 | 4 | 5 = 5
      for (const d of vm.disks) {
        if (d.device !== 'disk' || d.readonly) continue
        const cache = d.cache ?? DEFAULT
        const direct = cache === 'none' || cache === 'directsync'
        if (!direct) {
          evidence.push({ fact: `disk ${d.target} cache`, value: d.cache ?? 'default (writeback)' })
          actions.push({
            action: { kind: 'setVmDevice', vm: vm.vmId, host: vm.hostId, setting: 'disk.cache', device: d.target, value: 'none' },
            rollback: { kind: 'setVmDevice', vm: vm.vmId, host: vm.hostId, setting: 'disk.cache', device: d.target, value: cache },
          })
          if (cache === 'unsafe') {
            priority = 2
            notes.push(`${d.target} ignores guest flushes (cache=unsafe): a host crash loses data the guest thinks is on disk`)
          } else if (cache === 'writethrough') {
            priority = Math.min(priority, 4) as typeof priority
            notes.push(`${d.target} writes through the host page cache synchronously (cache=writethrough)`)
          } else {
            notes.push(`${d.target} is cached in the host page cache too (cache=${d.cache ?? 'default, i.e. writeback'}), and libvirt treats its live migration as unsafe`)
          }
        }
        const fileLike = d.sourceType === 'file' || d.sourceType === 'block' || d.sourceType === 'volume'
        if (fileLike && (d.io === undefined || d.io === 'threads')) {
          evidence.push({ fact: `disk ${d.target} io`, value: d.io ?? 'default (threads)' })
          actions.push({
            action: { kind: 'setVmDevice', vm: vm.vmId, host: vm.hostId, setting: 'disk.io', device: d.target, value: ioMode },
            rollback: { kind: 'setVmDevice', vm: vm.vmId, host: vm.hostId, setting: 'disk.io', device: d.target, value: d.io ?? DEFAULT },
          })
          notes.push(`${d.target} submits I/O through QEMU's thread pool (io=${d.io ?? 'default'})`)
        }
      }
      if (actions.length === 0) continue
      if (host.qemuVersion) evidence.push({ fact: `${vm.hostId} QEMU version`, value: host.qemuVersion })
      out.push({
        rule: 'disk-cache-io',
        target: { type: 'vm', id: vm.vmId },
        priority,
        title: `Set cache=none${actions.some((a) => a.action.kind === 'setVmDevice' && a.action.setting === 'disk.io') ? ` and io=${ioMode}` : ''} on ${vm.name}'s disks`,
        rationale: `${vm.name} (${actions.length} disk setting(s) to change${host.qemuVersion ? `, QEMU ${host.qemuVersion}` : ''}): ${notes.join('; ')}.`,
        evidence,
        effect: `Guest data is cached once (in the guest), host RAM is not spent on a second copy, flushes are honoured, and I/O is submitted asynchronously (${ioMode}).`,
        predicted: [{ label: 'Disks not on cache=none', unit: 'disks', before: actions.filter((a) => a.action.kind === 'setVmDevice' && a.action.setting === 'disk.cache').length, after: 0 }],
        risk: 'medium',
        riskNote: 'Needs a restart. cache=none needs O_DIRECT support (not on tmpfs); guests that relied on the host page cache for reads may read more from disk.',
        needsRestart: true,
        confidence: 'normal',
        actions,
      })
    }
    return out
  },
}
