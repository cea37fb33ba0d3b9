import { describe, expect, it } from 'vitest'
import traces from '../../../src-main/hosts/demo/data/demo-traces.json'
import { DemoCluster, DEMO_HISTORY_ROW_MS, DEMO_ROW_MS } from '../../../src-main/hosts/demo/demo-cluster'
import { deriveSamples } from '../../../src-main/collect/rates'

const data = traces as { rows: number; vms: { name: string; host: string; vcpus: number; mhzPerCore: number; cpuMhz: number[]; memUsedMiB: number[] }[] }

describe('demo cluster inventory', () => {
  it('has three hosts and 24 uniquely named VMs placed on them', async () => {
    const { hosts, vms } = await new DemoCluster().discover()
    expect(hosts.map((h) => h.id)).toEqual(['demo-a', 'demo-b', 'demo-c'])
    expect(vms).toHaveLength(24)
    expect(new Set(vms.map((v) => v.id)).size).toBe(24)
    for (const vm of vms) expect(hosts.some((h) => h.id === vm.hostId)).toBe(true)
  })

  it('keeps each host within its physical memory by allocation', async () => {
    const { hosts, vms } = await new DemoCluster().discover()
    for (const host of hosts) {
      const allocated = vms.filter((v) => v.hostId === host.id).reduce((s, v) => s + v.allocation.memoryMiB, 0)
      expect(allocated).toBeLessThanOrEqual(host.memoryMiB)
    }
  })
})

describe('demo cluster replay', () => {
  const threads = new Map([['demo-a', 32], ['demo-b', 24], ['demo-c', 16]])

  it('replays a VM trace row as the CPU the collector measures', async () => {
    const demo = new DemoCluster(0)
    // bb010-a sits on an uncontended host; measure across row 7 exactly.
    const trace = data.vms.find((v) => v.name === 'bb010-a')!
    const row = 7
    const { vmSamples } = deriveSamples(await demo.readStats(row * DEMO_ROW_MS), await demo.readStats((row + 1) * DEMO_ROW_MS), threads)
    const sample = vmSamples.find((s) => s.vmId === 'demo:bb010-a')!
    expect(sample.cpuUsedCores).toBeCloseTo(trace.cpuMhz[row]! / trace.mhzPerCore, 6)
    expect(sample.memUsedMiB).toBe(trace.memUsedMiB[row + 1])
    expect(sample.cpuReadyPct).toBe(0)
  })

  it('is reproducible for a given moment and counters only grow', async () => {
    const a = await new DemoCluster(0).readStats(123_456)
    const b = await new DemoCluster(0).readStats(123_456)
    expect(a).toEqual(b)
    const later = await new DemoCluster(0).readStats(123_456 + 7 * DEMO_ROW_MS * data.rows)
    for (const [i, vm] of a.vms.entries()) expect(later.vms[i]!.cpuTimeNs).toBeGreaterThan(vm.cpuTimeNs)
  })

  it('shares a host fairly when its VMs want more CPU than it has, and shows the rest as CPU ready', async () => {
    const demo = new DemoCluster(0)
    const onC = data.vms.filter((v) => v.host === 'demo-c')
    const demand = (row: number) => onC.reduce((s, v) => s + Math.min(v.cpuMhz[row]! / v.mhzPerCore, v.vcpus), 0)
    const row = [...Array(data.rows).keys()].find((r) => demand(r) > 15.5)
    expect(row, 'the hot demo host should be overloaded at some point').toBeDefined()
    const { vmSamples, hostSamples } = deriveSamples(await demo.readStats(row! * DEMO_ROW_MS), await demo.readStats((row! + 1) * DEMO_ROW_MS), threads)
    const used = vmSamples.filter((s) => s.hostId === 'demo-c').reduce((s, v) => s + v.cpuUsedCores, 0)
    expect(used).toBeLessThanOrEqual(16)
    expect(vmSamples.filter((s) => s.hostId === 'demo-c').some((s) => s.cpuReadyPct > 0)).toBe(true)
    expect(hostSamples.find((h) => h.hostId === 'demo-c')!.cpuPct).toBeGreaterThan(95)
  })
})

describe('demo cluster recorded history', () => {
  const threads = new Map([['demo-a', 32], ['demo-b', 24], ['demo-c', 16]])
  const origin = 1_800_000_000_000

  it('before it started, plays the two recorded days at the trace’s own 5-minute step, ending when it started', async () => {
    const demo = new DemoCluster(origin)
    const trace = data.vms.find((v) => v.name === 'bb010-a')!
    for (const row of [0, 100, data.rows - 1]) {
      const at = origin - (data.rows - row) * DEMO_HISTORY_ROW_MS
      const { vmSamples } = deriveSamples(await demo.readStats(at), await demo.readStats(at + DEMO_HISTORY_ROW_MS), threads)
      const sample = vmSamples.find((s) => s.vmId === 'demo:bb010-a')!
      expect(sample.cpuUsedCores).toBeCloseTo(trace.cpuMhz[row]! / trace.mhzPerCore, 6)
    }
  })

  it('runs its counters on without a jump from the history into the live replay', async () => {
    const demo = new DemoCluster(origin)
    const before = await demo.readStats(origin - 1)
    const at = await demo.readStats(origin)
    const after = await demo.readStats(origin + DEMO_ROW_MS)
    for (const [i, vm] of at.vms.entries()) {
      expect(vm.cpuTimeNs).toBeGreaterThanOrEqual(before.vms[i]!.cpuTimeNs)
      expect(after.vms[i]!.cpuTimeNs).toBeGreaterThanOrEqual(vm.cpuTimeNs)
      // One live row of 2 s after the start is the trace's first row, time-compressed.
      const trace = data.vms.find((v) => `demo:${v.name}` === vm.vmId)!
      expect(vm.cpuTimeNs - before.vms[i]!.cpuTimeNs).toBeLessThan(trace.vcpus * 1e6 + 1)
    }
    const { vmSamples, hostSamples } = deriveSamples(at, after, threads)
    const trace = data.vms.find((v) => v.name === 'bb010-a')!
    expect(vmSamples.find((s) => s.vmId === 'demo:bb010-a')!.cpuUsedCores).toBeCloseTo(trace.cpuMhz[0]! / trace.mhzPerCore, 6)
    for (const h of hostSamples) expect(h.cpuPct).toBeLessThanOrEqual(100)
  })

  it('names every recorded row to read when the store is empty, and only the gap when it is not', () => {
    const demo = new DemoCluster(origin)
    const all = demo.backfillTimes(origin - 48 * 3600_000, origin, 2000)
    expect(all).toHaveLength(data.rows)
    expect(all[0]).toBe(origin - data.rows * DEMO_HISTORY_ROW_MS)
    expect(all.at(-1)).toBe(origin - DEMO_HISTORY_ROW_MS)
    expect(all).toEqual([...all].sort((a, b) => a - b))
    const gap = demo.backfillTimes(origin - 20 * 60_000, origin + 10_000, 2000)
    expect(gap).toEqual([origin - 20 * 60_000, origin - 15 * 60_000, origin - 10 * 60_000, origin - 5 * 60_000, origin, origin + 2000, origin + 4000, origin + 6000, origin + 8000])
  })
})
