import type { TuningAdvice, TuningRule } from './rule'
import { poolLabel, storagePools } from './rule'

/**
 * I/O contention per pool: the devices under a pool (diskstats, measured between two
 * discoveries) take long per request while busy most of the time: the guests on that pool wait
 * for each other. Names the guests with the most disk operations on it.
 */
export const poolLatencyRule: TuningRule = {
  id: 'pool-latency',
  evaluate({ facts, usage, options }) {
    const out: TuningAdvice[] = []
    for (const { host, pool } of storagePools(facts)) {
      const io = pool.io
      if (!io) continue
      const slowest = Math.max(io.readMsPerOp ?? 0, io.writeMsPerOp ?? 0)
      if (slowest < options.poolLatencyMs || io.busyPct < options.poolBusyPct) continue
      const onPool = [...new Set(host.disks.filter((d) => d.poolId === pool.id).map((d) => d.vmId))]
        .map((vmId) => ({ vmId, name: facts.vms[vmId]?.name ?? vmId, iops: usage.vms[vmId]?.diskIops ?? 0 }))
        .sort((a, b) => b.iops - a.iops)
      const busiest = onPool.filter((v) => v.iops > 0).slice(0, 3)
      out.push({
        rule: 'pool-latency',
        target: { type: 'host', id: host.hostId },
        priority: io.busyPct >= 90 && slowest >= 2 * options.poolLatencyMs ? 2 : 3,
        title: `I/O contention on pool ${poolLabel(host, pool)}: ${slowest.toFixed(0)} ms per request`,
        rationale: `The device${io.devices.length > 1 ? 's' : ''} under ${pool.name} (${io.devices.join(', ')}) took ${io.readMsPerOp?.toFixed(1) ?? '-'} ms per read and ${io.writeMsPerOp?.toFixed(1) ?? '-'} ms per write and ${io.devices.length > 1 ? 'the busiest was' : 'was'} busy ${io.busyPct.toFixed(0)} % of the last ${Math.round(io.windowSeconds / 60)} minutes (${(io.readsPerSecond + io.writesPerSecond).toFixed(0)} requests/s); its ${onPool.length} guest${onPool.length === 1 ? '' : 's'} wait for each other${busiest.length ? `, the busiest ${busiest.map((v) => `${v.name} (${Math.round(v.iops)} IOPS)`).join(', ')}` : ''}.`,
        evidence: [
          ...(io.readMsPerOp !== undefined ? [{ fact: `pool ${pool.name} read latency`, value: +io.readMsPerOp.toFixed(1), unit: 'ms' }] : []),
          ...(io.writeMsPerOp !== undefined ? [{ fact: `pool ${pool.name} write latency`, value: +io.writeMsPerOp.toFixed(1), unit: 'ms' }] : []),
          { fact: `pool ${pool.name} device busy`, value: +io.busyPct.toFixed(0), unit: '%' },
          { fact: `pool ${pool.name} requests`, value: +(io.readsPerSecond + io.writesPerSecond).toFixed(0), unit: '/s' },
          ...busiest.map((v) => ({ fact: `${v.name} disk operations`, value: Math.round(v.iops), unit: 'IOPS' })),
        ],
        effect: 'Spreading the busiest guests over other pools or devices (or limiting them with blkdeviotune) brings request times back down for every guest on the pool.',
        predicted: [{ label: `Pool ${pool.name} time per request`, unit: 'ms', before: +slowest.toFixed(1), after: options.poolLatencyMs }],
        risk: 'medium',
        riskNote: 'No change is applied by this advice: move a busy guest\'s disk to a faster or quieter pool, or cap its I/O (blkdeviotune).',
        needsRestart: false,
        confidence: busiest.length > 0 ? 'normal' : 'low',
        actions: [],
      })
    }
    return out
  },
}
