import { randomUUID } from 'node:crypto'
import type { AddHostRequest } from '../../shared/api'
import { ApiFailure, failure } from '../../shared/api/result'
import { english, msg } from '../../shared/i18n'
import type { ClusterFacts, HostKeyPrompt, Inventory, ManagedHost, MessageRef, Snapshot } from '../../shared/model'
import { Collector, type PollTiming } from '../collect/collector'
import { VmOwners } from '../collect/vm-owners'
import type { HostAdapter } from '../hosts/adapter'
import type { HostConnection, UnknownHostKey } from '../ssh/connection'
import type { SshConnections } from '../ssh/connections'
import type { ConnectionResources } from '../ssh/resources'
import { TargetError } from '../ssh/target'
import { StoreError, type ManagedHostRow, type Store } from '../store'

export interface HostManagerOptions {
  store: Pick<Store, 'managedHosts' | 'inventory' | 'samples' | 'storage'>
  ssh: SshConnections
  clock: () => number
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
  /** A host's discovery found its VMs (new, changed, moved here or gone). */
  onInventory: (hostId: string, inventory: Inventory) => void
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
  /** The poll's failure in VirtPilot's words, when it worded it (an SSH command that timed out or printed too much). */
  pollErrorRef?: { ref: MessageRef; detail?: string }
  /** Set when the admin refused a host key: shown instead of the connection's own error. */
  refused?: MessageRef
  /** Polls so far, read or failed; and who waits for the next one. */
  attempts: number
  waiting: Set<() => void>
  /** VMs this host reports that another managed host owns (same UUID), left out. */
  duplicates?: MessageRef
}

export interface HostDiagnostics extends ConnectionResources {
  statsRoundTrips: number
  polls: number
  execs: number
  /** Requests answered over this connection: execs plus requests to the resident stats session. */
  roundTrips: number
  state: ManagedHost['state']
  recentPolls: PollTiming[]
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
  private readonly firstPolls = new Set<Promise<void>>()
  /** One owner per VM UUID across hosts; a host that was refused a VM looks again once it is free. */
  private readonly owners = new VmOwners(15 * 60_000, (hostIds) => {
    for (const id of hostIds) void this.rediscover(id)
  })

  constructor(private readonly options: HostManagerOptions) {}

  get count(): number {
    return this.entries.size
  }

  /**
   * Starts every stored host without waiting for them: a first poll may wait for the admin
   * (a passphrase, a host key), so nothing else should. `whenPolled` waits when that is wanted.
   */
  async start(): Promise<void> {
    for (const row of this.options.store.managedHosts.list()) this.startEntry(row)
  }

  /** Resolves once every host started so far has had its first poll (or failed it). */
  async whenPolled(): Promise<void> {
    await Promise.all(this.firstPolls)
  }

  /**
   * Waits until each host (all, or those named) has `samples` complete samples from this run (a
   * rate needs two reads, so N samples take N + 1 reads), or until one of its polls failed.
   * Resolves with the error of each host that failed.
   */
  async whenSampled(samples = 1, ids?: readonly string[]): Promise<Map<string, string>> {
    const errors = new Map<string, string>()
    const entries = [...this.entries.values()].filter((e) => !ids || ids.includes(e.row.id))
    await Promise.all(
      entries.map(
        (entry) =>
          new Promise<void>((resolve) => {
            const check = () => {
              const error = entry.pollError ?? (entry.refused && english(entry.refused)) ?? (entry.pending ? english(msg('apply.hostKey.pending', { fingerprint: entry.pending.fingerprint })) : undefined)
              if (entry.collector.polls < samples + 1 && !(error && entry.attempts > 0)) return
              if (error && entry.collector.polls < samples + 1) errors.set(entry.row.id, error)
              entry.waiting.delete(check)
              resolve()
            }
            entry.waiting.add(check)
            check()
          }),
      ),
    )
    return errors
  }

  /** The hosts as stored in the data file, whether started or not. */
  stored(): ManagedHostRow[] {
    return this.options.store.managedHosts.list()
  }

  list(): ManagedHost[] {
    return [...this.entries.values()].map((e) => this.status(e))
  }

  /** The latest snapshot of each host, oldest discovery first (a later one knows better where a VM is). */
  snapshots(): { snapshot: Snapshot; discoveredAt: number }[] {
    return [...this.entries.values()]
      .flatMap((e) => (e.collector.snapshot ? [{ snapshot: this.withState(e, e.collector.snapshot), discoveredAt: e.collector.snapshotDiscoveredAt }] : []))
      .sort((a, b) => a.discoveredAt - b.discoveredAt)
  }

  /** Tuning facts of every host discovered so far (KSM, hugepages, disk and NIC models, ...). */
  facts(): ClusterFacts[] {
    return [...this.entries.values()].flatMap((e) => e.adapter.facts?.() ?? [])
  }

  /** A running VM's QEMU process id as the host's last poll showed it. */
  qemuPidOf(hostId: string, vmId: string): number | undefined {
    return this.entries.get(hostId)?.adapter.qemuPid?.(vmId)
  }

  /** The SSH connection of a managed host, for apply (exec) and migration tunnels. */
  connectionOf(id: string): HostConnection | undefined {
    return this.entries.get(id)?.connection
  }

  /** Reads a host again at its next poll (after apply, or after its VMs were seen elsewhere). */
  rediscover(id: string): void {
    void this.entries.get(id)?.collector.refresh()
  }

  /**
   * Per host: polls so far and the round trips their stats reads took (one exec per poll is the
   * design), what its connection and collector hold now (a leak shows as a count that stays up),
   * and the timing of its latest polls.
   */
  diagnostics(id: string): HostDiagnostics | undefined {
    const entry = this.entries.get(id)
    if (!entry) return undefined
    const resources = entry.connection.resources
    return {
      statsRoundTrips: entry.collector.statsRoundTrips,
      polls: entry.collector.polls,
      execs: entry.connection.execCount,
      roundTrips: entry.connection.roundTrips,
      state: entry.connection.state,
      ...resources,
      timers: resources.timers + entry.collector.timers,
      recentPolls: [...entry.collector.recent],
    }
  }

  async add(request: AddHostRequest): Promise<ManagedHost> {
    try {
      const target = this.options.ssh.resolve(request.target)
      const name = request.displayName ?? target.alias
      let id = slug(name)
      for (let n = 2; this.entries.has(id) || this.options.store.managedHosts.list().some((r) => r.id === id); n++) id = `${slug(name)}-${n}`
      const row: ManagedHostRow = { id, target: request.target.trim(), displayName: name, tags: request.tags ?? [], addedAt: this.options.clock(), lastSeenAt: null }
      this.options.store.managedHosts.add(row)
      this.startEntry(row)
      return this.status(this.entries.get(id)!)
    } catch (error) {
      if (error instanceof TargetError) throw new ApiFailure('bad-request', error.message, undefined, error.messageRef)
      if (error instanceof StoreError) throw new ApiFailure('conflict', error.message, undefined, error.messageRef)
      throw error
    }
  }

  /** Removes a host by id or by the target it was added as. */
  async remove(idOrTarget: string): Promise<boolean> {
    const row = this.options.store.managedHosts.list().find((r) => r.id === idOrTarget || r.target === idOrTarget)
    const id = row?.id ?? idOrTarget
    const entry = this.entries.get(id)
    this.entries.delete(id)
    if (entry) await entry.collector.stop()
    this.owners.release(id)
    const removed = this.options.store.managedHosts.remove(id) || entry !== undefined
    if (removed) this.options.store.inventory.removeHost(id)
    this.changed()
    return removed
  }

  /** The admin's answer to a host key question; accepting remembers the key and reconnects. */
  async answerHostKey(promptId: string, accept: boolean): Promise<ManagedHost> {
    const entry = [...this.entries.values()].find((e) => e.pending?.promptId === promptId)
    if (!entry?.pending) throw failure('not-found', msg('apply.hostKey.noQuestion'))
    const { key } = entry.pending
    entry.pending = undefined
    if (accept) {
      this.options.ssh.knownHosts.accept(key.host, key.port, key.keyBlob)
      this.options.log(`${entry.row.displayName}: accepted host key ${key.fingerprint}`)
      entry.refused = undefined
      entry.pollError = undefined
      await entry.connection.connect(true).catch(() => undefined)
      await entry.collector.pollNow()
    } else {
      entry.refused = msg('apply.hostKey.refusedByAdmin', { fingerprint: key.fingerprint, type: key.keyType })
      this.notify(entry)
    }
    this.changed()
    return this.status(entry)
  }

  /** Forgets a reinstalled host's old key in VirtPilot's own known_hosts (the changed-key message says when). */
  forgetKey(target: string): ReturnType<SshConnections['forgetKey']> {
    try {
      return this.options.ssh.forgetKey(target)
    } catch (error) {
      if (error instanceof TargetError) throw new ApiFailure('bad-request', error.message, undefined, error.messageRef)
      throw error
    }
  }

  /** Tries again now after the admin fixed something (authentication, a stopped sshd). */
  async reconnect(id: string): Promise<ManagedHost> {
    const entry = this.entries.get(id)
    if (!entry) throw failure('not-found', msg('apply.hostKey.noHost', { host: id }))
    if (entry.pending || entry.refused) throw failure('conflict', msg('apply.hostKey.answerFirst', { host: entry.row.displayName }))
    entry.pollError = undefined
    await entry.connection.connect(true).catch(() => undefined)
    await entry.collector.pollNow()
    return this.status(entry)
  }

  async stop(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => e.collector.stop()))
    this.entries.clear()
  }

  private startEntry(row: ManagedHostRow): void {
    const { store, clock, pollIntervalMs, log } = this.options
    const entry: Partial<Entry> & { row: ManagedHostRow; attempts: number; waiting: Set<() => void> } = { row, attempts: 0, waiting: new Set() }
    const connection = this.options.ssh.open(row.target, {
      onUnknownHostKey: async (key) => this.unknownHostKey(entry as Entry, key),
      onStateChange: (state) => {
        if (state === 'online') {
          entry.row.lastSeenAt = clock()
          try {
            store.managedHosts.touch(row.id, entry.row.lastSeenAt)
          } catch (error) {
            // A full or read-only data file must not make a reachable host look unreachable.
            log(`${row.displayName}: ${(error as Error).message}`)
          }
        }
        this.changed()
      },
    })
    const adapter = this.options.adapterFor(connection, row.id, row.displayName)
    const collector = new Collector({
      adapter,
      store,
      clock,
      intervalMs: pollIntervalMs,
      backfillMs: 0,
      roundTrips: () => connection.roundTrips,
      admit: (inventory, now) => {
        const { inventory: admitted, duplicates } = this.owners.admit(row.id, inventory, now)
        // The owner may have lost the VM (a migration): it looks again, and releases it if so.
        for (const owner of new Set(duplicates.map((d) => d.owner))) void this.rediscover(owner)
        const problem =
          duplicates.length === 0
            ? undefined
            : msg('access.hosts.duplicates', { count: duplicates.length, items: duplicates.map((d) => msg('access.hosts.duplicate', { vm: d.vm.name, id: d.vm.id, owner: d.owner })) })
        const said = problem && english(problem)
        if (said !== (entry.duplicates && english(entry.duplicates))) {
          entry.duplicates = problem
          if (said) log(`${row.displayName}: ${said}`)
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
        // VirtPilot's words where the failure has them (SSH, the stats session, the host's output, the metrics store), what ssh or the host said beside them.
        const said = error as { ref?: MessageRef; messageRef?: MessageRef; detail?: string }
        const ref = said.messageRef ?? said.ref
        const worded = ref ? { ref, ...(said.detail ? { detail: said.detail } : {}) } : undefined
        if (worded) entry.pollErrorRef = worded
        else delete entry.pollErrorRef
        log(`${row.displayName}: ${error.message}`)
        this.changed()
      },
      onInventory: (inventory) => this.inventoryOf(row.id, inventory),
      onPolled: () => this.notify(entry as Entry),
    })
    const full: Entry = Object.assign(entry, { connection, adapter, collector })
    this.entries.set(row.id, full)
    this.changed()
    const first = collector.start()
    this.firstPolls.add(first)
    void first.finally(() => this.firstPolls.delete(first))
  }

  private notify(entry: Entry): void {
    entry.attempts++
    for (const check of [...entry.waiting]) check()
  }

  /** A VM that another host listed has moved here: that host reads its inventory again too. */
  private inventoryOf(hostId: string, inventory: Inventory): void {
    const here = new Set(inventory.vms.map((v) => v.id))
    for (const [id, other] of this.entries) {
      if (id === hostId) continue
      if (other.collector.snapshot?.vms.some((v) => here.has(v.id))) this.rediscover(id)
    }
    this.options.onInventory(hostId, inventory)
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

  /**
   * The error in the admin's language where VirtPilot words it (a connection failure), and what
   * ssh or the host's own tools said, verbatim: a failed collection is the host's words, labelled so.
   */
  private errorWords(entry: Entry): Pick<ManagedHost, 'errorRef' | 'errorDetail'> {
    if (entry.refused) return { errorRef: entry.refused }
    if (entry.pending && !entry.connection.error && !entry.pollError) return { errorRef: msg('apply.hostKey.pending', { fingerprint: entry.pending.fingerprint }) }
    const ssh = entry.connection.error
    if (ssh) return { ...(ssh.ref ? { errorRef: ssh.ref } : {}), ...(ssh.detail ? { errorDetail: ssh.detail } : {}) }
    if (entry.pollError && entry.pollErrorRef) return { errorRef: entry.pollErrorRef.ref, ...(entry.pollErrorRef.detail ? { errorDetail: entry.pollErrorRef.detail } : {}) }
    if (entry.pollError) return { errorRef: msg('apply.connection.collectionFailed'), errorDetail: entry.pollError }
    if (entry.duplicates) return { errorRef: entry.duplicates }
    return {}
  }

  private status(entry: Entry): ManagedHost {
    const { pending } = entry
    const error = (entry.refused && english(entry.refused)) ?? entry.connection.error?.message ?? entry.pollError ?? (entry.duplicates && english(entry.duplicates))
    return {
      ...entry.row,
      state: entry.connection.state,
      ...(error ? { error } : {}),
      ...this.errorWords(entry),
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
