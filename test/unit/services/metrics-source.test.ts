// The metrics source through the application core: Settings → Metrics source pointed at a real
// Prometheus (Debian's 2.42, backfilled from real exporter outputs) gives the dashboards and the
// engine the same shared model as SSH polling, and refuses what cannot work, saving nothing.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dispatch } from '../../../shared/api'
import { SnapshotSchema, type Recommendation } from '../../../shared/model'
import { createEngine } from '../../../src-main/services/engine'
import { EventBus } from '../../../src-main/services/events'
import { createInbox } from '../../../src-main/services/inbox'
import { createMetricsSource } from '../../../src-main/services/metrics-source'
import { createServices } from '../../../src-main/services/services'
import { openStore } from '../../../src-main/store'
import { startPrometheus, storeMissing, type RunningStore } from '../support/prometheus'
import { busyHost, END_S, hostSeries } from '../hosts/prometheus/fleet-store'

const missing = storeMissing()
const suite = missing && process.env.VIRTPILOT_REQUIRE_LAB !== '1' ? describe.skip : describe
const ctx = { transport: 'test' as const }
const UUID = '0f4c3f52-8d0b-4c53-a1d2-000000000001'

suite('a Prometheus store as the cluster\'s metrics source', () => {
  let prometheus: RunningStore
  beforeAll(async () => {
    if (missing) throw new Error(`the real store is needed here: ${missing}`)
    prometheus = await startPrometheus({
      series: [
        ...hostSeries({ address: '10.9.0.1', nodename: 'kvm1', rate: busyHost(), domains: [{ from: 'h1-vm1', name: 'web-1', uuid: UUID, cores: 0.5 }] }),
        ...hostSeries({ address: '10.9.0.2', nodename: 'kvm2', rate: busyHost() }),
      ],
    })
  }, 120_000)
  afterAll(async () => prometheus?.stop())

  it('shows the store\'s hosts read-only with samples of the shared model; their history is read from the store, never copied into SQLite', async () => {
    let now = END_S * 1000 - 30_000
    const dataFile = join(mkdtempSync(join(tmpdir(), 'virtpilot-source-')), 'data.db')
    const services = createServices({ transport: 'cli', dataFile, version: 't', clock: () => now, demo: 'off', hostPollIntervalMs: 10_000, log: () => {} })
    await services.start()
    const updated = await dispatch(services.handlers, 'settings.update', { metricsSource: { kind: 'prometheus', url: `prometheus+${prometheus.url}` } }, ctx)
    expect(updated.ok).toBe(true)
    const snapshot = SnapshotSchema.parse(services.cluster.snapshot())
    expect(snapshot.hosts.map((h) => [h.name, h.cpu.threads, h.tags]).sort()).toEqual([
      ['kvm1', 2, ['prometheus', 'read-only']],
      ['kvm2', 2, ['prometheus', 'read-only']],
    ])
    expect(snapshot.vms).toMatchObject([{ id: UUID, uuid: UUID, name: 'web-1', state: 'running', allocation: { vcpus: 1, memoryMiB: 128 } }])
    // Per CPU 0.3 user + 0.1 system of 1.0: 40 %, as /proc/stat deltas would give.
    const kvm1 = snapshot.hostSamples.find((s) => s.hostId === 'prom-10-9-0-1')!
    expect(kvm1.cpuPct).toBeCloseTo(40, 6)
    expect(kvm1.cpuUsedCores).toBeCloseTo(0.8, 6)
    expect(kvm1.netRxBps).toBeCloseTo(500, 3)
    expect(kvm1.cpuPressurePct).toBeCloseTo(5, 6)
    expect(snapshot.vmSamples).toMatchObject([{ vmId: UUID, hostId: 'prom-10-9-0-1' }])
    expect(snapshot.vmSamples[0]!.cpuUsedCores).toBeCloseTo(0.5, 6)
    // The charts' history is the store's: all of it at once, by query_range.
    const history = await dispatch(services.handlers, 'host.history', { hostId: 'prom-10-9-0-1', from: now - 15 * 60_000, to: now, maxPoints: 200 }, ctx)
    expect(history).toMatchObject({ ok: true, value: { host: { source: 'store' } } })
    if (history.ok) {
      const value = history.value as { host: { series: { cpuPct: { values: number[] } } }; vms: { t: number[]; items: { vmId: string; cpuUsedCores: number[] }[] } }
      expect(value.host.series.cpuPct.values.length).toBeGreaterThanOrEqual(50)
      expect(value.vms.t.length).toBeGreaterThanOrEqual(50)
      expect(value.vms.items[0]!.vmId).toBe(UUID)
      expect(value.vms.items[0]!.cpuUsedCores.every((v) => Math.abs(v - 0.5) < 1e-6)).toBe(true)
    }
    const vmSeries = await dispatch(services.handlers, 'series.query', { kind: 'vm', id: UUID, metrics: ['cpuUsedCores'], from: now - 25 * 60_000, to: now, maxPoints: 100 }, ctx)
    expect(vmSeries).toMatchObject({ ok: true, value: { source: 'store', p95: { cpuUsedCores: expect.closeTo(0.5, 6) } } })
    // The engine's history: 5-minute buckets from the store, the same path the analysis takes.
    const usage = await services.history.usage([UUID], now)
    expect(usage.vms[UUID]!.t.length).toBeGreaterThanOrEqual(4)
    expect(usage.vms[UUID]!.cpuUsedCores.every((v) => Math.abs(v - 0.5) < 1e-6), JSON.stringify(usage.vms[UUID])).toBe(true)
    const cluster = await dispatch(services.handlers, 'cluster.history', { from: now - 20 * 60_000, to: now, maxPoints: 20 }, ctx)
    if (!cluster.ok) throw new Error(cluster.error.message)
    // Two hosts at 0.8 cores each.
    expect((cluster.value as { cpuUsedCores: { values: number[] } }).cpuUsedCores.values.every((v) => Math.abs(v - 1.6) < 1e-6)).toBe(true)
    const status = await dispatch(services.handlers, 'metrics.status', {}, ctx)
    expect(status).toMatchObject({ ok: true, value: { kind: 'prometheus', libvirtExporter: 'debian', hosts: 2, readOnly: 2, viaSsh: 0 } })
    now += 10_000
    await services.stop()
    // Several polls ran, and not one of the store's samples was copied into the data file.
    const db = new Database(dataFile, { readonly: true })
    try {
      expect(db.prepare('SELECT count(*) AS n FROM host_samples').get()).toEqual({ n: 0 })
      expect(db.prepare('SELECT count(*) AS n FROM vm_samples').get()).toEqual({ n: 0 })
    } finally {
      db.close()
    }
  })

  it('measures the effect of an applied change on a VM the store serves from the store\'s history (SQLite holds none of it)', async () => {
    const now = END_S * 1000 - 30_000
    const services = createServices({ transport: 'cli', dataFile: ':memory:', version: 't', clock: () => now, demo: 'off', hostPollIntervalMs: 10_000, log: () => {} })
    const recs = openStore(':memory:')
    try {
      await services.start()
      await dispatch(services.handlers, 'settings.update', { metricsSource: { kind: 'prometheus', url: `prometheus+${prometheus.url}` } }, ctx)
      const base = { priority: 3 as const, rationale: '', predicted: [], risk: 'low' as const, riskNote: '', needsRestart: false, confidence: 'normal' as const }
      const grow: Recommendation = { ...base, id: 'grow', kind: 'rightsize-cpu', target: { type: 'vm', id: UUID }, title: 'grow', actions: [{ action: { kind: 'setVcpus', vm: UUID, host: 'prom-10-9-0-1', count: 2, live: true }, rollback: { kind: 'setVcpus', vm: UUID, host: 'prom-10-9-0-1', count: 1, live: true } }] }
      const move: Recommendation = { ...base, id: 'move', kind: 'migrate', target: { type: 'vm', id: UUID }, title: 'move', actions: [{ action: { kind: 'migrate', vm: UUID, from: 'prom-10-9-0-1', to: 'prom-10-9-0-2', live: true }, rollback: { kind: 'migrate', vm: UUID, from: 'prom-10-9-0-2', to: 'prom-10-9-0-1', live: true } }] }
      recs.recommendations.replaceOpen([grow, move], now - 30 * 60_000)
      for (const id of ['grow', 'move']) recs.recommendations.setStatus(id, 'applied', { appliedAt: now - 10 * 60_000 })
      const inbox = (means?: typeof services.history) => createInbox({ store: recs, engine: createEngine(), events: new EventBus(), clock: () => now, snapshot: services.cluster.snapshot, facts: () => [], actor: 't', ...(means ? { means } : {}) })
      const items = (await inbox(services.history).list()).items
      const figures = (id: string) => items.find((i) => i.recommendation.id === id)!.effect!.figures
      const [cpu, ready, memory] = figures('grow')
      // Half a core before and after (before reaches back to the series' start, where rate() extrapolates less), 10 minutes of 15-s steps after; the store has no CPU ready.
      expect(cpu).toMatchObject({ unit: 'cores', before: expect.closeTo(0.5, 2), after: expect.closeTo(0.5, 6) })
      expect(cpu!.samplesAfter).toBeGreaterThanOrEqual(30)
      expect(ready).toMatchObject({ unit: '%', before: null, after: null })
      expect(memory).toMatchObject({ unit: 'MiB', before: 128, after: 128 })
      // A move: both hosts' CPU around it (40 % each), the VM's own figures before it read where it ran.
      const hosts = figures('move').filter((f) => f.unit === '%' && f.labelRef?.key === 'engine.measured.hostCpu')
      expect(hosts.map((f) => [f.before, f.after].map((v) => Math.round(v! * 1e6) / 1e6))).toEqual([[40, 40], [40, 40]])
      expect(figures('move')[0]).toMatchObject({ before: expect.closeTo(0.5, 2) })
      // The same inbox reading SQLite only: nothing was copied there, so nothing to compare.
      const fromSqlite = (await inbox().list()).items.find((i) => i.recommendation.id === 'grow')!.effect!.figures[0]
      expect(fromSqlite).toMatchObject({ before: null, after: null, samplesAfter: 0 })
    } finally {
      recs.close()
      await services.stop()
    }
  })

  it('says when the store names none of the SSH hosts, with names of each side and a host-names line to write', async () => {
    const store = openStore(':memory:')
    let ssh = [{ id: 'kvm-a', names: ['kvm-a', 'kvm-a.lab', '192.0.2.10'] }]
    const source = createMetricsSource({ store, clock: () => END_S * 1000 - 30_000, pollIntervalMs: 10_000, sshHosts: () => ssh, onSnapshot: () => {}, log: () => {} })
    try {
      await source.configure({ kind: 'prometheus', url: `prometheus+${prometheus.url}` })
      expect(source.status()).toMatchObject({ viaSsh: 0, labelMismatch: { sshHosts: ['kvm-a'], storeHosts: ['10.9.0.1 (kvm1)', '10.9.0.2 (kvm2)'], example: '10.9.0.1 = kvm-a' } })
      // One SSH host the store names (its nodename): matched, so no headline; the other store host stays read-only.
      ssh = [...ssh, { id: 'kvm1', names: ['kvm1'] }]
      await new Promise((r) => setTimeout(r, 2_100)) // the match is kept for 2 s
      const status = source.status()
      expect(status).toMatchObject({ viaSsh: 1, readOnly: 1 })
      expect(status.labelMismatch).toBeUndefined()
    } finally {
      await source.stop()
      store.close()
    }
  })

  it('refuses a source that cannot work and keeps the one it had', async () => {
    const services = createServices({ transport: 'cli', dataFile: ':memory:', version: 't', demo: 'off', log: () => {} })
    await services.start()
    const dir = mkdtempSync(join(tmpdir(), 'virtpilot-source-'))
    const notPem = join(dir, 'ca.txt')
    writeFileSync(notPem, 'hello\n')
    for (const [source, message] of [
      [{ kind: 'prometheus', url: 'ftp://store:9090' }, /only http and https/],
      [{ kind: 'prometheus', url: 'prometheus+http://admin:pw@store:9090' }, /put credentials in a file/],
      [{ kind: 'prometheus', url: 'prometheus+http://store:9090', bearerTokenFile: join(dir, 'missing') }, /cannot read the bearer token file .*missing/],
      [{ kind: 'prometheus', url: 'prometheus+https://store:9090', caFile: notPem }, /is not a PEM certificate/],
    ] as const) {
      const result = await dispatch(services.handlers, 'settings.update', { metricsSource: source }, ctx)
      expect(result).toMatchObject({ ok: false, error: { code: 'bad-request', message: expect.stringMatching(message) } })
    }
    expect(services.cluster.settings().metricsSource).toEqual({ kind: 'ssh' })
    await services.stop()
  })
})
