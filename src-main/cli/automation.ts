import { parseArgs } from 'node:util'
import { AutomationLevelSchema, AutomationUpdateSchema, VmAutomationSchema, WEEKDAYS, type AutomationUpdate, type MaintenanceWindow, type VmAutomation, type Weekday } from '../../shared/model'
import { issueRef } from '../../shared/api/issues'
import { msg } from '../../shared/i18n'
import { asTyped, badUsage, cliServices, printJson, refusedByServices, UsageError, withServices } from './input'
import { vmIds } from './rules'

export const AUTOMATION_HELP = `  virtpilot automation show [--data FILE] --json
  virtpilot automation set [--level LEVEL] [--window DAYS@HH:MM-HH:MM]... [--no-windows]
        [--time-zone ZONE] [--max-moves-per-hour N] [--allow-unsafe-migration | --no-unsafe-migration]
        [--vm VM=LEVEL]... [--data FILE] --json
  virtpilot automation pause [--cancel-running] [--data FILE] --json
  virtpilot automation resume [--data FILE] --json
      DRS-style automation of the cluster; off (manual) by default. LEVEL is manual (every
      change waits for your approval), partially-automated (P1 fixes of rules are approved,
      planned and applied on their own; the rest is proposed) or fully-automated (also the
      moves at or above the migration threshold, inside the maintenance windows). Automatic
      changes are live migrations only and go through the same plan, checks, verification,
      rollback and audit as yours, under the actor "automation: LEVEL/RULE".
      --window mon-fri@22:00-06:00 adds a maintenance window (days: mon..sun, ranges such as
      mon-fri, lists such as sat,sun, or daily; an end before the start ends the next day), read
      in --time-zone (an IANA name such as Europe/Berlin; default: this system's). Windows given
      replace the stored ones. --max-moves-per-hour caps automatic live migrations in any hour
      (counted from the plans kept, so a restart does not reset it). --vm VM=LEVEL sets a VM's
      own level (disabled, manual, partially-automated, fully-automated, or default to follow
      the cluster); disabled also keeps balancing from proposing moves of it.
      pause: nothing automatic starts until resume; a running automatic plan runs to its end,
      or with --cancel-running is cancelled (its running migration aborted, done steps kept).
      The desktop app and 'virtpilot serve' act; these commands change what they do.
`

const DAY_SET = new Set<string>(WEEKDAYS)

/** "mon-fri", "sat,sun", "daily", "fri-mon" (wraps) -> the days. */
function parseDays(text: string): Weekday[] {
  if (text === 'daily' || text === 'all') return [...WEEKDAYS]
  const days: Weekday[] = []
  for (const part of text.split(',')) {
    const [a, b] = part.split('-')
    if (!a || !DAY_SET.has(a) || (b !== undefined && !DAY_SET.has(b))) throw badUsage(msg('cli.automation.days', { value: text }))
    const from = WEEKDAYS.indexOf(a as Weekday)
    const to = b === undefined ? from : WEEKDAYS.indexOf(b as Weekday)
    for (let i = from; ; i = (i + 1) % 7) {
      if (!days.includes(WEEKDAYS[i]!)) days.push(WEEKDAYS[i]!)
      if (i === to) break
    }
  }
  return days
}

/** "mon-fri@22:00-06:00" -> a maintenance window. */
export function parseWindow(text: string): MaintenanceWindow {
  const match = /^([a-z,-]+)@(\d\d:\d\d)-(\d\d:\d\d)$/.exec(text.trim().toLowerCase())
  if (!match) throw badUsage(msg('cli.automation.window', { value: text }))
  return { days: parseDays(match[1]!), start: match[2]!, end: match[3]! }
}


/** `virtpilot automation show|set|pause|resume`. */
export async function automationCommand(args: string[]): Promise<number> {
  const [verb, ...rest] = args
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      data: { type: 'string' },
      json: { type: 'boolean', default: false },
      level: { type: 'string' },
      window: { type: 'string', multiple: true },
      'no-windows': { type: 'boolean', default: false },
      'time-zone': { type: 'string' },
      'max-moves-per-hour': { type: 'string' },
      'allow-unsafe-migration': { type: 'boolean' },
      'no-unsafe-migration': { type: 'boolean' },
      vm: { type: 'string', multiple: true },
      'cancel-running': { type: 'boolean', default: false },
    },
    strict: true,
  })
  if (!values.json) throw badUsage(msg('cli.usage.needsJson', { command: 'automation' }))
  if (positionals.length > 0) throw badUsage(msg('cli.automation.noArgument', { verb: verb ?? '', args: positionals.join(' ') }))
  const services = () => cliServices(values.data)
  switch (verb) {
    case 'show':
      return withServices(services(), async (s) => (printJson(s.automation.status()), 0), false)
    case 'set': {
      const patch: AutomationUpdate = {}
      if (values.level !== undefined) {
        const level = AutomationLevelSchema.safeParse(values.level)
        if (!level.success) throw badUsage(msg('cli.automation.level', { items: asTyped(AutomationLevelSchema.options), value: values.level }))
        patch.level = level.data
      }
      if (values['no-windows'] && values.window) throw badUsage(msg('cli.usage.notTogether', { first: '--no-windows', second: '--window' }))
      if (values['no-windows']) patch.windows = []
      if (values.window) patch.windows = values.window.map(parseWindow)
      if (values['time-zone'] !== undefined) patch.timeZone = values['time-zone']
      if (values['max-moves-per-hour'] !== undefined) patch.maxMovesPerHour = Number(values['max-moves-per-hour'])
      if (values['allow-unsafe-migration'] && values['no-unsafe-migration']) throw badUsage(msg('cli.usage.notTogether', { first: '--allow-unsafe-migration', second: '--no-unsafe-migration' }))
      if (values['allow-unsafe-migration']) patch.allowUnsafeMigration = true
      if (values['no-unsafe-migration']) patch.allowUnsafeMigration = false
      const checked = AutomationUpdateSchema.safeParse(patch)
      if (!checked.success) {
        const problems = checked.error.issues.map((i) => ({ text: `${i.path.join('.') || 'automation'}: ${i.message}`, ref: issueRef(i) }))
        throw new UsageError(problems.map((p) => p.text).join('; '), msg('cli.automation.invalid'), problems)
      }
      const perVm = (values.vm ?? []).map((item) => {
        const at = item.lastIndexOf('=')
        const level = item.slice(at + 1)
        if (at <= 0 || (level !== 'default' && !VmAutomationSchema.safeParse(level).success)) throw badUsage(msg('cli.automation.vmLevel', { items: asTyped([...VmAutomationSchema.options, 'default']), value: item }))
        return { vm: item.slice(0, at), level: level === 'default' ? null : (level as VmAutomation) }
      })
      if (Object.keys(checked.data).length === 0 && perVm.length === 0) throw badUsage(msg('cli.automation.nothingToSet'))
      return withServices(services(), async (s) => {
        const ids = vmIds(s, perVm.map((v) => v.vm))
        let status = s.automation.status()
        try {
          if (Object.keys(checked.data).length > 0) status = s.automation.update(checked.data)
          perVm.forEach((v, i) => (status = s.automation.setVm(ids[i]!, v.level)))
        } catch (error) {
          refusedByServices(error)
        }
        printJson(status)
        return 0
      }, false)
    }
    case 'pause':
      return withServices(services(), async (s) => (printJson(s.automation.pause(values['cancel-running'] ? 'cancel' : 'finish')), 0), false)
    case 'resume':
      return withServices(services(), async (s) => (printJson(s.automation.resume()), 0), false)
    default:
      throw badUsage(verb === undefined ? msg('cli.automation.verb') : msg('cli.automation.unknownVerb', { verb: JSON.stringify(verb) }))
  }
}
