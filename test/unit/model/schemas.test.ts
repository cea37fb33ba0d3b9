import { describe, expect, it } from 'vitest'
import { HistoryFileSchema, HostSchema, SnapshotSchema, VmSchema } from '../../../shared/model'
import { describeIssues } from '../../../shared/api'
import { DemoCluster } from '../../../src-main/hosts/demo/demo-cluster'

const host = {
  id: 'h1',
  name: 'h1',
  source: 'libvirt',
  state: 'online',
  cpu: { model: 'Xeon', sockets: 1, coresPerSocket: 4, threadsPerCore: 2, threads: 8, mhz: 2400 },
  memoryMiB: 32768,
  numa: [{ id: 0, cpus: [0, 1, 2, 3, 4, 5, 6, 7], memoryMiB: 32768 }],
  tags: [],
}

describe('domain schemas', () => {
  it('accepts a well-formed host and VM', () => {
    expect(HostSchema.parse(host)).toEqual(host)
    const vm = { id: 'v1', name: 'web 01 (prod)', hostId: 'h1', state: 'running', allocation: { vcpus: 2, maxVcpus: 4, memoryMiB: 2048, maxMemoryMiB: 4096 }, tags: [] }
    expect(VmSchema.parse(vm).name).toBe('web 01 (prod)')
  })

  it('names the field that is wrong', () => {
    const bad = { ...host, memoryMiB: -1, cpu: { ...host.cpu, threads: 0 } }
    const result = HostSchema.safeParse(bad)
    expect(result.success).toBe(false)
    const lines = describeIssues(result.error!)
    expect(lines.some((l) => l.startsWith('memoryMiB:'))).toBe(true)
    expect(lines.some((l) => l.startsWith('cpu.threads:'))).toBe(true)
  })

  it('rejects an unknown VM state instead of guessing', () => {
    const vm = { id: 'v1', name: 'x', hostId: 'h1', state: 'zombie', allocation: { vcpus: 1, maxVcpus: 1, memoryMiB: 1, maxMemoryMiB: 1 }, tags: [] }
    expect(VmSchema.safeParse(vm).success).toBe(false)
  })

  it('validates a real snapshot built by the demo cluster', async () => {
    const demo = new DemoCluster()
    const inventory = await demo.discover()
    const snapshot = { t: 1, ...inventory, hostSamples: [], vmSamples: [] }
    expect(SnapshotSchema.safeParse(snapshot).success).toBe(true)
  })

  it('reads a history file with the virtualization layer the tuning rules weigh, and refuses a layer figure of the wrong length', () => {
    const vm = { t: [0, 300_000], cpuUsedCores: [0.5, 0.6], memUsedMiB: [900, 950], layer: { t: [0, 300_000], kvmHaltPollFailCores: [0.1, null], overheadCores: [0.02, 0.03] } }
    const file = { version: 1, from: 0, to: 300_000, stepMs: 300_000, vms: { v1: vm } }
    expect(HistoryFileSchema.parse(file).vms.v1!.layer).toEqual(vm.layer)
    const short = { ...file, vms: { v1: { ...vm, layer: { ...vm.layer, overheadCores: [0.02] } } } }
    expect(HistoryFileSchema.safeParse(short).success).toBe(false)
    const unknown = { ...file, vms: { v1: { ...vm, layer: { ...vm.layer, madeUp: [1, 2] } } } }
    expect(HistoryFileSchema.safeParse(unknown).success).toBe(false)
  })
})
