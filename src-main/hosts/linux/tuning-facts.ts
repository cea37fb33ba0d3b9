import type { HostFacts } from '../../../shared/model/facts'
import type { HostTuning } from './parse/host-tuning'

type TuningFacts = Pick<HostFacts, 'kvmDevice' | 'ksm' | 'transparentHugepages' | 'hugepagePools' | 'cpuGovernors' | 'cpuClock' | 'haltPollNs' | 'vhostNet'>

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
    cpuClock: t?.cpuCurMHz !== undefined && t.cpuMaxMHz !== undefined ? { currentMHz: Math.round(t.cpuCurMHz), maxMHz: Math.round(t.cpuMaxMHz) } : undefined,
    haltPollNs: t?.haltPollNs,
    vhostNet: t?.vhost.netDevice,
  }
}
