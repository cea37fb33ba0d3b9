import type { ClusterFacts } from '../../../shared/model'
import type { HostAdapter, Inventory, RawStats } from '../adapter'
import { OUTPUT_LIMITS } from '../../ssh/output-cap'
import { HostOutputError, runHostScript } from '../linux/run-script'
import { describeProblem } from '../linux/parse/result'
import type { HostConnection } from '../../ssh/connection'
import { parseProxmoxDiscoverOutput, type ProxmoxDiscovery } from './discover-output'
import { PVE_DISCOVER_SCRIPT } from './discover-script'
import { factsFromProxmoxDiscovery } from './facts'
import { parseProxmoxStatsOutput, type ProxmoxStatsReading } from './stats-output'
import { PVE_STATS_SCRIPT } from './stats-script'

const DISCOVER_TIMEOUT_MS = 60_000
const STATS_TIMEOUT_MS = 20_000

/** What the adapter needs of the SSH connection (tests pass a fake of it). */
export type ScriptConnection = Pick<HostConnection, 'connect' | 'execScript' | 'label' | 'close'>

/**
 * One Proxmox VE node read over SSH as root, with nothing installed on it: one exec for
 * discovery, one per poll, both constant scripts. It covers this node's QEMU guests only (a
 * cluster's other nodes are hosts of their own); containers and templates are left out.
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

  constructor(
    private readonly connection: ScriptConnection,
    private readonly hostId: string,
    private readonly displayName?: string,
  ) {
    this.id = hostId
  }

  private run(script: string, timeoutMs: number, what: 'discovery' | 'statistics'): Promise<string> {
    return runHostScript(this.connection, script, timeoutMs, `Proxmox ${what}`, what === 'discovery' ? OUTPUT_LIMITS.discovery : OUTPUT_LIMITS.poll)
  }

  async discover(): Promise<Inventory> {
    const output = await this.run(PVE_DISCOVER_SCRIPT, DISCOVER_TIMEOUT_MS, 'discovery')
    const parsed = parseProxmoxDiscoverOutput(output, { hostId: this.hostId, ...(this.displayName ? { hostName: this.displayName } : {}) })
    if (!parsed.ok) {
      const user = this.connection.label.split('@')[0]
      const hint = parsed.error.section === 'cluster-resources' && user !== 'root' ? ` Connect to the Proxmox node as root, not ${user}.` : ''
      throw new HostOutputError(`${this.connection.label}: Proxmox discovery failed: ${describeProblem(parsed.error)}.${hint}`)
    }
    this.discovery = parsed.value
    this.discoveredFacts = factsFromProxmoxDiscovery(parsed.value)
    this.vmIdByVmid = new Map(parsed.value.vms.map((v) => [v.vmid, v.vmId]))
    this.stale = false
    return parsed.value.inventory
  }

  async readStats(now: number): Promise<RawStats> {
    const output = await this.run(PVE_STATS_SCRIPT, STATS_TIMEOUT_MS, 'statistics')
    const parsed = parseProxmoxStatsOutput(output, {
      hostId: this.hostId,
      t: now,
      vmIdOf: (vmid) => this.vmIdByVmid.get(vmid),
      ...(this.discovery ? { node: this.discovery.host.node } : {}),
    })
    if (!parsed.ok) throw new HostOutputError(`${this.connection.label}: unexpected Proxmox statistics output: ${describeProblem(parsed.error)}`)
    this.lastReading = parsed.value
    if (parsed.value.unknownVmids.length > 0) this.stale = true
    return parsed.value.raw
  }

  inventoryStale(): boolean {
    return this.stale
  }

  facts(): ClusterFacts | undefined {
    return this.discoveredFacts
  }

  async close(): Promise<void> {
    this.connection.close()
  }
}
