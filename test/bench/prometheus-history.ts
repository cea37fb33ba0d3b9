// A large fleet's week read from a real Prometheus (Debian's 2.42) the way the app reads it: the
// TSDB backfilled with promtool from the Bitbrains trace (support/prometheus-week.ts), then
// Settings → Metrics source pointed at it, the engine's 7 days loaded by query_range, and the
// engine run on every VM. Baselines run in the same process: a tenth-sized fleet's week read cold
// from its own store and the same VMs' week from SQLite's rollups (the SSH path's store), the
// same week asked the former way (both figures in one expression), the engine on a tenth of the
// fleet, RSS before loading.
// Prints a table with the load average beside each figure; asserts nothing.
// Run: npx tsx test/bench/prometheus-history.ts   (part of `npm run bench`; WEEK_FLEET=20x500 for a quick run;
// VIRTPILOT_BENCH_DATA=DIR to reuse the TSDBs another checkout made)
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { dispatch } from '../../shared/api'
import type { History, Snapshot } from '../../shared/model'
import { FleetReader } from '../../src-main/hosts/prometheus/fleet'
import { PrometheusClient, type RangeSeries } from '../../src-main/hosts/prometheus/client'
import { storeVmId } from '../../src-main/hosts/prometheus/adapter'
import { oneOf } from '../../src-main/hosts/prometheus/pve-scope'
import { StoreRanges, USAGE_STEP_MS } from '../../src-main/hosts/prometheus/ranges'
import { storeBaseUrl } from '../../src-main/hosts/prometheus/source'
import { createEngine, usageWindow } from '../../src-main/services/engine'
import { createServices } from '../../src-main/services/services'
import { openStore } from '../../src-main/store'
import { startPrometheus, storeMissing } from '../unit/support/prometheus'
import { END_S, prometheusWeek } from './support/prometheus-week'

const missing = storeMissing()
if (missing) {
  console.log(`prometheus-history bench skipped: ${missing}`)
  process.exit(0)
}
const [HOSTS, VMS] = (process.env.WEEK_FLEET ?? '200x5000').split('x').map(Number) as [number, number]
const NOW = END_S * 1000
const WEEK_MS = 7 * 86_400_000
const load = () => loadavg()[0]!.toFixed(1)
const mib = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MiB`
const rows: { what: string; value: string; baseline: string; ratio: string; target: string; load1: string }[] = []

const week = prometheusWeek(HOSTS, VMS)
if (week.madeInS > 0) console.log(`made the TSDB: ${week.samples.toLocaleString('en')} samples in ${week.madeInS.toFixed(0)} s (load ${load()})`)
// 2-hour blocks left as promtool made them: no compaction competing with the measurement.
const prometheus = await startPrometheus({ dataDir: join(week.dir, 'data'), args: ['--storage.tsdb.min-block-duration=2h', '--storage.tsdb.max-block-duration=2h'] })
try {
  const rssBefore = process.memoryUsage().rss
  const services = createServices({ transport: 'cli', dataFile: ':memory:', version: 'bench', clock: () => NOW, demo: 'off', hostPollIntervalMs: 60_000, log: () => {} })
  await services.start()

  // Discover and load 7 days for the engine: the app's own path, from the source's first poll to the engine's history.
  let t = performance.now()
  const updated = await dispatch(services.handlers, 'settings.update', { metricsSource: { kind: 'prometheus', url: `prometheus+${prometheus.url}` } }, { transport: 'test' })
  if (!updated.ok) throw new Error(updated.error.message)
  const snapshot: Snapshot = services.cluster.snapshot()
  const discoverMs = performance.now() - t
  const discoverLoad = load()
  console.log(`discovered ${snapshot.hosts.length} hosts, ${snapshot.vms.length} VMs in ${(discoverMs / 1000).toFixed(1)} s (load ${discoverLoad})`)
  t = performance.now()
  const history = await services.history.usage(snapshot.vms.map((v) => v.id), NOW, WEEK_MS)
  const loadMs = performance.now() - t
  const loadLoad = load()
  console.log(`loaded 7 days for the engine in ${(loadMs / 1000).toFixed(1)} s (load ${loadLoad})`)
  const status = services.metrics.status()
  const buckets = Object.values(history.vms).reduce((sum, h) => sum + h.t.length, 0)
  const rssLoaded = process.memoryUsage().rss

  // The engine on every VM (greedy balancing, rightsizing; the exact model is for small clusters), and on a tenth: right
  // after loading, so the RSS read after it is the desktop's (load + engine), before the comparisons below allocate.
  const engine = createEngine()
  const tenthHosts = new Set(snapshot.hosts.slice(0, Math.max(1, Math.floor(snapshot.hosts.length / 10))).map((h) => h.id))
  const small: Snapshot = { ...snapshot, hosts: snapshot.hosts.filter((h) => tenthHosts.has(h.id)), vms: snapshot.vms.filter((v) => tenthHosts.has(v.hostId)), hostSamples: snapshot.hostSamples.filter((s) => tenthHosts.has(s.hostId)), vmSamples: snapshot.vmSamples.filter((s) => tenthHosts.has(s.hostId)) }
  const smallHistory: History = { vms: Object.fromEntries(small.vms.flatMap((v) => (history.vms[v.id] ? [[v.id, history.vms[v.id]!]] : []))) }
  await engine.run({ snapshot: small, history: smallHistory, now: NOW }) // HiGHS loaded once, outside the timing
  t = performance.now()
  const smallOut = await engine.run({ snapshot: small, history: smallHistory, now: NOW })
  const smallMs = performance.now() - t
  const smallLoad = load()
  t = performance.now()
  const out = await engine.run({ snapshot, history, now: NOW })
  const engineMs = performance.now() - t
  const engineLoad = load()
  const rssEngine = process.memoryUsage().rss

  // Baseline, the same VMs on both sides: a tenth-sized fleet (the big fleet's first hosts and VMs) read cold from its own
  // store (a reader reads every VM its store holds), and the same VMs' buckets from SQLite's rollups.
  const tenthWeek = prometheusWeek(Math.max(1, Math.round(HOSTS / 10)), Math.max(1, Math.round(VMS / 10)))
  if (tenthWeek.madeInS > 0) console.log(`made the tenth-sized TSDB: ${tenthWeek.samples.toLocaleString('en')} samples in ${tenthWeek.madeInS.toFixed(0)} s (load ${load()})`)
  const tenthStore = await startPrometheus({ dataDir: join(tenthWeek.dir, 'data'), args: ['--storage.tsdb.min-block-duration=2h', '--storage.tsdb.max-block-duration=2h'] })
  const readTenth = async () => {
    const reader = new FleetReader(new PrometheusClient(storeBaseUrl(`prometheus+${tenthStore.url}`), { headers: {} }), { pollIntervalMs: 60_000 })
    const found = await reader.discover(NOW)
    const vms = found.vms.map((v) => ({ id: storeVmId(v.hostKey, v.domain), hostKey: v.hostKey, domain: v.domain }))
    const started = performance.now()
    const read = await new StoreRanges(reader, () => NOW).usageHistory(vms, NOW - WEEK_MS, NOW)
    const ms = performance.now() - started
    const readLoad = load()
    const former = await formerRequests(reader)
    return { vms: vms.map((v) => ({ id: v.id, hostId: v.hostKey })), history: read, ms, load: readLoad, former }
  }
  const { vms: tenthVms, history: tenthHistory, ms: tenthStoreMs, load: tenthLoad, former } = await readTenth().finally(() => tenthStore.stop())
  const formerSame = tenthVms.every((v) => {
    const now = tenthHistory.vms[v.id]
    const then = former.buckets.get(v.id)
    return now !== undefined && then !== undefined && now.t.every((t, i) => then.get(t)?.cpu === now.cpuUsedCores[i] && then.get(t)?.mem === now.memUsedMiB[i])
  })
  const sqlite = openStore(':memory:')
  const raw = tenthVms.flatMap((vm) => {
    const h = tenthHistory.vms[vm.id]
    return h ? h.t.map((bt, i) => ({ vmId: vm.id, hostId: vm.hostId, t: bt, cpuPct: 0, cpuUsedCores: h.cpuUsedCores[i]!, cpuReadyPct: 0, memUsedMiB: h.memUsedMiB[i]!, diskReadBps: 0, diskWriteBps: 0, diskReadIops: 0, diskWriteIops: 0, netRxBps: 0, netTxBps: 0 })) : []
  })
  sqlite.samples.save([], raw)
  sqlite.samples.rollUp(NOW)
  t = performance.now()
  const fromSqlite = usageWindow(sqlite.samples, tenthVms.map((v) => v.id), NOW, WEEK_MS)
  const sqliteMs = performance.now() - t
  const sqliteLoad = load()
  sqlite.close()
  const same = tenthVms.every((v) => (fromSqlite.vms[v.id]?.t.length ?? 0) === (tenthHistory.vms[v.id]?.t.length ?? 0))
  const tenthBuckets = Object.values(tenthHistory.vms).reduce((sum, h) => sum + h.t.length, 0)

  const kinds = (o: typeof out) => Object.entries(o.recommendations.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.kind]: (acc[r.kind] ?? 0) + 1 }), {})).map(([k, n]) => `${n} ${k}`).join(', ')

  rows.push(
    { what: `discover ${snapshot.hosts.length} hosts, ${snapshot.vms.length} VMs (first poll)`, value: `${(discoverMs / 1000).toFixed(1)} s`, baseline: '', ratio: '', target: '', load1: discoverLoad },
    { what: `load 7 days for the engine (${buckets.toLocaleString('en')} buckets)`, value: `${(loadMs / 1000).toFixed(1)} s`, baseline: '', ratio: '', target: '', load1: loadLoad },
    { what: 'discover + load 7 days', value: `${((discoverMs + loadMs) / 1000).toFixed(1)} s`, baseline: '', ratio: '', target: '< 30 s', load1: loadLoad },
    { what: `7 days of the same ${tenthVms.length} VMs (${tenthBuckets.toLocaleString('en')} buckets): their store (cold) vs SQLite rollups${same ? '' : ' (bucket counts differ!)'}`, value: `${tenthStoreMs.toFixed(0)} ms`, baseline: `${sqliteMs.toFixed(0)} ms`, ratio: (tenthStoreMs / sqliteMs).toFixed(2), target: '', load1: `${tenthLoad} / ${sqliteLoad}` },
    { what: `load 7 days: ${snapshot.vms.length} VMs vs the tenth-sized fleet's ${tenthVms.length} (each from its own store)`, value: `${(loadMs / 1000).toFixed(1)} s`, baseline: `${(tenthStoreMs / 1000).toFixed(1)} s`, ratio: (loadMs / tenthStoreMs).toFixed(1), target: '', load1: `${loadLoad} / ${tenthLoad}` },
    { what: `7 days of those ${tenthVms.length} VMs: a request per figure vs the former one for both (or, label_replace, round() in the store)${formerSame ? ', the same figures' : ' (figures differ!)'}`, value: `${tenthStoreMs.toFixed(0)} ms`, baseline: `${former.ms.toFixed(0)} ms`, ratio: (tenthStoreMs / former.ms).toFixed(2), target: '', load1: `${tenthLoad} / ${former.load}` },
    { what: `engine on ${snapshot.vms.length} VMs (${kinds(out)})`, value: `${(engineMs / 1000).toFixed(1)} s`, baseline: `${(smallMs / 1000).toFixed(2)} s (${small.vms.length} VMs: ${kinds(smallOut)})`, ratio: (engineMs / smallMs).toFixed(1), target: '< 5 s', load1: `${engineLoad} / ${smallLoad}` },
    { what: 'process RSS after load / after engine', value: `${mib(rssLoaded)} / ${mib(rssEngine)}`, baseline: `${mib(rssBefore)} before`, ratio: (rssEngine / rssBefore).toFixed(1), target: '< 1 GiB', load1: engineLoad },
    { what: 'store traffic (discovery, 2 reads, history)', value: `${status.kind === 'prometheus' ? status.requests : 0} requests`, baseline: '', ratio: '', target: '', load1: '' },
    { what: '', value: `${status.kind === 'prometheus' ? mib(status.bytes ?? 0) : ''}`, baseline: '', ratio: '', target: '', load1: '' },
  )
  console.log(`\nA fleet's week from Prometheus: ${HOSTS} hosts x ${VMS} VMs, 7 days at 5 min (${week.samples.toLocaleString('en')} samples), Bitbrains VMs replayed with offsets; 2 shared cores`)
  console.table(rows)
  await services.stop()
} finally {
  await prometheus.stop()
}

/**
 * The engine's week as it was asked before (session 6): CPU and memory in one expression, tagged by
 * label_replace, joined by `or`, rounded by the store; instances batched to 300,000 points for both
 * figures, two requests at a time, read through the same client. The baseline of the row above.
 */
async function formerRequests(reader: FleetReader): Promise<{ ms: number; load: string; buckets: Map<string, Map<number, { cpu: number; mem: number }>> }> {
  const step = USAGE_STEP_MS
  const steps = WEEK_MS / step
  const w = Math.max(step, 2 * reader.scrapeIntervalMs + 1000) / 1000
  const batches: string[][] = [[]]
  let points = 0
  for (const [instance, vms] of reader.libvirtInstanceSizes()) {
    const cost = Math.max(1, vms) * steps * 2
    if (batches.at(-1)!.length > 0 && points + cost > 300_000) {
      batches.push([])
      points = 0
    }
    batches.at(-1)!.push(instance)
    points += cost
  }
  const started = performance.now()
  const answers: RangeSeries[][] = []
  let next = 0
  const worker = async () => {
    while (next < batches.length) {
      const s = `instance=~${oneOf(batches[next++]!)}`
      const expr = `label_replace(round(rate(libvirt_domain_info_cpu_time_seconds_total{${s}}[${w}s]), 0.0001), "vp_metric", "cpu", "", "") or label_replace(round((max_over_time(libvirt_domain_info_memory_usage_bytes{${s}}[${w}s])) / 1048576, 0.01), "vp_metric", "mem", "", "")`
      answers.push(await reader.client.queryRange(expr, NOW - WEEK_MS + step, NOW, step))
    }
  }
  await Promise.all([worker(), worker()])
  const ms = performance.now() - started
  const buckets = new Map<string, Map<number, { cpu: number; mem: number }>>()
  for (const r of answers.flat()) {
    const id = storeVmId(reader.hostKeyOfInstance(r.labels.instance ?? ''), r.labels.domain ?? '')
    const byT = buckets.get(id) ?? new Map<number, { cpu: number; mem: number }>()
    buckets.set(id, byT)
    for (const [t, v] of r.points) {
      const b = byT.get(t - step) ?? { cpu: Number.NaN, mem: Number.NaN }
      byT.set(t - step, r.labels.vp_metric === 'cpu' ? { ...b, cpu: v } : { ...b, mem: v })
    }
  }
  return { ms, load: load(), buckets }
}
