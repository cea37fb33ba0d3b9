// A week of a large fleet in a Prometheus TSDB, made with `promtool tsdb create-blocks-from
// openmetrics` from the Bitbrains trace (test/fixtures/traces/bitbrains, 5-minute rows; see its
// README for origin and licence): every VM replays one of the 8 traced VMs from its own offset.
// The libvirt exporter's figures (kumina names: CPU time, memory, vCPUs) cover the whole week at
// 5 minutes; node_exporter's cover the last hour (discovery and the live reading need no more).
// Made once into .bench-data/ (ignored) and reused while the parameters are the same.
import { spawnSync } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadBitbrainsVm } from '../../unit/engine/support/bitbrains'
import { PROMTOOL } from '../../unit/support/prometheus'

export const STEP_S = 300
/** 2026-01-08T00:00:00Z: the week ends here; the bench's clock stands at this moment. */
export const END_S = 1_767_830_400
export const DAYS = 7
const TRACES = ['124', '27', '421', '407', '186', '232', '20', '287']
const THREADS = 64

export interface Week {
  dir: string
  hosts: number
  vms: number
  samples: number
  /** Seconds spent making it (0 when reused). */
  madeInS: number
}

export const hostAddress = (h: number) => `10.${Math.floor(h / 250)}.${h % 250}.1`

/** The TSDB folder for this fleet, made if missing (under VIRTPILOT_BENCH_DATA when set: another checkout's may be reused). */
export function prometheusWeek(hosts: number, vms: number): Week {
  const root = process.env.VIRTPILOT_BENCH_DATA ?? fileURLToPath(new URL('../../../.bench-data/', import.meta.url))
  const dir = join(root, `prometheus-week-${hosts}x${vms}`)
  const marker = join(dir, 'made.json')
  if (existsSync(marker)) return { ...(JSON.parse(readFileSync(marker, 'utf8')) as Omit<Week, 'madeInS'>), dir, madeInS: 0 }
  const started = performance.now()
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(join(dir, 'data'), { recursive: true })
  const traces = TRACES.map((id) => loadBitbrainsVm(id))
  const start = END_S - DAYS * 86_400
  const steps = (DAYS * 86_400) / STEP_S + 1
  const perHost = Math.ceil(vms / hosts)
  // Each VM: one of the traces, from its own offset (rows about a day apart).
  const plan = Array.from({ length: vms }, (_, n) => {
    const trace = traces[n % traces.length]!
    const room = trace.series.t.length - steps - 1
    return { n, host: Math.floor(n / perHost), trace, offset: (Math.floor(n / traces.length) * 293) % room }
  })
  let samples = 0
  const label = (n: number) => `domain="vm${n}",instance="${hostAddress(Math.floor(n / perHost))}:9177",job="libvirt"`
  // One input, written a series at a time (families not interleaved, as OpenMetrics wants), and
  // blocks of up to 162 h (promtool's hidden --max-block-duration): two passes over it, not one per 2 h.
  const input = join(dir, 'week.om')
  const fd = openSync(input, 'w')
  let buffer: string[] = []
  const write = (line: string) => {
    buffer.push(line)
    samples++
    if (buffer.length >= 50_000) flush()
  }
  const flush = () => {
    writeSync(fd, `${buffer.join('\n')}\n`)
    buffer = []
  }
  const times: number[] = []
  for (let t = start; t <= END_S; t += STEP_S) times.push(t)
  const lastHour = times.filter((t) => t >= END_S - 3600)
  writeSync(fd, '# TYPE libvirt_domain_info_cpu_time_seconds_total unknown\n')
  for (const vm of plan) {
    let total = 0
    times.forEach((t, i) => {
      total += vm.trace.series.cpuUsedCores[vm.offset + i]! * STEP_S
      write(`libvirt_domain_info_cpu_time_seconds_total{${label(vm.n)}} ${total.toFixed(2)} ${t}`)
    })
  }
  flush()
  writeSync(fd, '# TYPE libvirt_domain_info_memory_usage_bytes unknown\n')
  for (const vm of plan) times.forEach((t, i) => write(`libvirt_domain_info_memory_usage_bytes{${label(vm.n)}} ${Math.round(vm.trace.series.memUsedMiB[vm.offset + i]! * 1048576)} ${t}`))
  flush()
  writeSync(fd, '# TYPE libvirt_domain_info_virtual_cpus unknown\n')
  for (const vm of plan) for (const t of lastHour) write(`libvirt_domain_info_virtual_cpus{${label(vm.n)}} ${vm.trace.cores} ${t}`)
  flush()
  writeSync(fd, '# TYPE libvirt_domain_info_maximum_memory_bytes unknown\n')
  for (const vm of plan) for (const t of lastHour) write(`libvirt_domain_info_maximum_memory_bytes{${label(vm.n)}} ${Math.round(vm.trace.memProvMiB * 1048576)} ${t}`)
  flush()
  for (const [name, lines] of nodeFamilies(hosts, plan, lastHour)) {
    writeSync(fd, `# TYPE ${name} unknown\n`)
    for (const line of lines) write(line)
    flush()
  }
  writeSync(fd, '# EOF\n')
  closeSync(fd)
  const result = spawnSync(PROMTOOL, ['tsdb', 'create-blocks-from', 'openmetrics', '-q', '--max-block-duration=240h', input, join(dir, 'data')], { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`promtool backfill failed: ${result.stderr}${result.stdout}`)
  rmSync(input)
  const made = { hosts, vms, samples }
  writeFileSync(marker, JSON.stringify(made))
  return { ...made, dir, madeInS: (performance.now() - started) / 1000 }
}

/** node_exporter's families over [from, to] (5-minute scrapes): CPU counters that carry the VMs' load, memory, uname, up. */
function nodeFamilies(hosts: number, plan: { n: number; host: number; trace: { cores: number; memProvMiB: number } }[], times: readonly number[]): [string, string[]][] {
  const cpu: string[] = []
  const memTotal: string[] = []
  const memAvailable: string[] = []
  const uname: string[] = []
  const up: string[] = []
  const memOf = new Float64Array(hosts)
  for (const vm of plan) memOf[vm.host] = memOf[vm.host]! + vm.trace.memProvMiB * 1048576
  // Each series' samples together, oldest first (as OpenMetrics wants them).
  for (let h = 0; h < hosts; h++) {
    const node = `instance="${hostAddress(h)}:9100",job="node"`
    const total = Math.round(memOf[h]! * 1.25)
    for (let c = 0; c < THREADS; c++) {
      // A host half busy: per CPU 0.4 user, 0.1 system, 0.5 idle since it booted 8 days before the week ended.
      for (const [mode, share] of [['idle', 0.5], ['user', 0.4], ['system', 0.1]] as const) {
        for (const t of times) cpu.push(`node_cpu_seconds_total{cpu="${c}",${node},mode="${mode}"} ${(share * (t - (END_S - 86_400 * 8))).toFixed(2)} ${t}`)
      }
    }
    for (const t of times) memTotal.push(`node_memory_MemTotal_bytes{${node}} ${total} ${t}`)
    for (const t of times) memAvailable.push(`node_memory_MemAvailable_bytes{${node}} ${Math.round(total * 0.3)} ${t}`)
    for (const t of times) uname.push(`node_uname_info{${node},nodename="kvm${h}",release="6.1.0-13-amd64",sysname="Linux"} 1 ${t}`)
    for (const job of ['node', 'libvirt']) for (const t of times) up.push(`up{instance="${hostAddress(h)}:${job === 'node' ? 9100 : 9177}",job="${job}"} 1 ${t}`)
  }
  return [
    ['node_cpu_seconds_total', cpu],
    ['node_memory_MemTotal_bytes', memTotal],
    ['node_memory_MemAvailable_bytes', memAvailable],
    ['node_uname_info', uname],
    ['up', up],
  ]
}
