import type { HostStorageView, PoolView, VmDiskView, VmStorageView } from '../../shared/api'
import { defaultOptions } from '../../shared/engine/options'
import { poolForecast, poolHealth, type StorageContext } from '../../shared/engine/storage'
import type { ClusterFacts, HostStorage, LinkSpeed, PoolSample, Snapshot } from '../../shared/model'
import type { Store } from '../store'
import { POOL_HISTORY_WINDOW_MS, storageWindow } from './engine'

export interface StorageServiceOptions {
  store: Pick<Store, 'storage'>
  /** Facts of everything the snapshot shows (discovered hosts and the demo's). */
  facts: () => ClusterFacts
  snapshot: () => Snapshot
  clock: () => number
}

/**
 * Storage as the admin reads it and the planner checks it: each host's pools with their use,
 * promise and days to full (from the stored history), each VM's disks, and the context a
 * migration's storage side is planned in (discovered storage and measured links).
 */
export function createStorage(options: StorageServiceOptions) {
  const { store, clock } = options

  function hostsStorage(): Record<string, HostStorage> {
    return options.facts().storage ?? {}
  }

  /** What migrations are planned with now (undefined when no host's storage was read). */
  function context(): StorageContext | undefined {
    const storage = hostsStorage()
    if (Object.keys(storage).length === 0) return undefined
    return { storage, links: store.storage.linkSpeeds(), assumedMiBps: defaultOptions.balance.migrationBandwidthMiBps }
  }

  function diskViews(host: HostStorage, vmIds?: ReadonlySet<string>): VmDiskView[] {
    const names = new Map(options.snapshot().vms.map((v) => [v.id, v.name]))
    const poolNames = new Map(host.pools.map((p) => [p.id, p.name]))
    return host.disks
      .filter((d) => !vmIds || vmIds.has(d.vmId))
      .map((d) => ({ ...d, vmName: names.get(d.vmId) ?? d.vmId, ...(d.poolId && poolNames.has(d.poolId) ? { poolName: poolNames.get(d.poolId)! } : {}) }))
  }

  function host(hostId: string): HostStorageView {
    const all = hostsStorage()
    const mine = all[hostId]
    if (!mine) return { hostId, t: null, pools: [], mounts: [], disks: [] }
    const now = clock()
    const history = store.storage.poolHistory(now - POOL_HISTORY_WINDOW_MS, now + 1, [hostId])
    const byPool = new Map<string, PoolSample[]>()
    for (const s of history) {
      const list = byPool.get(s.poolId)
      if (list) list.push(s)
      else byPool.set(s.poolId, [s])
    }
    const pools: PoolView[] = mine.pools.map((pool) => {
      const h = poolHealth(pool)
      const samples = byPool.get(pool.id) ?? []
      const f = poolForecast(samples, now)
      const alsoOn = pool.sharing === 'shared' && pool.source
        ? Object.values(all).filter((o) => o.hostId !== hostId && o.pools.some((p) => p.type === pool.type && p.source === pool.source)).map((o) => o.hostId)
        : []
      return {
        pool,
        usedShare: h.usedShare,
        volumeCount: pool.volumes ? pool.volumes.length : null,
        volumeCapacityBytes: h.volumeCapacityBytes,
        overcommit: h.overcommit,
        thinAtRisk: h.thinAtRisk.map((t) => ({ volume: t.volume.name, growBytes: t.growBytes })),
        forecast: f ? { growthBytesPerDay: f.growthBytesPerDay, daysToFull: f.daysToFull, from: f.basis.from, to: f.basis.to, samples: f.basis.samples } : null,
        historySamples: samples.length,
        alsoOn,
      }
    })
    return { hostId, t: mine.t, pools, mounts: mine.mounts.filter((m) => m.holdsVmStorage), disks: diskViews(mine) }
  }

  function vm(vmId: string): VmStorageView {
    const hostId = options.snapshot().vms.find((v) => v.id === vmId)?.hostId ?? null
    const mine = hostId ? hostsStorage()[hostId] : undefined
    return { vmId, hostId, t: mine?.t ?? null, disks: mine ? diskViews(mine, new Set([vmId])) : [] }
  }

  return {
    context,
    host,
    vm,
    /** Pool history and links for an engine run. */
    window: (now: number) => storageWindow(store.storage, now),
    recordLink: (measure: LinkSpeed) => store.storage.saveLinkSpeed(measure),
  }
}

export type StorageService = ReturnType<typeof createStorage>
