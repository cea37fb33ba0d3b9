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
  for (const rule of rules) {
    const label = ruleLabel(rule)
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
        for (const vm of rule.vms) {
          out.pinned[vm] = out.pinned[vm] ? intersect(out.pinned[vm], rule.hosts) : [...rule.hosts]
          add(out.names.pinned, vm, label)
        }
        break
      case 'host-must-not':
        if (hosts.length === 0) break
        for (const vm of rule.vms) {
          const others = hosts.filter((h) => !rule.hosts.includes(h))
          out.pinned[vm] = out.pinned[vm] ? intersect(out.pinned[vm], others) : others
          add(out.names.pinned, vm, label)
        }
        break
      case 'host-should-not':
        if (hosts.length === 0) break
        for (const vm of rule.vms) {
          const others = hosts.filter((h) => !rule.hosts.includes(h))
          out.preferred[vm] = out.preferred[vm] ? intersect(out.preferred[vm], others) : others
          add(out.names.preferred, vm, label)
        }
        break
      case 'host-should':
        for (const vm of rule.vms) {
          out.preferred[vm] = out.preferred[vm] ? intersect(out.preferred[vm], rule.hosts) : [...rule.hosts]
          add(out.names.preferred, vm, label)
        }
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

