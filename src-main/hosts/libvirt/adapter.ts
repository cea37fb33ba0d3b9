import { english, msg, sentences } from '../../../shared/i18n'
import type { ClusterFacts, HostStorage } from '../../../shared/model'
import type { HostAdapter, Inventory, RawStats, ReadOptions } from '../adapter'
import type { HostConnection } from '../../ssh/connection'
import { OUTPUT_LIMITS } from '../../ssh/output-cap'
import { LayoutWatch } from '../linux/layout-watch'
import { StatsSession } from '../linux/stats-session'
import { DISCOVER_SCRIPT } from './discover-script'
import { factsFromDiscovery } from './facts'
import { parseDiscoverOutput, type Discovery } from './parse/discover-output'
import { describeProblem, problemRef } from '../linux/parse/result'
import type { DomainStats } from './parse/domstats'
import { parseStatsOutput, type StatsReading } from './parse/stats-output'
import { STATS_SCRIPT, statsRequest } from './stats-script'
import { runHostScript, HostOutputError } from '../linux/run-script'

const DISCOVER_TIMEOUT_MS = 60_000
const STATS_TIMEOUT_MS = 20_000

/** What discovery would read differently when it changes: state, vCPUs, maximum memory, disks, NICs. */
function layoutOf(d: DomainStats): string {
  const disks = d.block.map((b) => `${b.name}:${b.path}:${b.capacity}`).join(',')
  return `${d.state} ${d.vcpuCurrent}/${d.vcpuMaximum} ${d.balloon.maximumKiB} ${disks} ${d.net.map((n) => n.name).join(',')}`
}

/**
 * A KVM/libvirt host read over SSH with nothing installed on it: one exec for discovery, and a
 * resident statistics session (stats-script.ts) asked once per poll. Both scripts are constants;
 * names only ever travel in their output.
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
  private readonly stats: StatsSession
  private readonly layouts = new LayoutWatch()
  /** Whether libvirt reports vcpu.N.delay; until a poll showed it does, polls also read schedstat. */
  private libvirtReportsDelay: boolean | undefined

  constructor(
    private readonly connection: HostConnection,
    private readonly hostId: string,
    private readonly displayName?: string,
  ) {
    this.id = hostId
    this.stats = new StatsSession(connection, STATS_SCRIPT)
  }

  /** Bytes the host sent for statistics so far (the collection benchmark reports them per poll). */
  get statsBytes(): number {
    return this.stats.bytes
  }

  async discover(now = Date.now()): Promise<Inventory> {
    const output = await runHostScript(this.connection, DISCOVER_SCRIPT, DISCOVER_TIMEOUT_MS, 'discovery', OUTPUT_LIMITS.discovery)
    const parsed = parseDiscoverOutput(output, {
      hostId: this.hostId,
      t: now,
      ...(this.displayName ? { hostName: this.displayName } : {}),
      ...(this.discovery?.diskstats ? { previousDiskstats: this.discovery.diskstats } : {}),
    })
    if (!parsed.ok) {
      const hint = /failed to connect|no connection driver|permission denied|authentication/i.test(describeProblem(parsed.error)) && msg('access.hostOutput.libvirtHint', { user: this.connection.label.split('@')[0]! })
      throw HostOutputError.said(sentences(msg('access.hostOutput.discoveryFailed', { host: this.connection.label, problem: problemRef(parsed.error) }), hint))
    }
    this.discovery = parsed.value
    this.discoveredFacts = factsFromDiscovery(parsed.value)
    this.vmIdsByName = new Map(parsed.value.inventory.vms.map((vm) => [vm.name, vm.id]))
    this.stale = false
    return parsed.value.inventory
  }

  async readStats(now: number, options: ReadOptions = {}): Promise<RawStats> {
    const schedstat = this.libvirtReportsDelay !== true
    const output = await this.stats.read((nonce) => statsRequest(nonce, { schedstat }), options.timeoutMs ?? STATS_TIMEOUT_MS)
    const parsed = parseStatsOutput(output, { hostId: this.hostId, t: now, vmIdOf: (name) => this.vmIdsByName.get(name) })
    if (!parsed.ok) {
      const problem = problemRef(parsed.error)
      this.stats.reject(msg('access.session.notParsed', { problem }))
      const ref = msg('access.session.unexpectedOutput', { host: this.connection.label, problem })
      throw new HostOutputError(english(ref), ref)
    }
    // libvirtd down or refusing: the host part is fine, but a poll without its VMs would pass for a host
    // whose guests all stopped. Said as this poll's error (virsh's words verbatim); virsh connects again by itself once libvirtd is back.
    if (parsed.value.domstatsFailure !== undefined) {
      const ref = msg('access.session.noDomainStats', { host: this.connection.label, detail: problemRef(parsed.value.domstatsFailure) })
      throw new HostOutputError(english(ref), ref)
    }
    const layouts = parsed.value.domains.map((d) => [d.name, layoutOf(d)] as const)
    if (this.layouts.changed(layouts)) this.stale = true
    const running = parsed.value.domains.filter((d) => d.cpuTimeNs !== undefined && d.vcpus.length > 0)
    if (running.length > 0) this.libvirtReportsDelay = running.every((d) => d.vcpus.every((v) => v.delayNs !== undefined))
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

  qemuPid(vmId: string): number | undefined {
    return this.lastReading?.vms.find((v) => v.vmId === vmId)?.qemuThreads?.pid
  }

  storage(_now?: number): HostStorage[] {
    return this.discovery ? [this.discovery.storage] : []
  }

  async close(): Promise<void> {
    this.stats.close()
    this.connection.close()
  }
}
