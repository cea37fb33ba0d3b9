// Real Prometheus (and VictoriaMetrics) for tests: Debian's binaries on loopback, with a
// temporary config and data folder, optionally backfilled with `promtool tsdb create-blocks-from`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const PROMETHEUS = '/usr/bin/prometheus'
export const PROMTOOL = '/usr/bin/promtool'
export const VICTORIA_METRICS = '/usr/bin/victoria-metrics'

/** Why the real store cannot run here (Debian packages missing), or undefined when it can. */
export function storeMissing(binaries: readonly string[] = [PROMETHEUS, PROMTOOL]): string | undefined {
  const missing = binaries.filter((b) => !existsSync(b))
  return missing.length > 0 ? `missing ${missing.join(', ')}: apt-get install prometheus victoria-metrics` : undefined
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

export interface Series {
  name: string
  labels: Record<string, string>
  /** [epoch seconds, value], oldest first. */
  points: [number, number][]
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
const labelText = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(',')

/** OpenMetrics text (every family `unknown`, grouped by family) for promtool's backfill. */
export function openMetrics(series: readonly Series[]): string {
  const byName = new Map<string, Series[]>()
  for (const s of series) byName.set(s.name, [...(byName.get(s.name) ?? []), s])
  const lines: string[] = []
  for (const [name, list] of byName) {
    lines.push(`# TYPE ${name} unknown`)
    for (const s of list) for (const [t, v] of s.points) lines.push(`${name}{${labelText(s.labels)}} ${v} ${t}`)
  }
  lines.push('# EOF', '')
  return lines.join('\n')
}

/** The Prometheus text format with timestamps in ms, as VictoriaMetrics' /api/v1/import/prometheus takes it. */
export function exposition(series: readonly Series[]): string {
  const lines: string[] = []
  for (const s of series) for (const [t, v] of s.points) lines.push(`${s.name}{${labelText(s.labels)}} ${v} ${Math.round(t * 1000)}`)
  return `${lines.join('\n')}\n`
}

/** One sample line of a real exporter's /metrics output. */
export interface ExportedSample {
  name: string
  labels: Record<string, string>
  value: number
}

/** Reads an exporter's text output (captured fixture) into samples; comments are skipped. */
export function parseExposition(text: string): ExportedSample[] {
  const out: ExportedSample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const brace = line.indexOf('{')
    const space = line.lastIndexOf(' ')
    const name = brace >= 0 && brace < space ? line.slice(0, brace) : line.slice(0, line.indexOf(' '))
    const labels: Record<string, string> = {}
    if (brace >= 0 && brace < space) {
      const body = line.slice(brace + 1, line.lastIndexOf('}'))
      // name="value" pairs, values with \\ \" \n escapes (a small scanner: exporter text is hostile input too).
      let i = 0
      while (i < body.length) {
        const eq = body.indexOf('="', i)
        if (eq < 0) break
        const key = body.slice(i, eq).replace(/^,/, '')
        let value = ''
        let j = eq + 2
        for (; j < body.length && body[j] !== '"'; j++) {
          if (body[j] === '\\') {
            j++
            value += body[j] === 'n' ? '\n' : (body[j] ?? '')
          } else value += body[j]
        }
        labels[key] = value
        i = j + 1
      }
    }
    out.push({ name, labels, value: Number(line.slice(space + 1)) })
  }
  return out
}

export interface RunningStore {
  url: string
  dir: string
  process: ChildProcess
  stop(): Promise<void>
}

async function waitReady(url: string, child: ChildProcess, log: string, timeoutMs = 60_000): Promise<void> {
  const started = Date.now()
  let exited: string | undefined
  child.once('exit', (code, signal) => (exited = `exited with ${code ?? signal}`))
  for (;;) {
    if (exited) throw new Error(`the store ${exited}: ${(await readFile(log, 'utf8').catch(() => '')).slice(-2000)}`)
    const ok = await fetch(url).then((r) => r.ok, () => false)
    if (ok) return
    if (Date.now() - started > timeoutMs) throw new Error(`the store did not get ready in ${timeoutMs / 1000} s: ${(await readFile(log, 'utf8').catch(() => '')).slice(-2000)}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

async function stopChild(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGTERM')
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))])
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  await rm(dir, { recursive: true, force: true })
}

export interface PrometheusOptions {
  /** Backfilled before start (promtool tsdb create-blocks-from openmetrics). */
  series?: readonly Series[]
  /** prometheus.yml; default: no scrape jobs. */
  config?: string
  /** --web.config.file contents (basic auth, TLS). */
  webConfig?: string
  /** Extra files written into the temporary folder first (certificates). */
  files?: Record<string, string>
  scheme?: 'http' | 'https'
  /** An existing TSDB folder to serve (kept at stop), instead of a fresh one. */
  dataDir?: string
  /** More command-line flags. */
  args?: readonly string[]
}

/** Starts Debian's Prometheus on a free loopback port; `stop()` ends it and deletes its folder. */
export async function startPrometheus(options: PrometheusOptions = {}): Promise<RunningStore> {
  const dir = await mkdtemp(join(tmpdir(), 'virtpilot-prom-'))
  const data = options.dataDir ?? join(dir, 'data')
  for (const [name, text] of Object.entries(options.files ?? {})) await writeFile(join(dir, name), text)
  if (options.series) {
    const input = join(dir, 'backfill.om')
    await writeFile(input, openMetrics(options.series))
    const result = spawnSync(PROMTOOL, ['tsdb', 'create-blocks-from', 'openmetrics', input, data], { encoding: 'utf8' })
    if (result.status !== 0) throw new Error(`promtool backfill failed: ${result.stderr}${result.stdout}`)
  }
  await writeFile(join(dir, 'prometheus.yml'), options.config ?? 'global:\n  scrape_interval: 15s\nscrape_configs: []\n')
  const port = await freePort()
  const args = [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${data}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--storage.tsdb.retention.time=100y',
    // info: the log's "Server is ready" line tells when a TLS/auth-protected server can answer.
    '--log.level=info',
    ...(options.args ?? []),
  ]
  if (options.webConfig !== undefined) {
    await writeFile(join(dir, 'web.yml'), options.webConfig)
    args.push(`--web.config.file=${join(dir, 'web.yml')}`)
  }
  const log = join(dir, 'prometheus.log')
  const { openSync } = await import('node:fs')
  const fd = openSync(log, 'a')
  const child = spawn(PROMETHEUS, args, { cwd: dir, stdio: ['ignore', fd, fd] })
  const scheme = options.scheme ?? 'http'
  const url = `${scheme}://127.0.0.1:${port}`
  try {
    // Readiness is checked on plain HTTP via the listener's own answer (TLS/auth tests check the rest).
    if (scheme === 'http' && options.webConfig === undefined) await waitReady(`${url}/-/ready`, child, log)
    else await waitListening(port, child, log)
  } catch (error) {
    await stopChild(child, dir)
    throw error
  }
  return { url, dir, process: child, stop: () => stopChild(child, dir) }
}

async function waitListening(port: number, child: ChildProcess, log: string): Promise<void> {
  const { connect } = await import('node:net')
  const started = Date.now()
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited: ${(await readFile(log, 'utf8').catch(() => '')).slice(-2000)}`)
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (open) {
      // Prometheus listens before its TSDB is open; give queries a moment by polling the log.
      for (let i = 0; i < 100 && !(await readFile(log, 'utf8').catch(() => '')).includes('Server is ready') ; i++) await new Promise((r) => setTimeout(r, 100))
      return
    }
    if (Date.now() - started > 60_000) throw new Error('prometheus did not listen within 60 s')
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Starts Debian's VictoriaMetrics (single node) on loopback and imports the series. */
export async function startVictoriaMetrics(series: readonly Series[]): Promise<RunningStore> {
  const dir = await mkdtemp(join(tmpdir(), 'virtpilot-vm-'))
  const port = await freePort()
  const log = join(dir, 'vm.log')
  const { openSync } = await import('node:fs')
  const fd = openSync(log, 'a')
  const child = spawn(VICTORIA_METRICS, [`-storageDataPath=${join(dir, 'data')}`, `-httpListenAddr=127.0.0.1:${port}`, '-retentionPeriod=100y', '-search.disableCache', '-loggerLevel=ERROR'], {
    cwd: dir,
    stdio: ['ignore', fd, fd],
  })
  const url = `http://127.0.0.1:${port}`
  try {
    await waitReady(`${url}/health`, child, log)
    const response = await fetch(`${url}/api/v1/import/prometheus`, { method: 'POST', body: exposition(series) })
    if (!response.ok) throw new Error(`VictoriaMetrics import failed: ${response.status} ${await response.text()}`)
    // Imported rows become searchable after the in-memory buffers are flushed.
    await fetch(`${url}/internal/force_flush`)
  } catch (error) {
    await stopChild(child, dir)
    throw error
  }
  return { url, dir, process: child, stop: () => stopChild(child, dir) }
}
