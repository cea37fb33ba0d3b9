import type { Snapshot } from '../model/snapshot'
import type { VmDemand } from './demand'
import { entitle, type Entitlement, type ResourceClaim } from './entitlement'
import type { AllocationStrategy } from './options'
import type { VmResourceControls } from './placement-rules'

export interface HostLoad {
  hostId: string
  cpu: { capacityCores: number; load: number; demandLoad: number }
  mem: { capacityMiB: number; load: number; demandLoad: number }
  vms: { vmId: string; cpu: Entitlement; mem: Entitlement }[]
}

/** Per host: what each VM is entitled to under the strategy, and the resulting host load. */
export function hostLoads(
  snapshot: Snapshot,
  demand: Map<string, VmDemand>,
  strategy: AllocationStrategy,
  controls: Record<string, VmResourceControls>,
): HostLoad[] {
  return snapshot.hosts.map((host) => {
    const vms = snapshot.vms.filter((v) => v.hostId === host.id && v.state === 'running')
    const cpuClaims: ResourceClaim[] = vms.map((v) => ({
      vmId: v.id,
      demand: demand.get(v.id)?.cpuCores ?? 0,
      allocation: v.allocation.vcpus,
      reservation: controls[v.id]?.cpuReservationCores,
      limit: controls[v.id]?.cpuLimitCores,
      shares: v.allocation.cpuShares,
    }))
    const memClaims: ResourceClaim[] = vms.map((v) => ({
      vmId: v.id,
      demand: demand.get(v.id)?.memMiB ?? 0,
      allocation: v.allocation.memoryMiB,
      reservation: controls[v.id]?.memReservationMiB,
      limit: controls[v.id]?.memLimitMiB,
    }))
    const cpu = entitle(strategy, host.cpu.threads, cpuClaims)
    const mem = entitle(strategy, host.memoryMiB, memClaims)
    return {
      hostId: host.id,
      cpu: { capacityCores: host.cpu.threads, load: cpu.load, demandLoad: cpu.demandLoad },
      mem: { capacityMiB: host.memoryMiB, load: mem.load, demandLoad: mem.demandLoad },
      vms: vms.map((v, i) => ({ vmId: v.id, cpu: cpu.entitlements[i]!, mem: mem.entitlements[i]! })),
    }
  })
}
