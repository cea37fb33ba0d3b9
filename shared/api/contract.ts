import { z } from 'zod'
import {
  AuditEntrySchema,
  AutomationUpdateSchema,
  LanguageSchema,
  ClusterSeriesSchema,
  ManagedHostSchema,
  MessageRefSchema,
  PlanDryRunSchema,
  PlacementRuleSchema,
  PlanSchema,
  RecommendationSchema,
  SettingsSchema,
  MetricsSourceStatusSchema,
  SnapshotSchema,
  PerfKvmRunSchema,
  PERF_KVM_MAX_SECONDS,
} from '../model'
import {
  ScenarioOutlineSchema,
  ScenarioSummarySchema,
  WhatifBuildRequestSchema,
  WhatifComparisonResultSchema,
  WhatifImportRequestSchema,
  WhatifRunRequestSchema,
  WhatifSaveRequestSchema,
} from './whatif'
import type { EventChannelName, RequestChannelName } from './channels'
import { HostFactsResultSchema, HostHistoryRequestSchema, HostHistorySchema, OverviewSummarySchema, SeriesQuerySchema, SeriesResultSchema } from './dashboard'
import { HostStorageViewSchema, VmStorageViewSchema } from './storage'
import { AddRuleRequestSchema, MaintenanceEntrySchema, MaintenanceRequestSchema, RulesListSchema } from './rules'
import { AutomationPauseRequestSchema, AutomationStatusSchema, AutomationVmRequestSchema } from './automation'

/** A request channel is a value that carries its request and response schemas. */
function request<Req extends z.ZodType, Res extends z.ZodType>(req: Req, res: Res) {
  return { req, res }
}

const Empty = z.object({}).strict()

/** A perf kvm stat run: which VM, and how long to record (seconds). */
export const PerfRequestSchema = z.object({ vmId: z.string().min(1), seconds: z.number().int().min(1).max(PERF_KVM_MAX_SECONDS) }).strict()

export const AppInfoSchema = z.object({
  version: z.string(),
  /** How this instance runs: the desktop app, `virtpilot serve`, or the CLI. */
  transport: z.enum(['electron', 'serve', 'cli']),
  dataFile: z.string(),
  demoRunning: z.boolean(),
  pollIntervalMs: z.number().int().positive(),
  /** Set when the data file was damaged and moved aside at start: what happened and where it is. */
  dataFileNotice: z.string().optional(),
  dataFileNoticeRef: MessageRefSchema.optional(),
})

export const HistoryRequestSchema = z
  .object({
    from: z.number().int().nonnegative(),
    to: z.number().int().nonnegative(),
    /** Upper bound on points per series; the store averages into buckets to stay under it. */
    maxPoints: z.number().int().min(2).max(5000).default(300),
  })
  .strict()
  .refine((r) => r.to > r.from, { message: '`to` must be after `from`', path: ['to'] })

export const AddHostRequestSchema = z
  .object({
    /** user@host[:port], a ~/.ssh/config alias, or qemu+ssh://user@host[:port]/system */
    target: z.string().trim().min(1).max(300),
    displayName: z.string().trim().min(1).max(64).optional(),
    tags: z.array(z.string().trim().min(1).max(32)).max(16).optional(),
  })
  .strict()

/** A key passphrase or password the admin is asked for while VirtPilot connects. */
export const CredentialRequestSchema = z.object({
  requestId: z.string(),
  kind: z.enum(['passphrase', 'password']),
  /** user@host as VirtPilot connects to it. */
  host: z.string(),
  keyFile: z.string().optional(),
  user: z.string().optional(),
  /** The OS keychain is available (desktop app): the answer may be kept, encrypted. */
  canRemember: z.boolean(),
  /** Why not, when it cannot: not the desktop app, Linux without a keychain (basic_text), no encryption. */
  rememberUnavailable: z.enum(['not-desktop', 'basic-text', 'no-encryption']).optional(),
})

export const RecommendationStatusSchema = z.enum(['open', 'approved', 'rejected', 'snoozed', 'planned', 'applied', 'failed', 'superseded'])

/** After apply: the same figures measured before and after, next to what was predicted. */
export const MeasuredEffectSchema = z.object({
  appliedAt: z.number(),
  figures: z.array(z.object({ label: z.string(), labelRef: MessageRefSchema.optional(), unit: z.string(), before: z.number().nullable(), after: z.number().nullable(), samplesAfter: z.number().int() })),
})

export const RecommendationItemSchema = z.object({
  recommendation: RecommendationSchema,
  status: RecommendationStatusSchema,
  createdAt: z.number(),
  reason: z.string().optional(),
  snoozedUntil: z.number().optional(),
  decidedAt: z.number().optional(),
  decidedBy: z.string().optional(),
  appliedAt: z.number().optional(),
  effect: MeasuredEffectSchema.optional(),
})

export const RecommendationListSchema = z.object({
  items: z.array(RecommendationItemSchema),
  /** When the engine last ran, epoch ms; null before its first run. */
  generatedAt: z.number().nullable(),
  /** The engine's notes: why no plan is feasible, low confidence, exact comparison. */
  notes: z.array(z.string()),
  /** The same notes as messages, in the same order, for the admin's language (null or absent: English only). */
  noteRefs: z.array(MessageRefSchema.nullable()).optional(),
  /** True while the engine runs (at start-up, on its schedule, or asked to). */
  analysing: z.boolean(),
})

const Strategy = z.enum(['static', 'dynamic', 'hybrid'])

const ExportedFile = z.object({ filename: z.string(), text: z.string() })

/** Every request the renderer (or a browser in serve mode) can make. */
export const requestChannels = {
  'app.info': request(Empty, AppInfoSchema),
  'cluster.snapshot': request(Empty, SnapshotSchema),
  'cluster.history': request(HistoryRequestSchema, ClusterSeriesSchema),
  'settings.get': request(Empty, SettingsSchema),
  'settings.update': request(SettingsSchema.partial().strict(), SettingsSchema),
  'metrics.status': request(Empty, MetricsSourceStatusSchema),
  'hosts.list': request(Empty, z.array(ManagedHostSchema)),
  'hosts.add': request(AddHostRequestSchema, ManagedHostSchema),
  'hosts.remove': request(z.object({ id: z.string().min(1) }).strict(), z.object({ removed: z.boolean() })),
  'hosts.answerHostKey': request(z.object({ promptId: z.string().min(1), accept: z.boolean() }).strict(), ManagedHostSchema),
  /** Try a host again now, after fixing authentication or a stopped sshd. */
  'hosts.reconnect': request(z.object({ id: z.string().min(1) }).strict(), ManagedHostSchema),
  'credentials.pending': request(Empty, z.array(CredentialRequestSchema)),
  /** No secret means cancel: that way of logging in is skipped. */
  'credentials.answer': request(
    z.object({ requestId: z.string().min(1), secret: z.string().max(4096).optional(), remember: z.boolean().default(false) }).strict(),
    z.object({ accepted: z.boolean() }),
  ),
  'recommendations.list': request(Empty, RecommendationListSchema),
  'recommendations.refresh': request(z.object({ strategy: Strategy.optional() }).strict(), RecommendationListSchema),
  'recommendations.decide': request(
    z
      .object({
        id: z.string().min(1),
        decision: z.enum(['approve', 'reject', 'snooze', 'reopen']),
        reason: z.string().trim().max(500).optional(),
        snoozeHours: z.number().min(1).max(24 * 90).optional(),
        /** Approve only these moves of a rebalance (indices into its moves); all of them when absent. */
        moves: z.array(z.number().int().nonnegative()).min(1).max(100).optional(),
      })
      .strict()
      .refine((d) => d.decision !== 'reject' || (d.reason !== undefined && d.reason !== ''), { message: 'say why it is rejected', path: ['reason'] })
      .refine((d) => d.moves === undefined || d.decision === 'approve', { message: 'moves are chosen when approving', path: ['moves'] }),
    RecommendationItemSchema,
  ),
  /** The admin asks for a move or a resize: refused with the reasons, or an open recommendation "requested by" them. */
  'recommendations.request': request(
    z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('migrate'), vmId: z.string().min(1), to: z.string().min(1) }).strict(),
      z
        .object({ kind: z.literal('resize'), vmId: z.string().min(1), vcpus: z.number().int().min(1).max(1024).optional(), memoryMiB: z.number().int().min(16).max(16 * 1024 * 1024).optional() })
        .strict()
        .refine((r) => r.vcpus !== undefined || r.memoryMiB !== undefined, { message: 'say the vCPUs, the memory or both', path: ['vcpus'] }),
    ]),
    RecommendationItemSchema,
  ),
  /** A plan is made only of approved recommendations, named by id: actions never come from the caller. */
  'plans.create': request(
    z
      .object({
        recommendationIds: z.array(z.string().min(1)).min(1).max(200),
        parallelism: z.number().int().min(1).max(8).default(1),
        allowUnsafeMigration: z.boolean().default(false),
      })
      .strict(),
    PlanSchema,
  ),
  'plans.list': request(Empty, z.array(PlanSchema)),
  'plans.get': request(z.object({ id: z.string().min(1) }).strict(), PlanSchema),
  'plans.apply': request(z.object({ id: z.string().min(1) }).strict(), PlanSchema),
  'plans.cancel': request(z.object({ id: z.string().min(1) }).strict(), PlanSchema),
  /** An interrupted plan: read the hosts again (where each VM is, its vCPUs and memory, which steps took effect). */
  'plans.readBack': request(z.object({ id: z.string().min(1) }).strict(), PlanSchema),
  /** An interrupted plan: run the steps whose change does not show on the hosts, then the rest. */
  'plans.resume': request(z.object({ id: z.string().min(1) }).strict(), PlanSchema),
  /** An interrupted plan: undo the steps whose change shows on the hosts, newest first. */
  'plans.rollBack': request(z.object({ id: z.string().min(1) }).strict(), PlanSchema),
  /** The exact commands in the order they would run, checked as an apply checks them; nothing runs. */
  'plans.dryRun': request(z.object({ id: z.string().min(1) }).strict(), PlanDryRunSchema),
  'plans.export': request(z.object({ id: z.string().min(1), format: z.enum(['shell', 'ansible']) }).strict(), ExportedFile),
  'audit.list': request(
    z.object({ from: z.number().optional(), to: z.number().optional(), planId: z.string().optional(), limit: z.number().int().min(1).max(10_000).default(500) }).strict(),
    z.array(AuditEntrySchema),
  ),
  /** A CSV is written in `language` (English by default); JSON keeps each message's key and values beside its English. */
  'audit.export': request(
    z.object({ format: z.enum(['json', 'csv']), from: z.number().optional(), to: z.number().optional(), planId: z.string().optional(), language: LanguageSchema.default('en') }).strict(),
    ExportedFile,
  ),
  // What-if: saved scenarios (built from the demo or live cluster, or imported) and replays.
  'whatif.list': request(Empty, z.array(ScenarioSummarySchema)),
  'whatif.build': request(WhatifBuildRequestSchema, ScenarioOutlineSchema),
  'whatif.import': request(WhatifImportRequestSchema, ScenarioOutlineSchema),
  'whatif.get': request(z.object({ id: z.string().min(1) }).strict(), ScenarioOutlineSchema),
  'whatif.save': request(WhatifSaveRequestSchema, ScenarioOutlineSchema),
  'whatif.delete': request(z.object({ id: z.string().min(1) }).strict(), z.object({ deleted: z.boolean() })),
  'whatif.run': request(WhatifRunRequestSchema, WhatifComparisonResultSchema),
  // Dashboards (shared/api/dashboard.ts).
  'dashboard.overview': request(Empty, OverviewSummarySchema),
  'series.query': request(SeriesQuerySchema, SeriesResultSchema),
  'host.history': request(HostHistoryRequestSchema, HostHistorySchema),
  'host.facts': request(z.object({ hostId: z.string().min(1) }).strict(), HostFactsResultSchema),
  'perf.preview': request(PerfRequestSchema, z.object({ hostId: z.string(), pid: z.number().int(), command: z.string() })),
  'perf.run': request(PerfRequestSchema, PerfKvmRunSchema),
  'perf.list': request(z.object({ vmId: z.string().min(1) }).strict(), z.array(PerfKvmRunSchema)),
  // Storage (shared/api/storage.ts).
  'storage.host': request(z.object({ hostId: z.string().min(1) }).strict(), HostStorageViewSchema),
  'storage.vm': request(z.object({ vmId: z.string().min(1) }).strict(), VmStorageViewSchema),
  // Placement rules (shared/api/rules.ts): a rule that conflicts with the others is refused with the reason.
  'rules.list': request(Empty, RulesListSchema),
  'rules.add': request(AddRuleRequestSchema, PlacementRuleSchema),
  'rules.remove': request(z.object({ id: z.string().min(1) }).strict(), z.object({ removed: z.boolean() })),
  /** The host takes no placements from now on; its running VMs get an evacuation plan (approved, ready to apply). */
  'maintenance.enter': request(MaintenanceRequestSchema, MaintenanceEntrySchema),
  'maintenance.exit': request(z.object({ hostId: z.string().min(1) }).strict(), z.object({ exited: z.boolean() })),
  // Automation (shared/api/automation.ts): what it may do on its own, and the pause that stops it at once.
  'automation.get': request(Empty, AutomationStatusSchema),
  'automation.update': request(AutomationUpdateSchema, AutomationStatusSchema),
  /** A VM's own level; null: it follows the cluster again. */
  'automation.setVm': request(AutomationVmRequestSchema, AutomationStatusSchema),
  'automation.pause': request(AutomationPauseRequestSchema, AutomationStatusSchema),
  'automation.resume': request(Empty, AutomationStatusSchema),
} as const satisfies Record<RequestChannelName, { req: z.ZodType; res: z.ZodType }>

/** Everything main pushes: the payload schema per event. */
export const eventChannels = {
  /** After every poll: the new cluster snapshot. */
  'cluster.snapshot': SnapshotSchema,
  'settings.changed': SettingsSchema,
  /** Any change of the managed hosts: added, removed, connection state, a host key to confirm. */
  'hosts.changed': z.array(ManagedHostSchema),
  'recommendations.changed': RecommendationListSchema,
  'credentials.requested': CredentialRequestSchema,
  /** The questions still open (after one was answered or timed out). */
  'credentials.changed': z.array(CredentialRequestSchema),
  /** A plan changed: created, a step started, progressed, finished, rolled back. */
  'plans.changed': PlanSchema,
  /** Automation's settings, pause or last round changed. */
  'automation.changed': AutomationStatusSchema,
  /** A rule was added or removed, or a host entered or left maintenance: the rules and hosts in maintenance now. */
  'rules.changed': RulesListSchema,
} as const satisfies Record<EventChannelName, z.ZodType>

export type RequestChannel = keyof typeof requestChannels
export type EventChannel = keyof typeof eventChannels
/** What a caller sends (defaults may be omitted). */
export type RequestOf<C extends RequestChannel> = z.input<(typeof requestChannels)[C]['req']>
/** What a handler receives, after parsing and defaults. */
export type ParsedRequestOf<C extends RequestChannel> = z.output<(typeof requestChannels)[C]['req']>
export type ResponseOf<C extends RequestChannel> = z.output<(typeof requestChannels)[C]['res']>
export type EventOf<E extends EventChannel> = z.output<(typeof eventChannels)[E]>
export type AppInfo = z.infer<typeof AppInfoSchema>
export type HistoryRequest = z.output<typeof HistoryRequestSchema>
export type AddHostRequest = z.output<typeof AddHostRequestSchema>
export type RecommendationItem = z.infer<typeof RecommendationItemSchema>
export type CredentialRequest = z.infer<typeof CredentialRequestSchema>
export type RecommendationList = z.infer<typeof RecommendationListSchema>
export type MeasuredEffect = z.infer<typeof MeasuredEffectSchema>

export function isRequestChannel(name: unknown): name is RequestChannel {
  return typeof name === 'string' && Object.hasOwn(requestChannels, name)
}

export function isEventChannel(name: unknown): name is EventChannel {
  return typeof name === 'string' && Object.hasOwn(eventChannels, name)
}
