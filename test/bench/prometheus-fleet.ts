// Metrics-store benchmark: a real Prometheus (Debian's 2.42) scraping a fleet of exporters, read
// the way VirtPilot reads a store. The exporters are one loopback HTTP server that serves, per host,
// the node_exporter families VirtPilot reads (from the captured real output) and a libvirt exporter
// page in the Debian exporter's format, counters advancing with time. Prints a table; asserts nothing.
// Run: npx tsx test/bench/prometheus-fleet.ts   (part of `npm run bench`; FLEET=200x5000 for the issue's scale)
import { createServer } from 'node:http'
import { readFileSync } from 'node:fs'
import { PrometheusClient } from '../../src-main/hosts/prometheus/client'
import { FleetReader } from '../../src-main/hosts/prometheus/fleet'
import { storeBaseUrl } from '../../src-main/hosts/prometheus/source'
import { freePort, parseExposition, startPrometheus, storeMissing } from '../unit/support/prometheus'

const missing = storeMissing()
if (missing) {
  console.log(`prometheus-fleet bench skipped: ${missing}`)
  process.exit(0)
}
const [HOSTS, VMS] = (process.env.FLEET ?? '50x1000').split('x').map(Number) as [number, number]
const SCRAPE_S = 5
const READS = 5
const READ_FAMILIES = /^node_(cpu_seconds_total|memory_(MemTotal|MemAvailable)_bytes|disk_(read|written)_bytes_total|network_(receive|transmit)_bytes_total|load1|uname_info|pressure_\w+_waiting_seconds_total|vmstat_psw(in|out))$/
const node = parseExposition(readFileSync(new URL('../fixtures/outputs/prometheus/node-exporter-1.5.0_debian12.txt', import.meta.url), 'utf8')).filter((s) => READ_FAMILIES.test(s.name))
const started = Date.now()

const addressOf = (h: number) => `10.${Math.floor(h / 250)}.${h % 250}.1`
const line = (name: string, labels: Record<string, string>, value: number) =>
  `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}} ${value}`

function nodePage(h: number): string {
  const elapsed = (Date.now() - started) / 1000
  return node
    .map((s) => {
      const grows = s.name.endsWith('_total') ? (s.name === 'node_cpu_seconds_total' ? ({ user: 0.3, system: 0.1, idle: 0.6 }[s.labels.mode ?? ''] ?? 0) : 1000) : 0
      return line(s.name, s.name === 'node_uname_info' ? { ...s.labels, nodename: `kvm${h}` } : s.labels, s.value + grows * elapsed)
    })
    .join('\n')
}

function libvirtPage(h: number): string {
  const perHost = Math.ceil(VMS / HOSTS)
  const elapsed = (Date.now() - started) / 1000
  const out: string[] = []
  for (let i = 0; i < perHost && h * perHost + i < VMS; i++) {
    const n = h * perHost + i
    const labels = { domain: `vm${n}`, uuid: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}` }
    out.push(line('libvirt_domain_info_cpu_time_seconds_total', labels, 100 + ((n % 10) / 10) * elapsed))
    out.push(line('libvirt_domain_info_virtual_cpus', labels, 2))
    out.push(line('libvirt_domain_info_maximum_memory_bytes', labels, 4 * 2 ** 30))
    out.push(line('libvirt_domain_info_memory_usage_bytes', labels, 4 * 2 ** 30))
    out.push(line('libvirt_domain_state_code', labels, 1))
    const disk = { ...labels, source_file: `/var/lib/libvirt/images/vm${n}.qcow2`, target_device: 'vda' }
    for (const m of ['read_bytes', 'write_bytes', 'read_requests', 'write_requests']) out.push(line(`libvirt_domain_block_stats_${m}_total`, disk, 1000 * elapsed))
    const nic = { ...labels, source_bridge: 'br0', target_device: `vnet${i}` }
    for (const m of ['receive_bytes', 'transmit_bytes']) out.push(line(`libvirt_domain_interface_stats_${m}_total`, nic, 500 * elapsed))
  }
  out.push(line('libvirt_domains_number', {}, perHost), line('libvirt_up', {}, 1))
  return out.join('\n')
}

const port = await freePort()
const server = createServer((req, res) => {
  const [, kind, address] = (req.url ?? '').split('/')
  const h = Number((address ?? '').split('.')[1]) * 250 + Number((address ?? '').split('.')[2])
  res.setHeader('content-type', 'text/plain; version=0.0.4')
  res.end(`${kind === 'node' ? nodePage(h) : libvirtPage(h)}\n`)
})
await new Promise<void>((r) => server.listen(port, '127.0.0.1', r))

const job = (name: string, exporterPort: number) => [
  `  - job_name: ${name}`,
  '    static_configs:',
  `      - targets: [${Array.from({ length: HOSTS }, (_, h) => `'${addressOf(h)}:${exporterPort}'`).join(', ')}]`,
  '    relabel_configs:',
  '      - source_labels: [__address__]',
  '        target_label: instance',
  '      - source_labels: [__address__]',
  `        regex: '(.*):${exporterPort}'`,
  '        target_label: __metrics_path__',
  `        replacement: '/${name}/$1'`,
  '      - target_label: __address__',
  `        replacement: '127.0.0.1:${port}'`,
]
const config = ['global:', `  scrape_interval: ${SCRAPE_S}s`, `  scrape_timeout: ${SCRAPE_S}s`, 'scrape_configs:', ...job('node', 9100), ...job('libvirt', 9177), ''].join('\n')
const prometheus = await startPrometheus({ config })
try {
  const client = new PrometheusClient(storeBaseUrl(`prometheus+${prometheus.url}`), { headers: {} })
  // Four scrapes of every target, so every rate has its samples.
  for (;;) {
    const [scrapes] = await client.query('min(count_over_time(up[2m]))')
    if (scrapes && scrapes.value >= 4) break
    await new Promise((r) => setTimeout(r, 1000))
  }
  const reader = new FleetReader(client, { pollIntervalMs: 10_000 })
  const t0 = performance.now()
  const discovery = await reader.discover(Date.now())
  const discoverMs = performance.now() - t0
  const before = { ...client.traffic }
  const times: number[] = []
  let hosts = 0
  let vms = 0
  for (let i = 0; i < READS; i++) {
    const t = performance.now()
    const reading = await reader.read(Date.now())
    times.push(performance.now() - t)
    hosts = reading.hosts.size
    vms = reading.vms.size
  }
  const requests = (client.traffic.requests - before.requests) / READS
  const bytes = (client.traffic.bytes - before.bytes) / READS
  times.sort((a, b) => a - b)
  console.log(`\nMetrics store: ${HOSTS} hosts x ${VMS} VMs, Prometheus 2.42 scraping every ${SCRAPE_S} s (this machine, shared cores)`)
  console.table([
    { what: 'discovery (hosts, VMs, exporter, scrape interval)', value: `${discoverMs.toFixed(0)} ms`, detail: `${discovery.hosts.length} hosts, ${discovery.vms.length} VMs, flavour ${discovery.flavour}` },
    { what: 'one read of every rate (median of 5)', value: `${times[Math.floor(READS / 2)]!.toFixed(0)} ms`, detail: `${hosts} hosts and ${vms} VMs with samples` },
    { what: 'requests per read', value: `${requests}`, detail: 'target: independent of hosts and VMs' },
    { what: 'bytes per read', value: `${(bytes / 1024).toFixed(0)} KiB`, detail: `${(bytes / Math.max(1, hosts + vms)).toFixed(0)} B per host or VM` },
    { what: 'SSH polling, same fleet (baseline)', value: `${HOSTS} execs per poll`, detail: 'one stats script per host per poll (see the collection bench)' },
  ])
} finally {
  await prometheus.stop()
  server.close()
}
