import type { ClusterFacts, HostFacts, VmDiskFacts, VmFacts, VmNicFacts } from '../../../shared/model/facts'
import traces from './data/demo-traces.json'
import { demoHosts } from './hosts'
import { demoStorage } from './storage'

/**
 * Configuration facts of the demo cluster, for the tuning rules.
 *
 * MADE UP FOR THE DEMO: the demo's load is replayed from real Bitbrains traces, but the traces
 * say nothing about kernels or device models, so these settings are invented. They are chosen
 * to be plausible for a small lab and to show what the tuning advice looks like:
 * - demo-a: two NUMA nodes, CPU governor `powersave`; its 4- and 8-vCPU guests are not pinned.
 * - demo-b: transparent hugepages `never` while 16 GiB guests run; bb010-b has an IDE system
 *   disk; bb001-b's virtio NIC is forced to the userspace backend (driver qemu).
 * - demo-c: KSM off while guests hold 83 % of its RAM and four of them run the same OS.
 * - bb020-a has an e1000 NIC, bb407-a has no balloon device, bb287-a and bb410-b keep the
 *   default disk cache (writeback) and I/O mode (threads).
 * Everything else is the well-tuned default (virtio, cache=none, io=native, balloon).
 */

interface TraceVm { name: string; host: string; vcpus: number; memoryMiB: number }

const GUEST_OS: Record<string, string> = {
  'bb001': 'debian12', 'bb010': 'win2k19', 'bb020': 'centos7', 'bb024': 'rhel9', 'bb041': 'debian12',
  'bb124': 'ubuntu22.04', 'bb186': 'ubuntu22.04', 'bb232': 'ubuntu22.04', 'bb287': 'debian12',
  'bb392': 'rhel9', 'bb407': 'ubuntu22.04', 'bb410': 'win2k19', 'bb421': 'debian12',
}

const HOST_TUNING: Record<string, Omit<HostFacts, 'hostId' | 'memoryMiB' | 'logicalCpus' | 'numaNodes'>> = {
  'demo-a': {
    kernel: '6.1.0-18-amd64', libvirtVersion: '9.0.0', qemuVersion: '7.2.9', kvmDevice: true,
    ksm: { running: false, pagesShared: 0, pagesSharing: 0, fullScans: 0 },
    transparentHugepages: 'madvise', hugepagePools: [{ sizeKiB: 2048, total: 0, free: 0 }],
    cpuGovernors: { powersave: 32 }, cpuClock: { currentMHz: 1200, maxMHz: 3400 }, haltPollNs: 200000, vhostNet: true,
  },
  'demo-b': {
    kernel: '6.8.0-45-generic', libvirtVersion: '10.0.0', qemuVersion: '8.2.2', kvmDevice: true,
    ksm: { running: false, pagesShared: 0, pagesSharing: 0, fullScans: 0 },
    transparentHugepages: 'never', hugepagePools: [{ sizeKiB: 2048, total: 0, free: 0 }],
    cpuGovernors: { schedutil: 24 }, haltPollNs: 200000, vhostNet: true,
  },
  'demo-c': {
    kernel: '6.1.0-18-amd64', libvirtVersion: '9.0.0', qemuVersion: '7.2.9', kvmDevice: true,
    ksm: { running: false, pagesShared: 0, pagesSharing: 0, fullScans: 0 },
    transparentHugepages: 'madvise', hugepagePools: [{ sizeKiB: 2048, total: 0, free: 0 }],
    cpuGovernors: { performance: 16 }, haltPollNs: 200000, vhostNet: true,
  },
}

const tunedDisk: VmDiskFacts = { target: 'vda', device: 'disk', bus: 'virtio', sourceType: 'file', format: 'qcow2', cache: 'none', io: 'native', readonly: false }

function vmFacts(t: TraceVm, index: number): VmFacts {
  const family = t.name.slice(0, 5)
  const mac = `52:54:00:de:00:${index.toString(16).padStart(2, '0')}`
  let disks: VmDiskFacts[] = [tunedDisk]
  let nics: VmNicFacts[] = [{ type: 'bridge', model: 'virtio', mac }]
  if (t.name === 'bb010-b') disks = [{ ...tunedDisk, target: 'hda', bus: 'ide' }]
  if (t.name === 'bb287-a' || t.name === 'bb410-b') disks = [{ ...tunedDisk, cache: undefined, io: undefined }]
  if (t.name === 'bb020-a') nics = [{ type: 'bridge', model: 'e1000', mac }]
  if (t.name === 'bb001-b') nics = [{ type: 'bridge', model: 'virtio', driver: 'qemu', mac }]
  return {
    vmId: `demo:${t.name}`,
    name: t.name,
    hostId: t.host,
    running: true,
    accelerator: 'kvm',
    vcpus: t.vcpus,
    memoryMiB: t.memoryMiB,
    maxMemoryMiB: t.memoryMiB,
    guestOs: GUEST_OS[family],
    disks,
    nics,
    balloon: t.name === 'bb407-a' ? 'none' : 'virtio',
    hugepagesBacking: false,
    noSharePages: false,
    vcpuPins: [],
  }
}

/** The demo cluster's (made-up) configuration facts, consistent with its hosts and VMs. */
export function demoFacts(now = 0): ClusterFacts {
  const hosts: ClusterFacts['hosts'] = {}
  for (const h of demoHosts) {
    hosts[h.id] = {
      hostId: h.id,
      memoryMiB: h.memoryMiB,
      logicalCpus: h.cpu.threads,
      numaNodes: h.numa.map((n) => ({ id: n.id, cpus: [...n.cpus], memoryMiB: n.memoryMiB })),
      ...structuredClone(HOST_TUNING[h.id]!),
    }
  }
  const vms: ClusterFacts['vms'] = {}
  ;(traces as { vms: TraceVm[] }).vms.forEach((t, i) => {
    const v = vmFacts(t, i)
    vms[v.vmId] = v
  })
  return { hosts, vms, storage: Object.fromEntries(demoStorage(now).map((s) => [s.hostId, s])) }
}
