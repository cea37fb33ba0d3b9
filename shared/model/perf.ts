import { z } from 'zod'
import { MessageRefSchema } from './message'

/** The longest perf kvm stat recording an admin may ask for: perf.data grows by megabytes a second on a busy guest. */
export const PERF_KVM_MAX_SECONDS = 60

/** One exit reason of a `perf kvm stat report`: how often, and how long handling it took (µs). */
export const VmExitReasonSchema = z.object({
  reason: z.string(),
  samples: z.number().int().nonnegative(),
  samplesPct: z.number().nonnegative(),
  timePct: z.number().nonnegative(),
  minUs: z.number().nonnegative(),
  maxUs: z.number().nonnegative(),
  avgUs: z.number().nonnegative(),
  avgSpreadPct: z.number().nonnegative(),
})

/** A `perf kvm stat` run the admin asked for on one VM, kept with its history. */
export const PerfKvmRunSchema = z.object({
  id: z.string(),
  vmId: z.string(),
  hostId: z.string(),
  /** When it started, epoch ms. */
  t: z.number().int().nonnegative(),
  seconds: z.number().int().positive(),
  /** Exactly what ran on the host. */
  command: z.string(),
  status: z.enum(['done', 'perf-missing', 'needs-root', 'no-process', 'failed']),
  /** Why it did not give a report (the host's words where it had any). */
  message: z.string().optional(),
  /** The same in the admin's language (runs kept from before it was recorded have only `message`). */
  messageRef: MessageRefSchema.optional(),
  report: z
    .object({
      scope: z.string().optional(),
      exits: z.array(VmExitReasonSchema),
      totalSamples: z.number().int().nonnegative(),
      totalUs: z.number().nonnegative().optional(),
    })
    .optional(),
})

export type PerfKvmRun = z.infer<typeof PerfKvmRunSchema>
export type VmExitReason = z.infer<typeof VmExitReasonSchema>
