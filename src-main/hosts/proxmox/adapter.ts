import { english, msg, sentences } from '../../../shared/i18n'
import type { ClusterFacts, HostStorage } from '../../../shared/model'
import type { HostAdapter, Inventory, RawStats, ReadOptions } from '../adapter'
import { OUTPUT_LIMITS } from '../../ssh/output-cap'
import { HostOutputError, runHostScript } from '../linux/run-script'
import { problemRef } from '../linux/parse/result'
import type { HostConnection } from '../../ssh/connection'
import type { SessionConnection } from '../../ssh/session-channel'
import { LayoutWatch } from '../linux/layout-watch'
import { StatsSession } from '../linux/stats-session'
import { parseProxmoxDiscoverOutput, type ProxmoxDiscovery } from './discover-output'
import { PVE_DISCOVER_SCRIPT } from './discover-script'
import { factsFromProxmoxDiscovery } from './facts'
import { parseProxmoxStatsOutput, type ProxmoxStatsReading } from './stats-output'
import { PVE_STATS_SCRIPT, pveStatsRequest } from './stats-script'

const DISCOVER_TIMEOUT_MS = 60_000
const STATS_TIMEOUT_MS = 20_000

/** What the adapter needs of the SSH connection (tests pass a fake of it). */
export type ScriptConnection = Pick<HostConnection, 'connect' | 'execScript' | 'label' | 'close'> & SessionConnection

/**
 * One Proxmox VE node read over SSH as root, with nothing installed on it: one exec for
 * discovery, a resident statistics session asked once per poll, both constant scripts. It
 * covers this node's QEMU guests only (a cluster's other nodes are hosts of their own);
 * containers and templates are left out.
 */
export class ProxmoxAdapter implements HostAdapter {
  readonly id: string
  readonly canReadPast = false
  private stale = false
  /** Tuning facts of the last discovery, mapped once (they change only when discovery runs). */
  private discoveredFacts: ClusterFacts | undefined
  /** Host and guest details beyond the shared model (tuning facts, detail views). */
  discovery: ProxmoxDiscovery | undefined
  /** The last poll's extras (pressure, tap devices, problems). */
  lastReading: ProxmoxStatsReading | undefined
  private vmIdByVmid = new Map<number, string>()
  private readonly stats: StatsSession
  private readonly layouts = new LayoutWatch()

  constructor(
    private readonly connection: ScriptConnection,
    private readonly hostId: string,
    private readonly displayName?: string,
  ) {
    this.id = hostId
    this.stats = new StatsSession(connection, PVE_STATS_SCRIPT)
  }

  async discover(now = Date.now()): Promise<Inventory> {
    const output = await runHostScript(this.connection, PVE_DISCOVER_SCRIPT, DISCOVER_TIMEOUT_MS, 'proxmoxDiscovery', OUTPUT_LIMITS.discovery)
    const parsed = parseProxmoxDiscoverOutput(output, { hostId: this.hostId, t: now, ...(this.displayName ? { hostName: this.displayName } : {}) })
    if (!parsed.ok) {
      const user = this.connection.label.split('@')[0] ?? ''
      const hint = parsed.error.section === 'cluster-resources' && user !== 'root' && msg('access.hostOutput.rootHint', { user })
      throw HostOutputError.said(sentences(msg('access.hostOutput.proxmoxDiscoveryFailed', { host: this.connection.label, problem: problemRef(parsed.error) }), hint))
    }
    this.discovery = parsed.value
    this.discoveredFacts = factsFromProxmoxDiscovery(parsed.value)
    this.vmIdByVmid = new Map(parsed.value.vms.map((v) => [v.vmid, v.vmId]))
    this.stale = false
    return parsed.value.inventory
  }

  async readStats(now: number, options: ReadOptions = {}): Promise<RawStats> {
    const output = await this.stats.read(pveStatsRequest, options.timeoutMs ?? STATS_TIMEOUT_MS)
    const parsed = parseProxmoxStatsOutput(output, {
      hostId: this.hostId,
      t: now,
      vmIdOf: (vmid) => this.vmIdByVmid.get(vmid),
      ...(this.discovery ? { node: this.discovery.host.node } : {}),
    })
    if (!parsed.ok) {
      const problem = problemRef(parsed.error)
      this.stats.reject(msg('access.session.notParsed', { problem }))
      const ref = msg('access.session.unexpectedPveOutput', { host: this.connection.label, problem })
      throw new HostOutputError(english(ref), ref)
    }
    this.lastReading = parsed.value
    if (parsed.value.unknownVmids.length > 0) this.stale = true
    // started, stopped, resized or renamed since the last poll: discover again now
    if (this.layouts.changed(parsed.value.guests.map((g) => [String(g.vmid), `${g.status} ${g.maxcpu} ${g.maxmem} ${g.name}`] as const))) this.stale = true
    return parsed.value.raw
  }

  inventoryStale(): boolean {
    return this.stale
  }

  facts(): ClusterFacts | undefined {
    return this.discoveredFacts
  }

  storage(_now?: number): HostStorage[] {
    return this.discovery ? [this.discovery.storage] : []
  }

  async close(): Promise<void> {
    this.stats.close()
    this.connection.close()
  }
}
