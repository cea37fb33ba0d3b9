import { poolHealth } from '../storage/pool-health'
import type { TuningAdvice, TuningRule } from './rule'
import { poolLabel, sizeText, storagePools } from './rule'

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
        title: `${risky.length} thin volume${risky.length > 1 ? 's' : ''} on ${poolLabel(host, pool)} would not fit if ${risky.length > 1 ? 'they' : 'it'} filled`,
        rationale: `${named.slice(0, 5).join(', ')}${risky.length > 5 ? ` and ${risky.length - 5} more` : ''} may each grow by more than the ${sizeText(pool.availableBytes)} free in ${pool.name}; ${worst.volume.name} alone may grow by ${sizeText(worst.growBytes)} to ${sizeText(worst.volume.capacityBytes)}.`,
        evidence: [
          { fact: `pool ${pool.name} free`, value: +(pool.availableBytes / 2 ** 30).toFixed(1), unit: 'GiB' },
          ...risky.slice(0, 5).map((r) => ({ fact: `volume ${r.volume.name} may grow by`, value: +(r.growBytes / 2 ** 30).toFixed(1), unit: 'GiB' })),
        ],
        effect: 'Each volume can grow to the size its guest sees without the pool running out under it.',
        predicted: [{ label: 'Thin volumes that would not fit', unit: 'volumes', before: risky.length, after: 0 }],
        risk: 'medium',
        riskNote: 'No change is applied by this advice: free or add pool space, move the largest volumes to a pool with room, or preallocate them.',
        needsRestart: false,
        confidence: 'normal',
        actions: [],
      })
    }
    return out
  },
}
