import { poolHealth } from '../storage/pool-health'
import type { TuningAdvice, TuningRule } from './rule'
import { pct, poolLabel, sizeText, storagePools } from './rule'

/**
 * Thin provisioning overcommit: the volumes of a pool may grow to more than the pool holds (sum
 * of virtual sizes vs capacity). Fine while they stay small, dangerous when they grow together:
 * the first guest to hit the full pool is paused. Priority rises when their growth left exceeds
 * the free space.
 */
export const poolOvercommitRule: TuningRule = {
  id: 'pool-overcommit',
  evaluate({ facts, options }) {
    const out: TuningAdvice[] = []
    for (const { host, pool } of storagePools(facts)) {
      const h = poolHealth(pool)
      if (h.overcommit === null || h.volumeCapacityBytes === null || h.overcommit <= options.poolOvercommit) continue
      const cannotAllGrow = h.thinGrowthBytes > pool.availableBytes
      out.push({
        rule: 'pool-overcommit',
        target: { type: 'host', id: host.hostId },
        priority: cannotAllGrow ? 3 : 5,
        title: `Pool ${poolLabel(host, pool)} has ${pct(h.overcommit)} of its capacity promised to volumes`,
        rationale: `The ${pool.volumes!.length} volumes of ${pool.name} on ${host.hostId} may grow to ${sizeText(h.volumeCapacityBytes)} on a ${sizeText(pool.capacityBytes)} pool (${h.overcommit.toFixed(2)}:1); they may still grow by ${sizeText(h.thinGrowthBytes)} and ${sizeText(pool.availableBytes)} is free${cannotAllGrow ? ': they cannot all grow to their size' : ''}.`,
        evidence: [
          { fact: `pool ${pool.name} volumes' virtual size`, value: +(h.volumeCapacityBytes / 2 ** 30).toFixed(1), unit: 'GiB' },
          { fact: `pool ${pool.name} capacity`, value: +(pool.capacityBytes / 2 ** 30).toFixed(1), unit: 'GiB' },
          { fact: `pool ${pool.name} volumes' growth left`, value: +(h.thinGrowthBytes / 2 ** 30).toFixed(1), unit: 'GiB' },
          { fact: `pool ${pool.name} free`, value: +(pool.availableBytes / 2 ** 30).toFixed(1), unit: 'GiB' },
        ],
        effect: 'Watching (or capping) the promise keeps thin volumes from filling the pool together and pausing their guests.',
        predicted: [{ label: `Pool ${pool.name} promised / capacity`, unit: 'ratio', before: +h.overcommit.toFixed(2), after: options.poolOvercommit }],
        risk: cannotAllGrow ? 'medium' : 'low',
        riskNote: 'No change is applied by this advice: add capacity, move volumes to another pool, or accept the overcommit while use stays low (watch its days-to-full).',
        needsRestart: false,
        confidence: 'normal',
        actions: [],
      })
    }
    return out
  },
}
