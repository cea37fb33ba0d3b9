import type Database from 'better-sqlite3'
import { diskMetrics, type DiskMetric, type HostMetric, type Series, type VmMetric } from '../../shared/model'
import { lttb } from './downsample'
import { bucketStart, ROLLUP_MS } from './rollup'

/**
 * Dashboard queries over the store's samples: time series of one host or VM for a range, and a
 * host's VMs stacked in shared buckets. SamplesRepo (samples.ts) is their one caller.
 *
 * Which table a query reads is chosen by range and points:
 * - Series (`hostSeries`, `vmMetricSeries`) read raw samples when the range is within raw
 *   retention and its 5-minute rollups would give fewer than `maxPoints` points: LTTB over raw
 *   then keeps detail (spikes) the chart can still show. Otherwise (older ranges, or ranges so
 *   long that rollups alone fill `maxPoints`, e.g. 1000 points over more than ~83 h) they read
 *   rollups, and the recent tail not rolled up yet from raw, grouped into 5-minute buckets the
 *   same way (mean, or peak for memory) so the line has no gap and no bucket twice.
 * - The VM stack reads rollups plus the raw tail once its buckets are 5 minutes or longer (24 h
 *   in 180 buckets: 544k raw rows for a 63-VM host vs 18k rollups), raw below that.
 * Either way no more than `maxPoints` per series reach the renderer (LTTB).
 */

/** Column per metric: raw table, rollup table (means; the peak for memory). */
const HOST_COLUMNS: Record<HostMetric, [raw: string, rollup: string]> = {
  cpuPct: ['cpu_pct', 'cpu_pct_mean'],
  cpuUsedCores: ['cpu_used_cores', 'cpu_used_cores_mean'],
  memUsedMiB: ['mem_used_mib', 'mem_used_mib_max'],
  memTotalMiB: ['mem_total_mib', 'mem_total_mib'],
  diskReadBps: ['disk_read_bps', 'disk_read_bps_mean'],
  diskWriteBps: ['disk_write_bps', 'disk_write_bps_mean'],
  netRxBps: ['net_rx_bps', 'net_rx_bps_mean'],
  netTxBps: ['net_tx_bps', 'net_tx_bps_mean'],
  cpuPressurePct: ['cpu_pressure_pct', 'cpu_pressure_pct_mean'],
  memPressurePct: ['mem_pressure_pct', 'mem_pressure_pct_mean'],
  ioPressurePct: ['io_pressure_pct', 'io_pressure_pct_mean'],
  swapInBps: ['swap_in_bps', 'swap_in_bps_mean'],
  swapOutBps: ['swap_out_bps', 'swap_out_bps_mean'],
  load1: ['load1', 'load1_mean'],
  procsRunning: ['procs_running', 'procs_running_mean'],
  procsBlocked: ['procs_blocked', 'procs_blocked_mean'],
  swapUsedMiB: ['swap_used_mib', 'swap_used_mib_mean'],
  pageInKBps: ['page_in_kbps', 'page_in_kbps_mean'],
  pageOutKBps: ['page_out_kbps', 'page_out_kbps_mean'],
  interruptsPs: ['interrupts_ps', 'interrupts_ps_mean'],
  contextSwitchesPs: ['context_switches_ps', 'context_switches_ps_mean'],
  cpuUserPct: ['cpu_user_pct', 'cpu_user_pct_mean'],
  cpuSystemPct: ['cpu_system_pct', 'cpu_system_pct_mean'],
  cpuIdlePct: ['cpu_idle_pct', 'cpu_idle_pct_mean'],
  cpuIowaitPct: ['cpu_iowait_pct', 'cpu_iowait_pct_mean'],
  cpuStealPct: ['cpu_steal_pct', 'cpu_steal_pct_mean'],
  kvmExitsPs: ['kvm_exits_ps', 'kvm_exits_ps_mean'],
  kvmHaltExitsPs: ['kvm_halt_exits_ps', 'kvm_halt_exits_ps_mean'],
  kvmIoExitsPs: ['kvm_io_exits_ps', 'kvm_io_exits_ps_mean'],
  kvmMmioExitsPs: ['kvm_mmio_exits_ps', 'kvm_mmio_exits_ps_mean'],
  kvmIrqInjectionsPs: ['kvm_irq_injections_ps', 'kvm_irq_injections_ps_mean'],
  kvmTlbFlushesPs: ['kvm_tlb_flushes_ps', 'kvm_tlb_flushes_ps_mean'],
  kvmRemoteTlbFlushesPs: ['kvm_remote_tlb_flushes_ps', 'kvm_remote_tlb_flushes_ps_mean'],
  kvmHaltPollSuccessCores: ['kvm_halt_poll_success_cores', 'kvm_halt_poll_success_cores_mean'],
  kvmHaltPollFailCores: ['kvm_halt_poll_fail_cores', 'kvm_halt_poll_fail_cores_mean'],
  kvmHaltWaitCores: ['kvm_halt_wait_cores', 'kvm_halt_wait_cores_mean'],
}

const VM_COLUMNS: Record<VmMetric, [raw: string, rollup: string]> = {
  cpuUsedCores: ['cpu_used_cores', 'cpu_used_cores_mean'],
  cpuReadyPct: ['cpu_ready_pct', 'cpu_ready_pct_mean'],
  memUsedMiB: ['mem_used_mib', 'mem_used_mib_max'],
  diskReadBps: ['disk_read_bps', 'disk_read_bps_mean'],
  diskWriteBps: ['disk_write_bps', 'disk_write_bps_mean'],
  diskReadIops: ['disk_read_iops', 'disk_read_iops_mean'],
  diskWriteIops: ['disk_write_iops', 'disk_write_iops_mean'],
  netRxBps: ['net_rx_bps', 'net_rx_bps_mean'],
  netTxBps: ['net_tx_bps', 'net_tx_bps_mean'],
  qemuVcpuCores: ['qemu_vcpu_cores', 'qemu_vcpu_cores_mean'],
  qemuEmulatorCores: ['qemu_emulator_cores', 'qemu_emulator_cores_mean'],
  qemuIothreadCores: ['qemu_iothread_cores', 'qemu_iothread_cores_mean'],
  qemuVhostCores: ['qemu_vhost_cores', 'qemu_vhost_cores_mean'],
  qemuOtherCores: ['qemu_other_cores', 'qemu_other_cores_mean'],
  overheadCores: ['overhead_cores', 'overhead_cores_mean'],
  kvmExitsPs: ['kvm_exits_ps', 'kvm_exits_ps_mean'],
  kvmHaltExitsPs: ['kvm_halt_exits_ps', 'kvm_halt_exits_ps_mean'],
  kvmIoExitsPs: ['kvm_io_exits_ps', 'kvm_io_exits_ps_mean'],
  kvmMmioExitsPs: ['kvm_mmio_exits_ps', 'kvm_mmio_exits_ps_mean'],
  kvmIrqInjectionsPs: ['kvm_irq_injections_ps', 'kvm_irq_injections_ps_mean'],
  kvmTlbFlushesPs: ['kvm_tlb_flushes_ps', 'kvm_tlb_flushes_ps_mean'],
  kvmRemoteTlbFlushesPs: ['kvm_remote_tlb_flushes_ps', 'kvm_remote_tlb_flushes_ps_mean'],
  kvmHaltPollSuccessCores: ['kvm_halt_poll_success_cores', 'kvm_halt_poll_success_cores_mean'],
  kvmHaltPollFailCores: ['kvm_halt_poll_fail_cores', 'kvm_halt_poll_fail_cores_mean'],
  kvmHaltWaitCores: ['kvm_halt_wait_cores', 'kvm_halt_wait_cores_mean'],
  guestSwapInBps: ['guest_swap_in_bps', 'guest_swap_in_bps_mean'],
  guestSwapOutBps: ['guest_swap_out_bps', 'guest_swap_out_bps_mean'],
  guestMajorFaultsPs: ['guest_major_faults_ps', 'guest_major_faults_ps_mean'],
}

/** A VM metric's column in vm_rollups. */
export function vmRollupColumn(metric: VmMetric): string {
  return VM_COLUMNS[metric][1]
}

/** Disk rollups keep plain means under the raw column names. */
const DISK_COLUMNS: Record<DiskMetric, [raw: string, rollup: string]> = {
  readsPs: ['reads_ps', 'reads_ps'],
  writesPs: ['writes_ps', 'writes_ps'],
  readKBps: ['read_kbps', 'read_kbps'],
  writeKBps: ['write_kbps', 'write_kbps'],
  readAwaitMs: ['read_await_ms', 'read_await_ms'],
  writeAwaitMs: ['write_await_ms', 'write_await_ms'],
  queueSize: ['queue_size', 'queue_size'],
  utilPct: ['util_pct', 'util_pct'],
}

/** How Store.rollUp made a rollup column from raw samples, to do the same to the raw tail. */
function tailAggregate(rollupColumn: string): 'avg' | 'max' {
  return rollupColumn.endsWith('_max') || rollupColumn === 'mem_total_mib' ? 'max' : 'avg'
}

export interface RangeQuery {
  from: number
  to: number
  maxPoints: number
  /** Raw samples are kept this long; older ranges read rollups. */
  rawKeptMs: number
  now: number
}

export interface MetricSeries<M extends string> {
  source: 'raw' | 'rollup'
  pointsRead: number
  series: Record<M, Series>
  p95: Record<M, number | null>
}

/** 95th percentile (nearest rank) of unsorted values; null when empty. */
export function percentile95(values: readonly number[]): number | null {
  if (values.length === 0) return null
  const sorted = Float64Array.from(values).sort()
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]!
}

/** Whether a series over `q` reads raw samples (see the module comment). */
export function seriesFromRaw(q: RangeQuery): boolean {
  return q.from >= q.now - q.rawKeptMs && (q.to - q.from) / ROLLUP_MS < q.maxPoints
}

function metricSeries<M extends string>(
  db: Database.Database,
  tables: { raw: string; rollup: string; idColumn: string; subColumn?: string },
  columns: Record<M, [string, string]>,
  id: string,
  metrics: readonly M[],
  q: RangeQuery,
  rolledUpUntil: number,
  sub?: string,
): MetricSeries<M> {
  const fromRaw = seriesFromRaw(q)
  // A second key column (a host's device) narrows the rows further.
  const subWhere = tables.subColumn ? ` AND ${tables.subColumn} = @sub` : ''
  let rows: number[][]
  if (fromRaw) {
    const select = metrics.map((m, i) => `${columns[m][0]} AS m${i}`).join(', ')
    rows = db
      .prepare(`SELECT t, ${select} FROM ${tables.raw} WHERE ${tables.idColumn} = @id${subWhere} AND t >= @from AND t < @to ORDER BY t`)
      .raw()
      .all({ id, from: q.from, to: q.to, ...(tables.subColumn ? { sub } : {}) }) as number[][]
  } else {
    // Buckets starting in [from, to): rollups up to `split`, then the raw tail in 5-minute
    // buckets (integer division: a bound number would be a REAL and divide exactly).
    const start = Math.ceil(q.from / ROLLUP_MS) * ROLLUP_MS
    const split = Math.max(start, Math.min(q.to, rolledUpUntil))
    const rollupSelect = metrics.map((m, i) => `${columns[m][1]} AS m${i}`).join(', ')
    const tailSelect = metrics.map((m, i) => `${tailAggregate(columns[m][1])}(${columns[m][0]}) AS m${i}`).join(', ')
    rows = db
      .prepare(
        `SELECT t, ${rollupSelect} FROM ${tables.rollup} WHERE ${tables.idColumn} = @id${subWhere} AND t >= @start AND t < @split
         UNION ALL
         SELECT * FROM (SELECT (t / ${ROLLUP_MS}) * ${ROLLUP_MS} AS bt, ${tailSelect} FROM ${tables.raw}
           WHERE ${tables.idColumn} = @id${subWhere} AND t >= @split AND t < @to GROUP BY bt)
         ORDER BY 1`,
      )
      .raw()
      .all({ id, start, split, to: q.to, ...(tables.subColumn ? { sub } : {}) }) as number[][]
  }
  const t = rows.map((r) => r[0]!)
  const series = {} as Record<M, Series>
  const p95 = {} as Record<M, number | null>
  metrics.forEach((metric, i) => {
    // A figure the host does not report (no PSI, the demo) is NULL: those rows have no point.
    const kept = rows.filter((r) => r[i + 1] !== null)
    const values = kept.map((r) => r[i + 1]!)
    series[metric] = lttb(kept.length === rows.length ? t : kept.map((r) => r[0]!), values, q.maxPoints)
    p95[metric] = percentile95(values)
  })
  return { source: fromRaw ? 'raw' : 'rollup', pointsRead: rows.length, series, p95 }
}

/** `rolledUpUntil`: where the rollups end (SamplesRepo.rolledUpUntil); the raw tail starts there. */
export function hostSeries(db: Database.Database, hostId: string, metrics: readonly HostMetric[], q: RangeQuery, rolledUpUntil: number): MetricSeries<HostMetric> {
  return metricSeries(db, { raw: 'host_samples', rollup: 'host_rollups', idColumn: 'host_id' }, HOST_COLUMNS, hostId, metrics, q, rolledUpUntil)
}

export function vmMetricSeries(db: Database.Database, vmId: string, metrics: readonly VmMetric[], q: RangeQuery, rolledUpUntil: number): MetricSeries<VmMetric> {
  return metricSeries(db, { raw: 'vm_samples', rollup: 'vm_rollups', idColumn: 'vm_id' }, VM_COLUMNS, vmId, metrics, q, rolledUpUntil)
}

export interface DiskSeries {
  source: 'raw' | 'rollup'
  devices: { device: string; series: Record<DiskMetric, Series>; p95: Record<DiskMetric, number | null> }[]
}

/** iostat figures of each block device a host reported over the range, devices by name. */
export function diskSeries(db: Database.Database, hostId: string, q: RangeQuery, rolledUpUntil: number): DiskSeries {
  const devices = (
    db
      .prepare(
        `SELECT device FROM disk_samples WHERE host_id = @id AND t >= @from AND t < @to
         UNION SELECT device FROM disk_rollups WHERE host_id = @id AND t >= @from AND t < @to ORDER BY 1`,
      )
      .pluck()
      .all({ id: hostId, from: q.from, to: q.to }) as string[]
  )
  const tables = { raw: 'disk_samples', rollup: 'disk_rollups', idColumn: 'host_id', subColumn: 'device' }
  return {
    source: seriesFromRaw(q) ? 'raw' : 'rollup',
    devices: devices.map((device) => {
      const m = metricSeries(db, tables, DISK_COLUMNS, hostId, diskMetrics, q, rolledUpUntil, device)
      return { device, series: m.series, p95: m.p95 }
    }),
  }
}

export interface VmStack {
  t: number[]
  stepMs: number
  items: { vmId: string; name: string; cpuUsedCores: number[]; memUsedMiB: number[] }[]
  others: { count: number; cpuUsedCores: number[]; memUsedMiB: number[] } | null
}

export interface VmStackQuery {
  from: number
  to: number
  buckets: number
  rawKeptMs: number
  now: number
  top: number
}

/**
 * The stack's bucket grid. Raw: `buckets` steps from `from`. Rollups: steps of whole 5-minute
 * rollups from the rollup bucket holding `from`, so each rollup falls in exactly one bucket (the
 * first bucket may start up to 5 minutes before `from`); never more than `buckets` buckets.
 */
export function vmStackGrid(q: VmStackQuery): { fromRaw: boolean; origin: number; stepMs: number } {
  const rawStep = Math.max(1, Math.ceil((q.to - q.from) / q.buckets))
  if (q.from >= q.now - q.rawKeptMs && rawStep < ROLLUP_MS) return { fromRaw: true, origin: q.from, stepMs: rawStep }
  const origin = bucketStart(q.from)
  const stepMs = Math.max(1, Math.ceil((q.to - origin) / q.buckets / ROLLUP_MS)) * ROLLUP_MS
  return { fromRaw: false, origin, stepMs }
}

/**
 * CPU and memory of a host's VMs averaged into at most `buckets` shared time buckets, so they
 * stack: the `top` busiest VMs (by mean CPU) by name, the rest summed as one. From rollups, a
 * bucket's means weigh each rollup by its sample count and add the raw tail's samples, so a
 * bucket's value is the mean of the raw samples in it either way.
 */
export function vmStack(db: Database.Database, vms: readonly { id: string; name: string }[], q: VmStackQuery, rolledUpUntil: number): VmStack {
  const { fromRaw, origin, stepMs } = vmStackGrid(q)
  const params = { vms: JSON.stringify(vms.map((v) => v.id)), from: q.from, to: q.to, origin, step: stepMs }
  const rows = (
    fromRaw
      ? db
          .prepare(
            `SELECT vm_id, CAST((t - @origin) / @step AS INTEGER) AS b, avg(cpu_used_cores) AS cpu, avg(mem_used_mib) AS mem
             FROM vm_samples WHERE vm_id IN (SELECT value FROM json_each(@vms)) AND t >= @from AND t < @to GROUP BY vm_id, b`,
          )
          .all(params)
      : db
          .prepare(
            `SELECT vm_id, b, sum(cpu) / sum(n) AS cpu, sum(mem) / sum(n) AS mem FROM (
               SELECT vm_id, CAST((t - @origin) / @step AS INTEGER) AS b, cpu_used_cores_mean * n AS cpu, mem_used_mib_mean * n AS mem, n
               FROM vm_rollups WHERE vm_id IN (SELECT value FROM json_each(@vms)) AND t >= @origin AND t < @split
               UNION ALL
               SELECT vm_id, CAST((t - @origin) / @step AS INTEGER) AS b, cpu_used_cores AS cpu, mem_used_mib AS mem, 1 AS n
               FROM vm_samples WHERE vm_id IN (SELECT value FROM json_each(@vms)) AND t >= @split AND t < @to)
             GROUP BY vm_id, b`,
          )
          .all({ ...params, split: Math.max(origin, Math.min(q.to, rolledUpUntil)) })
  ) as { vm_id: string; b: number; cpu: number; mem: number }[]
  const usedBuckets = [...new Set(rows.map((r) => r.b))].sort((a, b) => a - b)
  const slot = new Map(usedBuckets.map((b, i) => [b, i]))
  const perVm = new Map<string, { cpu: number[]; mem: number[]; total: number }>()
  for (const row of rows) {
    let entry = perVm.get(row.vm_id)
    if (!entry) perVm.set(row.vm_id, (entry = { cpu: new Array<number>(usedBuckets.length).fill(0), mem: new Array<number>(usedBuckets.length).fill(0), total: 0 }))
    const i = slot.get(row.b)!
    entry.cpu[i] = row.cpu
    entry.mem[i] = row.mem
    entry.total += row.cpu
  }
  const names = new Map(vms.map((v) => [v.id, v.name]))
  const ranked = [...perVm.entries()].sort((a, b) => b[1].total - a[1].total)
  const items = ranked.slice(0, q.top).map(([vmId, e]) => ({ vmId, name: names.get(vmId) ?? vmId, cpuUsedCores: e.cpu, memUsedMiB: e.mem }))
  const rest = ranked.slice(q.top)
  const others =
    rest.length === 0
      ? null
      : {
          count: rest.length,
          cpuUsedCores: usedBuckets.map((_, i) => rest.reduce((sum, [, e]) => sum + (e.cpu[i] ?? 0), 0)),
          memUsedMiB: usedBuckets.map((_, i) => rest.reduce((sum, [, e]) => sum + (e.mem[i] ?? 0), 0)),
        }
  return { t: usedBuckets.map((b) => origin + b * stepMs), stepMs, items, others }
}

export interface VmWindowStats {
  vmId: string
  readyPct: number
  readyMaxPct: number
  memUsedMaxMiB: number
}

/** Per VM over [from, to): mean and peak CPU ready, peak memory used (raw samples). */
export function vmWindowStats(db: Database.Database, from: number, to: number): VmWindowStats[] {
  return db
    .prepare(
      `SELECT vm_id AS vmId, avg(cpu_ready_pct) AS readyPct, max(cpu_ready_pct) AS readyMaxPct, max(mem_used_mib) AS memUsedMaxMiB
       FROM vm_samples WHERE t >= ? AND t < ? GROUP BY vm_id`,
    )
    .all(from, to) as VmWindowStats[]
}

export interface HostWindowStats {
  hostId: string
  cpuPct: number
  memUsedMiB: number
  memTotalMiB: number
}

/** Per host over [from, to): mean CPU %, mean memory used and total (raw samples). */
export function hostWindowStats(db: Database.Database, from: number, to: number): HostWindowStats[] {
  return db
    .prepare(
      `SELECT host_id AS hostId, avg(cpu_pct) AS cpuPct, avg(mem_used_mib) AS memUsedMiB, max(mem_total_mib) AS memTotalMiB
       FROM host_samples WHERE t >= ? AND t < ? GROUP BY host_id`,
    )
    .all(from, to) as HostWindowStats[]
}
