import { ClusterFactsSchema, type ClusterFacts, type HostFacts, type VmFacts } from '../../../../shared/model/facts'

/** Hand-made facts for the tuning rule tests; every cluster is checked against the schema. */
export function hostFacts(id: string, o: Partial<HostFacts> = {}): HostFacts {
  return {
    hostId: id,
    memoryMiB: 65536,
    logicalCpus: 16,
    numaNodes: [{ id: 0, cpus: Array.from({ length: 16 }, (_, i) => i), memoryMiB: 65536 }],
    kvmDevice: true,
    ksm: { running: false, pagesShared: 0, pagesSharing: 0, fullScans: 0 },
    transparentHugepages: 'madvise',
    hugepagePools: [{ sizeKiB: 2048, total: 0, free: 0 }],
    cpuGovernors: { performance: 16 },
    haltPollNs: 200000,
    vhostNet: true,
    qemuVersion: '8.2.2',
    libvirtVersion: '10.0.0',
    ...o,
  }
}

export function vmFacts(id: string, hostId: string, o: Partial<VmFacts> = {}): VmFacts {
  return {
    vmId: id,
    name: id,
    hostId,
    running: true,
    accelerator: 'kvm',
    vcpus: 2,
    memoryMiB: 4096,
    maxMemoryMiB: 4096,
    disks: [{ target: 'vda', device: 'disk', bus: 'virtio', sourceType: 'file', format: 'qcow2', cache: 'none', io: 'native', readonly: false }],
    nics: [{ type: 'bridge', model: 'virtio', mac: `52:54:00:00:00:${id.length.toString(16).padStart(2, '0')}` }],
    balloon: 'virtio',
    hugepagesBacking: false,
    noSharePages: false,
    vcpuPins: [],
    ...o,
  }
}

export function cluster(hosts: HostFacts[], vms: VmFacts[]): ClusterFacts {
  return ClusterFactsSchema.parse({ hosts: Object.fromEntries(hosts.map((h) => [h.hostId, h])), vms: Object.fromEntries(vms.map((v) => [v.vmId, v])) })
}
