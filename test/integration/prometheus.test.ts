import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createServices, type Services } from '../../src-main/services/services'
import { PrometheusClient } from '../../src-main/hosts/prometheus/client'
import { FleetReader, vmKey } from '../../src-main/hosts/prometheus/fleet'
import { storeBaseUrl } from '../../src-main/hosts/prometheus/source'
import { metricsMissing, startLabMetrics, type LabMetrics } from '../lab/metrics'
import { sleep } from '../lab/run'
import { addExtraGuest, describeWithLab, domstats, hostNamed, removeExtraGuest, type LabGuest } from './lab'
import { call, dataFileOf, servicesForLab, until } from './support/services'

// The lab read through a real Prometheus (Debian's 2.42) scraping Debian's node and libvirt
// exporters inside each host's namespaces, against VirtPilot's own SSH path on the same hosts
// at the same time: the same inventory, the same CPU figures within the scrape's tolerance.

let dir: string
let metrics: LabMetrics
let viaSsh: Services
let viaStore: Services
let burner: LabGuest | undefined

describeWithLab('reading the lab through Prometheus', (lab) => {
  const h3 = hostNamed(lab, 'h3')

  beforeAll(async () => {
    const missing = metricsMissing()
    if (missing) throw new Error(`the lab's metrics option needs Debian packages: ${missing}`)
    dir = mkdtempSync(join(tmpdir(), 'virtpilot-prometheus-'))
    // Known demand: one guest spinning one vCPU.
    burner = await addExtraGuest(lab, h3, { name: 'h3-prom-burner', burn: 1 })
    metrics = await startLabMetrics(lab, { scrapeIntervalS: 2, scrapes: 5 })
    viaSsh = await servicesForLab(lab, dir)
    viaStore = createServices({ transport: 'cli', dataFile: ':memory:', version: 'test', hostPollIntervalMs: 2000, demo: 'off', log: () => {} })
    await viaStore.start()
    await call(viaStore, 'settings.update', { metricsSource: { kind: 'prometheus', url: `prometheus+${metrics.url}` } })
  }, 240_000)

  afterAll(async () => {
    await viaStore?.stop()
    await viaSsh?.stop()
    await metrics?.stop()
    if (burner) await removeExtraGuest(h3, burner)
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('finds the inventory SSH discovery finds: every host, every running VM by UUID, its vCPUs and memory', async () => {
    const store = await until('the store showing every lab host', () => {
      const s = viaStore.cluster.snapshot()
      return s.hosts.length === lab.hosts.length && s.vms.some((v) => v.name === 'h3-prom-burner') ? s : undefined
    })
    const ssh = viaSsh.cluster.snapshot()
    for (const host of lab.hosts) {
      const storeHost = store.hosts.find((h) => h.id === `prom-${host.ip.replaceAll('.', '-')}`)!
      // node_exporter runs in the host's namespaces: its nodename is the host's.
      expect(storeHost.name).toBe(host.name)
      expect(storeHost.tags).toEqual(['prometheus', 'read-only'])
      expect(storeHost.cpu.threads).toBe(ssh.hosts.find((h) => h.id === host.name)!.cpu.threads)
      const view = (vms: typeof ssh.vms) => vms.map((v) => [v.id, v.name, v.state, v.allocation.vcpus, v.allocation.memoryMiB]).sort()
      expect(view(store.vms.filter((v) => v.hostId === storeHost.id))).toEqual(view(ssh.vms.filter((v) => v.hostId === host.name && v.state === 'running')))
    }
  })

  it('gives the CPU figures the SSH path measures over the same window, within the scrape interval', async () => {
    const reader = new FleetReader(new PrometheusClient(storeBaseUrl(`prometheus+${metrics.url}`), { headers: {} }), { pollIntervalMs: 2000 })
    await reader.discover(Date.now())
    const windowMs = reader.windowS * 1000
    const before = await domstats(h3, 'h3-prom-burner', ['--cpu-total'])
    const t0 = Date.now()
    await sleep(windowMs)
    const after = await domstats(h3, 'h3-prom-burner', ['--cpu-total'])
    const t1 = Date.now()
    const reading = await reader.read(t1)
    // Ground truth: libvirt's own cpu.time over the window (what the SSH path reads each poll).
    const truth = (Number(after.get('cpu.time')) - Number(before.get('cpu.time'))) / 1e6 / (t1 - t0)
    const fromStore = reading.vms.get(vmKey(h3.ip, 'h3-prom-burner'))!.cpuCores
    const sshStore = dataFileOf(dir)
    try {
      const burnerId = viaSsh.cluster.snapshot().vms.find((v) => v.name === 'h3-prom-burner')!.id
      const ssh = sshStore.samples.vmWindowMeans(burnerId, t0, t1)
      // Scrapes every 2 s bound the window's edges: 2 x 2 s of a 30 s window, plus the exporter's 10 ms resolution.
      // (On a busy machine the burner gets what the scheduler gives it: the figures are compared, not assumed.)
      const tolerance = (cores: number) => 0.05 + (4 / reader.windowS) * cores
      const h1 = reading.hosts.get(hostNamed(lab, 'h1').ip)!
      const busy = ['user', 'nice', 'system', 'irq', 'softirq', 'steal'].reduce((sum, mode) => sum + (h1.cpu[mode] ?? 0), 0)
      const total = Object.values(h1.cpu).reduce((sum: number, v) => sum + (v ?? 0), 0)
      const sshHost = sshStore.samples.hostWindowMeans('h1', t0, t1)
      const figures = { windowS: reader.windowS, truth, fromStore, ssh: ssh.cpuUsedCores, sshSamples: ssh.n, hostPctStore: (100 * busy) / total, hostPctSsh: sshHost.cpuPct }
      console.error(`store vs SSH over the same window: ${JSON.stringify(figures)}`)
      expect(Math.abs(fromStore - truth), JSON.stringify(figures)).toBeLessThanOrEqual(tolerance(truth))
      expect(ssh.n).toBeGreaterThan(5)
      expect(Math.abs(fromStore - ssh.cpuUsedCores!), JSON.stringify(figures)).toBeLessThanOrEqual(tolerance(truth))
      // The hosts share this machine's /proc/stat: host CPU % over the window, store vs SSH.
      expect(Math.abs(figures.hostPctStore - sshHost.cpuPct!), JSON.stringify(figures)).toBeLessThanOrEqual(12)
    } finally {
      sshStore.close()
    }
  }, 240_000)

  it('reads the statistics of SSH hosts from the store once it serves them: polls go on, no stats script runs on the hosts', async () => {
    await call(viaSsh, 'settings.update', { metricsSource: { kind: 'prometheus', url: `prometheus+${metrics.url}` } })
    const status = await call<{ hosts: number; viaSsh: number; readOnly: number }>(viaSsh, 'metrics.status', {})
    expect(status).toMatchObject({ hosts: lab.hosts.length, viaSsh: lab.hosts.length, readOnly: 0 })
    // One poll to switch over, then count: polls that cost no exec on the host.
    const diag = () => viaSsh.hosts.diagnostics('h1')!
    const switched = diag().polls + 1
    await until('a poll of h1 from the store', () => (diag().polls >= switched ? true : undefined))
    const start = diag()
    const file = dataFileOf(dir)
    const newest = file.samples.latestTime(['h1'])
    await until('5 more polls of h1', () => (diag().polls >= start.polls + 5 ? true : undefined), 60_000)
    const end = diag()
    // Discovery may run again (every 5 minutes, or when a VM changes): never once per poll.
    expect(end.execs - start.execs).toBeLessThanOrEqual(1)
    // The store keeps the history: no sample of h1 is copied into SQLite any more, and its charts read the store.
    try {
      expect(file.samples.latestTime(['h1'])).toBe(newest)
    } finally {
      file.close()
    }
    const now = Date.now()
    const series = await call<{ source: string; series: { cpuPct: { values: number[] } } }>(viaSsh, 'series.query', { kind: 'host', id: 'h1', metrics: ['cpuPct'], from: now - 120_000, to: now, maxPoints: 60 })
    expect(series.source).toBe('store')
    expect(series.series.cpuPct.values.length).toBeGreaterThan(10)
    const snapshot = viaSsh.cluster.snapshot()
    // The same hosts (SSH ids, apply possible), not duplicated as read-only store hosts.
    expect(snapshot.hosts.map((h) => h.id).sort()).toEqual(lab.hosts.map((h) => h.name).sort())
    const running = snapshot.vms.filter((v) => v.hostId === 'h3' && v.state === 'running').map((v) => v.id).sort()
    expect(running.length).toBeGreaterThanOrEqual(3)
    expect(snapshot.vmSamples.filter((x) => x.hostId === 'h3').map((x) => x.vmId).sort()).toEqual(running)
    expect(snapshot.hostSamples.map((x) => x.hostId).sort()).toEqual(['h1', 'h2', 'h3'])
  }, 120_000)
})
