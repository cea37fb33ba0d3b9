import { z } from 'zod'

/**
 * The admin's placement rules, DRS-style: VMs together (affinity) or apart (anti-affinity), VMs
 * that must or should run on some hosts (hard / soft), a VM pinned to one host, VMs balancing
 * leaves where they are. The engine reads them as PlacementRules (shared/engine/placement-rules.ts).
 */
export const PlacementRuleKindSchema = z.enum(['affinity', 'anti-affinity', 'host-must', 'host-should', 'pin', 'exclude'])

const ids = z.array(z.string().trim().min(1).max(200)).max(64)

const RuleBody = z.object({
  kind: PlacementRuleKindSchema,
  /** VM ids (the snapshot's `Vm.id`). */
  vms: ids,
  /** Host ids: the hosts of host-must, host-should and pin; empty for the others. */
  hosts: ids.default([]),
  /** What the admin calls it ("db apart"); the rule's id stands in when absent. */
  name: z.string().trim().min(1).max(80).optional(),
})

function checkShape(rule: z.infer<typeof RuleBody>, ctx: z.RefinementCtx): void {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message })
  if (new Set(rule.vms).size !== rule.vms.length) issue('vms', 'a VM is named twice')
  if (new Set(rule.hosts).size !== rule.hosts.length) issue('hosts', 'a host is named twice')
  switch (rule.kind) {
    case 'affinity':
    case 'anti-affinity':
      if (rule.vms.length < 2) issue('vms', `${rule.kind} needs at least two VMs`)
      if (rule.hosts.length > 0) issue('hosts', `${rule.kind} names no host`)
      return
    case 'host-must':
    case 'host-should':
      if (rule.vms.length < 1) issue('vms', `${rule.kind} needs at least one VM`)
      if (rule.hosts.length < 1) issue('hosts', `${rule.kind} needs at least one host`)
      return
    case 'pin':
      if (rule.vms.length !== 1) issue('vms', 'pin names one VM')
      if (rule.hosts.length !== 1) issue('hosts', 'pin names one host')
      return
    case 'exclude':
      if (rule.vms.length < 1) issue('vms', 'exclude needs at least one VM')
      if (rule.hosts.length > 0) issue('hosts', 'exclude names no host')
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
