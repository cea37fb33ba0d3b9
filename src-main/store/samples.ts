import type Database from 'better-sqlite3'
import { LAYER_WINDOW_MS, layerMetrics, type ClusterSeries, type DiskSample, type History, type HostMetric, type HostSample, type VmMetric, type VmSample } from '../../shared/model'
import type { MetaRepo } from './meta'
import { RAW_RETENTION_MS, ROLLUP_RETENTION_MS } from './retention'
import { bucketStart, ROLLUP_MS, summarize } from './rollup'
import { diskSeries, hostSeries, hostWindowStats, vmMetricSeries, vmRollupColumn, vmStack, vmWindowStats, type DiskSeries, type MetricSeries, type RangeQuery, type VmStack, type VmStackQuery } from './series'

/** Where Store.rollUp has folded raw samples up to (meta key); read in one place, here. */
const ROLLED_UP_UNTIL = 'rollup_until'
/**
 * The earliest bucket a late sample landed in after its bucket was rolled up (meta key): a poll's
 * samples carry the time the poll started and are stored when it ends, so one that ends past a
 * bucket edge can arrive after housekeeping folded that bucket. The next rollUp folds it again.
 */
const REFOLD_FROM = 'rollup_refold_from'

/** A range query whose raw retention defaults to the store's own. */
type Range<Q> = Omit<Q, 'rawKeptMs'> & { rawKeptMs?: number }

/** A host sample's optional figures, stored as NULL when the host does not report them. */
const NO_HOST_EXTRAS = {
  cpuPressurePct: null, memPressurePct: null, ioPressurePct: null, swapInBps: null, swapOutBps: null, load1: null,
  procsRunning: null, procsBlocked: null, swapUsedMiB: null, pageInKBps: null, pageOutKBps: null, interruptsPs: null, contextSwitchesPs: null,
  cpuUserPct: null, cpuSystemPct: null, cpuIdlePct: null, cpuIowaitPct: null, cpuStealPct: null,
  kvmExitsPs: null, kvmHaltExitsPs: null, kvmIoExitsPs: null, kvmMmioExitsPs: null, kvmIrqInjectionsPs: null, kvmTlbFlushesPs: null, kvmRemoteTlbFlushesPs: null,
  kvmHaltPollSuccessCores: null, kvmHaltPollFailCores: null, kvmHaltWaitCores: null,
}
/** A VM sample's optional figures (QEMU threads, KVM), NULL where the host does not show them; in VM_MEAN_COLUMNS' order. */
const NO_VM_EXTRAS = {
  qemuVcpuCores: null, qemuEmulatorCores: null, qemuIothreadCores: null, qemuVhostCores: null, qemuOtherCores: null, overheadCores: null,
  kvmExitsPs: null, kvmHaltExitsPs: null, kvmIoExitsPs: null, kvmMmioExitsPs: null, kvmIrqInjectionsPs: null, kvmTlbFlushesPs: null, kvmRemoteTlbFlushesPs: null,
  kvmHaltPollSuccessCores: null, kvmHaltPollFailCores: null, kvmHaltWaitCores: null,
  guestSwapInBps: null, guestSwapOutBps: null, guestMajorFaultsPs: null,
}
const NO_DISK_EXTRAS = { readAwaitMs: null, writeAwaitMs: null }

/** Optional host columns (raw name) that rollups keep as `<name>_mean`. */
const HOST_MEAN_COLUMNS = [
  'cpu_pressure_pct', 'mem_pressure_pct', 'io_pressure_pct', 'swap_in_bps', 'swap_out_bps', 'load1',
  'procs_running', 'procs_blocked', 'swap_used_mib', 'page_in_kbps', 'page_out_kbps', 'interrupts_ps', 'context_switches_ps',
  'cpu_user_pct', 'cpu_system_pct', 'cpu_idle_pct', 'cpu_iowait_pct', 'cpu_steal_pct',
  'kvm_exits_ps', 'kvm_halt_exits_ps', 'kvm_io_exits_ps', 'kvm_mmio_exits_ps', 'kvm_irq_injections_ps', 'kvm_tlb_flushes_ps', 'kvm_remote_tlb_flushes_ps',
  'kvm_halt_poll_success_cores', 'kvm_halt_poll_fail_cores', 'kvm_halt_wait_cores',
] as const
const VM_MEAN_COLUMNS = [
  'qemu_vcpu_cores', 'qemu_emulator_cores', 'qemu_iothread_cores', 'qemu_vhost_cores', 'qemu_other_cores', 'overhead_cores',
  'kvm_exits_ps', 'kvm_halt_exits_ps', 'kvm_io_exits_ps', 'kvm_mmio_exits_ps', 'kvm_irq_injections_ps', 'kvm_tlb_flushes_ps', 'kvm_remote_tlb_flushes_ps',
  'kvm_halt_poll_success_cores', 'kvm_halt_poll_fail_cores', 'kvm_halt_wait_cores',
  'guest_swap_in_bps', 'guest_swap_out_bps', 'guest_major_faults_ps',
] as const

/** Mean of the values a host reported; null when it reported none. */
function meanOrNull(values: readonly (number | null)[]): number | null {
  const given = values.filter((v): v is number => v !== null)
  return given.length > 0 ? summarize(given).mean : null
}

/**
 * Samples and their history: raw samples per poll, 5-minute rollups (mean, max, p95), retention,
 * and every series read from them (engine history, dashboards, evidence, exports).
 */
export class SamplesRepo {
  private readonly insertHostSample: Database.Statement
  private readonly insertVmSample: Database.Statement
  private readonly insertDiskSample: Database.Statement

  constructor(
    private readonly db: Database.Database,
    private readonly meta: MetaRepo,
  ) {
    this.insertHostSample = db.prepare(
      `INSERT OR REPLACE INTO host_samples (host_id, t, cpu_pct, cpu_used_cores, mem_used_mib, mem_total_mib,
         disk_read_bps, disk_write_bps, net_rx_bps, net_tx_bps, cpu_pressure_pct, mem_pressure_pct, io_pressure_pct, swap_in_bps, swap_out_bps, load1,
         procs_running, procs_blocked, swap_used_mib, page_in_kbps, page_out_kbps, interrupts_ps, context_switches_ps,
         cpu_user_pct, cpu_system_pct, cpu_idle_pct, cpu_iowait_pct, cpu_steal_pct,
         kvm_exits_ps, kvm_halt_exits_ps, kvm_io_exits_ps, kvm_mmio_exits_ps, kvm_irq_injections_ps, kvm_tlb_flushes_ps, kvm_remote_tlb_flushes_ps,
         kvm_halt_poll_success_cores, kvm_halt_poll_fail_cores, kvm_halt_wait_cores)
       VALUES (@hostId, @t, @cpuPct, @cpuUsedCores, @memUsedMiB, @memTotalMiB, @diskReadBps, @diskWriteBps, @netRxBps, @netTxBps,
         @cpuPressurePct, @memPressurePct, @ioPressurePct, @swapInBps, @swapOutBps, @load1,
         @procsRunning, @procsBlocked, @swapUsedMiB, @pageInKBps, @pageOutKBps, @interruptsPs, @contextSwitchesPs,
         @cpuUserPct, @cpuSystemPct, @cpuIdlePct, @cpuIowaitPct, @cpuStealPct,
         @kvmExitsPs, @kvmHaltExitsPs, @kvmIoExitsPs, @kvmMmioExitsPs, @kvmIrqInjectionsPs, @kvmTlbFlushesPs, @kvmRemoteTlbFlushesPs,
         @kvmHaltPollSuccessCores, @kvmHaltPollFailCores, @kvmHaltWaitCores)`,
    )
    this.insertVmSample = db.prepare(
      `INSERT OR REPLACE INTO vm_samples (vm_id, host_id, t, cpu_pct, cpu_used_cores, cpu_ready_pct, mem_used_mib,
         disk_read_bps, disk_write_bps, disk_read_iops, disk_write_iops, net_rx_bps, net_tx_bps,
         ${VM_MEAN_COLUMNS.join(', ')})
       VALUES (@vmId, @hostId, @t, @cpuPct, @cpuUsedCores, @cpuReadyPct, @memUsedMiB,
         @diskReadBps, @diskWriteBps, @diskReadIops, @diskWriteIops, @netRxBps, @netTxBps,
         ${Object.keys(NO_VM_EXTRAS).map((k) => `@${k}`).join(', ')})`,
    )
    this.insertDiskSample = db.prepare(
      `INSERT OR REPLACE INTO disk_samples (host_id, device, t, reads_ps, writes_ps, read_kbps, write_kbps, read_await_ms, write_await_ms, queue_size, util_pct)
       VALUES (@hostId, @device, @t, @readsPs, @writesPs, @readKBps, @writeKBps, @readAwaitMs, @writeAwaitMs, @queueSize, @utilPct)`,
    )
  }

  /** One poll's samples in one transaction: all or nothing. */
  save(hostSamples: readonly HostSample[], vmSamples: readonly VmSample[], diskSamples: readonly DiskSample[] = []): void {
    this.db.transaction(() => {
      let earliest = Infinity
      for (const { kvmSource: _source, kvmDebugfs: _debugfs, ...s } of hostSamples) {
        this.insertHostSample.run({ ...NO_HOST_EXTRAS, ...s })
        earliest = Math.min(earliest, s.t)
      }
      for (const s of vmSamples) {
        this.insertVmSample.run({ ...NO_VM_EXTRAS, ...s })
        earliest = Math.min(earliest, s.t)
      }
      for (const s of diskSamples) this.insertDiskSample.run({ ...NO_DISK_EXTRAS, ...s })
      if (earliest < this.rolledUpUntil()) {
        const from = bucketStart(earliest)
        const pending = Number(this.meta.get(REFOLD_FROM) ?? Infinity)
        if (from < pending) this.meta.set(REFOLD_FROM, String(from))
      }
    })()
  }

  /** Newest sample time of the given hosts, or undefined when none is stored. */
  latestTime(hostIds: readonly string[]): number | undefined {
    if (hostIds.length === 0) return undefined
    const row = this.db
      .prepare(`SELECT max(t) AS t FROM host_samples WHERE host_id IN (${hostIds.map(() => '?').join(',')})`)
      .get(...hostIds) as { t: number | null }
    return row.t ?? undefined
  }

  /**
   * Cluster CPU and memory used over [from, to), summed over `hostIds`, averaged into at most
   * `maxPoints` buckets so a chart never receives more points than it can draw.
   */
  clusterHistory(q: { from: number; to: number; maxPoints: number; hostIds: readonly string[]; cpuCapacityCores: number; memCapacityMiB: number }): ClusterSeries {
    const stepMs = Math.max(1, Math.ceil((q.to - q.from) / q.maxPoints))
    const empty = { t: [] as number[], values: [] as number[] }
    const series: ClusterSeries = {
      from: q.from,
      to: q.to,
      stepMs,
      cpuUsedCores: structuredClone(empty),
      cpuCapacityCores: q.cpuCapacityCores,
      memUsedMiB: structuredClone(empty),
      memCapacityMiB: q.memCapacityMiB,
    }
    if (q.hostIds.length === 0) return series
    // Average each host within a bucket, then add hosts up.
    const rows = this.db
      .prepare(
        `SELECT bucket, sum(cpu) AS cpu, sum(mem) AS mem FROM (
           SELECT CAST((t - @from) / @step AS INTEGER) AS bucket, host_id, avg(cpu_used_cores) AS cpu, avg(mem_used_mib) AS mem
           FROM host_samples
           WHERE t >= @from AND t < @to AND host_id IN (SELECT value FROM json_each(@hosts))
           GROUP BY bucket, host_id)
         GROUP BY bucket ORDER BY bucket`,
      )
      .all({ from: q.from, to: q.to, step: stepMs, hosts: JSON.stringify(q.hostIds) }) as { bucket: number; cpu: number; mem: number }[]
    for (const row of rows) {
      const t = q.from + row.bucket * stepMs
      series.cpuUsedCores.t.push(t)
      series.cpuUsedCores.values.push(row.cpu)
      series.memUsedMiB.t.push(t)
      series.memUsedMiB.values.push(row.mem)
    }
    return series
  }

  /**
   * Raw samples before this time are in the rollups (rollUp folds [previous, bucket start of
   * now) and records the end); raw samples from it on are not yet. 0 before the first rollup.
   */
  rolledUpUntil(): number {
    return Number(this.meta.get(ROLLED_UP_UNTIL) ?? 0) || 0
  }

  /**
   * Folds complete 5-minute buckets of raw samples into rollups (mean, max, p95), once each.
   * Returns the number of rollup rows written.
   */
  rollUp(now: number): number {
    const until = bucketStart(now)
    const rolled = this.rolledUpUntil()
    // Buckets a late sample reopened fold again, whole, while their raw samples are all still kept.
    const refold = this.meta.get(REFOLD_FROM)
    const since = refold === undefined ? rolled : Math.min(rolled, Math.max(Number(refold), bucketStart(now - RAW_RETENTION_MS) + ROLLUP_MS))
    if (until <= since) return 0
    return this.db.transaction(() => {
      if (refold !== undefined) this.db.prepare('DELETE FROM meta WHERE key = ?').run(REFOLD_FROM)
      let written = 0
      const hostRows = this.db
        .prepare('SELECT * FROM host_samples WHERE t >= ? AND t < ? ORDER BY host_id, t')
        .all(since, until) as Record<string, number | string>[]
      const insertHost = this.db.prepare(
        `INSERT OR REPLACE INTO host_rollups (host_id, t, n, cpu_pct_mean, cpu_pct_max, cpu_pct_p95, cpu_used_cores_mean, cpu_used_cores_max,
           mem_used_mib_mean, mem_used_mib_max, mem_total_mib, disk_read_bps_mean, disk_write_bps_mean, net_rx_bps_mean, net_tx_bps_mean,
           ${HOST_MEAN_COLUMNS.map((c) => `${c}_mean`).join(', ')})
         VALUES (@host_id, @t, @n, @cpu_pct_mean, @cpu_pct_max, @cpu_pct_p95,
           @cpu_used_cores_mean, @cpu_used_cores_max, @mem_used_mib_mean, @mem_used_mib_max, @mem_total_mib,
           @disk_read_bps_mean, @disk_write_bps_mean, @net_rx_bps_mean, @net_tx_bps_mean,
           ${HOST_MEAN_COLUMNS.map((c) => `@${c}_mean`).join(', ')})`,
      )
      for (const group of groupByBucket(hostRows, 'host_id')) {
        const col = (name: string) => group.rows.map((r) => r[name] as number)
        const nullable = (name: string) => group.rows.map((r) => r[name] as number | null)
        const cpu = summarize(col('cpu_pct'))
        const cores = summarize(col('cpu_used_cores'))
        const mem = summarize(col('mem_used_mib'))
        insertHost.run({
          host_id: group.id, t: group.t, n: group.rows.length,
          cpu_pct_mean: cpu.mean, cpu_pct_max: cpu.max, cpu_pct_p95: cpu.p95,
          cpu_used_cores_mean: cores.mean, cpu_used_cores_max: cores.max,
          mem_used_mib_mean: mem.mean, mem_used_mib_max: mem.max, mem_total_mib: Math.max(...col('mem_total_mib')),
          disk_read_bps_mean: summarize(col('disk_read_bps')).mean, disk_write_bps_mean: summarize(col('disk_write_bps')).mean,
          net_rx_bps_mean: summarize(col('net_rx_bps')).mean, net_tx_bps_mean: summarize(col('net_tx_bps')).mean,
          ...Object.fromEntries(HOST_MEAN_COLUMNS.map((c) => [`${c}_mean`, meanOrNull(nullable(c))])),
        })
        written++
      }
      const vmRows = this.db
        .prepare('SELECT * FROM vm_samples WHERE t >= ? AND t < ? ORDER BY vm_id, t')
        .all(since, until) as Record<string, number | string>[]
      const insertVm = this.db.prepare(
        `INSERT OR REPLACE INTO vm_rollups (vm_id, host_id, t, n, cpu_used_cores_mean, cpu_used_cores_max, cpu_used_cores_p95,
           cpu_ready_pct_mean, cpu_ready_pct_max, mem_used_mib_mean, mem_used_mib_max, mem_used_mib_p95,
           disk_read_bps_mean, disk_write_bps_mean, disk_read_iops_mean, disk_write_iops_mean, net_rx_bps_mean, net_tx_bps_mean,
           ${VM_MEAN_COLUMNS.map((c) => `${c}_mean`).join(', ')})
         VALUES (@vm_id, @host_id, @t, @n, @cpu_used_cores_mean, @cpu_used_cores_max, @cpu_used_cores_p95,
           @cpu_ready_pct_mean, @cpu_ready_pct_max, @mem_used_mib_mean, @mem_used_mib_max, @mem_used_mib_p95,
           @disk_read_bps_mean, @disk_write_bps_mean, @disk_read_iops_mean, @disk_write_iops_mean, @net_rx_bps_mean, @net_tx_bps_mean,
           ${VM_MEAN_COLUMNS.map((c) => `@${c}_mean`).join(', ')})`,
      )
      for (const group of groupByBucket(vmRows, 'vm_id')) {
        const col = (name: string) => group.rows.map((r) => r[name] as number)
        const cores = summarize(col('cpu_used_cores'))
        const ready = summarize(col('cpu_ready_pct'))
        const mem = summarize(col('mem_used_mib'))
        insertVm.run({
          vm_id: group.id, host_id: group.rows[group.rows.length - 1]!.host_id, t: group.t, n: group.rows.length,
          cpu_used_cores_mean: cores.mean, cpu_used_cores_max: cores.max, cpu_used_cores_p95: cores.p95,
          cpu_ready_pct_mean: ready.mean, cpu_ready_pct_max: ready.max,
          mem_used_mib_mean: mem.mean, mem_used_mib_max: mem.max, mem_used_mib_p95: mem.p95,
          disk_read_bps_mean: summarize(col('disk_read_bps')).mean, disk_write_bps_mean: summarize(col('disk_write_bps')).mean,
          disk_read_iops_mean: summarize(col('disk_read_iops')).mean, disk_write_iops_mean: summarize(col('disk_write_iops')).mean,
          net_rx_bps_mean: summarize(col('net_rx_bps')).mean, net_tx_bps_mean: summarize(col('net_tx_bps')).mean,
          ...Object.fromEntries(VM_MEAN_COLUMNS.map((c) => [`${c}_mean`, meanOrNull(group.rows.map((r) => r[c] as number | null))])),
        })
        written++
      }
      // Devices: plain means per 5-minute bucket (await over the samples that had requests).
      written += this.db
        .prepare(
          `INSERT OR REPLACE INTO disk_rollups
           SELECT host_id, device, (t / ${ROLLUP_MS}) * ${ROLLUP_MS} AS bt, count(*), avg(reads_ps), avg(writes_ps), avg(read_kbps), avg(write_kbps),
             avg(read_await_ms), avg(write_await_ms), avg(queue_size), avg(util_pct)
           FROM disk_samples WHERE t >= ? AND t < ? GROUP BY host_id, device, bt`,
        )
        .run(since, until).changes
      this.meta.set(ROLLED_UP_UNTIL, String(until))
      return written
    })()
  }

  /** Drops raw samples older than `before` (epoch ms); returns how many rows went. */
  pruneSamples(before: number): number {
    return this.db.transaction(() => {
      const hosts = this.db.prepare('DELETE FROM host_samples WHERE t < ?').run(before).changes
      const vms = this.db.prepare('DELETE FROM vm_samples WHERE t < ?').run(before).changes
      const disks = this.db.prepare('DELETE FROM disk_samples WHERE t < ?').run(before).changes
      return hosts + vms + disks
    })()
  }

  /** Drops rollups older than `before`; returns how many rows went. */
  pruneRollups(before: number): number {
    return this.db.transaction(() => {
      const hosts = this.db.prepare('DELETE FROM host_rollups WHERE t < ?').run(before).changes
      const vms = this.db.prepare('DELETE FROM vm_rollups WHERE t < ?').run(before).changes
      const disks = this.db.prepare('DELETE FROM disk_rollups WHERE t < ?').run(before).changes
      return hosts + vms + disks
    })()
  }

  /** Rolls raw samples up, then drops what retention no longer keeps (runs every minute). */
  housekeeping(now: number): void {
    this.rollUp(now)
    this.pruneSamples(now - RAW_RETENTION_MS)
    this.pruneRollups(now - ROLLUP_RETENTION_MS)
  }

  /**
   * Per-VM usage over [from, to) at rollup resolution, for the engine: mean CPU of each
   * 5-minute bucket (its p95 over a window is what sizing uses) and the bucket's peak memory, and
   * the means of its virtualization layer's figures (the tuning rules weigh them).
   */
  usageHistory(vmIds: readonly string[], from: number, to: number): History {
    const ids = JSON.stringify(vmIds)
    const rows = this.db
      .prepare(
        `SELECT vm_id, t, cpu_used_cores_mean AS cpu, mem_used_mib_max AS mem, cpu_ready_pct_mean AS ready FROM vm_rollups
         WHERE t >= ? AND t < ? AND vm_id IN (SELECT value FROM json_each(?)) ORDER BY vm_id, t`,
      )
      .all(from, to, ids) as { vm_id: string; t: number; cpu: number; mem: number; ready: number }[]
    const history: History = { vms: {} }
    for (const row of rows) {
      const series = (history.vms[row.vm_id] ??= { t: [], cpuUsedCores: [], memUsedMiB: [], cpuReadyPct: [] })
      series.t.push(row.t)
      series.cpuUsedCores.push(row.cpu)
      series.memUsedMiB.push(row.mem)
      series.cpuReadyPct!.push(row.ready)
    }
    // The layer's figures of the last hour only: the rules weigh no more, and days of them would be large.
    const columns = layerMetrics.map((m, i) => `${vmRollupColumn(m)} AS l${i}`).join(', ')
    const recent = this.db
      .prepare(`SELECT vm_id, t, ${columns} FROM vm_rollups WHERE t >= ? AND t < ? AND vm_id IN (SELECT value FROM json_each(?)) ORDER BY vm_id, t`)
      .all(Math.max(from, to - LAYER_WINDOW_MS), to, ids) as ({ vm_id: string; t: number } & { [column: `l${number}`]: number | null })[]
    for (const row of recent) {
      const series = history.vms[row.vm_id]
      if (!series) continue
      const layer = (series.layer ??= { t: [], ...Object.fromEntries(layerMetrics.map((m) => [m, []])) })
      layer.t.push(row.t)
      layerMetrics.forEach((m, i) => layer[m]!.push(row[`l${i}`] ?? null))
    }
    return history
  }

  /** Raw samples of one VM over [from, to), oldest first. */
  raw(vmId: string, from: number, to: number): VmSample[] {
    return (
      this.db
        .prepare(
          `SELECT vm_id AS vmId, host_id AS hostId, t, cpu_pct AS cpuPct, cpu_used_cores AS cpuUsedCores, cpu_ready_pct AS cpuReadyPct,
             mem_used_mib AS memUsedMiB, disk_read_bps AS diskReadBps, disk_write_bps AS diskWriteBps, disk_read_iops AS diskReadIops,
             disk_write_iops AS diskWriteIops, net_rx_bps AS netRxBps, net_tx_bps AS netTxBps
           FROM vm_samples WHERE vm_id = ? AND t >= ? AND t < ? ORDER BY t`,
        )
        .all(vmId, from, to) as VmSample[]
    )
  }

  /** Means of a VM's raw samples over [from, to): for before/after comparisons. */
  vmWindowMeans(vmId: string, from: number, to: number): { n: number; cpuUsedCores: number | null; cpuReadyPct: number | null; memUsedMiB: number | null } {
    return this.db
      .prepare('SELECT count(*) AS n, avg(cpu_used_cores) AS cpuUsedCores, avg(cpu_ready_pct) AS cpuReadyPct, avg(mem_used_mib) AS memUsedMiB FROM vm_samples WHERE vm_id = ? AND t >= ? AND t < ?')
      .get(vmId, from, to) as { n: number; cpuUsedCores: number | null; cpuReadyPct: number | null; memUsedMiB: number | null }
  }

  hostWindowMeans(hostId: string, from: number, to: number): { n: number; cpuPct: number | null; memUsedMiB: number | null } {
    return this.db
      .prepare('SELECT count(*) AS n, avg(cpu_pct) AS cpuPct, avg(mem_used_mib) AS memUsedMiB FROM host_samples WHERE host_id = ? AND t >= ? AND t < ?')
      .get(hostId, from, to) as { n: number; cpuPct: number | null; memUsedMiB: number | null }
  }

  /** Time series of one host (see series.ts for which table a range reads). */
  hostSeries(hostId: string, metrics: readonly HostMetric[], q: Range<RangeQuery>): MetricSeries<HostMetric> {
    return hostSeries(this.db, hostId, metrics, { rawKeptMs: RAW_RETENTION_MS, ...q }, this.rolledUpUntil())
  }

  /** Time series of one VM: the one path for VM detail and a recommendation's evidence. */
  vmSeries(vmId: string, metrics: readonly VmMetric[], q: Range<RangeQuery>): MetricSeries<VmMetric> {
    return vmMetricSeries(this.db, vmId, metrics, { rawKeptMs: RAW_RETENTION_MS, ...q }, this.rolledUpUntil())
  }

  /** A host's block devices, iostat -x figures per device (see series.ts for which table a range reads). */
  diskSeries(hostId: string, q: Range<RangeQuery>): DiskSeries {
    return diskSeries(this.db, hostId, { rawKeptMs: RAW_RETENTION_MS, ...q }, this.rolledUpUntil())
  }

  /** A host's VMs in shared buckets, for stacking. */
  vmStack(vms: readonly { id: string; name: string }[], q: Range<VmStackQuery>): VmStack {
    return vmStack(this.db, vms, { rawKeptMs: RAW_RETENTION_MS, ...q }, this.rolledUpUntil())
  }

  vmWindowStats(from: number, to: number) {
    return vmWindowStats(this.db, from, to)
  }

  hostWindowStats(from: number, to: number) {
    return hostWindowStats(this.db, from, to)
  }

  count(): { hostSamples: number; vmSamples: number } {
    const count = (table: string) => (this.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
    return { hostSamples: count('host_samples'), vmSamples: count('vm_samples') }
  }

}

/** Consecutive rows (sorted by id, t) grouped per id and rollup bucket. */
function* groupByBucket(rows: Record<string, number | string>[], idColumn: string): Generator<{ id: string; t: number; rows: Record<string, number | string>[] }> {
  let current: { id: string; t: number; rows: Record<string, number | string>[] } | undefined
  for (const row of rows) {
    const id = row[idColumn] as string
    const t = bucketStart(row.t as number)
    if (!current || current.id !== id || current.t !== t) {
      if (current) yield current
      current = { id, t, rows: [] }
    }
    current.rows.push(row)
  }
  if (current) yield current
}
