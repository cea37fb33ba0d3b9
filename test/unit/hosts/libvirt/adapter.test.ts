import { describe, expect, it } from 'vitest'
import { LibvirtAdapter } from '../../../../src-main/hosts/libvirt/adapter'
import { DISCOVER_SCRIPT } from '../../../../src-main/hosts/libvirt/discover-script'
import { STATS_SCRIPT } from '../../../../src-main/hosts/libvirt/stats-script'
import { FakeConnection } from '../fake-connection'
import { fixture } from './fixture'

// Real outputs of lab host h1 (test/fixtures/outputs/virtpilot-lab) over a FAKE transport.
const discovered = fixture('virtpilot-lab/discover-h1.txt')
const sample = fixture('virtpilot-lab/stats-h1-sample1.txt')
/** Sample 1 with h1-vm1 paused (state.state=3): SYNTHETIC edit of a real output. */
const paused = sample.replace("Domain: 'h1-vm1'\n  state.state=1", "Domain: 'h1-vm1'\n  state.state=3")

function host(stats: (call: number) => string) {
  let polls = 0
  return new FakeConnection('vplab@h1', (script) => (script === DISCOVER_SCRIPT ? discovered : script === STATS_SCRIPT ? stats(++polls) : new Error('unexpected script')))
}

describe('LibvirtAdapter over a fake SSH connection', () => {
  it('asks for the schedstat loop only until libvirt showed it reports vcpu.N.delay itself', async () => {
    const conn = host(() => sample)
    const adapter = new LibvirtAdapter(conn.asConnection, 'h1')
    await adapter.discover()
    await adapter.readStats(1)
    await adapter.readStats(2)
    expect(conn.sent.map((r) => /POLL (\S+)/.exec(r)![1])).toEqual(['schedstat', '-'])
    expect(adapter.lastReading!.vms.map((v) => v.runDelaySource)).toEqual(['schedstat', 'schedstat'])
  })

  it('asks for KVM\'s VM-wide counters (--vm) until virsh refuses the option, then without it in the same poll', async () => {
    // SYNTHETIC edit of a real output: the domstats an older virsh (before the --vm group) answers with.
    const refused = sample.replace(/(BEGIN domstats\n)[^]*?(@@VP \S+ END domstats) 0\n/, "$1$2 1\n@@VP 7a98b427-d687-4c60-a806-ca0bf3c9b4c1 BEGIN domstats.stderr\ncommand 'domstats' doesn't support option --vm\n@@VP 7a98b427-d687-4c60-a806-ca0bf3c9b4c1 END domstats.stderr 0\n")
    expect(refused).not.toBe(sample)
    const conn = host((call) => (call === 1 ? refused : sample))
    const adapter = new LibvirtAdapter(conn.asConnection, 'h1')
    await adapter.discover()
    const raw = await adapter.readStats(1)
    expect(raw.vms.map((v) => v.vmId).length).toBe(2)
    await adapter.readStats(2)
    expect(conn.sent.map((r) => r.includes(' --vm\n'))).toEqual([true, false, false])
    expect(conn.execs).toHaveLength(1)
  })

  it('a domstats that fails otherwise is this poll\'s error, and the next poll still asks for --vm', async () => {
    const down = sample.replace(/(BEGIN domstats\n)[^]*?(@@VP \S+ END domstats) 0\n/, "$1$2 1\n@@VP 7a98b427-d687-4c60-a806-ca0bf3c9b4c1 BEGIN domstats.stderr\nfailed to connect to the hypervisor\n@@VP 7a98b427-d687-4c60-a806-ca0bf3c9b4c1 END domstats.stderr 0\n")
    const conn = host((call) => (call === 1 ? down : sample))
    const adapter = new LibvirtAdapter(conn.asConnection, 'h1')
    await adapter.discover()
    await expect(adapter.readStats(1)).rejects.toThrow('failed to connect')
    await adapter.readStats(2)
    expect(conn.sent.map((r) => r.includes(' --vm\n'))).toEqual([true, true])
  })

  it('asks for a new discovery when a poll shows a VM with more vCPUs', async () => {
    // SYNTHETIC edit of a real output: h1-vm2 with a second vCPU online
    const hotplugged = sample.replace(/(Domain: 'h1-vm2'[^]*?vcpu\.current=)1/, '$12')
    expect(hotplugged).not.toBe(sample)
    const adapter = new LibvirtAdapter(host((poll) => (poll === 1 ? sample : hotplugged)).asConnection, 'h1')
    await adapter.discover()
    await adapter.readStats(1)
    await adapter.readStats(2)
    expect(adapter.inventoryStale()).toBe(true)
  })

  it('asks for a new discovery once when a VM changes state, not on every poll after', async () => {
    const adapter = new LibvirtAdapter(host((poll) => (poll === 1 ? sample : paused)).asConnection, 'h1')
    await adapter.discover()
    await adapter.readStats(1)
    expect(adapter.inventoryStale()).toBe(false)
    await adapter.readStats(2)
    expect(adapter.inventoryStale()).toBe(true)
    // discovery still says running (it was read before the pause): no discovery storm
    await adapter.discover()
    await adapter.readStats(3)
    expect(adapter.inventoryStale()).toBe(false)
  })
})
