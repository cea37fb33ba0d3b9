import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Inventory, Recommendation, Vm } from '../../../shared/model'
import type { HostAdapter, RawStats } from '../../../src-main/hosts/adapter'
import { createCluster } from '../../../src-main/services/cluster'
import { createEngine } from '../../../src-main/services/engine'
import { EventBus } from '../../../src-main/services/events'
import { HostManager } from '../../../src-main/services/host-manager'
import { createInbox } from '../../../src-main/services/inbox'
import { SshConnections } from '../../../src-main/ssh/connections'
import { noPrompts } from '../../../src-main/ssh/credentials'
import { openStore, type Store } from '../../../src-main/store'

// Two hosts and a VM that moves between them behind VirtPilot's back (by hand, another tool).
// The hosts are fakes that answer from one shared table: the lab covers the SSH side.

const where = new Map<string, string>()

function vm(id: string, hostId: string): Vm {
  return { id, name: id, hostId, state: 'running', allocation: { vcpus: 1, maxVcpus: 2, memoryMiB: 512, maxMemoryMiB: 512 }, tags: [] }
}

class TableHost implements HostAdapter {
  readonly canReadPast = false
  discoveries = 0
  constructor(readonly id: string) {}
  async discover(): Promise<Inventory> {
    this.discoveries++
    return {
      hosts: [{ id: this.id, name: this.id, source: 'libvirt', state: 'online', cpu: { model: 'x', sockets: 1, coresPerSocket: 2, threadsPerCore: 1, threads: 2, mhz: 1000 }, memoryMiB: 4096, numa: [], tags: [] }],
      vms: [...where].filter(([, h]) => h === this.id).map(([id]) => vm(id, this.id)),
    }
  }
  async readStats(now: number): Promise<RawStats> {
    const cpuTicks = { user: now / 10, nice: 0, system: 0, idle: now / 10, iowait: 0, irq: 0, softirq: 0, steal: 0 }
    const here = [...where].filter(([, h]) => h === this.id).map(([id]) => id)
    return {
      t: now,
      hosts: [{ hostId: this.id, cpuTicks, memTotalKiB: 4 << 20, memAvailableKiB: 2 << 20, diskReadBytes: 0, diskWriteBytes: 0, netRxBytes: 0, netTxBytes: 0 }],
      vms: here.map((vmId) => ({ vmId, hostId: this.id, vcpus: 1, cpuTimeNs: now * 1e5, runDelayNs: 0, memUsedKiB: 1 << 18, diskReadBytes: 0, diskWriteBytes: 0, diskReadReqs: 0, diskWriteReqs: 0, netRxBytes: 0, netTxBytes: 0 })),
    }
  }
  async close(): Promise<void> {}
}

let dir: string
let store: Store
afterEach(() => {
  store.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('a VM that moves between hosts outside VirtPilot', () => {
  it('is listed once, where it runs now, and advice about it where it was is superseded', async () => {
    dir = mkdtempSync(join(tmpdir(), 'virtpilot-moves-'))
    store = openStore(join(dir, 'v.db'))
    where.clear()
    where.set('web', 'h1').set('db', 'h2')
    const events = new EventBus()
    const adapters = new Map<string, TableHost>()
    let now = 1_800_000_000_000
    const clock = () => (now += 1000)
    // eslint-disable-next-line prefer-const -- the cluster and the inbox are wired to the host manager after it exists
    let inbox: ReturnType<typeof createInbox>
    const hosts: HostManager = new HostManager({
      store,
      ssh: new SshConnections({ dataDir: dir, sshDir: join(dir, '.ssh'), prompter: noPrompts }),
      clock,
      pollIntervalMs: 20,
      unknownHostKeys: 'refuse',
      adapterFor: (_connection, id) => adapters.set(id, new TableHost(id)).get(id)!,
      onChange: () => {},
      onSnapshot: () => {},
      onInventory: () => inbox.supersedeStale(cluster.snapshot()),
      log: () => {},
    })
    const cluster = createCluster({ store, hosts, events, clock, demoPollIntervalMs: 2000, demo: 'off', log: () => {} })
    inbox = createInbox({ store, engine: createEngine(), events, clock, snapshot: cluster.snapshot, facts: () => [], actor: 'test' })
    store.managedHosts.add({ id: 'h1', target: 'h1', displayName: 'h1', tags: [], addedAt: 1 })
    store.managedHosts.add({ id: 'h2', target: 'h2', displayName: 'h2', tags: [], addedAt: 2 })
    await cluster.start()
    try {
      await hosts.whenSampled(2)
      expect(cluster.snapshot().vms.map((v) => [v.id, v.hostId]).sort()).toEqual([['db', 'h2'], ['web', 'h1']])
      const grow: Recommendation = { id: 'grow-web', kind: 'rightsize-cpu', target: { type: 'vm', id: 'web' }, priority: 3, title: 'web', rationale: '', predicted: [], risk: 'low', riskNote: '', needsRestart: false, confidence: 'normal', actions: [{ action: { kind: 'setVcpus', vm: 'web', host: 'h1', count: 2, live: true }, rollback: { kind: 'setVcpus', vm: 'web', host: 'h1', count: 1, live: true } }] }
      store.recommendations.replaceOpen([grow], now)

      where.set('web', 'h2')
      const before = { h1: adapters.get('h1')!.discoveries, h2: adapters.get('h2')!.discoveries }
      await hosts.whenSampled(6)
      // Both hosts read their inventory again: h2 saw a VM it did not list, h1 lost a running one.
      expect(adapters.get('h1')!.discoveries).toBeGreaterThan(before.h1)
      expect(adapters.get('h2')!.discoveries).toBeGreaterThan(before.h2)
      const snapshot = cluster.snapshot()
      expect(snapshot.vms.map((v) => [v.id, v.hostId]).sort()).toEqual([['db', 'h2'], ['web', 'h2']])
      expect(snapshot.vmSamples.filter((s) => s.vmId === 'web').map((s) => s.hostId)).toEqual(['h2'])
      expect(store.inventory.current().vms.map((v) => [v.id, v.hostId]).sort()).toEqual([['db', 'h2'], ['web', 'h2']])
      expect(store.recommendations.getRecommendation('grow-web')!.status).toBe('superseded')
    } finally {
      await cluster.stop()
    }
  })
})
