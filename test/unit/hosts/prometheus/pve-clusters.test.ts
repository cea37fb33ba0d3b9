// Two labs' Proxmox VE clusters with every name in common (cluster `pvec`, nodes pve1 and pve2,
// guest 100) in one real Prometheus, scraped as two jobs: they stay two clusters in the inventory,
// the readings, the history and the engine's advice. Data: prometheus-pve-exporter's own golden
// output (test/fixtures/outputs/prometheus), lab B's figures changed so a mix-up would show.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recommend } from '../../../../shared/engine/recommend'
import type { ExportedSample } from '../../support/prometheus'
import { PrometheusClient } from '../../../../src-main/hosts/prometheus/client'
import { FleetReader, vmKey } from '../../../../src-main/hosts/prometheus/fleet'
import { storeBaseUrl } from '../../../../src-main/hosts/prometheus/source'
import { createMetricsSource } from '../../../../src-main/services/metrics-source'
import { openStore } from '../../../../src-main/store'
import { startPrometheus, storeMissing, type RunningStore } from '../../support/prometheus'
import { END_S, pveSeries, PVE_CLUSTER_OUTPUT, START_S } from './fleet-store'

const missing = storeMissing()
const suite = missing && process.env.VIRTPILOT_REQUIRE_LAB !== '1' ? describe.skip : describe
const NOW = END_S * 1000
const GiB = 1024 ** 3

/** Lab B: the same cluster, nodes and guest, busier: guest 100 at 45 % of its 2 vCPUs with 1.5 GiB, node pve1 at 90 % of 2 CPUs, and no HA. */
const LAB_B: ExportedSample[] = PVE_CLUSTER_OUTPUT.map((s) => {
  const id = s.labels.id
  if (s.name === 'pve_cpu_usage_ratio' && id === 'qemu/100') return { ...s, value: 0.45 }
  if (s.name === 'pve_memory_usage_bytes' && id === 'qemu/100') return { ...s, value: 1.5 * GiB }
  if (s.name === 'pve_cpu_usage_ratio' && id === 'node/pve1') return { ...s, value: 0.9 }
  if (s.name === 'pve_cpu_usage_limit' && id === 'node/pve1') return { ...s, value: 2 }
  if (s.name === 'pve_ha_state') return { ...s, value: 0 }
  return s
})

suite('two Proxmox VE clusters that share every name, in one store', () => {
  let store: RunningStore
  beforeAll(async () => {
    if (missing) throw new Error(`the real store is needed here: ${missing}`)
    store = await startPrometheus({
      series: [
        // Lab A's cluster collector on both nodes (one cluster, scraped twice); lab B's on one.
        ...pveSeries(PVE_CLUSTER_OUTPUT, 'pve1.a.lab:9221', undefined, 'pve-lab-a'),
        ...pveSeries(PVE_CLUSTER_OUTPUT, 'pve2.a.lab:9221', undefined, 'pve-lab-a'),
        ...pveSeries(LAB_B, 'pve1.b.lab:9221', undefined, 'pve-lab-b'),
      ],
    })
  }, 120_000)
  afterAll(async () => store?.stop())

  const reader = () => new FleetReader(new PrometheusClient(storeBaseUrl(`prometheus+${store.url}`), { headers: {} }), { pollIntervalMs: 10_000 })

  it('discovers four nodes and two guests 100, each in its own cluster, and reads their figures apart', async () => {
    const r = reader()
    const d = await r.discover(NOW)
    expect(d.hosts.map((h) => [h.key, h.nodename, h.pveNode, h.pveCluster, h.threads])).toEqual([
      ['pve1@pve-lab-a', 'pve1', 'pve1@pve-lab-a', { name: 'pvec', group: 'pve-lab-a' }, 8],
      ['pve1@pve-lab-b', 'pve1', 'pve1@pve-lab-b', { name: 'pvec', group: 'pve-lab-b' }, 2],
      ['pve2@pve-lab-a', 'pve2', 'pve2@pve-lab-a', { name: 'pvec', group: 'pve-lab-a' }, 8],
      ['pve2@pve-lab-b', 'pve2', 'pve2@pve-lab-b', { name: 'pvec', group: 'pve-lab-b' }, 8],
    ])
    expect(d.vms.map((v) => [v.vmId, v.hostKey, v.guestId, v.domain, v.managedBy?.manager])).toEqual([
      ['pve-100@pve-lab-a', 'pve1@pve-lab-a', 'qemu/100@pve-lab-a', 'vm100', 'proxmox-ha'],
      ['pve-100@pve-lab-b', 'pve1@pve-lab-b', 'qemu/100@pve-lab-b', 'vm100', undefined],
    ])
    const reading = await r.read(NOW)
    // Lab A's guest: 12.34 % of 2 vCPUs, 1 GiB; lab B's: 45 %, 1.5 GiB. Neither takes the other's (nor the larger of both).
    expect(reading.vms.get(vmKey('pve1@pve-lab-a', 'qemu/100@pve-lab-a'))).toMatchObject({ vmId: 'pve-100@pve-lab-a', memUsedBytes: GiB })
    expect(reading.vms.get(vmKey('pve1@pve-lab-a', 'qemu/100@pve-lab-a'))!.cpuCores).toBeCloseTo(0.2468, 9)
    expect(reading.vms.get(vmKey('pve1@pve-lab-b', 'qemu/100@pve-lab-b'))).toMatchObject({ vmId: 'pve-100@pve-lab-b', memUsedBytes: 1.5 * GiB })
    expect(reading.vms.get(vmKey('pve1@pve-lab-b', 'qemu/100@pve-lab-b'))!.cpuCores).toBeCloseTo(0.9, 9)
    expect(reading.hosts.get('pve1@pve-lab-a')!.cpu.user).toBeCloseTo(0.0512 * 8, 9)
    expect(reading.hosts.get('pve1@pve-lab-b')!.cpu.user).toBeCloseTo(0.9 * 2, 9)
    expect(reading.vms.size).toBe(2)
  })

  it('through the metrics source: two clusters named pvec, told apart by where they are read; history and advice stay in each', async () => {
    const db = openStore(':memory:')
    // An SSH host called pve1: both clusters have a pve1, so it is matched to neither (the admin's host names say which).
    const source = createMetricsSource({ store: db, clock: () => NOW - 30_000, pollIntervalMs: 10_000, sshHosts: () => [{ id: 'pve1', names: ['pve1', 'root@pve1'] }], onSnapshot: () => {}, log: () => {} })
    try {
      await source.configure({ kind: 'prometheus', url: `prometheus+${store.url}` })
      const snapshot = source.snapshots()[0]!
      const via = (job: string) => `${store.url.replace(/\/$/, '')} (job="${job}")`
      expect(snapshot.hosts.map((h) => [h.id, h.name, h.cluster?.name, h.cluster?.via])).toEqual([
        ['prom-pve1-pve-lab-a', 'pve1', 'pvec', via('pve-lab-a')],
        ['prom-pve1-pve-lab-b', 'pve1', 'pvec', via('pve-lab-b')],
        ['prom-pve2-pve-lab-a', 'pve2', 'pvec', via('pve-lab-a')],
        ['prom-pve2-pve-lab-b', 'pve2', 'pvec', via('pve-lab-b')],
      ])
      expect(new Set(snapshot.hosts.map((h) => h.cluster!.id)).size).toBe(2)
      expect(snapshot.vms.map((v) => [v.id, v.hostId, v.allocation.memoryMiB])).toEqual([
        ['pve-100@pve-lab-a', 'prom-pve1-pve-lab-a', 2048],
        ['pve-100@pve-lab-b', 'prom-pve1-pve-lab-b', 2048],
      ])
      expect(source.status()).toMatchObject({ hosts: 4, viaSsh: 0, readOnly: 4 })

      // History: each guest's own series from the store, each cluster's own sum.
      const route = source.history()!
      const [vmA, vmB] = snapshot.vms.map((v) => route.vm(v)!)
      expect(vmA).toEqual({ id: 'pve-100@pve-lab-a', hostKey: 'pve1@pve-lab-a', domain: 'vm100', guestId: 'qemu/100@pve-lab-a' })
      const history = await route.ranges.usageHistory([vmA!, vmB!], START_S * 1000, NOW)
      expect(Object.keys(history.vms).sort()).toEqual(['pve-100@pve-lab-a', 'pve-100@pve-lab-b'])
      expect(history.vms['pve-100@pve-lab-a']!.cpuUsedCores.every((c) => Math.abs(c - 0.2468) < 1e-4)).toBe(true)
      expect(history.vms['pve-100@pve-lab-b']!.cpuUsedCores.every((c) => Math.abs(c - 0.9) < 1e-4)).toBe(true)
      expect(history.vms['pve-100@pve-lab-b']!.memUsedMiB.every((m) => m === 1536)).toBe(true)
      const chart = await route.ranges.vmSeries(vmB!, ['cpuUsedCores'], NOW - 10 * 60_000, NOW, 20)
      expect(chart.p95.cpuUsedCores).toBeCloseTo(0.9, 6)
      const sumA = await route.ranges.clusterBuckets(['pve1@pve-lab-a', 'pve2@pve-lab-a'], NOW - 10 * 60_000, NOW, 60_000)
      // Lab A's nodes once each: 0.0512 x 8 + 0.0231 x 8 cores, 4 + 2 GiB; lab B's pve1 (1.8 cores) is not in it.
      expect([...sumA.cpu.values()].every((v) => Math.abs(v - 0.5944) < 1e-9)).toBe(true)
      expect([...sumA.mem.values()].every((v) => v === 6144)).toBe(true)

      // Advice: lab B's pve1 (2 CPUs) is the busy one; whatever moves stays in lab B, never onto lab A's idle nodes.
      const cluster = Object.fromEntries(snapshot.hosts.map((h) => [h.id, h.cluster!.id]))
      const out = recommend({ snapshot, history, now: NOW, seed: 1 })
      expect(out.hostLoads.map((l) => [l.hostId, l.vms.map((v) => v.vmId)])).toEqual([
        ['prom-pve1-pve-lab-a', ['pve-100@pve-lab-a']],
        ['prom-pve1-pve-lab-b', ['pve-100@pve-lab-b']],
        ['prom-pve2-pve-lab-a', []],
        ['prom-pve2-pve-lab-b', []],
      ])
      const moves = out.recommendations.flatMap((r) => r.actions.flatMap((a) => (a.action.kind === 'migrate' ? [a.action] : [])))
      expect(moves).toEqual([{ kind: 'migrate', vm: 'pve-100@pve-lab-b', from: 'prom-pve1-pve-lab-b', to: 'prom-pve2-pve-lab-b', live: true }])
      for (const m of moves) expect(cluster[m.to]).toBe(cluster[m.from])
    } finally {
      await source.stop()
      db.close()
    }
  })
})
