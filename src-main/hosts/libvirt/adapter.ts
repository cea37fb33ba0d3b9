import type { ClusterFacts } from '../../../shared/model'
import type { HostAdapter, Inventory, RawStats } from '../adapter'
import type { HostConnection } from '../../ssh/connection'
import { OUTPUT_LIMITS } from '../../ssh/output-cap'
import { DISCOVER_SCRIPT } from './discover-script'
import { factsFromDiscovery } from './facts'
import { parseDiscoverOutput, type Discovery } from './parse/discover-output'
import { describeProblem } from '../linux/parse/result'
import { parseStatsOutput, type StatsReading } from './parse/stats-output'
import { STATS_SCRIPT } from './stats-script'
import { runHostScript, HostOutputError } from '../linux/run-script'

const DISCOVER_TIMEOUT_MS = 60_000
const STATS_TIMEOUT_MS = 20_000

/**
 * A KVM/libvirt host read over SSH with nothing installed on it: one exec for discovery, one
 * exec per poll. Both scripts are constants; names only ever travel in their output.
 */
export class LibvirtAdapter implements HostAdapter {
  readonly id: string
  readonly canReadPast = false
  private vmIdsByName = new Map<string, string>()
  private stale = false
  /** Tuning facts of the last discovery, mapped once (they change only when discovery runs). */
  private discoveredFacts: ClusterFacts | undefined
  /** Host and VM facts beyond the shared model (tuning rules, detail views). */
  discovery: Discovery | undefined
  /** The last poll's extras (pressure, swap, run delay sources, problems). */
  lastReading: StatsReading | undefined

  constructor(
    private readonly connection: HostConnection,
    private readonly hostId: string,
    private readonly displayName?: string,
  ) {
    this.id = hostId
  }

  private run(script: string, timeoutMs: number, what: 'discovery' | 'statistics'): Promise<string> {
    return runHostScript(this.connection, script, timeoutMs, what, what === 'discovery' ? OUTPUT_LIMITS.discovery : OUTPUT_LIMITS.poll)
  }

  async discover(): Promise<Inventory> {
    const output = await this.run(DISCOVER_SCRIPT, DISCOVER_TIMEOUT_MS, 'discovery')
    const parsed = parseDiscoverOutput(output, { hostId: this.hostId, ...(this.displayName ? { hostName: this.displayName } : {}) })
    if (!parsed.ok) {
      const problem = describeProblem(parsed.error)
      const hint = /failed to connect|no connection driver|permission denied|authentication/i.test(problem)
        ? ` Is libvirtd running on the host, and is ${this.connection.label.split('@')[0]} in the libvirt group?`
        : ''
      throw new HostOutputError(`${this.connection.label}: discovery failed: ${problem}.${hint}`)
    }
    this.discovery = parsed.value
    this.discoveredFacts = factsFromDiscovery(parsed.value)
    this.vmIdsByName = new Map(parsed.value.inventory.vms.map((vm) => [vm.name, vm.id]))
    this.stale = false
    return parsed.value.inventory
  }

  async readStats(now: number): Promise<RawStats> {
    const output = await this.run(STATS_SCRIPT, STATS_TIMEOUT_MS, 'statistics')
    const parsed = parseStatsOutput(output, { hostId: this.hostId, t: now, vmIdOf: (name) => this.vmIdsByName.get(name) })
    if (!parsed.ok) throw new HostOutputError(`${this.connection.label}: unexpected output: ${describeProblem(parsed.error)}`)
    this.lastReading = parsed.value
    if (parsed.value.unknownDomains.length > 0) this.stale = true
    // A domain that is gone (migrated away, undefined): discover again, so its UUID is free for the host it went to.
    const listed = new Set(parsed.value.domains.map((d) => d.name))
    if (listed.size > 0 && [...this.vmIdsByName.keys()].some((name) => !listed.has(name))) this.stale = true
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
