import { z } from 'zod'
import { ReversibleActionSchema } from './action'
import { MessageRefSchema } from './message'
import { MigrationStorageSchema } from './storage'
import { VmManagerKindSchema } from './vm'

/** Engine text as a message key and its values; the English text it stands for stays beside it (audit log, CLI, exports). */
export { MessageRefSchema, type MessageRef, type MessageParam } from './message'

export const RecommendationKindSchema = z.enum([
  'rightsize-cpu',
  'rightsize-memory',
  'migrate',
  'evacuate',
  'consolidate',
  'tuning',
])

/** DRS-style: 1 mandatory (constraint violation, maintenance) ... 5 slight gain. */
export const RecommendationPrioritySchema = z.union([
  z.literal(1),
  z.literal(2),
  z.literal(3),
  z.literal(4),
  z.literal(5),
])

export const RiskSchema = z.enum(['low', 'medium', 'high'])

/** One predicted figure before and after the change, with its unit. */
export const PredictedFigureSchema = z.object({
  label: z.string(),
  labelRef: MessageRefSchema.optional(),
  unit: z.string(),
  before: z.number(),
  after: z.number(),
})

/** A host as balancing sees it, enough to judge any subset of a rebalance's moves again. */
export const RebalanceHostSchema = z.object({
  id: z.string(),
  cpuCores: z.number().positive(),
  memMiB: z.number().positive(),
  /** Claims before any move of the set (what the strategy counts), cores and MiB. */
  cpuClaim: z.number().nonnegative(),
  memClaim: z.number().nonnegative(),
  /** Allocations before the set and the limits they must stay within (overcommit ratios). */
  vcpus: z.number().nonnegative(),
  memAllocMiB: z.number().nonnegative(),
  vcpuLimit: z.number().nonnegative(),
  memAllocLimitMiB: z.number().nonnegative(),
  maintenance: z.boolean(),
})

/** One live migration of a rebalance, in the order the set runs. */
export const RebalanceMoveSchema = z.object({
  vmId: z.string(),
  from: z.string(),
  to: z.string(),
  /** The VM that moves the other way in the same swap, if any. */
  swapWith: z.string().optional(),
  /** What the VM claims (cores, MiB) and holds (vCPUs, MiB allocated). */
  cpuClaim: z.number().nonnegative(),
  memClaim: z.number().nonnegative(),
  vcpus: z.number().nonnegative(),
  memoryMiB: z.number().nonnegative(),
  costSeconds: z.number().nonnegative(),
  /** Earlier moves (indices) without which this one would not fit on its destination. */
  dependsOn: z.array(z.number().int().nonnegative()),
  /** Why this move, in English and as a message. */
  reason: z.string(),
  reasonRef: MessageRefSchema.optional(),
  /** What else the engine says of this move: the demand it is planned for, the disks it copies. */
  notes: z.string().optional(),
  notesRef: MessageRefSchema.optional(),
  /** Its storage side: shared, or the disks it copies, with bytes and predicted time. */
  storage: MigrationStorageSchema.optional(),
  /** This move's own effect: the cluster after the moves before it, then after it too. */
  predicted: z.array(PredictedFigureSchema),
})

/** What the admin approved of a rebalance when not all of it: the moves and what they achieve on their own. */
export const RebalanceApprovalSchema = z.object({
  moves: z.array(z.number().int().nonnegative()).min(1),
  predicted: z.array(PredictedFigureSchema),
})

export const RebalanceSchema = z.object({
  hosts: z.array(RebalanceHostSchema),
  cpuWeight: z.number().nonnegative(),
  memWeight: z.number().nonnegative(),
  moves: z.array(RebalanceMoveSchema).min(1),
  approved: RebalanceApprovalSchema.optional(),
})

export const RecommendationSchema = z.object({
  id: z.string().min(1),
  kind: RecommendationKindSchema,
  /** What it is about: a VM id or a host id. */
  target: z.object({ type: z.enum(['vm', 'host', 'cluster']), id: z.string() }),
  priority: RecommendationPrioritySchema,
  title: z.string(),
  titleRef: MessageRefSchema.optional(),
  /** Plain language, with its numbers and units. */
  rationale: z.string(),
  rationaleRef: MessageRefSchema.optional(),
  predicted: z.array(PredictedFigureSchema),
  risk: RiskSchema,
  riskNote: z.string(),
  riskNoteRef: MessageRefSchema.optional(),
  /** True when applying it needs the VM (or host) to restart. */
  needsRestart: z.boolean(),
  confidence: z.enum(['low', 'normal']),
  actions: z.array(ReversibleActionSchema),
  /** A migration's storage side: shared, or the disks it copies, with bytes and predicted time. */
  storage: MigrationStorageSchema.optional(),
  /** Balancing: the moves of the set (one per action, same order), each with its own effect. */
  rebalance: RebalanceSchema.optional(),
  /** The admin asked for it by hand (VM detail, `virtpilot request`): who. Engine runs leave it open. */
  requestedBy: z.string().optional(),
  /** Its VM belongs to another manager: advice only (no plan takes it), and why. */
  managedBy: z.object({ manager: VmManagerKindSchema, reason: z.string(), reasonRef: MessageRefSchema.optional() }).optional(),
})

export type RecommendationKind = z.infer<typeof RecommendationKindSchema>
export type RecommendationPriority = z.infer<typeof RecommendationPrioritySchema>
export type Risk = z.infer<typeof RiskSchema>
export type PredictedFigure = z.infer<typeof PredictedFigureSchema>
export type Rebalance = z.infer<typeof RebalanceSchema>
export type RebalanceMove = z.infer<typeof RebalanceMoveSchema>
export type RebalanceHost = z.infer<typeof RebalanceHostSchema>
export type Recommendation = z.infer<typeof RecommendationSchema>
