import type { ClusterFacts, HostFacts, VmDiskFacts, VmFacts } from '../../../shared/model/facts'
import type { ProxmoxDiscovery, ProxmoxHostDetails, ProxmoxVmDetails } from './discover-output'
import type { ProxmoxQemuConfig } from './parse'
import { tuningFacts } from '../linux/tuning-facts'
import { effectiveDisk } from './storage'

/**
 * The tuning facts of one discovered Proxmox node and its guests, in the same words as a libvirt
 * host's (see libvirt/facts.ts). Disk cache and I/O mode are the values Proxmox actually gives
 * QEMU, defaults included; a guest whose config could not be read has no facts.
 */
export function factsFromProxmoxDiscovery(discovery: ProxmoxDiscovery): ClusterFacts {
  const { host: details, inventory } = discovery
  const host = inventory.hosts[0]!

  const hostFacts: HostFacts = {
    hostId: details.hostId,
    memoryMiB: host.memoryMiB,
    logicalCpus: host.cpu.threads,
    numaNodes: host.numa.map((n) => ({ id: n.id, cpus: n.cpus, memoryMiB: n.memoryMiB })),
    kernel: details.kernel,
    qemuVersion: details.qemuVersion,
    ...tuningFacts(details.tuning),
  }

  const stateOf = new Map(inventory.vms.map((v) => [v.id, v.state]))
  const nameOf = new Map(inventory.vms.map((v) => [v.id, v.name]))
  const vms: Record<string, VmFacts> = {}
  for (const d of discovery.vms) {
    if (!d.config) continue
    vms[d.vmId] = vmFacts(d, d.config, details, nameOf.get(d.vmId) ?? `VM ${d.vmid}`, stateOf.get(d.vmId) === 'running')
  }
  return { hosts: { [details.hostId]: hostFacts }, vms }
}

/** Guest block devices: EFI vars and TPM state are firmware storage, not disks the guest does I/O on. */
const GUEST_DISK_BUSES = new Set(['ide', 'sata', 'scsi', 'virtio'])

export function diskFacts(c: ProxmoxQemuConfig, host: Pick<ProxmoxHostDetails, 'storages' | 'qemuVersion'>): VmDiskFacts[] {
  let iothreads = 0
  return c.disks
    .filter((d) => GUEST_DISK_BUSES.has(d.bus))
    .map((d) => {
      const e = effectiveDisk(d, host.storages, host.qemuVersion)
      // iothread=1 gives a virtio disk its own thread; a SCSI disk only with one controller per disk.
      const ownThread = d.iothread && (d.bus === 'virtio' || (d.bus === 'scsi' && c.scsiController === 'virtio-scsi-single'))
      const cdrom = d.media === 'cdrom'
      return {
        target: d.slot,
        device: cdrom ? 'cdrom' : 'disk',
        bus: d.bus,
        sourceType: e.sourceType,
        format: e.format,
        cache: e.cache,
        io: e.io,
        iothread: ownThread ? ++iothreads : undefined,
        readonly: cdrom || d.readonly === true,
      }
    })
}

function vmFacts(d: ProxmoxVmDetails, c: ProxmoxQemuConfig, host: ProxmoxHostDetails, name: string, running: boolean): VmFacts {
  const hostNodes = [...new Set(c.numaNodes.flatMap((n) => n.hostNodes ?? []))].sort((a, b) => a - b)
  const policies = [...new Set(c.numaNodes.flatMap((n) => (n.policy ? [n.policy] : [])))]
  return {
    vmId: d.vmId,
    name,
    hostId: host.hostId,
    running,
    accelerator: c.kvm ? 'kvm' : 'qemu',
    vcpus: c.vcpus,
    memoryMiB: c.memoryMiB,
    maxMemoryMiB: c.memoryMaxMiB ?? c.memoryMiB,
    guestOs: c.ostype,
    disks: diskFacts(c, host),
    nics: c.nics.map((n) => ({
      // Proxmox plugs a NIC with a bridge into it through a tap device; without one QEMU's user networking.
      type: n.bridge ? 'bridge' : 'user',
      model: n.model === 'unknown' ? undefined : n.model,
      // Proxmox turns vhost on for every virtio NIC when the host has vhost-net: no userspace override exists.
      queues: n.queues && n.queues > 0 ? n.queues : undefined,
      mac: n.mac,
    })),
    // Proxmox adds a virtio balloon to every guest unless `balloon: 0`.
    balloon: c.balloonMiB === 0 ? 'none' : 'virtio',
    hugepagesBacking: c.hugepages !== undefined,
    noSharePages: !c.allowKsm,
    // `affinity` binds the whole QEMU process, so every vCPU gets the same CPU set.
    vcpuPins: c.affinity ? Array.from({ length: c.vcpus }, (_, vcpu) => ({ vcpu, cpus: c.affinity! })) : [],
    numaMemory: hostNodes.length > 0 || policies.length > 0 ? { ...(policies.length === 1 ? { mode: policies[0] } : {}), ...(hostNodes.length ? { nodes: hostNodes } : {}) } : undefined,
  }
}
