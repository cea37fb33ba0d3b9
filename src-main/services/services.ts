import { dirname } from 'node:path'
import type { AppInfo, Handlers, RecommendationList, Settings } from '../../shared/api'
import type { ApplyStore } from '../store/apply-store'
import type { Snapshot } from '../../shared/model'
import { Collector } from '../collect/collector'
import { DemoCluster } from '../hosts/demo/demo-cluster'
import { adapterForHost } from '../hosts/detect'
import type { CredentialPrompter } from '../ssh/credentials'
import { Store, type StoreOptions } from '../store/store'
import { userInfo } from 'node:os'
import { createApplyService } from './apply-service'
import { CredentialBroker, type SecretVault } from './credentials'
import { engineSchedule, type EngineRunner } from './engine-schedule'
import { demoFacts } from '../hosts/demo/facts'
import { EventBus } from './events'
import { HostManager, type HostManagerOptions } from './host-manager'
import { whatifHandlers } from './whatif-handlers'
import { dashboardHandlers } from './dashboard-handlers'

export interface ServicesOptions {
  transport: AppInfo['transport']
  dataFile: string
  version: string
  clock?: () => number
  /** Poll interval of the demo cluster (its trace plays one row per 2 s). */
  pollIntervalMs?: number
  /** Poll interval of real hosts. */
  hostPollIntervalMs?: number
  store?: StoreOptions
  /** Overrides how passphrases and passwords are asked (the CLI asks on its terminal). */
  prompter?: CredentialPrompter
  /** The OS keychain (desktop app only); without it no secret is ever stored. */
  vault?: SecretVault
  unknownHostKeys?: HostManagerOptions['unknownHostKeys']
  /** The admin's ~/.ssh, overridable for tests. */
  sshDir?: string
  log?: (message: string) => void
  /** Where the engine runs (a worker thread by default). */
  engine?: EngineRunner
  /** Run the engine at start-up and on the schedule in the settings; by default the desktop app and serve do, the CLI does not. */
  scheduleAnalysis?: boolean
}

const DEFAULT_DEMO_POLL_MS = 2000
const DEFAULT_HOST_POLL_MS = 10_000
const RAW_RETENTION_MS = 48 * 3600_000
const ROLLUP_RETENTION_MS = 90 * 24 * 3600_000
const HOUSEKEEPING_MS = 60_000
/** The demo's recorded history: its two days of trace, stored as a real host's samples would be. */
const DEMO_BACKFILL_MS = 48 * 3600_000

export interface Services {
  handlers: Handlers
  events: EventBus
  store: Store
  hosts: HostManager
  /** Recommendations, plans and audit (the inbox the api serves). */
  applyStore: ApplyStore
  /** Runs the engine now on the current snapshot and stored history. */
  refreshRecommendations(strategy?: 'static' | 'dynamic' | 'hybrid'): Promise<RecommendationList>
  /** Starts what the settings ask for (the demo cluster while no host is configured) and the added hosts. */
  start(): Promise<void>
  stop(): Promise<void>
  /** The current snapshot of every source, merged. */
  snapshot(): Snapshot
  /** Rolls raw samples up and applies retention; runs every minute by itself. */
  housekeeping(): void
}

/** The composition root: one store, one event bus, the collectors, and the api handlers over them. */
export function createServices(options: ServicesOptions): Services {
  const clock = options.clock ?? Date.now
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_DEMO_POLL_MS
  const log = options.log ?? ((message: string) => console.error(message))
  const store = new Store(options.dataFile, options.store)
  const events = new EventBus()
  let demo: Collector | undefined
  let housekeepingTimer: ReturnType<typeof setInterval> | undefined

  const credentials = new CredentialBroker(store, events, options.vault)
  const hosts = new HostManager({
    store,
    clock,
    dataDir: options.dataFile === ':memory:' ? process.cwd() : dirname(options.dataFile),
    // VIRTPILOT_SSH_DIR stands in for ~/.ssh (config, known_hosts, keys): tests and multi-lab setups.
    ...((options.sshDir ?? process.env.VIRTPILOT_SSH_DIR) ? { sshDir: options.sshDir ?? process.env.VIRTPILOT_SSH_DIR } : {}),
    prompter: options.prompter ?? credentials,
    pollIntervalMs: options.hostPollIntervalMs ?? DEFAULT_HOST_POLL_MS,
    unknownHostKeys: options.unknownHostKeys ?? 'ask',
    adapterFor: adapterForHost,
    onChange: (list) => events.emit('hosts.changed', list),
    onSnapshot: () => events.emit('cluster.snapshot', snapshot()),
    log,
  })

  function snapshot(): Snapshot {
    const parts = [...(demo?.snapshot ? [demo.snapshot] : []), ...hosts.snapshots()]
    return {
      t: parts.reduce((t, p) => Math.max(t, p.t), 0) || clock(),
      hosts: parts.flatMap((p) => p.hosts),
      vms: parts.flatMap((p) => p.vms),
      hostSamples: parts.flatMap((p) => p.hostSamples),
      vmSamples: parts.flatMap((p) => p.vmSamples),
    }
  }

  async function startDemo(): Promise<void> {
    if (demo) return
    const collector = new Collector({
      // The demo starts now: the two recorded days end here and the live replay begins.
      adapter: new DemoCluster(clock()),
      store,
      clock,
      intervalMs: pollIntervalMs,
      backfillMs: DEMO_BACKFILL_MS,
      onSnapshot: () => events.emit('cluster.snapshot', snapshot()),
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

  async function updateSettings(patch: Partial<Settings>): Promise<Settings> {
    const settings = store.updateSettings(patch)
    await applySettings(settings)
    if (patch.analysisIntervalMinutes !== undefined) schedule.reschedule()
    events.emit('settings.changed', settings)
    return settings
  }

  function housekeeping(): void {
    const now = clock()
    store.rollUp(now)
    store.pruneSamples(now - RAW_RETENTION_MS)
    store.pruneRollups(now - ROLLUP_RETENTION_MS)
  }

  const apply = createApplyService({
    store,
    hosts,
    events,
    clock,
    snapshot,
    actor: `${userInfo().username} (${options.transport})`,
    log,
    ...(options.engine ? { engine: options.engine } : {}),
  })
  const schedule = engineSchedule({
    analyse: () => apply.refresh(),
    intervalMinutes: () => store.getSettings().analysisIntervalMinutes,
    hasHosts: () => snapshot().hosts.length > 0,
    log,
  })
  const stopScheduleTrigger = events.on('cluster.snapshot', () => schedule.onSnapshot())

  const handlers: Handlers = {
    ...apply.handlers,
    ...whatifHandlers({ store, snapshot, clock, housekeeping }),
    // The demo's (made-up, documented) facts are the ones its recommendations use: Host detail shows the same.
    ...dashboardHandlers({ store, snapshot, clock, facts: () => [...(demo ? [demoFacts()] : []), ...hosts.facts()] }),
    'app.info': async () => ({
      version: options.version,
      transport: options.transport,
      dataFile: store.file,
      demoRunning: demo !== undefined,
      pollIntervalMs,
    }),
    'cluster.snapshot': async () => snapshot(),
    'cluster.history': async (req) => {
      const current = snapshot().hosts
      return store.clusterHistory({
        ...req,
        hostIds: current.map((h) => h.id),
        cpuCapacityCores: current.reduce((sum, h) => sum + h.cpu.threads, 0),
        memCapacityMiB: current.reduce((sum, h) => sum + h.memoryMiB, 0),
      })
    },
    'settings.get': async () => store.getSettings(),
    'settings.update': (patch) => updateSettings(patch),
    'hosts.list': async () => hosts.list(),
    'hosts.add': async (req) => {
      const added = await hosts.add(req)
      // Real data and demo data do not mix: the first real host turns the demo off.
      if (hosts.count === 1 && store.getSettings().demoEnabled) await updateSettings({ demoEnabled: false })
      return added
    },
    'hosts.remove': async ({ id }) => ({ removed: await hosts.remove(id) }),
    'hosts.answerHostKey': async ({ promptId, accept }) => hosts.answerHostKey(promptId, accept),
    'hosts.reconnect': async ({ id }) => hosts.reconnect(id),
    'credentials.pending': async () => credentials.pending(),
    'credentials.answer': async ({ requestId, secret, remember }) => ({ accepted: credentials.answer(requestId, secret, remember) }),
  }

  return {
    handlers,
    events,
    store,
    hosts,
    applyStore: apply.applyStore,
    refreshRecommendations: (strategy) => apply.refresh(strategy),
    snapshot,
    housekeeping,
    async start() {
      await Promise.all([applySettings(store.getSettings()), hosts.start()])
      housekeeping()
      housekeepingTimer = setInterval(housekeeping, HOUSEKEEPING_MS)
      housekeepingTimer.unref?.()
      if (options.scheduleAnalysis ?? options.transport !== 'cli') void schedule.start()
    },
    async stop() {
      schedule.stop()
      stopScheduleTrigger()
      await schedule.idle()
      if (housekeepingTimer) clearInterval(housekeepingTimer)
      await demo?.stop()
      demo = undefined
      await hosts.stop()
      store.close()
    },
  }
}
