import type { ClusterFacts, HostFacts, VmFacts } from '../../../shared/model/facts'
import type { Discovery, VmDetails } from './parse/discover-output'
import { tuningFacts } from '../linux/tuning-facts'

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
