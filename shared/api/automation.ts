import { z } from 'zod'
import { AutomationSettingsSchema, MessageRefSchema, VmAutomationSchema } from '../model'

/** One recommendation in automation's last round: approved and planned, or left to the admin and why. */
const RoundItemSchema = z.object({
  recommendationId: z.string(),
  title: z.string(),
  titleRef: MessageRefSchema.optional(),
  /** Approved: the actor it was approved as. */
  actor: z.string().optional(),
  /** Left to the admin: why, in English and as a message. */
  reason: z.string().optional(),
  reasonRef: MessageRefSchema.optional(),
})

/** What automation decided after the last analysis. */
export const AutomationRoundSchema = z.object({
  at: z.number(),
  state: z.enum(['off', 'paused', 'busy', 'ready']),
  approved: z.array(RoundItemSchema),
  skipped: z.array(RoundItemSchema),
  /** The plan it made and started, if it made one. */
  planId: z.string().optional(),
  /** Why no plan could be made or started (the approvals stand; the admin sees them as approved). */
  problem: z.string().optional(),
})

/** Settings → Automation and `virtpilot automation show`: the settings and what they mean right now. */
export const AutomationStatusSchema = z.object({
  settings: AutomationSettingsSchema,
  migrationThreshold: z.number().int().min(1).max(5),
  /** Whether a maintenance window is open now (in the admin's time zone). */
  windowOpen: z.boolean(),
  /** Automatic live migrations started (or waiting in an automatic plan) in the last hour, from the plans kept. */
  movesLastHour: z.number().int().nonnegative(),
  /** Automatic plans running now. */
  running: z.array(z.string()),
  /** True when this VirtPilot acts (the desktop app, serve); the CLI only changes the settings. */
  acts: z.boolean(),
  lastRound: AutomationRoundSchema.optional(),
})

export const AutomationPauseRequestSchema = z.object({ running: z.enum(['finish', 'cancel']).default('finish') }).strict()
export const AutomationVmRequestSchema = z.object({ vmId: z.string().min(1).max(200), level: VmAutomationSchema.nullable() }).strict()

export type AutomationRound = z.infer<typeof AutomationRoundSchema>
export type AutomationStatus = z.infer<typeof AutomationStatusSchema>
