import { english, formatMessage } from '../../../../shared/i18n'
// The fleet reader against a real Prometheus (Debian's 2.42) and a real VictoriaMetrics (1.79),
// filled with real exporter outputs whose counters grow at known rates: what an admin's
// store holds, read the way VirtPilot reads it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MetricStoreError, PrometheusClient } from '../../../../src-main/hosts/prometheus/client'
import { FleetReader, vmKey } from '../../../../src-main/hosts/prometheus/fleet'
import { storeBaseUrl } from '../../../../src-main/hosts/prometheus/source'
import { startPrometheus, startVictoriaMetrics, storeMissing, VICTORIA_METRICS, type RunningStore } from '../../support/prometheus'
import { busyHost, END_S, hostSeries, NODE_OUTPUT, START_S } from './fleet-store'

const gauge = (name: string) => NODE_OUTPUT.find((s) => s.name === name)!.value

const missing = storeMissing()
const requireStore = process.env.VIRTPILOT_REQUIRE_LAB === '1'
const suite = missing && !requireStore ? describe.skip : describe
const NOW = END_S * 1000
const UUID1 = '6b1f4d0e-0c1a-4c55-9b8e-1f0000000001'
const UUID2 = '6b1f4d0e-0c1a-4c55-9b8e-1f0000000002'
const UUID3 = '6b1f4d0e-0c1a-4c55-9b8e-1f0000000003'

/** Two healthy hosts (one VM with a counter reset), one silent for 2 minutes, one libvirt exporter under another name. */
function fleet() {
  return [
    ...hostSeries({
      address: '10.1.0.1',
      nodename: 'kvm1',
      rate: busyHost(),
      domains: [
        { from: 'h1-vm1', name: 'web-1', uuid: UUID1, cores: 0.5 },
        // The VM rebooted 37.5 s ago: its CPU time restarted from zero.
        { from: 'h1-vm2', name: 'db-1', uuid: UUID2, cores: 1.5, resetAtS: END_S - 37.5 },
      ],
    }),
    ...hostSeries({ address: '10.1.0.2', nodename: 'kvm2', rate: busyHost({ netRx: 4000 }), domains: [{ from: 'h1-vm1', name: 'web-2', uuid: UUID3, cores: 0.25 }] }),
    ...hostSeries({ address: '10.1.0.3', nodename: 'kvm3', rate: busyHost(), lastS: END_S - 120 }),
    // Scraped by DNS name while node_exporter is scraped by address: a label mismatch.
    ...hostSeries({ address: '10.1.0.4', libvirtInstance: 'kvm4.lab:9177', nodename: 'kvm4', rate: busyHost(), domains: [{ from: 'h1-vm1', name: 'app-4', uuid: '6b1f4d0e-0c1a-4c55-9b8e-1f0000000004', cores: 1 }] }),
  ]
}

suite('the fleet as a Prometheus store holds it', () => {
  let prometheus: RunningStore
  beforeAll(async () => {
    if (missing) throw new Error(`the real store is needed here: ${missing}`)
    prometheus = await startPrometheus({ series: fleet() })
  }, 120_000)
  afterAll(async () => prometheus?.stop())

  const reader = (hostMap?: Record<string, string>) => new FleetReader(new PrometheusClient(storeBaseUrl(`prometheus+${prometheus.url}`), { headers: {} }), { pollIntervalMs: 10_000, ...(hostMap ? { hostMap } : {}) })

  it('discovers every host and VM, the libvirt exporter flavour and the scrape interval, and names the exporter it cannot place', async () => {
    const discovery = await reader().discover(NOW)
    expect(discovery.hosts.map((h) => [h.key, h.nodename, h.threads]).sort()).toEqual([
      ['10.1.0.1', 'kvm1', 2],
      ['10.1.0.2', 'kvm2', 2],
      ['10.1.0.3', 'kvm3', 2],
      ['10.1.0.4', 'kvm4', 2],
    ])
    expect(discovery.hosts[0]!.memTotalBytes).toBe(gauge('node_memory_MemTotal_bytes'))
    expect(discovery.flavour).toBe('debian')
    expect(discovery.scrapeIntervalS).toBe(15)
    expect(discovery.vms.map((v) => [v.hostKey, v.domain, v.uuid, v.vcpus]).sort()).toEqual([
      ['10.1.0.1', 'db-1', UUID2, 1],
      ['10.1.0.1', 'web-1', UUID1, 1],
      ['10.1.0.2', 'web-2', UUID3, 1],
    ])
    expect(discovery.problems.join('\n')).toMatch(/libvirt exporter at kvm4\.lab:9177 matches no node_exporter host.*Map "kvm4\.lab" to its host/)
    // Each problem as a message too: the same English, and Chinese around the store's own names.
    expect(discovery.problemRefs.map((ref) => english(ref!))).toEqual(discovery.problems)
    expect(discovery.problemRefs.map((ref) => formatMessage(ref!, 'zh-CN')).join('\n')).toMatch(/kvm4\.lab:9177 上的 libvirt exporter 与任何 node_exporter 宿主机都对不上/)
  })

  it("joins the exporters through the admin's host names", async () => {
    const discovery = await reader({ 'kvm4.lab': '10.1.0.4' }).discover(NOW)
    expect(discovery.vms.find((v) => v.domain === 'app-4')?.hostKey).toBe('10.1.0.4')
    expect(discovery.problems.join('\n')).not.toMatch(/kvm4/)
  })

  it('reads every host and VM rate in two requests, counter resets and virtual devices handled as over SSH', async () => {
    const r = reader()
    await r.discover(NOW)
    const before = r.client.traffic.requests
    const reading = await r.read(NOW)
    expect(r.client.traffic.requests - before).toBe(2)
    const h1 = reading.hosts.get('10.1.0.1')!
    expect(h1.cpu.user).toBeCloseTo(0.6, 6)
    expect(h1.cpu.system).toBeCloseTo(0.2, 6)
    expect(h1.cpu.idle).toBeCloseTo(1.2, 6)
    expect(h1.diskReadBps).toBeCloseTo(1000, 3)
    expect(h1.diskWriteBps).toBeCloseTo(2000, 3)
    // eth0 only: lo and the VM's vnet3 grow by 1 GB/s and are left out.
    expect(h1.netRxBps).toBeCloseTo(500, 3)
    expect(reading.hosts.get('10.1.0.2')!.netRxBps).toBeCloseTo(4000, 3)
    expect(h1.psi.cpu).toBeCloseTo(0.05, 6)
    expect(h1.memAvailableBytes).toBe(gauge('node_memory_MemAvailable_bytes'))
    expect(reading.vms.get(vmKey('10.1.0.1', 'web-1'))!.cpuCores).toBeCloseTo(0.5, 6)
    // Rebooted 37.5 s ago: the store's rate spans the restart (no negative or huge figure), a little low for the reboot itself.
    expect(reading.vms.get(vmKey('10.1.0.1', 'db-1'))!.cpuCores).toBeGreaterThan(1.2)
    expect(reading.vms.get(vmKey('10.1.0.1', 'db-1'))!.cpuCores).toBeLessThanOrEqual(1.5 + 1e-9)
    expect(reading.vms.get(vmKey('10.1.0.2', 'web-2'))!.cpuCores).toBeCloseTo(0.25, 6)
  })

  it('leaves out a host whose exporter went silent, and says since when', async () => {
    const reading = await reader().read(NOW)
    expect(reading.hosts.has('10.1.0.3')).toBe(false)
    expect(reading.problems.join('\n')).toMatch(/10\.1\.0\.3: node_exporter was last scraped 120 s ago/)
    expect(reading.problemRefs.map((ref) => formatMessage(ref, 'zh-CN')).join('\n')).toMatch(/10\.1\.0\.3：node_exporter 最近一次被抓取是在 120 秒前/)
  })

  it('tells what is missing when the store holds no node_exporter, and refuses a bad query with the store\'s reason', async () => {
    const client = new PrometheusClient(storeBaseUrl(`prometheus+${prometheus.url}`), { headers: {} })
    await expect(new FleetReader(client, { pollIntervalMs: 10_000 }).discover((START_S - 86_400 * 30) * 1000)).rejects.toThrow(/holds no node_cpu_seconds_total.*prometheus-node-exporter/)
    await expect(client.query('rate(up[')).rejects.toMatchObject({ kind: 'query' })
  })

  it('names a wrong address and a store that is not one', async () => {
    const wrongPath = new PrometheusClient(storeBaseUrl(`prometheus+${prometheus.url}/graph`), { headers: {} })
    const error = await wrongPath.query('up').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MetricStoreError)
    expect((error as MetricStoreError).kind).toBe('bad-response')
    expect((error as Error).message).toMatch(/without Prometheus API JSON.*query address/)
    const closed = new PrometheusClient(storeBaseUrl('prometheus+http://127.0.0.1:1'), { headers: {} })
    await expect(closed.query('up')).rejects.toMatchObject({ kind: 'unreachable', message: expect.stringMatching(/cannot reach the metrics store at http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)/) })
  })
})

const vmSuite = storeMissing([VICTORIA_METRICS]) && !requireStore ? describe.skip : describe
vmSuite('the same fleet in VictoriaMetrics (plain PromQL HTTP API)', () => {
  let vm: RunningStore
  beforeAll(async () => {
    vm = await startVictoriaMetrics(fleet())
  }, 120_000)
  afterAll(async () => vm?.stop())

  it('gives the same hosts, VMs and rates as Prometheus', async () => {
    const r = new FleetReader(new PrometheusClient(storeBaseUrl(`prometheus+${vm.url}`), { headers: {} }), { pollIntervalMs: 10_000 })
    const discovery = await r.discover(NOW)
    expect(discovery.hosts.map((h) => h.key).sort()).toEqual(['10.1.0.1', '10.1.0.2', '10.1.0.3', '10.1.0.4'])
    expect(discovery.flavour).toBe('debian')
    const reading = await r.read(NOW)
    expect(reading.hosts.get('10.1.0.1')!.cpu.user).toBeCloseTo(0.6, 3)
    expect(reading.hosts.get('10.1.0.2')!.netRxBps).toBeCloseTo(4000, 0)
    expect(reading.vms.get(vmKey('10.1.0.1', 'web-1'))!.cpuCores).toBeCloseTo(0.5, 3)
    expect(reading.vms.get(vmKey('10.1.0.1', 'db-1'))!.cpuCores).toBeGreaterThan(1)
    expect(reading.vms.get(vmKey('10.1.0.1', 'db-1'))!.cpuCores).toBeLessThanOrEqual(1.5 + 1e-9)
  })
})
