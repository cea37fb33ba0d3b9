import { z } from 'zod'
import type { MessageRef } from './recommendation'

/**
 * The admin's placement rules, DRS-style: VMs together (affinity) or apart (anti-affinity), VMs
 * that must or should run on some hosts, or must or should not (hard / soft), a VM pinned to one host, VMs balancing
 * leaves where they are. The engine reads them as PlacementRules (shared/engine/placement-rules.ts).
 */
export const PlacementRuleKindSchema = z.enum(['affinity', 'anti-affinity', 'host-must', 'host-should', 'host-must-not', 'host-should-not', 'pin', 'exclude'])

const ids = z.array(z.string().trim().min(1).max(200)).max(64)

const RuleBody = z.object({
  kind: PlacementRuleKindSchema,
  /** VM ids (the snapshot's `Vm.id`). */
  vms: ids,
  /** Host ids: the hosts of host-must, host-should, host-must-not, host-should-not and pin; empty for the others. */
  hosts: ids.default([]),
  /** What the admin calls it ("db apart"); the rule's id stands in when absent. */
  name: z.string().trim().min(1).max(80).optional(),
})

function checkShape(rule: z.infer<typeof RuleBody>, ctx: z.RefinementCtx): void {
  // zod's message in English; the same as a message for the admin's language (shared/api/issues.ts adds the field).
  const issue = (path: string, message: string, key: string, params: MessageRef['params'] = {}) => ctx.addIssue({ code: 'custom', path: [path], message, params: { ref: { key: `ruleChanges.shape.${key}`, params } } })
  const kind = { key: `ruleChanges.kinds.${rule.kind}`, params: {} }
  if (new Set(rule.vms).size !== rule.vms.length) issue('vms', 'a VM is named twice', 'vmTwice')
  if (new Set(rule.hosts).size !== rule.hosts.length) issue('hosts', 'a host is named twice', 'hostTwice')
  switch (rule.kind) {
    case 'affinity':
    case 'anti-affinity':
      if (rule.vms.length < 2) issue('vms', `${rule.kind} needs at least two VMs`, 'needsTwoVms', { kind })
      if (rule.hosts.length > 0) issue('hosts', `${rule.kind} names no host`, 'namesNoHost', { kind })
      return
    case 'host-must':
    case 'host-should':
    case 'host-must-not':
    case 'host-should-not':
      if (rule.vms.length < 1) issue('vms', `${rule.kind} needs at least one VM`, 'needsOneVm', { kind })
      if (rule.hosts.length < 1) issue('hosts', `${rule.kind} needs at least one host`, 'needsOneHost', { kind })
      return
    case 'pin':
      if (rule.vms.length !== 1) issue('vms', 'pin names one VM', 'pinOneVm')
      if (rule.hosts.length !== 1) issue('hosts', 'pin names one host', 'pinOneHost')
      return
    case 'exclude':
      if (rule.vms.length < 1) issue('vms', 'exclude needs at least one VM', 'needsOneVm', { kind })
      if (rule.hosts.length > 0) issue('hosts', 'exclude names no host', 'namesNoHost', { kind })
  }
}

/** A rule as the admin asks for it (UI form, `virtpilot rules add`). */
export const NewPlacementRuleSchema = RuleBody.strict().superRefine(checkShape)

/** A stored rule. */
export const PlacementRuleSchema = RuleBody.extend({
  id: z.string().min(1),
  createdAt: z.number(),
  createdBy: z.string(),
}).superRefine(checkShape)

export type PlacementRuleKind = z.infer<typeof PlacementRuleKindSchema>
export type NewPlacementRule = z.input<typeof NewPlacementRuleSchema>
export type PlacementRule = z.infer<typeof PlacementRuleSchema>

/** A host the admin put into maintenance: it takes no placements until it leaves maintenance. */
export const HostMaintenanceSchema = z.object({
  hostId: z.string().min(1),
  since: z.number(),
  by: z.string(),
  /** The evacuation plan made when it entered, if any VM had to move. */
  planId: z.string().optional(),
})

export type HostMaintenance = z.infer<typeof HostMaintenanceSchema>

/** What the admin calls a rule: its name, else its id. */
export const ruleLabel = (rule: Pick<PlacementRule, 'id' | 'name'>): string => rule.name ?? rule.id

const intersect = (a: readonly string[], b: readonly string[]) => a.filter((x) => b.includes(x))
const join = (names: readonly string[]) => names.join(', ')

/** The groups and per-VM host sets the rules add up to, of the cluster's hosts (the engine reads the same through fromAdminRules). */
function constraintsOf(rules: readonly PlacementRule[], clusterHosts: readonly string[]) {
  const out = { affinity: [] as string[][], antiAffinity: [] as string[][], pinned: {} as Record<string, string[]>, names: { pinned: {} as Record<string, string> } }
  for (const rule of rules) {
    if (rule.kind === 'affinity') out.affinity.push([...rule.vms])
    if (rule.kind === 'anti-affinity') out.antiAffinity.push([...rule.vms])
    if (rule.kind === 'host-must' || rule.kind === 'pin' || rule.kind === 'host-must-not')
      for (const vm of rule.vms) {
        const allowed = rule.kind === 'host-must-not' ? clusterHosts.filter((h) => !rule.hosts.includes(h)) : rule.hosts
        out.pinned[vm] = out.pinned[vm] ? intersect(out.pinned[vm], allowed) : [...allowed]
        out.names.pinned[vm] = out.names.pinned[vm] ? `${out.names.pinned[vm]}, ${ruleLabel(rule)}` : ruleLabel(rule)
      }
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
 * hosts outside the must-run ones, should-not-run hosts that are all it may use, more anti-affine
 * VMs than hosts they may use. Must-not-run rules allow the cluster's other hosts.
 */
export function ruleConflict(candidate: NewPlacementRule, context: RuleContext): RuleConflict | undefined {
  const hosts = candidate.hosts ?? []
  const name = (vm: string) => context.vms.get(vm) ?? vm
  const fail = (message: string, key: string, params: MessageRef['params']): RuleConflict => ({ message, ref: { key: `placement.conflict.${key}`, params } })
  const unknownVm = candidate.vms.find((vm) => !context.vms.has(vm))
  if (unknownVm !== undefined) return fail(`There is no VM ${unknownVm} in the cluster.`, 'unknownVm', { vm: unknownVm })
  const unknownHost = hosts.find((h) => !context.hosts.includes(h))
  if (unknownHost !== undefined) return fail(`There is no host ${unknownHost} in the cluster.`, 'unknownHost', { host: unknownHost })
  const key = (r: Pick<NewPlacementRule, 'kind' | 'vms' | 'hosts'>) => `${r.kind}|${[...r.vms].sort().join(',')}|${[...(r.hosts ?? [])].sort().join(',')}`
  const same = context.rules.find((r) => key(r) === key(candidate))
  if (same) return fail(`The same rule exists already: ${ruleLabel(same)}.`, 'duplicate', { rule: ruleLabel(same) })

  const all = constraintsOf([...context.rules, { ...candidate, hosts, id: 'new', createdAt: 0, createdBy: '' }], context.hosts)
  const newLabel = candidate.name ?? 'the new rule'
  // Unnamed, the new rule is called so in the reader's language.
  const newRef: MessageRef['params'][string] = candidate.name ?? { key: 'ruleChanges.newRule', params: {} }
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
      return fail(`${name(vm)} would have no host to run on: its must-run rules and pins (${all.names.pinned[vm] ?? newLabel}) allow no host in common.`, 'noHostLeft', { vm: name(vm), rules: all.names.pinned[vm] ?? newRef })
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
  if (candidate.kind === 'host-should-not')
    for (const vm of candidate.vms) {
      const allowed = all.pinned[vm] ?? context.hosts
      if (allowed.every((h) => hosts.includes(h)))
        return fail(`${name(vm)} may run only on ${join(allowed)}: it cannot also avoid all of them.`, 'avoidEveryAllowed', { vm: name(vm), hosts: join(allowed) })
    }
  for (const group of all.antiAffinity) {
    const usable = new Set(group.flatMap((vm) => all.pinned[vm] ?? context.hosts))
    if (group.length > usable.size)
      return fail(`${group.length} VMs must run apart (${join(group.map(name))}), but they may use only ${usable.size} host(s).`, 'apartTooFew', { count: group.length, vms: join(group.map(name)), hosts: usable.size })
  }
  return undefined
}
