import { z } from 'zod'
import { MessageRefSchema } from '../model/message'
import { ArrivalSchema, ArrivalStreamSchema, PolicySetSchema, ScenarioEditSchema, ScenarioHostSchema } from '../model/scenario'

/** Schemas of the whatif.* channels: what the What-if view exchanges with main. */

export const ScenarioSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The name VirtPilot gave it, in the admin's language; absent once the admin named it. */
  nameRef: MessageRefSchema.optional(),
  source: z.string(),
  hosts: z.number().int(),
  vms: z.number().int(),
  steps: z.number().int(),
  stepSeconds: z.number().int(),
  savedAt: z.number(),
})

/** A saved scenario without its workload: enough to show it and edit its VMs, queue and edits. */
export const ScenarioOutlineSchema = ScenarioSummarySchema.extend({
  description: z.string().optional(),
  start: z.number(),
  hostList: z.array(ScenarioHostSchema),
  vmList: z.array(z.object({ id: z.string(), name: z.string().optional(), hostId: z.string(), vcpus: z.number(), memoryMiB: z.number() })),
  /** Listed requests plus the expected number from its Poisson streams. */
  requests: z.number().int(),
  arrivals: z.array(ArrivalSchema),
  arrivalStreams: z.array(ArrivalStreamSchema),
  edits: z.array(ScenarioEditSchema),
})

/** A queue for a run or a save: it replaces the scenario's listed requests and streams. */
export const ScenarioQueueSchema = z
  .object({
    arrivals: z.array(ArrivalSchema).max(5000),
    arrivalStreams: z.array(ArrivalStreamSchema).max(50),
  })
  .strict()

export const WhatifRunRequestSchema = z
  .object({
    id: z.string().min(1),
    /** Replaces the saved scenario's edits for this run (the view's unsaved edits). */
    edits: z.array(ScenarioEditSchema).max(200).optional(),
    /** Replaces the saved scenario's queue for this run. */
    queue: ScenarioQueueSchema.optional(),
    policies: z.array(PolicySetSchema).min(1).max(6),
    seed: z.number().int().nonnegative().default(1),
    maxPoints: z.number().int().min(10).max(2000).default(300),
  })
  .strict()

/** p50, p95 and max of a set of values. */
const DistributionSchema = z.object({ p50: z.number(), p95: z.number(), max: z.number() })

/**
 * What a replay measures, as an admin compares policy sets: demand the VMs did not get, host
 * utilization, migrations, powered hosts, queue waits and memory overcommit.
 */
export const WhatifMetricsSchema = z.object({
  /** VM-minutes in which a VM got less CPU or memory than it demanded. */
  unmetVmMinutes: z.number(),
  /** unmetVmMinutes / VM-minutes, 0-1. */
  unmetShare: z.number(),
  cpuUnmetVmMinutes: z.number(),
  memUnmetVmMinutes: z.number(),
  /** Of the unmet VM-minutes, those where demand was above the VM's own allocation (a sizing issue, not contention). */
  aboveAllocationVmMinutes: z.number(),
  /** CPU demand not granted, in core-hours, and as a share of all CPU demand (0-1). */
  unmetCpuCoreHours: z.number(),
  unmetCpuShare: z.number(),
  /** VM-minutes spent down (host failed or removed and no room elsewhere). */
  downVmMinutes: z.number(),
  /** Per host and step, what its VMs ran (entitlement up to demand) / capacity (0-1), over powered hosts. */
  hostCpuUtil: DistributionSchema,
  hostMemUtil: DistributionSchema,
  migrations: z.number(),
  /** HA restarts after a host failure. */
  restarts: z.number(),
  activeHostHours: z.number(),
  queue: z.object({
    requests: z.number(),
    started: z.number(),
    rejected: z.number(),
    waitingAtEnd: z.number(),
    /** Of started requests, minutes from arrival to start. */
    waitMinutes: z.object({ mean: z.number(), p95: z.number(), max: z.number() }),
  }),
  /** Highest allocated memory / physical memory of any powered host at any step. */
  peakMemOvercommit: z.number(),
  /** Where hosts have storage in the scenario: disk held / capacity per host and step, peaks of use and promise (thin), requests rejected for disk. */
  disk: z
    .object({
      hostUtil: DistributionSchema,
      peakUse: z.number(),
      /** Virtual size of the disks on a host / its capacity, at most (above 1: thin disks promise more than it holds). */
      peakPromise: z.number(),
      rejected: z.number(),
    })
    .optional(),
})

export const WhatifEventKindSchema = z.enum([
  'host-added',
  'host-removed',
  'host-failed',
  'host-recovered',
  'maintenance-start',
  'maintenance-end',
  'host-asleep',
  'host-woken',
  'vm-down',
  'vm-restarted',
  'evacuation-incomplete',
  'request-rejected',
])

/** Something that happened during a replay, at a minute from the scenario's start. */
export const WhatifEventSchema = z.object({
  minute: z.number(),
  kind: WhatifEventKindSchema,
  host: z.string().optional(),
  vm: z.string().optional(),
  detail: z.string().optional(),
  detailRef: MessageRefSchema.optional(),
})

export const WhatifRunResultSchema = z.object({
  label: z.string(),
  /** The label as a message when VirtPilot made it (a policy set without a name). */
  labelRef: MessageRefSchema.optional(),
  policy: PolicySetSchema,
  metrics: WhatifMetricsSchema,
  series: z.object({
    t: z.array(z.number()),
    cpuPct: z.array(z.number()),
    memPct: z.array(z.number()),
    cpuDemandPct: z.array(z.number()),
    activeHosts: z.array(z.number()),
    unmetVms: z.array(z.number()),
  }),
  waitMinutes: z.array(z.number()),
  events: z.array(WhatifEventSchema),
  eventsDropped: z.number(),
})

export const WhatifComparisonResultSchema = z.object({
  scenario: z.object({ name: z.string(), hosts: z.number(), vms: z.number(), steps: z.number(), stepSeconds: z.number(), start: z.number(), requests: z.number() }),
  seed: z.number(),
  runs: z.array(WhatifRunResultSchema),
  /** Wall time of the replay, for the view's footnote. */
  elapsedMs: z.number(),
})

export const WhatifBuildRequestSchema = z
  .object({
    /** seed-article: the article's VM A / VM B example (src-main/whatif/examples.ts). */
    source: z.enum(['demo', 'live', 'seed-article']),
    /** Live only: days of stored history to replay. */
    windowDays: z.number().int().min(1).max(90).default(7),
    name: z.string().trim().min(1).max(120).optional(),
  })
  .strict()

export const WhatifImportRequestSchema = z
  .object({
    fileName: z.string().trim().min(1).max(255),
    /** The file's text: a scenario JSON, a Bitbrains GWA-T-12 per-VM CSV or a generic trace CSV. */
    text: z.string().min(1).max(64 * 1024 * 1024),
    name: z.string().trim().min(1).max(120).optional(),
  })
  .strict()

export const WhatifSaveRequestSchema = z
  .object({
    /** The scenario the edits apply to. */
    id: z.string().min(1),
    name: z.string().trim().min(1).max(120),
    edits: z.array(ScenarioEditSchema).max(200),
    queue: ScenarioQueueSchema.optional(),
    /** True: save as a new scenario; false: overwrite `id`. */
    asNew: z.boolean().default(true),
  })
  .strict()

export type ScenarioQueue = z.input<typeof ScenarioQueueSchema>
export type ScenarioSummary = z.infer<typeof ScenarioSummarySchema>
export type ScenarioOutline = z.infer<typeof ScenarioOutlineSchema>
export type WhatifRunRequest = z.output<typeof WhatifRunRequestSchema>
export type WhatifRunResult = z.infer<typeof WhatifRunResultSchema>
export type WhatifComparisonResult = z.infer<typeof WhatifComparisonResultSchema>
export type WhatifMetrics = z.infer<typeof WhatifMetricsSchema>
export type WhatifEventKind = z.infer<typeof WhatifEventKindSchema>
export type WhatifEvent = z.infer<typeof WhatifEventSchema>
