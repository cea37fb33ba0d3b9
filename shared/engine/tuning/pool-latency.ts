import { msg, said, sentences } from '../../i18n'
import { figure } from '../words'
import type { TuningAdvice, TuningRule } from './rule'
import { evidence, storagePools } from './rule'

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
        ...said({
          title: msg('engine.tuning.poolLatency.title', { pool: pool.name, host: host.hostId, ms: slowest.toFixed(0) }),
          rationale: sentences(
            msg('engine.tuning.poolLatency.rationale', {
              pool: pool.name,
              devices: io.devices.join(', '),
              read: io.readMsPerOp?.toFixed(1) ?? '-',
              write: io.writeMsPerOp?.toFixed(1) ?? '-',
              busy: `${io.busyPct.toFixed(0)} %`,
              minutes: Math.round(io.windowSeconds / 60),
              requests: (io.readsPerSecond + io.writesPerSecond).toFixed(0),
              count: onPool.length,
            }),
            busiest.length > 0 && msg('engine.tuning.poolLatency.busiest', { vms: busiest.map((v) => `${v.name} (${Math.round(v.iops)} IOPS)`).join(', ') }),
          ),
          effect: msg('engine.tuning.poolLatency.effect'),
          riskNote: msg('engine.tuning.poolLatency.risk'),
        }),
        evidence: [
          ...(io.readMsPerOp !== undefined ? [evidence(msg('tuning.fact.poolReadLatency', { pool: pool.name }), +io.readMsPerOp.toFixed(1), 'ms')] : []),
          ...(io.writeMsPerOp !== undefined ? [evidence(msg('tuning.fact.poolWriteLatency', { pool: pool.name }), +io.writeMsPerOp.toFixed(1), 'ms')] : []),
          evidence(msg('tuning.fact.poolBusy', { pool: pool.name }), +io.busyPct.toFixed(0), '%'),
          evidence(msg('tuning.fact.poolRequests', { pool: pool.name }), +(io.readsPerSecond + io.writesPerSecond).toFixed(0), '/s'),
          ...busiest.map((v) => evidence(msg('tuning.fact.vmDiskOperations', { vm: v.name }), Math.round(v.iops), 'IOPS')),
        ],
        predicted: [figure(msg('engine.tuning.poolLatency.figure', { pool: pool.name }), 'ms', +slowest.toFixed(1), options.poolLatencyMs)],
        risk: 'medium',
        needsRestart: false,
        confidence: busiest.length > 0 ? 'normal' : 'low',
        actions: [],
      })
    }
    return out
  },
}
