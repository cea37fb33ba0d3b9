import type { AppInfo, Handlers, Settings } from '../../shared/api'
import type { Snapshot } from '../../shared/model'
import { Collector } from '../collect/collector'
import { DemoCluster } from '../hosts/demo/demo-cluster'
import { Store, type StoreOptions } from '../store/store'
import { EventBus } from './events'

export interface ServicesOptions {
  transport: AppInfo['transport']
  dataFile: string
  version: string
  clock?: () => number
  pollIntervalMs?: number
  store?: StoreOptions
  log?: (message: string) => void
}

const DEFAULT_POLL_MS = 2000
const RAW_RETENTION_MS = 48 * 3600_000
const DEMO_BACKFILL_MS = 15 * 60_000

export interface Services {
  handlers: Handlers
  events: EventBus
  store: Store
  /** Starts what the settings ask for (the demo cluster while no host is configured). */
  start(): Promise<void>
  stop(): Promise<void>
  /** The current snapshot, for the CLI's one-shot commands. */
  snapshot(): Snapshot
}

/** The composition root: one store, one event bus, the collectors, and the api handlers over them. */
export function createServices(options: ServicesOptions): Services {
  const clock = options.clock ?? Date.now
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_MS
  const log = options.log ?? ((message: string) => console.error(message))
  const store = new Store(options.dataFile, options.store)
  const events = new EventBus()
  let demo: Collector | undefined

  function snapshot(): Snapshot {
    return demo?.snapshot ?? { t: clock(), hosts: [], vms: [], hostSamples: [], vmSamples: [] }
  }

  async function startDemo(): Promise<void> {
    if (demo) return
    const collector = new Collector({
      adapter: new DemoCluster(),
      store,
      clock,
      intervalMs: pollIntervalMs,
      retentionMs: RAW_RETENTION_MS,
      backfillMs: DEMO_BACKFILL_MS,
      onSnapshot: (s) => events.emit('cluster.snapshot', s),
      onError: (error) => log(`demo cluster poll failed: ${error.message}`),
    })
    demo = collector
    await collector.start()
  }

  async function stopDemo(): Promise<void> {
    const collector = demo
    demo = undefined
    await collector?.stop()
    events.emit('cluster.snapshot', snapshot())
  }

  async function applySettings(settings: Settings): Promise<void> {
    if (settings.demoEnabled) await startDemo()
    else await stopDemo()
  }

  const handlers: Handlers = {
    'app.info': async () => ({
      version: options.version,
      transport: options.transport,
      dataFile: store.file,
      demoRunning: demo !== undefined,
      pollIntervalMs,
    }),
    'cluster.snapshot': async () => snapshot(),
    'cluster.history': async (req) => {
      const hosts = snapshot().hosts
      return store.clusterHistory({
        ...req,
        hostIds: hosts.map((h) => h.id),
        cpuCapacityCores: hosts.reduce((sum, h) => sum + h.cpu.threads, 0),
        memCapacityMiB: hosts.reduce((sum, h) => sum + h.memoryMiB, 0),
      })
    },
    'settings.get': async () => store.getSettings(),
    'settings.update': async (patch) => {
      const settings = store.updateSettings(patch)
      await applySettings(settings)
      events.emit('settings.changed', settings)
      return settings
    },
  }

  return {
    handlers,
    events,
    store,
    snapshot,
    start: () => applySettings(store.getSettings()),
    async stop() {
      await demo?.stop()
      demo = undefined
      store.close()
    },
  }
}
