import { z } from 'zod'
import { ActionSchema } from './action'
import { MigrationStorageSchema } from './storage'
import { MessageRefSchema } from './message'
import { PredictedFigureSchema } from './recommendation'

/** Where a step is: every transition is written to the store before the next command runs. */
export const StepStateSchema = z.enum([
  'pending',
  'running',
  'done',
  'failed',
  'rolling-back',
  'rolled-back',
  'rollback-failed',
  'skipped',
  'cancelled',
  /** The app stopped while this step ran: what the host did is unknown until read again. */
  'interrupted',
])

/** One command line as it runs on a host (argv, quoted only when it is sent). */
export const HostCommandSchema = z.object({
  host: z.string(),
  argv: z.array(z.string()),
  /** What the command is for, in the admin's words: English, and as a message for the admin's language. */
  purpose: z.string(),
  purposeRef: MessageRefSchema.optional(),
})

export const PlanStepSchema = z.object({
  id: z.string(),
  recommendationId: z.string(),
  title: z.string(),
  titleRef: MessageRefSchema.optional(),
  action: ActionSchema,
  rollback: ActionSchema,
  /** The host the step runs on (a migration runs on its source). */
  host: z.string(),
  /** Dry run: the exact commands, then how the result is read back. */
  commands: z.array(HostCommandSchema),
  verify: z.array(HostCommandSchema),
  rollbackCommands: z.array(HostCommandSchema),
  estimatedSeconds: z.number().nonnegative(),
  /** A migration's storage side as the plan was built (shared, or what it copies and how long that takes). */
  storage: MigrationStorageSchema.optional(),
  dependsOn: z.array(z.string()),
  state: StepStateSchema,
  startedAt: z.number().optional(),
  endedAt: z.number().optional(),
  /** Progress 0-1 while running (migrations report it). */
  progress: z.number().min(0).max(1).optional(),
  /** The last thing said of the step (verified, failed, rolled back), in English and as a message. */
  message: z.string().optional(),
  messageRef: MessageRefSchema.optional(),
})

/** After a plan was cut short: what the hosts showed for one step when VirtPilot read them again. */
export const StepReadBackSchema = z.object({
  stepId: z.string(),
  /** applied: the hosts show the step's change; not-applied: they show the state before it; unclear: neither (check by hand). */
  verdict: z.enum(['applied', 'not-applied', 'unclear']),
  /** What was read, in the admin's words. */
  observed: z.string(),
  observedRef: MessageRefSchema.optional(),
})

/** Where a VM of the plan was found, and what it had there (from `virsh dominfo` on each host). */
export const VmWhereaboutsSchema = z.object({
  vmId: z.string(),
  seen: z.array(
    z.object({
      host: z.string(),
      /** libvirt's state: running, paused, shut off, ... */
      state: z.string(),
      vcpus: z.number().int().optional(),
      memoryMiB: z.number().optional(),
      maxMemoryMiB: z.number().optional(),
    }),
  ),
})

/** The real state read back from the hosts of an interrupted plan: what resume and roll back start from. */
export const PlanReadBackSchema = z.object({
  at: z.number(),
  steps: z.array(StepReadBackSchema),
  vms: z.array(VmWhereaboutsSchema),
  /** Hosts that could not be read (their steps are unclear until they can). */
  problems: z.array(z.string()),
})

export const PlanStateSchema = z.enum(['ready', 'running', 'done', 'failed', 'rolled-back', 'cancelled', 'interrupted'])

export const PlanSchema = z.object({
  id: z.string(),
  createdAt: z.number(),
  /** Who approved the recommendations in it (the local user name or "cli"). */
  approvedBy: z.string(),
  recommendationIds: z.array(z.string()),
  steps: z.array(PlanStepSchema),
  state: PlanStateSchema,
  /** How many steps may run at once (never two migrations between the same hosts). */
  parallelism: z.number().int().min(1).max(8),
  /** libvirt refuses to migrate guests on non-shared storage without cache=none unless told. */
  allowUnsafeMigration: z.boolean(),
  startedAt: z.number().optional(),
  endedAt: z.number().optional(),
  /** After a run: what state each host is in, in plain words. */
  outcome: z.array(z.object({ host: z.string(), summary: z.string(), summaryRef: MessageRefSchema.optional() })).optional(),
  /** Interrupted plans: the hosts' real state, read after VirtPilot restarted. */
  readBack: PlanReadBackSchema.optional(),
  /**
   * What each recommendation in the plan is predicted to achieve, as approved: for part of a
   * rebalance, what those moves achieve on their own (not the whole set's effect).
   */
  effects: z
    .array(
      z.object({
        recommendationId: z.string(),
        title: z.string(),
        titleRef: MessageRefSchema.optional(),
        predicted: z.array(PredictedFigureSchema),
        /** Set when only some moves of a rebalance were approved (indices into its moves). */
        moves: z.object({ approved: z.array(z.number().int().nonnegative()), of: z.number().int().positive() }).optional(),
      }),
    )
    .optional(),
  /** HMAC of everything that decides what runs, keyed by the data file that made the plan: an edited plan is refused. */
  signature: z.string().optional(),
})

/** A dry run: the plan's steps in the order they would run, with the exact commands; nothing runs. */
export const PlanDryRunSchema = z.object({
  planId: z.string(),
  checkedAt: z.number(),
  steps: z.array(
    z.object({
      order: z.number().int().positive(),
      stepId: z.string(),
      title: z.string(),
      titleRef: MessageRefSchema.optional(),
      host: z.string(),
      commands: z.array(HostCommandSchema),
      verify: z.array(HostCommandSchema),
      rollbackCommands: z.array(HostCommandSchema),
      dependsOn: z.array(z.string()),
    }),
  ),
  /** The hosts the plan would change. */
  hosts: z.array(z.string()),
  /** Why applying it now would be refused, if it would (a demo host, a disconnected host, an outdated plan). */
  refusal: z.string().optional(),
  refusalRef: MessageRefSchema.optional(),
})

export const AuditEntrySchema = z.object({
  id: z.number().int(),
  t: z.number(),
  actor: z.string(),
  kind: z.enum(['decision', 'plan', 'command', 'verify', 'rollback', 'state']),
  planId: z.string().optional(),
  stepId: z.string().optional(),
  recommendationId: z.string().optional(),
  host: z.string().optional(),
  argv: z.array(z.string()).optional(),
  exitCode: z.number().int().nullable().optional(),
  /** What the host printed, verbatim (never translated). */
  output: z.string().optional(),
  /** In English as written; the message (key and values) says it again in the reader's language. */
  message: z.string(),
  messageRef: MessageRefSchema.optional(),
})

export type StepState = z.infer<typeof StepStateSchema>
export type HostCommand = z.infer<typeof HostCommandSchema>
export type PlanStep = z.infer<typeof PlanStepSchema>
export type PlanState = z.infer<typeof PlanStateSchema>
export type Plan = z.infer<typeof PlanSchema>
export type AuditEntry = z.infer<typeof AuditEntrySchema>
export type StepReadBack = z.infer<typeof StepReadBackSchema>
export type PlanReadBack = z.infer<typeof PlanReadBackSchema>
export type VmWhereabouts = z.infer<typeof VmWhereaboutsSchema>
export type PlanDryRun = z.infer<typeof PlanDryRunSchema>
