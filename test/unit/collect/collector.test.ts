import { afterEach, describe, expect, it } from 'vitest'
import type { Inventory, Vm } from '../../../shared/model'
import { Collector } from '../../../src-main/collect/collector'
import type { HostAdapter, RawStats } from '../../../src-main/hosts/adapter'
import { openStore, type Store } from '../../../src-main/store'

// A host whose VMs come and go between polls (a fake adapter: the lab covers the SSH side).

function vm(id: string, state: Vm['state'] = 'running'): Vm {
  return { id, name: id, uuid: undefined, hostId: 'h1', state, allocation: { vcpus: 1, maxVcpus: 1, memoryMiB: 512, maxMemoryMiB: 512 }, tags: [] }
}

class ChangingHost implements HostAdapter {
  readonly id = 'h1'
  readonly canReadPast = false
  discoveries = 0
  constructor(
    /** What discovery lists. */
    public listed: Vm[],
    /** Which VMs have counters in the stats. */
    public reading: string[],
  ) {}
  async discover(): Promise<Inventory> {
    this.discoveries++
    return { hosts: [{ id: 'h1', name: 'h1', source: 'libvirt', state: 'online', cpu: { model: 'x', sockets: 1, coresPerSocket: 2, threadsPerCore: 1, threads: 2, mhz: 1000 }, memoryMiB: 4096, numa: [], tags: [] }], vms: this.listed }
  }
  async readStats(now: number): Promise<RawStats> {
    const cpuTicks = { user: now / 10, nice: 0, system: 0, idle: now / 10, iowait: 0, irq: 0, softirq: 0, steal: 0 }
    return {
      t: now,
      hosts: [{ hostId: 'h1', cpuTicks, memTotalKiB: 4 << 20, memAvailableKiB: 2 << 20, diskReadBytes: 0, diskWriteBytes: 0, netRxBytes: 0, netTxBytes: 0 }],
      vms: this.reading.map((vmId) => ({ vmId, hostId: 'h1', vcpus: 1, cpuTimeNs: now * 1e5, runDelayNs: 0, memUsedKiB: 1 << 18, diskReadBytes: 0, diskWriteBytes: 0, diskReadReqs: 0, diskWriteReqs: 0, netRxBytes: 0, netTxBytes: 0 })),
    }
  }
  async close(): Promise<void> {}
}

let store: Store
afterEach(() => store.close())

async function polled(adapter: ChangingHost) {
  store = openStore(':memory:')
  let now = 1_000_000
  const inventories: Inventory[] = []
  const collector = new Collector({ adapter, store, clock: () => (now += 10_000), intervalMs: 3600_000, backfillMs: 0, onSnapshot: () => {}, onError: (e) => { throw e }, onInventory: (i) => inventories.push(i) })
  await collector.start()
  return { collector, inventories, poll: () => collector.pollNow() }
}

describe('the inventory follows the host', () => {
  it('reads the inventory again when a running VM has no stats any more (stopped or moved away), once per change', async () => {
    const host = new ChangingHost([vm('a'), vm('b')], ['a', 'b'])
    const { collector, inventories, poll } = await polled(host)
    expect(host.discoveries).toBe(1)
    host.reading = ['a']
    host.listed = [vm('a'), vm('b', 'shutoff')]
    await poll()
    expect(host.discoveries).toBe(2)
    expect(inventories.at(-1)!.vms.map((v) => [v.id, v.state])).toEqual([['a', 'running'], ['b', 'shutoff']])
    expect(store.inventory.current().vms.map((v) => v.state)).toEqual(['running', 'shutoff'])
    // Still without stats for b, now known as shut off: no rediscovery at every poll.
    await poll()
    await poll()
    expect(host.discoveries).toBe(2)
    // A VM that appears (started, or moved here) is read at once too.
    host.listed = [vm('a'), vm('b'), vm('c')]
    host.reading = ['a', 'b', 'c']
    await poll()
    expect(host.discoveries).toBe(3)
    await collector.stop()
  })

  it('drops from the stored inventory a VM its host no longer lists', async () => {
    const host = new ChangingHost([vm('a'), vm('b')], ['a', 'b'])
    const { collector, poll } = await polled(host)
    host.listed = [vm('a')]
    host.reading = ['a']
    // b was running and has no stats: rediscover, and b leaves the stored inventory.
    await poll()
    expect(host.discoveries).toBe(2)
    expect(store.inventory.current().vms.map((v) => v.id)).toEqual(['a'])
    await collector.stop()
  })
})
