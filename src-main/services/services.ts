import { dirname } from 'node:path'
import { userInfo } from 'node:os'
import type { AppInfo, Handlers } from '../../shared/api'
import { apiHandlers } from '../handlers'
import { DEMO_ROW_MS } from '../hosts/demo/demo-cluster'
import { adapterForHost } from '../hosts/detect'
import { SshConnections } from '../ssh/connections'
import type { CredentialPrompter } from '../ssh/credentials'
import { openStore } from '../store'
import type { DatabaseOptions } from '../store/db'
import { resolveDataFile } from '../store/paths'
import { createAudit } from './audit'
import { createCluster } from './cluster'
import type { Core } from './core'
import { CredentialBroker, type SecretVault } from './credentials'
import { createEngine, factsFor, type EngineService } from './engine'
import { engineSchedule, workerEngine } from './engine-schedule'
import { demoFacts } from '../hosts/demo/facts'
import { EventBus } from './events'
import { createHistory } from './history'
import { HostManager, type HostManagerOptions } from './host-manager'
import { createMetricsSource, type MetricsSourceService } from './metrics-source'
import { createInbox } from './inbox'
import { createOverview } from './overview'
import { createPlanService } from './plans'
import { runnerAlive } from './runner'
import { createStorage } from './storage'
import { createPerfKvm } from './perf-kvm'
import { createWhatif } from './whatif'
import { createRules } from './rules'
import { createAutomation } from './automation'

/** Real hosts are read every 10 s; the demo once per row of its trace. */
export const HOST_POLL_MS = 10_000
import type { VaultUnavailable } from '../security/secret-storage'

export interface ServicesOptions {
  transport: AppInfo['transport']
  dataFile: string
  version: string
  clock?: () => number
  pollIntervalMs?: number
  hostPollIntervalMs?: number
  store?: DatabaseOptions
  /** Overrides how passphrases and passwords are asked (the CLI asks on its terminal). */
  prompter?: CredentialPrompter
  /** The OS keychain (desktop app only); without it no secret is ever stored. */
  vault?: SecretVault
  /** Why there is no vault (desktop app on a machine without a usable keychain). */
  vaultUnavailable?: VaultUnavailable
  unknownHostKeys?: HostManagerOptions['unknownHostKeys']
  /** The admin's ~/.ssh; VIRTPILOT_SSH_DIR stands in (tests, several labs). */
  sshDir?: string
  /** 'off': never run the embedded demo, whatever the settings say (the CLI on real hosts). */
  demo?: 'settings' | 'off'
  /** Stands in for the engine (tests of what happens to a bad proposal); by default a worker thread (in this thread for the CLI). */
  engine?: EngineService
  /** Run the engine at start-up and on the schedule in the settings; by default the desktop app and serve do, the CLI does not. */
  scheduleAnalysis?: boolean
  /** Let automation act after each analysis (as the settings allow); by default where the analysis is scheduled. */
  automation?: boolean
  log?: (message: string) => void
}

/** What the front doors (Electron, serve, CLI) get: the api handlers and the core services. */
export interface Services extends Pick<Core, 'events' | 'cluster' | 'engine' | 'inbox' | 'plans' | 'history' | 'storage' | 'perfKvm' | 'rules' | 'automation'> {
  file: string
  handlers: Handlers
  hosts: Pick<HostManager, 'add' | 'list' | 'stored' | 'remove' | 'answerHostKey' | 'forgetKey' | 'whenPolled' | 'whenSampled' | 'diagnostics' | 'count' | 'facts'>
  metrics: Pick<MetricsSourceService, 'status' | 'whenPolled' | 'history'>
  start(): Promise<void>
  stop(): Promise<void>
}

/** The composition root: one store, one event bus, one of each service, and the api over them. */
export function createServices(options: ServicesOptions): Services {
  const clock = options.clock ?? Date.now
  const log = options.log ?? ((message: string) => console.error(message))
  const actor = `${userInfo().username} (${options.transport})`
  const store = openStore(options.dataFile, options.store)
  const events = new EventBus()
  // Without a keychain nothing is kept; a keychain that only obfuscates (basic_text) also forgets what it held.
  if (!options.vault && options.vaultUnavailable === 'basic-text') store.secrets.deleteAll()
  const credentials = new CredentialBroker(store.secrets, events, options.vault, undefined, options.vaultUnavailable ?? 'not-desktop')
  const ssh = new SshConnections({
    // An in-memory store (a one-shot CLI read) still uses the known_hosts of the default data file.
    dataDir: dirname(options.dataFile === ':memory:' ? resolveDataFile(undefined) : options.dataFile),
    sshDir: options.sshDir ?? process.env.VIRTPILOT_SSH_DIR,
    prompter: options.prompter ?? credentials,
    agentSocket: process.env.SSH_AUTH_SOCK,
  })
  const engine = options.engine ?? (options.transport === 'cli' ? createEngine() : workerEngine())
  const hostPollIntervalMs = options.hostPollIntervalMs ?? HOST_POLL_MS
  const addressOf = (target: string) => {
    try {
      return [ssh.addressOf(target)]
    } catch {
      return []
    }
  }
  const metrics = createMetricsSource({
    store, clock, log,
    pollIntervalMs: hostPollIntervalMs,
    sshHosts: () => store.managedHosts.list().map((r) => ({ id: r.id, names: [r.id, r.displayName, r.target, ...addressOf(r.target)] })),
    onSnapshot: () => cluster.emitSnapshot(),
  })
  const hosts: HostManager = new HostManager({
    store, ssh, clock, log,
    pollIntervalMs: hostPollIntervalMs,
    unknownHostKeys: options.unknownHostKeys ?? 'ask',
    // A host's statistics come from the metrics store while one serves it; discovery and apply stay on SSH.
    adapterFor: (connection, id, name) => metrics.wrap(adapterForHost(connection, id, name), id),
    onChange: (list) => events.emit('hosts.changed', list),
    onSnapshot: () => cluster.emitSnapshot(),
    onInventory: () => inbox.supersedeStale(cluster.snapshot()),
  })
  const pollIntervalMs = options.pollIntervalMs ?? DEMO_ROW_MS
  const cluster = createCluster({ store, hosts, metrics, events, clock, log, demoPollIntervalMs: pollIntervalMs, demo: options.demo ?? 'settings' })
  const storage = createStorage({ store, clock, snapshot: () => cluster.snapshot(), facts: () => factsFor(cluster.snapshot(), hosts.facts()) })
  // History of the hosts a metrics store serves is read from it (ranges), the rest from SQLite.
  const history = createHistory({ samples: store.samples, inventory: store.inventory, snapshot: () => cluster.snapshot(), clock, store: () => metrics.history() })
  const inbox = createInbox({ store, engine, events, clock, actor, snapshot: cluster.snapshot, facts: () => hosts.facts(), usage: history.usage, means: history, log, engineOptions: () => rules.engineOptions(), afterAnalysis: () => automation.afterAnalysis() })
  // The demo's (made-up, documented) facts are the ones its recommendations use: Host detail shows the same.
  const facts = () => [...(cluster.demoRunning ? [demoFacts(clock())] : []), ...hosts.facts()]
  const plans = createPlanService({
    store, ssh, clock, actor, log, inbox,
    connectionOf: (id) => hosts.connectionOf(id),
    onUpdate: (plan) => {
      events.emit('plans.changed', plan)
      automation.onPlan(plan)
    },
    storage: () => storage.context(),
    onLinkMeasured: (measure) => storage.recordLink(measure),
    onFinished: (plan) => {
      inbox.finished(plan)
      for (const step of plan.steps) for (const id of step.action.kind === 'migrate' ? [step.action.from, step.action.to] : [step.action.host]) hosts.rediscover(id)
    },
  })
  const rules = createRules({ store, clock, actor, snapshot: cluster.snapshot, emitSnapshot: () => cluster.emitSnapshot(), onChange: (list) => events.emit('rules.changed', list), inbox, plans })
  const automation = createAutomation({
    store, clock, actor, log, events, inbox, plans, rules,
    snapshot: cluster.snapshot,
    // Three polls missed (at least 30 s): the reading is stale and nothing automatic touches the host.
    staleAfterMs: Math.max(30_000, 3 * Math.max(hostPollIntervalMs, options.pollIntervalMs ?? DEMO_ROW_MS)),
    acts: options.automation ?? options.scheduleAnalysis ?? options.transport !== 'cli',
  })
  if (store.notice) log(store.notice)
  for (const plan of store.plans.markInterrupted(clock(), runnerAlive)) log(`plan ${plan.id} was interrupted by a stop of VirtPilot: each step keeps its last known state; the hosts are read back to resume or roll back`)
  const core: Core = {
    info: () => ({ version: options.version, transport: options.transport, dataFile: store.file, demoRunning: cluster.demoRunning, pollIntervalMs, ...(store.notice ? { dataFileNotice: store.notice } : {}), ...(store.noticeRef ? { dataFileNoticeRef: store.noticeRef } : {}) }),
    events, cluster, hosts, credentials, metrics, engine, inbox, plans, facts, storage, rules, automation,
    audit: createAudit({ plans: store.plans, clock }),
    history,
    overview: createOverview({ samples: store.samples, snapshot: cluster.snapshot }),
    whatif: createWhatif({ scenarios: store.scenarios, samples: store.samples, snapshot: cluster.snapshot, clock, usage: history.usage }),
    perfKvm: createPerfKvm({ hosts, store, snapshot: cluster.snapshot, clock }),
  }
  const schedule = engineSchedule({
    analyse: () => inbox.refresh(),
    intervalMinutes: () => store.settings.get().analysisIntervalMinutes,
    hasHosts: () => cluster.snapshot().hosts.length > 0,
    log,
  })
  const unsubscribe = [events.on('cluster.snapshot', () => schedule.onSnapshot()), events.on('settings.changed', () => schedule.reschedule())]
  return {
    ...core,
    file: store.file,
    handlers: apiHandlers(core),
    async start() {
      await cluster.start()
      // A plan cut short by a crash: once its hosts answered, read back what took effect (the CLI does it on request).
      if (options.transport !== 'cli') void hosts.whenPolled().then(() => plans.readBackInterrupted())
      if (options.scheduleAnalysis ?? options.transport !== 'cli') void schedule.start()
    },
    async stop() {
      schedule.stop()
      for (const off of unsubscribe) off()
      await schedule.idle()
      await cluster.stop()
      store.close()
    },
  }
}
