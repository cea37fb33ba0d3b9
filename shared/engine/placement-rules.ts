import type { MessageRef } from '../model/recommendation'
import type { NewPlacementRule, PlacementRule } from '../model/placement-rule'

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

/** What the admin calls a rule: its name, else its id. */
export const ruleLabel = (rule: Pick<PlacementRule, 'id' | 'name'>): string => rule.name ?? rule.id

const intersect = (a: readonly string[], b: readonly string[]) => a.filter((x) => b.includes(x))
const join = (names: readonly string[]) => names.join(', ')

/**
 * The admin's stored rules as the engine reads them: a VM's must-run hosts and pins intersect
 * (all of them hold), its should-run hosts are kept within them.
 */
export function fromAdminRules(rules: readonly PlacementRule[], externallyManaged: readonly string[] = []): Required<Omit<PlacementRules, 'names'>> & { names: Required<RuleNames> } {
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

/** Why a rule cannot be added, in words and as a message key for the renderer. */
export interface RuleConflict {
  message: string
  ref: MessageRef
}

/** What a new rule is checked against: the rules kept, and the VMs and hosts the cluster has (names for the words). */
export interface RuleContext {
  rules: readonly PlacementRule[]
  vms: ReadonlyMap<string, string>
  hosts: readonly string[]
}

/**
 * Why the candidate rule cannot join the stored ones, or undefined when it can: unknown VMs or
 * hosts, the same rule twice, VMs both together and apart, a VM with no host left that all its
 * must-run rules and pins allow, an affinity group whose members may share no host, should-run
 * hosts outside the must-run ones, more anti-affine VMs than hosts they may use.
 */
export function ruleConflict(candidate: NewPlacementRule, context: RuleContext): RuleConflict | undefined {
  const hosts = candidate.hosts ?? []
  const name = (vm: string) => context.vms.get(vm) ?? vm
  const fail = (message: string, key: string, params: MessageRef['params']): RuleConflict => ({ message, ref: { key: `rules.conflict.${key}`, params } })
  const unknownVm = candidate.vms.find((vm) => !context.vms.has(vm))
  if (unknownVm !== undefined) return fail(`There is no VM ${unknownVm} in the cluster.`, 'unknownVm', { vm: unknownVm })
  const unknownHost = hosts.find((h) => !context.hosts.includes(h))
  if (unknownHost !== undefined) return fail(`There is no host ${unknownHost} in the cluster.`, 'unknownHost', { host: unknownHost })
  const key = (r: Pick<NewPlacementRule, 'kind' | 'vms' | 'hosts'>) => `${r.kind}|${[...r.vms].sort().join(',')}|${[...(r.hosts ?? [])].sort().join(',')}`
  const same = context.rules.find((r) => key(r) === key(candidate))
  if (same) return fail(`The same rule exists already: ${ruleLabel(same)}.`, 'duplicate', { rule: ruleLabel(same) })

  const all = fromAdminRules([...context.rules, { ...candidate, hosts, id: 'new', createdAt: 0, createdBy: '' }])
  const newLabel = candidate.name ?? 'the new rule'
  // VMs tied together (affinity, transitively) may not be kept apart.
  const parent = new Map<string, string>()
  const find = (x: string): string => {
    const p = parent.get(x) ?? x
    if (p === x) return x
    const root = find(p)
    parent.set(x, root)
    return root
  }
  for (const group of all.affinity) for (const vm of group.slice(1)) parent.set(find(vm), find(group[0]!))
  for (const group of all.antiAffinity)
    for (let i = 0; i < group.length; i++)
      for (let j = i + 1; j < group.length; j++)
        if (find(group[i]!) === find(group[j]!))
          return fail(`${name(group[i]!)} and ${name(group[j]!)} would have to run together (affinity) and apart (anti-affinity).`, 'togetherAndApart', { a: name(group[i]!), b: name(group[j]!) })
  for (const [vm, allowed] of Object.entries(all.pinned))
    if (allowed.length === 0)
      return fail(`${name(vm)} would have no host to run on: its must-run rules and pins (${all.names.pinned[vm] ?? newLabel}) allow no host in common.`, 'noHostLeft', { vm: name(vm), rules: all.names.pinned[vm] ?? newLabel })
  for (const group of all.affinity) {
    const pinned = group.filter((vm) => all.pinned[vm])
    if (pinned.length === 0) continue
    const common = pinned.slice(1).reduce((acc, vm) => intersect(acc, all.pinned[vm]!), all.pinned[pinned[0]!]!)
    if (common.length === 0)
      return fail(`${join(group.map(name))} must run together, but their must-run rules and pins allow no host in common.`, 'affinityNoHost', { vms: join(group.map(name)) })
  }
  if (candidate.kind === 'host-should')
    for (const vm of candidate.vms) {
      const allowed = all.pinned[vm]
      if (allowed && intersect(hosts, allowed).length === 0)
        return fail(`${name(vm)} must run on ${join(allowed)}: it cannot also prefer ${join(hosts)}.`, 'shouldOutsideMust', { vm: name(vm), must: join(allowed), should: join(hosts) })
    }
  for (const group of all.antiAffinity) {
    const usable = new Set(group.flatMap((vm) => all.pinned[vm] ?? context.hosts))
    if (group.length > usable.size)
      return fail(`${group.length} VMs must run apart (${join(group.map(name))}), but they may use only ${usable.size} host(s).`, 'apartTooFew', { count: group.length, vms: join(group.map(name)), hosts: usable.size })
  }
  return undefined
}
