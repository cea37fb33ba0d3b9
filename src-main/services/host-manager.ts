import { randomUUID } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { ApiFailure, type AddHostRequest } from '../../shared/api'
import type { HostKeyPrompt, ManagedHost, Snapshot } from '../../shared/model'
import { Collector } from '../collect/collector'
import { VmOwners } from '../collect/vm-owners'
import type { ClusterFacts } from '../../shared/model'
import type { HostAdapter } from '../hosts/adapter'
import { HostConnection, type UnknownHostKey } from '../ssh/connection'
import type { CredentialPrompter } from '../ssh/credentials'
import { KnownHostsStore } from '../ssh/known-hosts-store'
import { resolveTarget } from '../ssh/resolve'
import { parseTarget, TargetError } from '../ssh/target'
import { StoreError, type ManagedHostRow, type Store } from '../store/store'

export interface HostManagerOptions {
  store: Store
  clock: () => number
  /** Where VirtPilot keeps its own known_hosts. */
  dataDir: string
  /** The admin's ~/.ssh (config and known_hosts); overridable for tests. */
  sshDir?: string
  prompter: CredentialPrompter
  pollIntervalMs: number
  /**
   * What to do with a host key nobody trusted yet: 'ask' keeps it pending for the admin
   * (the UI shows the fingerprint), 'accept-new' trusts it like StrictHostKeyChecking=accept-new,
   * 'refuse' fails the connection naming the fingerprint.
   */
  unknownHostKeys: 'ask' | 'accept-new' | 'refuse'
  /** Builds the adapter that reads a host over its connection (libvirt; Proxmox when detected). */
  adapterFor: (connection: HostConnection, hostId: string, displayName: string) => HostAdapter
  onChange: (hosts: ManagedHost[]) => void
  onSnapshot: () => void
  log: (message: string) => void
}

interface Entry {
  row: ManagedHostRow
  connection: HostConnection
  adapter: HostAdapter
  collector: Collector
  pending?: HostKeyPrompt & { key: UnknownHostKey }
  lastPollAt?: number
  pollError?: string
  /** Set when the admin refused a host key: shown instead of the connection's own error. */
  refused?: string
  /** VMs this host reports that another managed host owns (same UUID), left out. */
  duplicates?: string
}

/** A readable id from what the admin typed: `root@kvm1.lab:22` -> `kvm1-lab`. */
function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/^.*@/, '')
      .replace(/[^a-z0-9]+/g, '-')
      .split('-')
      .filter(Boolean)
      .join('-')
      .slice(0, 40) || 'host'
  )
}

/** The hosts the admin added: one SSH connection and one collector each. */
export class HostManager {
  private readonly entries = new Map<string, Entry>()
  private readonly knownHosts: KnownHostsStore
  private readonly sshDir: string
  /** One owner per VM UUID across hosts; a host that was refused a VM looks again once it is free. */
  private readonly owners = new VmOwners(15 * 60_000, (hostIds) => {
    for (const id of hostIds) void this.rediscover(id)
  })

  constructor(private readonly options: HostManagerOptions) {
    this.sshDir = options.sshDir ?? join(homedir(), '.ssh')
    this.knownHosts = new KnownHostsStore([join(this.sshDir, 'known_hosts'), join(this.sshDir, 'known_hosts2')], join(options.dataDir, 'known_hosts'))
  }

  get count(): number {
    return this.entries.size
  }

  private readonly firstPolls = new Set<Promise<void>>()

  /**
   * Starts every stored host without waiting for them: a first poll may wait for the admin
   * (a passphrase, a host key), so nothing else should. `whenPolled` waits when that is wanted.
   */
  async start(): Promise<void> {
    for (const row of this.options.store.listManagedHosts()) this.startEntry(row)
  }

  /** Resolves once every host started so far has had its first poll (or failed it). */
  async whenPolled(): Promise<void> {
    await Promise.all(this.firstPolls)
  }

  list(): ManagedHost[] {
    return [...this.entries.values()].map((e) => this.status(e))
  }

  snapshots(): Snapshot[] {
    return [...this.entries.values()].flatMap((e) => (e.collector.snapshot ? [this.withState(e, e.collector.snapshot)] : []))
  }

  /** Tuning facts of every host discovered so far (KSM, hugepages, disk and NIC models, ...). */
  facts(): ClusterFacts[] {
    return [...this.entries.values()].flatMap((e) => e.adapter.facts?.() ?? [])
  }

  /** The SSH connection of a managed host, for apply (exec) and migration tunnels. */
  connectionOf(id: string): HostConnection | undefined {
    return this.entries.get(id)?.connection
  }

  /** The address a host is reached at (after ~/.ssh/config): where its QEMU receives migrations. */
  addressOf(id: string): string | undefined {
    const entry = this.entries.get(id)
    return entry && resolveTarget(parseTarget(entry.row.target), this.resolveContext()).hostName
  }

  /** Reads a host again now (after apply), instead of waiting for the next poll. */
  async rediscover(id: string): Promise<void> {
    await this.entries.get(id)?.collector.refresh()
  }

  /** Polls so far and the round trips their stats reads took, per host: one exec per poll is the design. */
  diagnostics(id: string): { statsRoundTrips: number; polls: number } | undefined {
    const entry = this.entries.get(id)
    return entry && { statsRoundTrips: entry.collector.statsRoundTrips, polls: entry.collector.polls }
  }

  async add(request: AddHostRequest): Promise<ManagedHost> {
    try {
      const target = parseTarget(request.target)
      resolveTarget(target, this.resolveContext())
      let id = slug(request.displayName ?? target.host)
      for (let n = 2; this.entries.has(id); n++) id = `${slug(request.displayName ?? target.host)}-${n}`
      const row: ManagedHostRow = { id, target: target.raw, displayName: request.displayName ?? target.host, tags: request.tags ?? [], addedAt: this.options.clock(), lastSeenAt: null }
      this.options.store.addManagedHost(row)
      this.startEntry(row)
      return this.status(this.entries.get(id)!)
    } catch (error) {
      if (error instanceof TargetError) throw new ApiFailure('bad-request', error.message)
      if (error instanceof StoreError) throw new ApiFailure('conflict', error.message)
      throw error
    }
  }

  async remove(id: string): Promise<boolean> {
    const entry = this.entries.get(id)
    this.entries.delete(id)
    if (entry) await entry.collector.stop()
    this.owners.release(id)
    const removed = this.options.store.removeManagedHost(id) || entry !== undefined
    this.changed()
    return removed
  }

  /** The admin's answer to a host key question; accepting remembers the key and reconnects. */
  async answerHostKey(promptId: string, accept: boolean): Promise<ManagedHost> {
    const entry = [...this.entries.values()].find((e) => e.pending?.promptId === promptId)
    if (!entry?.pending) throw new ApiFailure('not-found', 'No such host key question: it was answered already or the host was removed')
    const { key } = entry.pending
    entry.pending = undefined
    if (accept) {
      this.knownHosts.accept(key.host, key.port, key.keyBlob)
      this.options.log(`${entry.row.displayName}: accepted host key ${key.fingerprint}`)
      entry.refused = undefined
      entry.pollError = undefined
      await entry.connection.connect(true).catch(() => undefined)
      await entry.collector.pollNow()
    } else {
      entry.refused = `You refused host key ${key.fingerprint} (${key.keyType}); VirtPilot will not connect. To be asked again, remove the host and add it again.`
    }
    this.changed()
    return this.status(entry)
  }

  /** Tries again now after the admin fixed something (authentication, a stopped sshd). */
  async reconnect(id: string): Promise<ManagedHost> {
    const entry = this.entries.get(id)
    if (!entry) throw new ApiFailure('not-found', `No host ${id}`)
    if (entry.pending || entry.refused) throw new ApiFailure('conflict', `${entry.row.displayName}: answer the host key question first (or remove and add the host again)`)
    entry.pollError = undefined
    await entry.connection.connect(true).catch(() => undefined)
    await entry.collector.pollNow()
    return this.status(entry)
  }

  async stop(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => e.collector.stop()))
    this.entries.clear()
  }

  private resolveContext() {
    const configFile = join(this.sshDir, 'config')
    return { sshConfig: existsSync(configFile) ? readFileSync(configFile, 'utf8') : undefined, home: join(this.sshDir, '..') }
  }

  private startEntry(row: ManagedHostRow): void {
    const { store, clock, pollIntervalMs, log } = this.options
    const target = resolveTarget(parseTarget(row.target), this.resolveContext())
    const entry = {} as Entry
    entry.row = row
    entry.connection = new HostConnection({
      target,
      knownHosts: this.knownHosts,
      prompter: this.options.prompter,
      agentSocket: process.env.SSH_AUTH_SOCK,
      onUnknownHostKey: async (key) => this.unknownHostKey(entry, key),
      onStateChange: (state) => {
        if (state === 'online') {
          entry.row.lastSeenAt = clock()
          store.touchManagedHost(row.id, entry.row.lastSeenAt)
        }
        this.changed()
      },
    })
    entry.adapter = this.options.adapterFor(entry.connection, row.id, row.displayName)
    entry.collector = new Collector({
      adapter: entry.adapter,
      store,
      clock,
      intervalMs: pollIntervalMs,
      backfillMs: 0,
      roundTrips: () => entry.connection.execCount,
      admit: (inventory, now) => {
        const { inventory: admitted, duplicates } = this.owners.admit(row.id, inventory, now)
        const problem =
          duplicates.length === 0
            ? undefined
            : `reports ${duplicates.length} VM(s) that another host already reports with the same UUID; left out here: ${duplicates.map((d) => `${d.vm.name} (${d.vm.id}, on ${d.owner})`).join(', ')}`
        if (problem !== entry.duplicates) {
          entry.duplicates = problem
          if (problem) log(`${row.displayName}: ${problem}`)
          this.changed()
        }
        return admitted
      },
      onSnapshot: () => {
        entry.lastPollAt = clock()
        if (entry.pollError) {
          entry.pollError = undefined
          this.changed()
        }
        this.options.onSnapshot()
      },
      onError: (error) => {
        entry.pollError = error.message
        log(`${row.displayName}: ${error.message}`)
        this.changed()
      },
    })
    this.entries.set(row.id, entry)
    this.changed()
    const first = entry.collector.start()
    this.firstPolls.add(first)
    void first.finally(() => this.firstPolls.delete(first))
  }

  private async unknownHostKey(entry: Entry, key: UnknownHostKey): Promise<boolean> {
    const mode = this.options.unknownHostKeys
    // A host known by keys of other types that now offers a new type is never trusted by rule.
    if (mode === 'accept-new' && !key.otherKeysKnown) return true
    if (mode === 'ask' && !entry.refused) {
      entry.pending = {
        promptId: randomUUID(),
        hostId: entry.row.id,
        host: key.host,
        port: key.port,
        keyType: key.keyType,
        fingerprint: key.fingerprint,
        ...(key.otherKeysKnown ? { otherKeysKnown: key.otherKeysKnown } : {}),
        key,
      }
      this.changed()
    }
    // Refused for now: the handshake cannot wait for a person. Accepting reconnects.
    return false
  }

  private withState(entry: Entry, snapshot: Snapshot): Snapshot {
    const state = entry.connection.state === 'closed' ? 'unreachable' : entry.connection.state
    return { ...snapshot, hosts: snapshot.hosts.map((h) => ({ ...h, state })) }
  }

  private status(entry: Entry): ManagedHost {
    const { pending } = entry
    const error = entry.refused ?? entry.connection.error?.message ?? entry.pollError ?? entry.duplicates
    return {
      ...entry.row,
      state: entry.connection.state,
      ...(error ? { error } : {}),
      ...(pending
        ? {
            pendingHostKey: {
              promptId: pending.promptId,
              hostId: pending.hostId,
              host: pending.host,
              port: pending.port,
              keyType: pending.keyType,
              fingerprint: pending.fingerprint,
              ...(pending.otherKeysKnown ? { otherKeysKnown: pending.otherKeysKnown } : {}),
            },
          }
        : {}),
      ...(entry.lastPollAt ? { lastPollAt: entry.lastPollAt } : {}),
    }
  }

  private changed(): void {
    this.options.onChange(this.list())
  }
}
