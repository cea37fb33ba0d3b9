import { poolHealth } from '../storage/pool-health'
import type { Evidence, TuningAdvice, TuningRule } from './rule'
import { pct, poolLabel, sizeText, storagePools } from './rule'

/**
 * Pool capacity: a pool that is nearly full, or that its growth fills within `poolFullDays` (the
 * trend of its use since its last clean-up, stored at every discovery). A full pool pauses every
 * guest that writes to it (thin volumes) or fails new volumes. Advice only: the fix is the
 * admin's (grow the pool, delete old images and snapshots, move disks).
 */
export const poolCapacityRule: TuningRule = {
  id: 'pool-capacity',
  evaluate({ facts, usage, options }) {
    const out: TuningAdvice[] = []
    for (const { host, pool, alsoOn } of storagePools(facts)) {
      const used = poolHealth(pool).usedShare
      if (used === null) continue
      const forecast = usage.pools?.[`${host.hostId}/${pool.id}`]?.forecast ?? null
      const days = forecast?.daysToFull ?? null
      const soon = days !== null && days <= options.poolFullDays
      if (used < options.poolFullShare && !soon) continue
      const evidence: Evidence[] = [
        { fact: `pool ${pool.name} used`, value: +(used * 100).toFixed(1), unit: '%' },
        { fact: `pool ${pool.name} free`, value: +(pool.availableBytes / 2 ** 30).toFixed(1), unit: 'GiB' },
        { fact: `pool ${pool.name} capacity`, value: +(pool.capacityBytes / 2 ** 30).toFixed(1), unit: 'GiB' },
      ]
      if (forecast) {
        evidence.push({ fact: `pool ${pool.name} growth (trend of ${forecast.basis.samples} samples)`, value: +(forecast.growthBytesPerDay / 2 ** 30).toFixed(2), unit: 'GiB/day' })
        if (days !== null) evidence.push({ fact: `pool ${pool.name} full in`, value: +days.toFixed(1), unit: 'days' })
      }
      const priority = (days !== null && days <= 7) || used >= 0.95 ? 2 : soon || used >= 0.9 ? 3 : 4
      const when = days !== null ? `; at ${sizeText(forecast!.growthBytesPerDay)} a day it is full in ${days < 1 ? 'less than a day' : `${Math.round(days)} days`}` : forecast ? '; it is not growing' : ''
      out.push({
        rule: 'pool-capacity',
        target: { type: 'host', id: host.hostId },
        priority,
        title: days !== null && soon ? `Pool ${poolLabel(host, pool)} is full in ${Math.max(1, Math.round(days))} days` : `Pool ${poolLabel(host, pool)} is ${pct(used)} full`,
        rationale: `${pool.type} pool ${pool.name} on ${host.hostId}${alsoOn.length ? ` (shared with ${alsoOn.join(', ')})` : ''} holds ${sizeText(pool.allocationBytes)} of ${sizeText(pool.capacityBytes)} (${pct(used)}), ${sizeText(pool.availableBytes)} free${when}.`,
        evidence,
        effect: 'With room freed or added before it fills, guests on it keep writing: a full pool pauses guests whose thin disks grow and fails new volumes and snapshots.',
        predicted: [{ label: `Pool ${pool.name} used`, unit: '%', before: +(used * 100).toFixed(1), after: +(Math.min(used, options.poolFullShare) * 100).toFixed(1) }],
        risk: priority === 2 ? 'high' : 'medium',
        riskNote: 'No change is applied by this advice: grow the pool, delete old images, snapshots or ISOs, or move disks to another pool.',
        needsRestart: false,
        confidence: forecast ? 'normal' : 'low',
        actions: [],
      })
    }
    return out
  },
}
