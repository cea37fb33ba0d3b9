import { msg, said } from '../../i18n'
import { figure } from '../words'
import { poolHealth } from '../storage/pool-health'
import type { TuningAdvice, TuningRule } from './rule'
import { evidence, pct, sizeText, storagePools } from './rule'

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
        ...said({
          title: msg('engine.tuning.poolOvercommit.title', { pool: pool.name, host: host.hostId, share: pct(h.overcommit) }),
          rationale: msg(cannotAllGrow ? 'engine.tuning.poolOvercommit.rationaleCannot' : 'engine.tuning.poolOvercommit.rationale', {
            count: pool.volumes!.length,
            pool: pool.name,
            host: host.hostId,
            promised: sizeText(h.volumeCapacityBytes),
            capacity: sizeText(pool.capacityBytes),
            ratio: h.overcommit.toFixed(2),
            growth: sizeText(h.thinGrowthBytes),
            free: sizeText(pool.availableBytes),
          }),
          effect: msg('engine.tuning.poolOvercommit.effect'),
          riskNote: msg('engine.tuning.poolOvercommit.risk'),
        }),
        evidence: [
          evidence(msg('tuning.fact.poolVolumesSize', { pool: pool.name }), +(h.volumeCapacityBytes / 2 ** 30).toFixed(1), 'GiB'),
          evidence(msg('tuning.fact.poolCapacity', { pool: pool.name }), +(pool.capacityBytes / 2 ** 30).toFixed(1), 'GiB'),
          evidence(msg('tuning.fact.poolGrowthLeft', { pool: pool.name }), +(h.thinGrowthBytes / 2 ** 30).toFixed(1), 'GiB'),
          evidence(msg('tuning.fact.poolFree', { pool: pool.name }), +(pool.availableBytes / 2 ** 30).toFixed(1), 'GiB'),
        ],
        predicted: [figure(msg('engine.tuning.poolOvercommit.figure', { pool: pool.name }), 'ratio', +h.overcommit.toFixed(2), options.poolOvercommit)],
        risk: cannotAllGrow ? 'medium' : 'low',
        needsRestart: false,
        confidence: 'normal',
        actions: [],
      })
    }
    return out
  },
}
