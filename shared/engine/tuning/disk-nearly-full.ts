import { msg, said } from '../../i18n'
import { figure } from '../words'
import { NEARLY_FULL_SHARE } from '../storage/pool-health'
import type { TuningAdvice, TuningRule } from './rule'
import { evidence, sizeText } from './rule'

/**
 * Disks nearly full inside their pool: a VM disk image written to almost all of its virtual size.
 * The guest has used (or once used and not discarded) nearly all of its disk; if its filesystem
 * is full too, the disk needs to grow, and the pool must have the room.
 */
export const diskNearlyFullRule: TuningRule = {
  id: 'disk-nearly-full',
  evaluate({ facts }) {
    const out: TuningAdvice[] = []
    for (const host of Object.values(facts.storage ?? {}).sort((a, b) => a.hostId.localeCompare(b.hostId))) {
      for (const d of host.disks) {
        const vm = facts.vms[d.vmId]
        if (!vm?.running || d.device !== 'disk' || d.readonly || !d.capacityBytes || d.allocationBytes === undefined) continue
        const share = d.allocationBytes / d.capacityBytes
        if (share < NEARLY_FULL_SHARE) continue
        const pool = host.pools.find((p) => p.id === d.poolId)
        const roomToGrow = pool ? pool.availableBytes : undefined
        const diskFacts = { disk: d.target, vm: vm.name, format: d.format ?? d.sourceType, source: d.source ?? '', used: sizeText(d.allocationBytes), size: sizeText(d.capacityBytes) }
        out.push({
          rule: 'disk-nearly-full',
          target: { type: 'vm', id: d.vmId },
          priority: share >= 0.99 ? 3 : 4,
          ...said({
            title: msg('engine.tuning.diskFull.title', { disk: d.target, vm: vm.name, share: `${(share * 100).toFixed(0)} %` }),
            rationale: pool
              ? msg('engine.tuning.diskFull.rationalePool', { ...diskFacts, pool: pool.name, free: sizeText(pool.availableBytes) })
              : msg('engine.tuning.diskFull.rationale', diskFacts),
            effect: msg('engine.tuning.diskFull.effect'),
            riskNote: msg('engine.tuning.diskFull.risk'),
          }),
          evidence: [
            evidence(msg('tuning.fact.diskVirtualSize', { disk: d.target }), +(d.capacityBytes / 2 ** 30).toFixed(1), 'GiB'),
            evidence(msg('tuning.fact.diskAllocated', { disk: d.target }), +(d.allocationBytes / 2 ** 30).toFixed(1), 'GiB'),
            ...(roomToGrow !== undefined ? [evidence(msg('tuning.fact.poolFree', { pool: pool!.name }), +(roomToGrow / 2 ** 30).toFixed(1), 'GiB')] : []),
          ],
          predicted: [figure(msg('engine.tuning.diskFull.figure', { disk: d.target }), '%', +(share * 100).toFixed(1), +(share * 100).toFixed(1))],
          risk: 'low',
          needsRestart: false,
          confidence: 'low',
          actions: [],
        })
      }
    }
    return out
  },
}
