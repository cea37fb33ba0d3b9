import { z } from 'zod'
import { words } from './issue-words'

/**
 * DRS's automation levels for the cluster: manual (VirtPilot proposes, the admin approves every
 * change), partially automated (P1 fixes applied on their own, the rest proposed), fully
 * automated (also the moves at or above the migration threshold, inside the maintenance windows).
 */
export const AutomationLevelSchema = z.enum(['manual', 'partially-automated', 'fully-automated'])

/** A VM's own level; `disabled` also keeps balancing from proposing moves of it (as DRS does). */
export const VmAutomationSchema = z.enum(['disabled', 'manual', 'partially-automated', 'fully-automated'])

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const
export const WeekdaySchema = z.enum(WEEKDAYS)

/** 00:00 .. 24:00, minutes precision. */
const CLOCK_TIME = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/
// A refinement, not .regex(): zod words a pattern miss only as "not a valid regex".
const ClockTimeSchema = z.string().refine((t) => CLOCK_TIME.test(t), { message: 'a time as HH:MM (00:00 .. 24:00)', params: words('input.issue.clockTime') })

/** A time zone the runtime knows (IANA name such as Europe/Berlin, or UTC). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/**
 * A maintenance window: from `start` to `end` on each of `days`, in the admin's time zone. An
 * end before the start runs past midnight into the next day (22:00-06:00 on Friday ends Saturday 06:00).
 */
export const MaintenanceWindowSchema = z
  .object({
    days: z.array(WeekdaySchema).min(1).max(7),
    start: ClockTimeSchema,
    end: ClockTimeSchema,
  })
  .strict()
  .refine((w) => w.start !== w.end, { message: 'a window needs an end different from its start', path: ['end'], params: words('input.issue.windowEnd') })
  .refine((w) => new Set(w.days).size === w.days.length, { message: 'a day is named twice', path: ['days'], params: words('input.issue.dayTwice') })

/** Who paused automation, when, and what happens to an automatic plan already running. */
export const AutomationPauseSchema = z.object({
  since: z.number(),
  by: z.string(),
  /** finish: a running automatic plan runs to its end; cancel: it is cancelled (its running migration aborted, done steps kept). */
  running: z.enum(['finish', 'cancel']),
})

export const AutomationSettingsSchema = z.object({
  level: AutomationLevelSchema,
  windows: z.array(MaintenanceWindowSchema).max(28),
  /** The admin's time zone, which the windows are read in. */
  timeZone: z.string().min(1).max(64).refine(isTimeZone, { message: 'not a time zone this system knows (e.g. Europe/Berlin, UTC)', params: words('input.issue.timeZone') }),
  /** At most this many automatic live migrations start in any hour. */
  maxMovesPerHour: z.number().int().min(1).max(60),
  /** Automatic plans may pass --unsafe to virsh migrate (host-cached disks on storage all hosts reach). */
  allowUnsafeMigration: z.boolean(),
  /** VM id -> its own level; a VM not named follows the cluster. */
  vms: z.record(z.string().min(1).max(200), VmAutomationSchema),
  /** Set while the admin has paused automation: nothing automatic starts. */
  paused: AutomationPauseSchema.optional(),
})

/** What the admin may change in one request (pause has its own). */
export const AutomationUpdateSchema = AutomationSettingsSchema.pick({ level: true, windows: true, timeZone: true, maxMovesPerHour: true, allowUnsafeMigration: true }).partial().strict()

/** The zone this process runs in: the default for the windows until the admin picks another. */
export function localTimeZone(): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone
  return zone && isTimeZone(zone) ? zone : 'UTC'
}

export function defaultAutomation(): AutomationSettings {
  return { level: 'manual', windows: [], timeZone: localTimeZone(), maxMovesPerHour: 4, allowUnsafeMigration: false, vms: {} }
}

/** The actor automation records its approvals, plans and commands under: "automation: fully-automated/threshold-3". */
export const AUTOMATION_ACTOR = 'automation: '

export function isAutomaticActor(actor: string | undefined): boolean {
  return actor?.startsWith(AUTOMATION_ACTOR) ?? false
}

export type AutomationLevel = z.infer<typeof AutomationLevelSchema>
export type VmAutomation = z.infer<typeof VmAutomationSchema>
export type Weekday = z.infer<typeof WeekdaySchema>
export type MaintenanceWindow = z.infer<typeof MaintenanceWindowSchema>
export type AutomationPause = z.infer<typeof AutomationPauseSchema>
export type AutomationSettings = z.infer<typeof AutomationSettingsSchema>
export type AutomationUpdate = z.infer<typeof AutomationUpdateSchema>
