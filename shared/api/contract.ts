import { z } from 'zod'
import { ClusterSeriesSchema, ManagedHostSchema, SnapshotSchema } from '../model'
import { SettingsSchema } from './settings'
import type { EventChannelName, RequestChannelName } from './channels'

/** A request channel is a value that carries its request and response schemas. */
function request<Req extends z.ZodType, Res extends z.ZodType>(req: Req, res: Res) {
  return { req, res }
}

const Empty = z.object({}).strict()

export const AppInfoSchema = z.object({
  version: z.string(),
  /** How this instance runs: the desktop app, `virtpilot serve`, or the CLI. */
  transport: z.enum(['electron', 'serve', 'cli']),
  dataFile: z.string(),
  demoRunning: z.boolean(),
  pollIntervalMs: z.number().int().positive(),
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

/** Every request the renderer (or a browser in serve mode) can make. */
export const requestChannels = {
  'app.info': request(Empty, AppInfoSchema),
  'cluster.snapshot': request(Empty, SnapshotSchema),
  'cluster.history': request(HistoryRequestSchema, ClusterSeriesSchema),
  'settings.get': request(Empty, SettingsSchema),
  'settings.update': request(SettingsSchema.partial().strict(), SettingsSchema),
  'hosts.list': request(Empty, z.array(ManagedHostSchema)),
  'hosts.add': request(AddHostRequestSchema, ManagedHostSchema),
  'hosts.remove': request(z.object({ id: z.string().min(1) }).strict(), z.object({ removed: z.boolean() })),
  'hosts.answerHostKey': request(z.object({ promptId: z.string().min(1), accept: z.boolean() }).strict(), ManagedHostSchema),
} as const satisfies Record<RequestChannelName, { req: z.ZodType; res: z.ZodType }>

/** Everything main pushes: the payload schema per event. */
export const eventChannels = {
  /** After every poll: the new cluster snapshot. */
  'cluster.snapshot': SnapshotSchema,
  'settings.changed': SettingsSchema,
  /** Any change of the managed hosts: added, removed, connection state, a host key to confirm. */
  'hosts.changed': z.array(ManagedHostSchema),
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

export function isRequestChannel(name: unknown): name is RequestChannel {
  return typeof name === 'string' && Object.hasOwn(requestChannels, name)
}

export function isEventChannel(name: unknown): name is EventChannel {
  return typeof name === 'string' && Object.hasOwn(eventChannels, name)
}
