import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { dispatch } from '../../shared/api'
import { startServer } from '../../src-main/server/server'
import { createServices } from '../../src-main/services/services'
import { startPrometheus } from '../unit/support/prometheus'
import { END_S, prometheusWeek } from './support/prometheus-week'

/**
 * The Overview bench's server for a large fleet (run with tsx by overview-fleet.perf.ts): a real
 * Prometheus on the week support/prometheus-week.ts backfilled (WEEK_FLEET, default 200x5000), and
 * the same createServices + startServer as `virtpilot serve` with Settings → Metrics source pointed
 * at it, the clock at the week's end. Prints `VirtPilot is serving at URL` once the first poll is in.
 */

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const [hosts, vms] = (process.env.WEEK_FLEET ?? '200x5000').split('x').map(Number) as [number, number]
const week = prometheusWeek(hosts, vms)
const prometheus = await startPrometheus({ dataDir: join(week.dir, 'data'), args: ['--storage.tsdb.min-block-duration=2h', '--storage.tsdb.max-block-duration=2h'] })
const services = createServices({ transport: 'serve', dataFile: ':memory:', version: 'bench', clock: () => END_S * 1000, demo: 'off', scheduleAnalysis: false, hostPollIntervalMs: 60_000, log: () => undefined })
await services.start()
const updated = await dispatch(services.handlers, 'settings.update', { metricsSource: { kind: 'prometheus', url: `prometheus+${prometheus.url}` } }, { transport: 'test' })
if (!updated.ok) throw new Error(updated.error.message)
const server = await startServer({ services, rendererDir: join(repoRoot, 'out/renderer'), host: '127.0.0.1', port: 0 })
console.log(`BENCH ${JSON.stringify({ hosts: services.cluster.snapshot().hosts.length, vms: services.cluster.snapshot().vms.length })}`)
console.log(`VirtPilot is serving at ${server.url}`)
const stop = async () => {
  await server.close()
  await services.stop()
  await prometheus.stop()
  process.exit(0)
}
process.once('SIGTERM', () => void stop())
process.once('SIGINT', () => void stop())
