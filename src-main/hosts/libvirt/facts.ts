import type { ClusterFacts, HostFacts, VmFacts } from '../../../shared/model/facts'
import type { Discovery, VmDetails } from './parse/discover-output'
import type { HostTuning } from '../linux/parse/host-tuning'

/**
 * The tuning facts of one discovered libvirt host and its domains, for the engine's tuning rules.
 * Pure: reads only the parsed discovery. What discovery could not read stays absent.
 */
export function factsFromDiscovery(discovery: Discovery): ClusterFacts {
  const { host: details, inventory } = discovery
  const host = inventory.hosts[0]
  const caps = details.capabilities
  const hostFacts: HostFacts = {
    hostId: details.hostId,
    memoryMiB: host?.memoryMiB ?? caps.cells.reduce((a, c) => a + c.memoryKiB / 1024, 0),
    logicalCpus: caps.logicalCpus,
    numaNodes: caps.cells.map((c) => ({ id: c.id, cpus: c.cpus.map((x) => x.id), memoryMiB: c.memoryKiB / 1024 })),
    kernel: details.kernel,
    libvirtVersion: details.libvirtVersion,
    qemuVersion: details.hypervisor === 'QEMU' ? details.hypervisorVersion : undefined,
    ...tuningFacts(details.tuning),
  }

  const stateOf = new Map(inventory.vms.map((v) => [v.id, v.state]))
  const vms: Record<string, VmFacts> = {}
  for (const d of discovery.vms) vms[d.vmId] = vmFacts(d, details.hostId, stateOf.get(d.vmId) === 'running')
  return { hosts: { [details.hostId]: hostFacts }, vms }
}

type TuningFacts = Pick<HostFacts, 'kvmDevice' | 'ksm' | 'transparentHugepages' | 'hugepagePools' | 'cpuGovernors' | 'haltPollNs' | 'vhostNet'>

/** The host's tuning files (KSM, THP, hugepages, governors, halt polling, vhost) as facts; libvirt and Proxmox hosts read the same files. */
export function tuningFacts(t: HostTuning | undefined): TuningFacts {
  const governors: Record<string, number> = {}
  for (const g of t?.governors.values() ?? []) governors[g] = (governors[g] ?? 0) + 1
  return {
    kvmDevice: t?.kvm.devicePresent,
    ksm: t?.ksm ? { running: t.ksm.run === 1, pagesShared: t.ksm.pagesShared, pagesSharing: t.ksm.pagesSharing, fullScans: t.ksm.fullScans } : undefined,
    transparentHugepages: t?.thp?.enabled,
    hugepagePools: (t?.hugepagePools ?? []).map((p) => ({ sizeKiB: p.sizeKiB, total: p.total, free: p.free })),
    cpuGovernors: governors,
    haltPollNs: t?.haltPollNs,
    vhostNet: t?.vhost.netDevice,
  }
}

function vmFacts(d: VmDetails, hostId: string, running: boolean): VmFacts {
  const c = d.config
  return {
    vmId: d.vmId,
    name: c.name,
    hostId,
    running,
    accelerator: c.type,
    vcpus: c.vcpusCurrent,
    memoryMiB: c.memoryCurrentKiB / 1024,
    maxMemoryMiB: c.memoryMaxKiB / 1024,
    guestOs: c.guestOs,
    disks: c.disks.map((k, i) => ({
      target: k.targetDev ?? `disk${i}`,
      device: k.device,
      bus: k.bus,
      sourceType: k.type,
      format: k.format,
      cache: k.cache,
      io: k.io,
      iothread: k.iothread && k.iothread > 0 ? k.iothread : undefined,
      readonly: k.readonly,
    })),
    nics: c.nics.map((n) => ({ type: n.type, model: n.model, driver: n.driver, queues: n.queues && n.queues > 0 ? n.queues : undefined, mac: n.mac })),
    balloon: c.memballoon?.model ?? 'none',
    hugepagesBacking: c.memoryBacking.hugepages,
    noSharePages: c.memoryBacking.nosharepages,
    vcpuPins: c.cputune.vcpupin.map((p) => ({ vcpu: p.vcpu, cpus: p.cpus })),
    numaMemory: c.numatune ? { mode: c.numatune.mode, nodes: c.numatune.nodeset } : undefined,
  }
}

/** Facts of several hosts (one discovery each) as one cluster. */
export function mergeFacts(parts: readonly ClusterFacts[]): ClusterFacts {
  const out: ClusterFacts = { hosts: {}, vms: {} }
  for (const p of parts) {
    Object.assign(out.hosts, p.hosts)
    Object.assign(out.vms, p.vms)
  }
  return out
}
