import { NEARLY_FULL_SHARE } from '../storage/pool-health'
import type { TuningAdvice, TuningRule } from './rule'
import { sizeText } from './rule'

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
        out.push({
          rule: 'disk-nearly-full',
          target: { type: 'vm', id: d.vmId },
          priority: share >= 0.99 ? 3 : 4,
          title: `${vm.name}'s disk ${d.target} is ${(share * 100).toFixed(0)} % written`,
          rationale: `${d.target} of ${vm.name} (${d.format ?? d.sourceType}, ${d.source ?? ''}) holds ${sizeText(d.allocationBytes)} of its ${sizeText(d.capacityBytes)}: the guest has written nearly all of it${pool ? `; its pool ${pool.name} has ${sizeText(pool.availableBytes)} free to grow it` : ''}.`,
          evidence: [
            { fact: `disk ${d.target} virtual size`, value: +(d.capacityBytes / 2 ** 30).toFixed(1), unit: 'GiB' },
            { fact: `disk ${d.target} allocated`, value: +(d.allocationBytes / 2 ** 30).toFixed(1), unit: 'GiB' },
            ...(roomToGrow !== undefined ? [{ fact: `pool ${pool!.name} free`, value: +(roomToGrow / 2 ** 30).toFixed(1), unit: 'GiB' }] : []),
          ],
          effect: 'Checked before the guest runs out of disk: grown in time (virsh blockresize, then the guest filesystem), or trimmed (discard) if the guest has free space the image still counts.',
          predicted: [{ label: `${d.target} written`, unit: '%', before: +(share * 100).toFixed(1), after: +(share * 100).toFixed(1) }],
          risk: 'low',
          riskNote: 'No change is applied by this advice: look at the free space inside the guest first.',
          needsRestart: false,
          confidence: 'low',
          actions: [],
        })
      }
    }
    return out
  },
}
