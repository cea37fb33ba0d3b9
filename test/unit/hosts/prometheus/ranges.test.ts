// History read from a real Prometheus (Debian's 2.42, backfilled with promtool from real exporter
// outputs whose counters grow at known rates) with query_range: what the dashboards and the
// engine get instead of samples copied into SQLite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PrometheusClient } from '../../../../src-main/hosts/prometheus/client'
import { FleetReader } from '../../../../src-main/hosts/prometheus/fleet'
import { StoreRanges, USAGE_STEP_MS } from '../../../../src-main/hosts/prometheus/ranges'
import { oneOf } from '../../../../src-main/hosts/prometheus/pve-scope'
import { storeBaseUrl } from '../../../../src-main/hosts/prometheus/source'
import { startPrometheus, storeMissing, type RunningStore } from '../../support/prometheus'
import { busyHost, END_S, hostSeries, START_S } from './fleet-store'

const missing = storeMissing()
const suite = missing && process.env.VIRTPILOT_REQUIRE_LAB !== '1' ? describe.skip : describe
const NOW = END_S * 1000
const START = START_S * 1000
const UUID1 = '6b1f4d0e-0c1a-4c55-9b8e-1f0000000011'
const UUID2 = '6b1f4d0e-0c1a-4c55-9b8e-1f0000000012'
const MIB = 128 // the fixture's domains hold 128 MiB

suite('history ranges from a Prometheus store', () => {
  let prometheus: RunningStore
  let clock = NOW
  beforeAll(async () => {
    if (missing) throw new Error(`the real store is needed here: ${missing}`)
    prometheus = await startPrometheus({
      series: [
        ...hostSeries({
          address: '10.2.0.1',
          nodename: 'kvm1',
          rate: busyHost(),
          domains: [
            { from: 'h1-vm1', name: 'web-1', uuid: UUID1, cores: 0.5 },
            // Rebooted 10 minutes before the end: its counter restarted from zero.
            { from: 'h1-vm2', name: 'db-1', uuid: UUID2, cores: 1.5, resetAtS: END_S - 600 },
          ],
        }),
        ...hostSeries({ address: '10.2.0.2', nodename: 'kvm2', rate: busyHost() }),
      ],
    })
  }, 120_000)
  afterAll(async () => prometheus?.stop())

  async function open() {
    const fleet = new FleetReader(new PrometheusClient(storeBaseUrl(`prometheus+${prometheus.url}`), { headers: {} }), { pollIntervalMs: 10_000 })
    await fleet.discover(NOW)
    return { fleet, ranges: new StoreRanges(fleet, () => clock) }
  }

  it("answers a host chart with a step chosen for its points, the host's figures as over SSH, and caches the answer", async () => {
    const { fleet, ranges } = await open()
    const before = fleet.client.traffic.requests
    const from = START + 5 * 60_000
    const to = NOW - 60_000
    const result = await ranges.hostSeries('10.2.0.1', ['cpuPct', 'cpuUsedCores', 'memUsedMiB', 'netRxBps', 'cpuPressurePct'], from, to, 40)
    expect(fleet.client.traffic.requests - before).toBe(1)
    expect(result.source).toBe('store')
    const t = result.series.cpuPct.t
    // 24 minutes in at most 40 points: a 45 s step (a multiple of the 15 s scrape), every point inside the range.
    expect(t.length).toBeGreaterThan(25)
    expect(t.length).toBeLessThanOrEqual(40)
    expect(t[1]! - t[0]!).toBe(45_000)
    expect(t[0]!).toBeGreaterThanOrEqual(from - 45_000)
    expect(t.at(-1)!).toBeLessThan(to)
    for (const v of result.series.cpuPct.values) expect(v).toBeCloseTo(40, 6)
    for (const v of result.series.cpuUsedCores.values) expect(v).toBeCloseTo(0.8, 6)
    // eth0 only: lo and the VM's tap grow by 1 GB/s and are left out.
    for (const v of result.series.netRxBps.values) expect(v).toBeCloseTo(500, 3)
    expect(result.p95.cpuPressurePct).toBeCloseTo(5, 6)
    expect(result.series.memUsedMiB.values[0]).toBeGreaterThan(0)
    // The same chart again, a moment later: from the cache, no request.
    clock += 5_000
    const again = await ranges.hostSeries('10.2.0.1', ['cpuPct', 'cpuUsedCores', 'memUsedMiB', 'netRxBps', 'cpuPressurePct'], from, to, 40)
    expect(fleet.client.traffic.requests - before).toBe(1)
    expect(again.series.cpuPct).toEqual(result.series.cpuPct)
  })

  it("answers a VM chart and a host's stacked VMs, across a counter reset", async () => {
    const { ranges } = await open()
    const web = await ranges.vmSeries({ id: UUID1, hostKey: '10.2.0.1', domain: 'web-1', uuid: UUID1 }, ['cpuUsedCores', 'memUsedMiB', 'cpuReadyPct'], START + 60_000, NOW, 100)
    for (const v of web.series.cpuUsedCores.values) expect(v).toBeCloseTo(0.5, 6)
    expect(web.series.memUsedMiB.values.every((v) => v === MIB)).toBe(true)
    // No exporter gives CPU ready: an empty line, not a made-up zero.
    expect(web.series.cpuReadyPct.values).toEqual([])
    const db = await ranges.vmSeries({ id: UUID2, hostKey: '10.2.0.1', domain: 'db-1' }, ['cpuUsedCores'], START + 60_000, NOW, 100)
    // The reboot is no negative or huge figure; the other steps are the VM's 1.5 cores.
    expect(Math.min(...db.series.cpuUsedCores.values)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...db.series.cpuUsedCores.values)).toBeLessThanOrEqual(1.5 + 1e-9)
    expect(db.series.cpuUsedCores.values.filter((v) => Math.abs(v - 1.5) < 1e-6).length).toBeGreaterThan(db.series.cpuUsedCores.values.length - 4)
    const stack = await ranges.vmStack('10.2.0.1', [{ id: UUID1, hostKey: '10.2.0.1', domain: 'web-1' }, { id: UUID2, hostKey: '10.2.0.1', domain: 'db-1' }], {
      from: START + 60_000,
      to: NOW,
      buckets: 30,
      top: 1,
      names: new Map([[UUID1, 'web-1'], [UUID2, 'db-1']]),
    })
    expect(stack.t.length).toBeLessThanOrEqual(30)
    expect(stack.items.map((i) => i.name)).toEqual(['db-1'])
    expect(stack.others?.count).toBe(1)
    for (const v of stack.others!.cpuUsedCores) expect(v).toBeCloseTo(0.5, 6)
  })

  it("gives the engine 5-minute buckets of every VM (mean CPU, peak memory) and later asks only for the buckets completed since", async () => {
    const { fleet, ranges } = await open()
    const vms = [{ id: UUID1, hostKey: '10.2.0.1', domain: 'web-1', uuid: UUID1 }, { id: UUID2, hostKey: '10.2.0.1', domain: 'db-1', uuid: UUID2 }]
    const bytes0 = fleet.client.traffic.bytes
    const first = await ranges.usageHistory(vms, START, NOW - 10 * 60_000)
    const firstBytes = fleet.client.traffic.bytes - bytes0
    const web = first.vms[UUID1]!
    // 30 minutes of data read up to 10 minutes before the end: the four complete buckets, on the rollups' grid.
    expect(web.t).toEqual([0, 1, 2, 3].map((i) => START + i * USAGE_STEP_MS))
    for (const v of web.cpuUsedCores) expect(v).toBeCloseTo(0.5, 6)
    expect(web.memUsedMiB.every((v) => v === MIB)).toBe(true)
    // db-1 rebooted at the end of the fourth bucket: that one is a little low, never negative.
    const db = first.vms[UUID2]!.cpuUsedCores
    expect(db.slice(0, 3).every((v) => Math.abs(v - 1.5) < 1e-6)).toBe(true)
    expect(db[3]).toBeGreaterThan(1)
    expect(db[3]).toBeLessThanOrEqual(1.5)
    const before = fleet.client.traffic.requests
    const bytes = fleet.client.traffic.bytes
    const second = await ranges.usageHistory(vms, START, NOW)
    // Only the two buckets completed since travelled, in one request per figure (CPU, memory).
    expect(fleet.client.traffic.requests - before).toBe(2)
    expect(fleet.client.traffic.bytes - bytes).toBeLessThan(firstBytes)
    expect(second.vms[UUID1]!.t).toEqual([0, 1, 2, 3, 4, 5].map((i) => START + i * USAGE_STEP_MS))
    expect(second.vms[UUID2]!.cpuUsedCores.slice(4).every((v) => Math.abs(v - 1.5) < 1e-6)).toBe(true)
    await ranges.usageHistory(vms, START, NOW)
    expect(fleet.client.traffic.requests - before).toBe(2)
  })

  it("gives the engine, to the bit, the buckets the store's own round() gave before the figures were read apart", async () => {
    const { fleet, ranges } = await open()
    const vms = [{ id: UUID1, hostKey: '10.2.0.1', domain: 'web-1', uuid: UUID1 }, { id: UUID2, hostKey: '10.2.0.1', domain: 'db-1', uuid: UUID2 }]
    const read = await ranges.usageHistory(vms, START, NOW)
    // The former request: both figures in one expression, rounded by the store.
    const s = `instance=~${oneOf(fleet.instancesOf('10.2.0.1', 'libvirt'))}`
    const w = Math.max(USAGE_STEP_MS, 2 * fleet.scrapeIntervalMs + 1000) / 1000
    const expr = `label_replace(round(rate(libvirt_domain_info_cpu_time_seconds_total{${s}}[${w}s]), 0.0001), "vp_metric", "cpu", "", "") or label_replace(round((max_over_time(libvirt_domain_info_memory_usage_bytes{${s}}[${w}s])) / 1048576, 0.01), "vp_metric", "mem", "", "")`
    const before = await fleet.client.queryRange(expr, START + USAGE_STEP_MS, NOW, USAGE_STEP_MS)
    for (const vm of vms) {
      const of = (figure: string) => new Map(before.find((r) => r.labels.vp_metric === figure && r.labels.uuid === vm.uuid)!.points.map(([t, v]) => [t - USAGE_STEP_MS, v]))
      const cpu = of('cpu')
      const mem = of('mem')
      const t = [...cpu.keys()].filter((b) => mem.has(b))
      expect(t.length).toBeGreaterThan(3)
      expect(read.vms[vm.id]).toEqual({ t, cpuUsedCores: t.map((b) => cpu.get(b)), memUsedMiB: t.map((b) => mem.get(b)) })
    }
    // Not all whole numbers: the rounding itself is compared, not only integers.
    expect(read.vms[UUID2]!.cpuUsedCores.some((v) => !Number.isInteger(v * 100))).toBe(true)
  })

  it('adds hosts up on the caller\'s buckets for the cluster chart', async () => {
    const { ranges } = await open()
    const step = 5 * 60_000
    const from = START
    const { cpu, mem } = await ranges.clusterBuckets(['10.2.0.1', '10.2.0.2'], from, NOW, step)
    expect([...cpu.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5])
    for (const v of cpu.values()) expect(v).toBeCloseTo(1.6, 6)
    expect([...mem.values()].every((v) => v > 0)).toBe(true)
  })
})
