import { msg, said } from '../../i18n'
import { figure } from '../words'
import { poolHealth } from '../storage/pool-health'
import type { Evidence, TuningAdvice, TuningRule } from './rule'
import { evidence as fact, pct, sizeText, storagePools } from './rule'

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
        fact(msg('tuning.fact.poolUsed', { pool: pool.name }), +(used * 100).toFixed(1), '%'),
        fact(msg('tuning.fact.poolFree', { pool: pool.name }), +(pool.availableBytes / 2 ** 30).toFixed(1), 'GiB'),
        fact(msg('tuning.fact.poolCapacity', { pool: pool.name }), +(pool.capacityBytes / 2 ** 30).toFixed(1), 'GiB'),
      ]
      if (forecast) {
        evidence.push(fact(msg('tuning.fact.poolGrowth', { pool: pool.name, samples: forecast.basis.samples }), +(forecast.growthBytesPerDay / 2 ** 30).toFixed(2), msg('tuning.unit.gibPerDay')))
        if (days !== null) evidence.push(fact(msg('tuning.fact.poolFullIn', { pool: pool.name }), +days.toFixed(1), msg('tuning.unit.days')))
      }
      const priority = (days !== null && days <= 7) || used >= 0.95 ? 2 : soon || used >= 0.9 ? 3 : 4
      const growth = forecast ? sizeText(forecast.growthBytesPerDay) : ''
      const when =
        days !== null
          ? days < 1
            ? msg('engine.tuning.poolCapacity.whenToday', { growth })
            : msg('engine.tuning.poolCapacity.whenDays', { growth, count: Math.round(days) })
          : forecast
            ? msg('engine.tuning.poolCapacity.notGrowing')
            : ''
      const facts = { type: pool.type, pool: pool.name, host: host.hostId, used: sizeText(pool.allocationBytes), capacity: sizeText(pool.capacityBytes), share: pct(used), free: sizeText(pool.availableBytes), when }
      out.push({
        rule: 'pool-capacity',
        target: { type: 'host', id: host.hostId },
        priority,
        ...said({
          title:
            days !== null && soon
              ? msg('engine.tuning.poolCapacity.titleSoon', { pool: pool.name, host: host.hostId, count: Math.max(1, Math.round(days)) })
              : msg('engine.tuning.poolCapacity.titleFull', { pool: pool.name, host: host.hostId, share: pct(used) }),
          rationale: alsoOn.length ? msg('engine.tuning.poolCapacity.rationaleShared', { ...facts, others: alsoOn.join(', ') }) : msg('engine.tuning.poolCapacity.rationale', facts),
          effect: msg('engine.tuning.poolCapacity.effect'),
          riskNote: msg('engine.tuning.poolCapacity.risk'),
        }),
        evidence,
        predicted: [figure(msg('engine.tuning.poolCapacity.figure', { pool: pool.name }), '%', +(used * 100).toFixed(1), +(Math.min(used, options.poolFullShare) * 100).toFixed(1))],
        risk: priority === 2 ? 'high' : 'medium',
        needsRestart: false,
        confidence: forecast ? 'normal' : 'low',
        actions: [],
      })
    }
    return out
  },
}
