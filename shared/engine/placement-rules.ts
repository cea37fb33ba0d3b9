import { ruleLabel, type PlacementRule } from '../model/placement-rule'

/**
 * Placement rules an admin sets, beyond what the inventory says.
 * Hosts in maintenance come from `Host.state === 'maintenance'`.
 */
export interface PlacementRules {
  /** Each group stays together on one host. */
  affinity: string[][]
  /** No two VMs of a group share a host. */
  antiAffinity: string[][]
  /** VM id -> hosts it may run on (must-run rules and pins: hard). */
  pinned: Record<string, string[]>
  /** VMs another balancer manages: never moved, still counted. */
  externallyManaged: string[]
  /** VM id -> hosts it should run on (soft): moved there where one has room, never moved off them to even out load. */
  preferred?: Record<string, string[]>
  /** VMs balancing leaves where they are; maintenance and the hard rules still move them (a plan the admin approves). */
  excluded?: string[]
  /** The admin's names of the rules behind the constraints, for the words of a fix. */
  names?: RuleNames
}

export interface RuleNames {
  /** Per group, index for index with `affinity` / `antiAffinity`. */
  affinity?: string[]
  antiAffinity?: string[]
  /** Per VM: the rules that set its hosts. */
  pinned?: Record<string, string>
  preferred?: Record<string, string>
}

export const noRules: PlacementRules = { affinity: [], antiAffinity: [], pinned: {}, externallyManaged: [] }

/** vSphere-style per-VM controls for the hybrid strategy; absent values mean "none". */
export interface VmResourceControls {
  cpuReservationCores?: number
  cpuLimitCores?: number
  memReservationMiB?: number
  memLimitMiB?: number
}

const intersect = (a: readonly string[], b: readonly string[]) => a.filter((x) => b.includes(x))

/**
 * The admin's stored rules as the engine reads them: a VM's must-run hosts and pins intersect
 * (all of them hold), its should-run hosts are kept within them. Must-not and should-not rules
 * name the hosts to avoid: they read as the cluster's other hosts (`hosts`, the hosts known now;
 * without them such a rule cannot be read and is left out rather than leave a VM no host).
 */
export function fromAdminRules(rules: readonly PlacementRule[], externallyManaged: readonly string[] = [], hosts: readonly string[] = []): Required<Omit<PlacementRules, 'names'>> & { names: Required<RuleNames> } {
  const out: ReturnType<typeof fromAdminRules> = {
    affinity: [], antiAffinity: [], pinned: {}, externallyManaged: [...externallyManaged], preferred: {}, excluded: [],
    names: { affinity: [], antiAffinity: [], pinned: {}, preferred: {} },
  }
  const add = (map: Record<string, string>, vm: string, label: string) => (map[vm] = map[vm] ? `${map[vm]}, ${label}` : label)
  /** Keeps each VM's must-run (`pinned`) or should-run (`preferred`) hosts within `allowed`: all such rules hold at once. */
  const restrict = (kind: 'pinned' | 'preferred', vms: readonly string[], allowed: readonly string[], label: string) => {
    for (const vm of vms) {
      out[kind][vm] = out[kind][vm] ? intersect(out[kind][vm], allowed) : [...allowed]
      add(out.names[kind], vm, label)
    }
  }
  for (const rule of rules) {
    const label = ruleLabel(rule)
    const avoiding = () => hosts.filter((h) => !rule.hosts.includes(h))
    switch (rule.kind) {
      case 'affinity':
        out.affinity.push([...rule.vms])
        out.names.affinity.push(label)
        break
      case 'anti-affinity':
        out.antiAffinity.push([...rule.vms])
        out.names.antiAffinity.push(label)
        break
      case 'host-must':
      case 'pin':
        restrict('pinned', rule.vms, rule.hosts, label)
        break
      case 'host-must-not':
        if (hosts.length > 0) restrict('pinned', rule.vms, avoiding(), label)
        break
      case 'host-should':
        restrict('preferred', rule.vms, rule.hosts, label)
        break
      case 'host-should-not':
        if (hosts.length > 0) restrict('preferred', rule.vms, avoiding(), label)
        break
      case 'exclude':
        for (const vm of rule.vms) if (!out.excluded.includes(vm)) out.excluded.push(vm)
    }
  }
  for (const [vm, hosts] of Object.entries(out.preferred)) {
    const allowed = out.pinned[vm]
    if (allowed) out.preferred[vm] = intersect(hosts, allowed)
  }
  return out
}

