// The lab's metrics option: Debian's prometheus-node-exporter and prometheus-libvirt-exporter
// inside each host's network namespace (listening on the host's address, as on a real host),
// Debian's Prometheus in the hub namespace scraping them, and a loopback bridge so the test
// process (root namespace, no address on the lab network) reaches Prometheus' HTTP API.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, openSync } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { LabDescription } from './description'
import { waitFor } from './run'

export const METRICS_PACKAGES = { prometheus: '/usr/bin/prometheus', node: '/usr/bin/prometheus-node-exporter', libvirt: '/usr/bin/prometheus-libvirt-exporter', socat: '/usr/bin/socat' }
const NODE_PORT = 9100
const LIBVIRT_PORT = 9177
const PROMETHEUS_PORT = 9090

export interface LabMetrics {
  /** Prometheus' address from the test process: http://127.0.0.1:PORT. */
  url: string
  scrapeIntervalS: number
  /** Instances as Prometheus labels them: `<host ip>:9100`, `<host ip>:9177`. */
  instances: { host: string; node: string; libvirt: string }[]
  stop(): Promise<void>
}

/** Why the metrics option cannot run here, or undefined. */
export function metricsMissing(): string | undefined {
  const missing = Object.entries(METRICS_PACKAGES).filter(([, path]) => !existsSync(path))
  return missing.length > 0 ? `missing ${missing.map(([, p]) => p).join(', ')}: apt-get install prometheus prometheus-node-exporter prometheus-libvirt-exporter socat` : undefined
}

/** Runs argv in a lab namespace; with `utsOf`, also in that process's UTS namespace (the host's hostname). */
function inNamespace(namespace: string, argv: string[], log: string, utsOf?: number): ChildProcess {
  const fd = openSync(log, 'a')
  const uts = utsOf !== undefined ? [`--uts=/proc/${utsOf}/ns/uts`] : []
  return spawn('nsenter', [`--net=/run/netns/${namespace}`, ...uts, ...argv], { stdio: ['ignore', fd, fd] })
}

async function freeLoopbackPort(): Promise<number> {
  const { createServer } = await import('node:net')
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

/**
 * Starts the exporters on every lab host and Prometheus in the hub, and waits until Prometheus
 * has scraped every target at least `scrapes` times. `stop()` ends all of them and removes the folder.
 */
export async function startLabMetrics(lab: LabDescription, options: { scrapeIntervalS?: number; scrapes?: number } = {}): Promise<LabMetrics> {
  const scrapeIntervalS = options.scrapeIntervalS ?? 2
  const dir = join(lab.base, 'metrics')
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
  const children: ChildProcess[] = []
  const stop = async () => {
    for (const child of children.reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    }
    await rm(dir, { recursive: true, force: true })
  }
  try {
    const instances = lab.hosts.map((h) => ({ host: h.name, node: `${h.ip}:${NODE_PORT}`, libvirt: `${h.ip}:${LIBVIRT_PORT}` }))
    for (const host of lab.hosts) {
      // In the host's UTS namespace too, so node_uname_info's nodename is the host's name.
      children.push(inNamespace(host.namespace, [METRICS_PACKAGES.node, `--web.listen-address=${host.ip}:${NODE_PORT}`], join(dir, `${host.name}-node.log`), host.pids.sshd))
      // The exporter reads the host's own libvirtd, through its socket (what qemu:///system is on the host).
      children.push(inNamespace(host.namespace, [METRICS_PACKAGES.libvirt, `--web.listen-address=${host.ip}:${LIBVIRT_PORT}`, `--libvirt.uri=${host.libvirt.uri}`], join(dir, `${host.name}-libvirt.log`)))
    }
    const config = [
      'global:',
      `  scrape_interval: ${scrapeIntervalS}s`,
      `  scrape_timeout: ${scrapeIntervalS}s`,
      'scrape_configs:',
      '  - job_name: node',
      '    static_configs:',
      `      - targets: [${instances.map((i) => `'${i.node}'`).join(', ')}]`,
      '  - job_name: libvirt',
      '    static_configs:',
      `      - targets: [${instances.map((i) => `'${i.libvirt}'`).join(', ')}]`,
      '',
    ].join('\n')
    await writeFile(join(dir, 'prometheus.yml'), config)
    const hubIp = lab.network.hubIp
    children.push(
      inNamespace(
        lab.network.hubNamespace,
        [METRICS_PACKAGES.prometheus, `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=${hubIp}:${PROMETHEUS_PORT}`, '--log.level=warn'],
        join(dir, 'prometheus.log'),
      ),
    )
    const port = await freeLoopbackPort()
    const fd = openSync(join(dir, 'bridge.log'), 'a')
    children.push(
      spawn(METRICS_PACKAGES.socat, [`TCP-LISTEN:${port},bind=127.0.0.1,fork,reuseaddr`, `EXEC:nsenter --net=/run/netns/${lab.network.hubNamespace} socat STDIO TCP\\:${hubIp}\\:${PROMETHEUS_PORT}`], { stdio: ['ignore', fd, fd] }),
    )
    const url = `http://127.0.0.1:${port}`
    const scrapes = options.scrapes ?? 3
    await waitFor(
      `Prometheus in ${lab.network.hubNamespace} scraping every exporter ${scrapes} times (logs: ${dir})`,
      async () => {
        const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent('count_over_time(up[5m])')}`).catch(() => undefined)
        if (!response?.ok) return undefined
        const body = (await response.json()) as { data: { result: { metric: { instance: string }; value: [number, string] }[] } }
        const up = await fetch(`${url}/api/v1/query?query=up`).then((r) => r.json() as Promise<{ data: { result: { metric: { instance: string }; value: [number, string] }[] } }>)
        const allUp = up.data.result.length === 2 * lab.hosts.length && up.data.result.every((r) => r.value[1] === '1')
        const enough = body.data.result.length === 2 * lab.hosts.length && body.data.result.every((r) => Number(r.value[1]) >= scrapes)
        return allUp && enough ? true : undefined
      },
      90_000,
    )
    return { url, scrapeIntervalS, instances, stop }
  } catch (error) {
    const logs = await readFile(join(dir, 'prometheus.log'), 'utf8').catch(() => '')
    await stop()
    throw new Error(`${(error as Error).message}${logs ? `\nprometheus.log: ${logs.slice(-1500)}` : ''}`, { cause: error })
  }
}
