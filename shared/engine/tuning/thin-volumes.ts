import { msg, said } from '../../i18n'
import { figure } from '../words'
import { poolHealth } from '../storage/pool-health'
import type { TuningAdvice, TuningRule } from './rule'
import { evidence, sizeText, storagePools } from './rule'

/**
 * Thin volumes that would not fit: a volume whose growth to its full size is more than its pool
 * has free. When its guest fills the disk, writes fail (or the guest is paused) although the
 * guest still sees free space. Names the volumes, largest shortfall first.
 */
export const thinVolumesRule: TuningRule = {
  id: 'thin-volumes',
  evaluate({ facts }) {
    const out: TuningAdvice[] = []
    for (const { host, pool } of storagePools(facts)) {
      const risky = poolHealth(pool).thinAtRisk
      if (risky.length === 0) continue
      const vmOf = new Map(host.disks.filter((d) => d.poolId === pool.id && d.volume).map((d) => [d.volume!, facts.vms[d.vmId]?.name ?? d.vmId]))
      const named = risky.map((r) => `${r.volume.name}${vmOf.has(r.volume.name) ? ` (${vmOf.get(r.volume.name)})` : ''}`)
      const worst = risky[0]!
      out.push({
        rule: 'thin-volumes',
        target: { type: 'host', id: host.hostId },
        priority: 3,
        ...said({
          title: msg('engine.tuning.thinVolumes.title', { count: risky.length, pool: pool.name, host: host.hostId }),
          rationale: msg('engine.tuning.thinVolumes.rationale', {
            names: risky.length > 5 ? msg('engine.tuning.thinVolumes.more', { names: named.slice(0, 5).join(', '), count: risky.length - 5 }) : named.join(', '),
            free: sizeText(pool.availableBytes),
            pool: pool.name,
            worst: worst.volume.name,
            growth: sizeText(worst.growBytes),
            size: sizeText(worst.volume.capacityBytes),
          }),
          effect: msg('engine.tuning.thinVolumes.effect'),
          riskNote: msg('engine.tuning.thinVolumes.risk'),
        }),
        evidence: [
          evidence(msg('tuning.fact.poolFree', { pool: pool.name }), +(pool.availableBytes / 2 ** 30).toFixed(1), 'GiB'),
          ...risky.slice(0, 5).map((r) => evidence(msg('tuning.fact.volumeMayGrow', { volume: r.volume.name }), +(r.growBytes / 2 ** 30).toFixed(1), 'GiB')),
        ],
        predicted: [figure(msg('engine.tuning.thinVolumes.figure'), 'volumes', risky.length, 0)],
        risk: 'medium',
        needsRestart: false,
        confidence: 'normal',
        actions: [],
      })
    }
    return out
  },
}
