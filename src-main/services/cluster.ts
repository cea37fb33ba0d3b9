import { ApiFailure, type AddHostRequest } from '../../shared/api'
import type { ManagedHost, Settings, Snapshot } from '../../shared/model'
import { Collector } from '../collect/collector'
import { DemoCluster } from '../hosts/demo/demo-cluster'
import type { Store } from '../store'
import type { EventBus } from './events'
import { withAllocationRatios } from './allocation-ratios'
import { withMaintenance } from './rules'
import type { HostManager } from './host-manager'
import type { MetricsSourceService } from './metrics-source'
import { SourceConfigError } from '../hosts/prometheus/source'

/** How often retention and rollups run. */
const HOUSEKEEPING_MS = 60_000
/** The demo's recorded history: its two days of trace, stored as a real host's samples would be. */
const DEMO_BACKFILL_MS = 48 * 3600_000
/** Pool figures are cheap to fill in: a week, so the demo's days-to-full forecast has history from the start. */
const DEMO_STORAGE_BACKFILL_MS = 7 * 24 * 3600_000

export interface ClusterOptions {
  store: Pick<Store, 'settings' | 'samples' | 'inventory' | 'storage' | 'rules'>
  hosts: HostManager
  /** Where statistics come from (SSH or a Prometheus-compatible store), per the settings. */
  metrics?: MetricsSourceService
  events: EventBus
  clock: () => number
  /** Poll interval of the demo cluster (its trace plays one row per 2 s). */
  demoPollIntervalMs: number
  /** 'settings': run the demo while the settings ask for it; 'off': never (the CLI on real hosts). */
  demo: 'settings' | 'off'
  log: (message: string) => void
}

/**
 * The cluster as VirtPilot sees it: the managed hosts and, while the settings ask for it, the
 * embedded demo, merged into one snapshot; plus the settings that switch the demo, and the
 * housekeeping of the history.
 */
export function createCluster(options: ClusterOptions) {
  const { store, hosts, metrics, events, clock } = options
  let demo: Collector | undefined
  /** The metrics source the settings asked for last (JSON), so an unrelated change does not restart it. */
  let sourceApplied = ''
  let timer: ReturnType<typeof setInterval> | undefined
  // The allocation ratios every snapshot host carries; refreshed when the settings change.
  let allocationRatios = store.settings.get().allocationRatios

  /** Every source's latest poll; a VM seen on two hosts (just migrated) is where it was seen last. */
  function snapshot(): Snapshot {
    // The store's read-only hosts first: a host also read over SSH knows better where a VM is.
    const parts = [...(demo?.snapshot ? [demo.snapshot] : []), ...(metrics?.snapshots() ?? []), ...hosts.snapshots().map((p) => p.snapshot)]
    const vms = new Map(parts.flatMap((p) => p.vms).map((v) => [v.id, v]))
    // Read each time: a CLI in another process may have put a host into maintenance or taken it out.
    const maintenance = new Set(store.rules.maintenance().map((m) => m.hostId))
    return withMaintenance({
      t: parts.reduce((t, p) => Math.max(t, p.t), 0) || clock(),
      hosts: withAllocationRatios(parts.flatMap((p) => p.hosts), allocationRatios),
      vms: [...vms.values()],
      hostSamples: parts.flatMap((p) => p.hostSamples),
      vmSamples: parts.flatMap((p) => p.vmSamples).filter((s) => vms.get(s.vmId)?.hostId === s.hostId),
      diskSamples: parts.flatMap((p) => p.diskSamples ?? []),
    }, maintenance)
  }

  const emitSnapshot = () => events.emit('cluster.snapshot', snapshot())

  async function startDemo(): Promise<void> {
    if (demo) return
    const collector = new Collector({
      // The demo starts now: the two recorded days end here and the live replay begins.
      adapter: new DemoCluster(clock()),
      store,
      clock,
      intervalMs: options.demoPollIntervalMs,
      backfillMs: DEMO_BACKFILL_MS,
      storageBackfillMs: DEMO_STORAGE_BACKFILL_MS,
      onSnapshot: emitSnapshot,
      onError: (error) => options.log(`demo cluster poll failed: ${error.message}`),
    })
    demo = collector
    await collector.start()
  }

  async function stopDemo(): Promise<void> {
    const collector = demo
    demo = undefined
    await collector?.stop()
    emitSnapshot()
  }

  async function applySettings(settings: Settings): Promise<void> {
    if (settings.demoEnabled && options.demo === 'settings') await startDemo()
    else await stopDemo()
    const source = JSON.stringify(settings.metricsSource)
    if (source !== sourceApplied) {
      sourceApplied = source
      // A source that failed to start is tried again at the next save, even unchanged (a file fixed in place).
      await metrics?.configure(settings.metricsSource).catch((error: unknown) => {
        sourceApplied = ''
        throw error
      })
    }
  }

  async function updateSettings(patch: Partial<Settings>): Promise<Settings> {
    // A store address or credential file that cannot work is refused before it is saved.
    if (patch.metricsSource) {
      try {
        await metrics?.check(patch.metricsSource)
      } catch (error) {
        if (error instanceof SourceConfigError) throw new ApiFailure('bad-request', error.message, undefined, error.messageRef)
        throw error
      }
    }
    const settings = store.settings.update(patch)
    allocationRatios = settings.allocationRatios
    await applySettings(settings)
    events.emit('settings.changed', settings)
    if (patch.allocationRatios) emitSnapshot()
    return settings
  }

  /** Rollups and retention; a failure (a full disk) is said and tried again at the next round. */
  const housekeeping = () => {
    const now = clock()
    try {
      store.samples.housekeeping(now)
      store.storage.prune(now)
    } catch (error) {
      options.log(`history housekeeping failed: ${(error as Error).message}`)
    }
  }

  /** Adds a host; real data and demo data do not mix, so the first real host turns the demo off. */
  async function addHost(request: AddHostRequest): Promise<ManagedHost> {
    const added = await hosts.add(request)
    if (hosts.count === 1 && store.settings.get().demoEnabled) await updateSettings({ demoEnabled: false })
    return added
  }

  return {
    snapshot,
    emitSnapshot,
    settings: () => store.settings.get(),
    updateSettings,
    addHost,
    housekeeping,
    get demoRunning() {
      return demo !== undefined
    },
    async start(): Promise<void> {
      // A saved store that no longer works (a file moved) is reported, and SSH hosts still start.
      await Promise.all([applySettings(store.settings.get()).catch((error: Error) => options.log(`metrics source: ${error.message}`)), hosts.start()])
      housekeeping()
      timer = setInterval(housekeeping, HOUSEKEEPING_MS)
      timer.unref?.()
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer)
      await demo?.stop()
      demo = undefined
      await metrics?.stop()
      await hosts.stop()
    },
  }
}

export type Cluster = ReturnType<typeof createCluster>
