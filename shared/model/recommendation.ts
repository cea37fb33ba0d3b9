import { z } from 'zod'
import { ReversibleActionSchema } from './action'
import { MigrationStorageSchema } from './storage'

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
  unit: z.string(),
  before: z.number(),
  after: z.number(),
})

export const RecommendationSchema = z.object({
  id: z.string().min(1),
  kind: RecommendationKindSchema,
  /** What it is about: a VM id or a host id. */
  target: z.object({ type: z.enum(['vm', 'host', 'cluster']), id: z.string() }),
  priority: RecommendationPrioritySchema,
  title: z.string(),
  /** Plain language, with its numbers and units. */
  rationale: z.string(),
  predicted: z.array(PredictedFigureSchema),
  risk: RiskSchema,
  riskNote: z.string(),
  /** True when applying it needs the VM (or host) to restart. */
  needsRestart: z.boolean(),
  confidence: z.enum(['low', 'normal']),
  actions: z.array(ReversibleActionSchema),
  /** A migration's storage side: shared, or the disks it copies, with bytes and predicted time. */
  storage: MigrationStorageSchema.optional(),
})

export type RecommendationKind = z.infer<typeof RecommendationKindSchema>
export type RecommendationPriority = z.infer<typeof RecommendationPrioritySchema>
export type Risk = z.infer<typeof RiskSchema>
export type PredictedFigure = z.infer<typeof PredictedFigureSchema>
export type Recommendation = z.infer<typeof RecommendationSchema>
