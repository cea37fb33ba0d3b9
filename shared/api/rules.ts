import { z } from 'zod'
import { HostMaintenanceSchema, MessageRefSchema, NewPlacementRuleSchema, PlacementRuleSchema, PlanSchema } from '../model'

/** The admin's placement rules and the hosts in maintenance (the Rules view, `virtpilot rules list`). */
export const RulesListSchema = z.object({
  rules: z.array(PlacementRuleSchema),
  maintenance: z.array(HostMaintenanceSchema),
})

export const AddRuleRequestSchema = NewPlacementRuleSchema

/** A VM that stays on a host entering maintenance, and why. */
export const StayingVmSchema = z.object({
  vmId: z.string(),
  name: z.string(),
  reason: z.string(),
  reasonRef: MessageRefSchema,
})

/** What entering maintenance did: the evacuation plan (approved, ready to apply) and what cannot move. */
export const MaintenanceEntrySchema = z.object({
  hostId: z.string(),
  since: z.number(),
  /** The evacuation recommendation (approved by entering); absent when no running VM had to move (or none could). */
  recommendationId: z.string().optional(),
  plan: PlanSchema.optional(),
  /** Why no plan could be made of it yet (e.g. a migration needs --unsafe): fix it, then enter again or make the plan. */
  planProblem: z.string().optional(),
  /** The same as a message, for the admin's language. */
  planProblemRef: MessageRefSchema.optional(),
  staying: z.array(StayingVmSchema),
})

export const MaintenanceRequestSchema = z.object({ hostId: z.string().min(1), allowUnsafeMigration: z.boolean().default(false) }).strict()

export type RulesList = z.infer<typeof RulesListSchema>
export type MaintenanceEntry = z.infer<typeof MaintenanceEntrySchema>
export type StayingVm = z.infer<typeof StayingVmSchema>
