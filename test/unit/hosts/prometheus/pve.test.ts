// Proxmox VE through a real Prometheus (Debian's 2.42) filled with prometheus-pve-exporter's own
// golden outputs: the nodes become hosts (with or without node_exporter), the QEMU guests VMs
// with the ids SSH discovery of Proxmox gives, containers are listed and left alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { english, formatMessage } from '../../../../shared/i18n'
import { MetricStoreError, PrometheusClient } from '../../../../src-main/hosts/prometheus/client'
import { FleetReader, vmKey } from '../../../../src-main/hosts/prometheus/fleet'
import { StoreRanges, type StoreVm } from '../../../../src-main/hosts/prometheus/ranges'
import { storeBaseUrl } from '../../../../src-main/hosts/prometheus/source'
import { createMetricsSource } from '../../../../src-main/services/metrics-source'
import { openStore } from '../../../../src-main/store'
import { startPrometheus, storeMissing, type RunningStore } from '../../support/prometheus'
import { busyHost, END_S, hostSeries, pveSeries, PVE_CLUSTER_OUTPUT, PVE_STANDALONE_OUTPUT, START_S } from './fleet-store'

const missing = storeMissing()
const suite = missing && process.env.VIRTPILOT_REQUIRE_LAB !== '1' ? describe.skip : describe
const NOW = END_S * 1000
const GiB = 1024 ** 3

/** Guest I/O counters growing at known byte rates (the golden file's values are where they start). */
const guestIo = (s: { name: string }) => ({ pve_disk_read_bytes_total: 1000, pve_disk_written_bytes_total: 3000, pve_network_receive_bytes_total: 500, pve_network_transmit_bytes_total: 200 })[s.name]

suite('Proxmox VE read through pve-exporter', () => {
  let cluster: RunningStore
  let standalone: RunningStore
  beforeAll(async () => {
    if (missing) throw new Error(`the real store is needed here: ${missing}`)
    const started = await Promise.all([
      // The cluster collector on two nodes: each exporter gives the whole cluster; no node_exporter anywhere.
      startPrometheus({ series: [...pveSeries(PVE_CLUSTER_OUTPUT, 'pve1.lab:9221', guestIo), ...pveSeries(PVE_CLUSTER_OUTPUT, 'pve2.lab:9221', guestIo)] }),
      // A standalone node with node_exporter too (its nodename the node's full hostname).
      startPrometheus({ series: [...pveSeries(PVE_STANDALONE_OUTPUT, 'pve0.lab:9221', guestIo), ...hostSeries({ address: '10.3.0.1', nodename: 'pve0.lab', rate: busyHost() })] }),
    ])
    cluster = started[0]
    standalone = started[1]
  }, 120_000)
  afterAll(async () => Promise.all([cluster?.stop(), standalone?.stop()]))

  const reader = (store: RunningStore, hostMap?: Record<string, string>) =>
    new FleetReader(new PrometheusClient(storeBaseUrl(`prometheus+${store.url}`), { headers: {} }), { pollIntervalMs: 10_000, ...(hostMap ? { hostMap } : {}) })
  const vm100: StoreVm = { id: 'pve-100', hostKey: 'pve1', domain: 'vm100', guestId: 'qemu/100' }

  it('without node_exporter: the nodes are the hosts, QEMU guests the VMs (Proxmox ids), containers listed apart, and says what node_exporter would add', async () => {
    const r = reader(cluster)
    const d = await r.discover(NOW)
    expect(d.hosts.map((h) => [h.key, h.pveNode, h.threads, h.memTotalBytes, h.nodeInstances.length])).toEqual([
      ['pve1', 'pve1', 8, 16 * GiB, 0],
      ['pve2', 'pve2', 8, 16 * GiB, 0],
    ])
    // Scraped twice (both nodes' exporters), still one VM; HA manages it (pve_ha_state started), as ha/resources.cfg would say over SSH.
    expect(d.vms).toEqual([
      {
        hostKey: 'pve1',
        domain: 'vm100',
        guestId: 'qemu/100',
        vmId: 'pve-100',
        stateCode: 1,
        vcpus: 2,
        maxMemoryBytes: 2 * GiB,
        memoryBytes: 2 * GiB,
        managedBy: { manager: 'proxmox-ha', ref: 'vm:100', source: 'pve_ha_state (pve-exporter)', detail: 'state=started' },
      },
    ])
    expect(d.pve).toEqual({ nodes: ['pve1', 'pve2'], containers: [{ id: 'lxc/101', name: 'ct101', node: 'pve2' }] })
    expect(d.flavour).toBeUndefined()
    const i = d.problemRefs.findIndex((ref) => ref?.key === 'metricStore.pve.noNodeExporter')
    expect(i).toBeGreaterThanOrEqual(0)
    expect(d.problems[i]).toBe(english(d.problemRefs[i]!))
    expect(d.problems[i]).toMatch(/no node_exporter.*disk, network and pressure.*prometheus-node-exporter/)
    // No libvirt exporter problem: on Proxmox the guests come from pve-exporter.
    expect(d.problems.join('\n')).not.toMatch(/libvirt/)

    const before = r.client.traffic.requests
    const reading = await r.read(NOW)
    expect(r.client.traffic.requests - before).toBe(1)
    const pve1 = reading.hosts.get('pve1')!
    // Proxmox's busy fraction of 8 CPUs: busy cores as user time, the rest idle.
    expect(pve1.cpu.user).toBeCloseTo(0.0512 * 8, 9)
    expect(pve1.cpu.idle).toBeCloseTo((1 - 0.0512) * 8, 9)
    expect(pve1.memTotalBytes).toBe(16 * GiB)
    expect(pve1.memAvailableBytes).toBe(12 * GiB)
    expect(pve1.scrapedAt).toBe(NOW)
    expect(reading.hosts.get('pve2')!.cpu.user).toBeCloseTo(0.0231 * 8, 9)
    const vm = reading.vms.get(vmKey('pve1', 'qemu/100'))!
    expect(vm).toMatchObject({ hostKey: 'pve1', domain: 'vm100', vmId: 'pve-100', vcpus: 2, memUsedBytes: GiB, diskReadIops: 0 })
    // 12.34 % of 2 vCPUs; the counters' rates once, though two exporters give them.
    expect(vm.cpuCores).toBeCloseTo(0.2468, 9)
    expect(vm.diskReadBps).toBeCloseTo(1000, 6)
    expect(vm.diskWriteBps).toBeCloseTo(3000, 6)
    expect(vm.netRxBps).toBeCloseTo(500, 6)
    expect(vm.netTxBps).toBeCloseTo(200, 6)
    // The stopped container has no reading.
    expect([...reading.vms.keys()]).toHaveLength(1)
  })

  it('reads the nodes\' and guests\' history with query_range: charts, the host\'s VM stack, the cluster sum and the engine\'s buckets', async () => {
    const r = reader(cluster)
    await r.discover(NOW)
    const ranges = new StoreRanges(r, () => NOW)
    const from = NOW - 20 * 60_000
    const host = await ranges.hostSeries('pve1', ['cpuPct', 'cpuUsedCores', 'memUsedMiB', 'memTotalMiB', 'netRxBps'], from, NOW, 40)
    expect(host.source).toBe('store')
    expect(host.series.cpuPct.values.length).toBeGreaterThanOrEqual(30)
    expect(host.series.cpuPct.values.every((v) => Math.abs(v - 5.12) < 1e-9)).toBe(true)
    expect(host.p95.cpuUsedCores).toBeCloseTo(0.4096, 9)
    expect(host.p95.memUsedMiB).toBe(4096)
    expect(host.p95.memTotalMiB).toBe(16384)
    // pve-exporter has no node network figures: the chart stays empty rather than showing zeros.
    expect(host.series.netRxBps.values).toEqual([])

    const vm = await ranges.vmSeries(vm100, ['cpuUsedCores', 'memUsedMiB', 'diskReadBps', 'netTxBps', 'diskReadIops'], from, NOW, 40)
    expect(vm.series.cpuUsedCores.values.length).toBeGreaterThanOrEqual(30)
    expect(vm.series.cpuUsedCores.values.every((v) => Math.abs(v - 0.2468) < 1e-9)).toBe(true)
    expect(vm.p95.memUsedMiB).toBe(1024)
    expect(vm.p95.diskReadBps).toBeCloseTo(1000, 6)
    expect(vm.p95.netTxBps).toBeCloseTo(200, 6)
    expect(vm.series.diskReadIops.values).toEqual([])

    const stack = await ranges.vmStack('pve1', [vm100], { from, to: NOW, buckets: 20, top: 12, names: new Map([['pve-100', 'vm100']]) })
    expect(stack.items.map((i) => i.vmId)).toEqual(['pve-100'])
    expect(stack.items[0]!.cpuUsedCores.every((v) => Math.abs(v - 0.2468) < 1e-9)).toBe(true)
    expect(stack.items[0]!.memUsedMiB.every((v) => v === 1024)).toBe(true)

    const sum = await ranges.clusterBuckets(['pve1', 'pve2'], from, NOW, 60_000)
    expect(sum.cpu.size).toBeGreaterThanOrEqual(15)
    // Both nodes once each, though both exporters give both: 0.4096 + 0.1848 cores, 4 + 2 GiB.
    expect([...sum.cpu.values()].every((v) => Math.abs(v - 0.5944) < 1e-9)).toBe(true)
    expect([...sum.mem.values()].every((v) => v === 6144)).toBe(true)

    const usage = await ranges.usageHistory([vm100], START_S * 1000, NOW)
    const h = usage.vms['pve-100']!
    expect(h.t.length).toBeGreaterThanOrEqual(5)
    expect(h.t.every((t) => t % 300_000 === 0)).toBe(true)
    expect(h.cpuUsedCores.every((v) => Math.abs(v - 0.2468) < 1e-4)).toBe(true)
    expect(h.memUsedMiB.every((v) => v === 1024)).toBe(true)
  })

  it('beside node_exporter: the node joins its node_exporter host (by nodename\'s short name or the admin\'s mapping), figures from node_exporter, guests from Proxmox', async () => {
    const r = reader(standalone)
    const d = await r.discover(NOW)
    expect(d.hosts.map((h) => [h.key, h.nodename, h.pveNode, h.nodeInstances])).toEqual([['10.3.0.1', 'pve0.lab', 'pve0', ['10.3.0.1:9100']]])
    expect(d.vms).toMatchObject([{ hostKey: '10.3.0.1', domain: 'vm200', vmId: 'pve-200', vcpus: 4, maxMemoryBytes: 4 * GiB }])
    // Every HA state 0: not managed by HA.
    expect(d.vms[0]!.managedBy).toBeUndefined()
    expect(d.pve).toEqual({ nodes: ['pve0'], containers: [] })
    expect(d.problemRefs.some((ref) => ref?.key === 'metricStore.pve.noNodeExporter')).toBe(false)
    const reading = await r.read(NOW)
    // node_exporter's figures (per CPU 0.3 user, 0.6 idle on 2 CPUs), not Proxmox's 1.28 % of 4.
    expect(reading.hosts.get('10.3.0.1')!.cpu.user).toBeCloseTo(0.6, 6)
    expect(reading.hosts.get('10.3.0.1')!.netRxBps).toBeCloseTo(500, 3)
    expect(reading.vms.get(vmKey('10.3.0.1', 'qemu/200'))!.cpuCores).toBeCloseTo(2, 9)
    const ranges = new StoreRanges(r, () => NOW)
    const host = await ranges.hostSeries('10.3.0.1', ['cpuPct'], NOW - 10 * 60_000, NOW, 20)
    expect(host.p95.cpuPct).toBeCloseTo(40, 6)

    // The admin's host names: the node under the name VirtPilot knows it by.
    const mapped = await reader(standalone, { '10.3.0.1': 'kvm-a', pve0: 'kvm-a' }).discover(NOW)
    expect(mapped.hosts.map((h) => [h.key, h.pveNode])).toEqual([['kvm-a', 'pve0']])
    expect(mapped.vms[0]!.hostKey).toBe('kvm-a')
  })

  it('without node_exporter nor pve-exporter, names both exporters in both languages', async () => {
    const client = new PrometheusClient(storeBaseUrl(`prometheus+${cluster.url}`), { headers: {} })
    // A month before the data: the store holds no metric name at all then.
    const error = await new FleetReader(client, { pollIntervalMs: 10_000 }).discover((START_S - 86_400 * 30) * 1000).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MetricStoreError)
    const e = error as MetricStoreError
    expect(e.kind).toBe('missing-metrics')
    expect(e.messageRef?.key).toBe('metricStore.missing.nodeExporter')
    expect(e.message).toMatch(/holds no node_cpu_seconds_total.*prometheus-node-exporter.*prometheus-pve-exporter/)
  })

  it('through the metrics source: read-only Proxmox hosts and their guests, the containers in the status, and a warning when no node names an SSH host', async () => {
    const store = openStore(':memory:')
    let ssh = [{ id: 'kvm-a', names: ['kvm-a', '192.0.2.10'] }]
    const source = createMetricsSource({ store, clock: () => NOW - 30_000, pollIntervalMs: 10_000, sshHosts: () => ssh, onSnapshot: () => {}, log: () => {} })
    try {
      await source.configure({ kind: 'prometheus', url: `prometheus+${cluster.url}` })
      const snapshot = source.snapshots()[0]!
      expect(snapshot.hosts.map((h) => [h.id, h.name, h.source, h.cpu.threads, h.memoryMiB, h.tags])).toEqual([
        ['prom-pve1', 'pve1', 'proxmox', 8, 16384, ['prometheus', 'read-only']],
        ['prom-pve2', 'pve2', 'proxmox', 8, 16384, ['prometheus', 'read-only']],
      ])
      // The id SSH discovery of a Proxmox node gives the guest; the container is no VM.
      expect(snapshot.vms.map((v) => [v.id, v.name, v.hostId, v.state, v.allocation.vcpus, v.allocation.memoryMiB, v.managedBy?.manager])).toEqual([['pve-100', 'vm100', 'prom-pve1', 'running', 2, 2048, 'proxmox-ha']])
      const status = source.status()
      expect(status.pve).toEqual({ nodes: 2, containers: [{ name: 'ct101', node: 'pve2' }] })
      const i = status.problemRefs!.findIndex((ref) => ref?.key === 'metricStore.pve.nodesUnmatched')
      expect(i).toBeGreaterThanOrEqual(0)
      expect(status.problemRefs![i]!.params).toEqual({ nodes: 'pve1, pve2', hosts: 'kvm-a', example: 'pve1 = kvm-a' })
      expect(status.problems![i]).toMatch(/Proxmox nodes in the store \(pve1, pve2\) match none of your SSH hosts \(kvm-a\)/)
      expect(formatMessage(status.problemRefs![i]!, 'zh-CN')).toMatch(/^存储中的 Proxmox 节点（pve1, pve2）与您的 SSH 宿主机（kvm-a）都不匹配.*pve1 = kvm-a/)
      // The history route knows the guest by its Proxmox id.
      expect(source.history()!.vm(snapshot.vms[0]!)).toEqual({ id: 'pve-100', hostKey: 'pve1', domain: 'vm100', guestId: 'qemu/100' })

      // An SSH host reached by the node's full hostname (Proxmox names a node by the first label): served by the store, and the warning goes.
      ssh = [...ssh, { id: 'lab-node-1', names: ['lab-node-1', 'root@pve1.lab:22'] }]
      await new Promise((r) => setTimeout(r, 2_100)) // the match is kept for 2 s
      const after = source.status()
      expect(after).toMatchObject({ viaSsh: 1, readOnly: 1 })
      expect(after.problemRefs!.some((ref) => ref?.key === 'metricStore.pve.nodesUnmatched')).toBe(false)
    } finally {
      await source.stop()
      store.close()
    }
  })
})
