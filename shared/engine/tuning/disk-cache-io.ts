import { msg, said } from '../../i18n'
import type { MessageRef } from '../../model/recommendation'
import { figure } from '../words'
import type { ReversibleAction } from '../../model/action'
import type { Evidence, TuningAdvice, TuningRule } from './rule'
import { evidence as fact, runningVms, versionAtLeast } from './rule'

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
      const notes: MessageRef[] = []
      let priority: 2 | 3 | 4 | 5 = 5
      for (const d of vm.disks) {
        if (d.device !== 'disk' || d.readonly) continue
        const cache = d.cache ?? DEFAULT
        const direct = cache === 'none' || cache === 'directsync'
        if (!direct) {
          evidence.push(fact(msg('tuning.fact.diskCache', { disk: d.target }), d.cache ?? msg('tuning.value.defaultCache')))
          actions.push({
            action: { kind: 'setVmDevice', vm: vm.vmId, host: vm.hostId, setting: 'disk.cache', device: d.target, value: 'none' },
            rollback: { kind: 'setVmDevice', vm: vm.vmId, host: vm.hostId, setting: 'disk.cache', device: d.target, value: cache },
          })
          if (cache === 'unsafe') {
            priority = 2
            notes.push(msg('engine.tuning.diskCache.unsafe', { disk: d.target }))
          } else if (cache === 'writethrough') {
            priority = Math.min(priority, 4) as typeof priority
            notes.push(msg('engine.tuning.diskCache.writethrough', { disk: d.target }))
          } else {
            notes.push(msg('engine.tuning.diskCache.cached', { disk: d.target, cache: d.cache ?? 'default' }))
          }
        }
        const fileLike = d.sourceType === 'file' || d.sourceType === 'block' || d.sourceType === 'volume'
        if (fileLike && (d.io === undefined || d.io === 'threads')) {
          evidence.push(fact(msg('tuning.fact.diskIo', { disk: d.target }), d.io ?? msg('tuning.value.defaultIo')))
          actions.push({
            action: { kind: 'setVmDevice', vm: vm.vmId, host: vm.hostId, setting: 'disk.io', device: d.target, value: ioMode },
            rollback: { kind: 'setVmDevice', vm: vm.vmId, host: vm.hostId, setting: 'disk.io', device: d.target, value: d.io ?? DEFAULT },
          })
          notes.push(msg('engine.tuning.diskCache.threads', { disk: d.target, io: d.io ?? 'default' }))
        }
      }
      if (actions.length === 0) continue
      if (host.qemuVersion) evidence.push(fact(msg('tuning.fact.qemuVersion', { host: vm.hostId }), host.qemuVersion))
      out.push({
        rule: 'disk-cache-io',
        target: { type: 'vm', id: vm.vmId },
        priority,
        ...said({
          title: actions.some((a) => a.action.kind === 'setVmDevice' && a.action.setting === 'disk.io')
            ? msg('engine.tuning.diskCache.titleCacheIo', { io: ioMode, vm: vm.name })
            : msg('engine.tuning.diskCache.titleCache', { vm: vm.name }),
          rationale: host.qemuVersion
            ? msg('engine.tuning.diskCache.rationaleQemu', { vm: vm.name, count: actions.length, qemu: host.qemuVersion, notes: msg('engine.clauses', { clauses: notes }) })
            : msg('engine.tuning.diskCache.rationale', { vm: vm.name, count: actions.length, notes: msg('engine.clauses', { clauses: notes }) }),
          effect: msg('engine.tuning.diskCache.effect', { io: ioMode }),
          riskNote: msg('engine.tuning.diskCache.risk'),
        }),
        evidence,
        predicted: [figure(msg('engine.tuning.diskCache.figure'), 'disks', actions.filter((a) => a.action.kind === 'setVmDevice' && a.action.setting === 'disk.cache').length, 0)],
        risk: 'medium',
        needsRestart: true,
        confidence: 'normal',
        actions,
      })
    }
    return out
  },
}
