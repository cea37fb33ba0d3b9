import { SnapshotSchema, type Snapshot } from '../../../../shared/model/snapshot'
import type { Host } from '../../../../shared/model/host'
import type { Vm } from '../../../../shared/model/vm'
import type { VmSample } from '../../../../shared/model/sample'

/** Small hand-made clusters for engine tests; every snapshot is checked against the schema. */
export const T0 = Date.UTC(2024, 0, 1)

export function host(id: string, o: { threads?: number; memoryMiB?: number; state?: Host['state'] } = {}): Host {
  const threads = o.threads ?? 16
  return {
    id,
    name: id,
    source: 'demo',
    state: o.state ?? 'online',
    cpu: { model: 'test', sockets: 1, coresPerSocket: threads, threadsPerCore: 1, threads, mhz: 2600 },
    memoryMiB: o.memoryMiB ?? 65536,
    numa: [],
    tags: [],
  }
}

export function vm(
  id: string,
  hostId: string,
  o: { vcpus?: number; maxVcpus?: number; memoryMiB?: number; maxMemoryMiB?: number; state?: Vm['state']; cpuShares?: number } = {},
): Vm {
  const vcpus = o.vcpus ?? 2
  const memoryMiB = o.memoryMiB ?? 4096
  return {
    id,
    name: id,
    hostId,
    state: o.state ?? 'running',
    allocation: {
      vcpus,
      maxVcpus: o.maxVcpus ?? vcpus * 2,
      memoryMiB,
      maxMemoryMiB: o.maxMemoryMiB ?? memoryMiB * 2,
      ...(o.cpuShares ? { cpuShares: o.cpuShares } : {}),
    },
    tags: [],
  }
}

export function usage(v: Vm, cpuUsedCores: number, memUsedMiB: number, t = T0): VmSample {
  return {
    vmId: v.id,
    hostId: v.hostId,
    t,
    cpuPct: Math.min(100, (cpuUsedCores / v.allocation.vcpus) * 100),
    cpuUsedCores,
    cpuReadyPct: 0,
    memUsedMiB,
    diskReadBps: 0,
    diskWriteBps: 0,
    diskReadIops: 0,
    diskWriteIops: 0,
    netRxBps: 0,
    netTxBps: 0,
  }
}

export function snapshot(hosts: Host[], vms: Vm[], vmSamples: VmSample[] = [], t = T0): Snapshot {
  return SnapshotSchema.parse({ t, hosts, vms, hostSamples: [], vmSamples })
}
