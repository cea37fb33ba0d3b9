import { parseArgs } from 'node:util'
import { issueRef } from '../../shared/api/issues'
import { NewPlacementRuleSchema, PlacementRuleKindSchema, type NewPlacementRule } from '../../shared/model'
import type { Services } from '../services/services'
import { badUsage, cliServices, printJson, refusedByServices, refusedInput, terminalSafe, withServices, writeJsonFile } from './input'
import { msg } from '../../shared/i18n'
import { hostReason } from './hosts'
import { tell } from './language'

export const RULES_HELP = `  virtpilot rules list [--data FILE] --json
  virtpilot rules add KIND VM... [--host HOST]... [--name NAME] [--data FILE] --json
  virtpilot rules remove ID [--data FILE] --json
      The placement rules the engine keeps (DRS-style). KIND is affinity (the VMs run on one
      host), anti-affinity (no two share a host), host-must (the VMs run only on the --host
      hosts), host-should (they run there where one has room), host-must-not (never on the
      --host hosts), host-should-not (on other hosts where one has room), pin (one VM on one
      host) or exclude (balancing never moves the VMs; maintenance and the hard rules still do). VMs by
      name or id, as the data file's inventory knows them. A rule that conflicts with the others
      is refused with the reason (exit 1). Violations of the current placement become
      recommendations the next time the engine runs.
`

export const MAINTENANCE_HELP = `  virtpilot maintenance enter HOST [--allow-unsafe-migration] [--out PLAN.json] [--data FILE] --json
  virtpilot maintenance exit HOST [--data FILE] --json
      enter: from now on HOST takes no placements; its hosts are read, the engine plans the
      evacuation (live migrations that keep the rules and allocation ratios) and the plan is
      made, approved by this command: apply it with 'virtpilot apply PLAN.json'. Prints the
      plan and the VMs that stay, with the reason. exit: HOST takes placements again.
`

/** VM names (or ids) to ids, as the inventory and the hosts read knows them. */
export function vmIds(services: Services, names: readonly string[]): string[] {
  const known = services.rules.known().vms
  return names.map((name) => {
    if (known.has(name)) return name
    const byName = [...known].filter(([, n]) => n === name).map(([id]) => id)
    if (byName.length === 1) return byName[0]!
    if (byName.length > 1) throw refusedInput(msg('ruleChanges.cli.ambiguousVm', { vm: name, count: byName.length, ids: byName.join(', ') }))
    throw refusedInput(msg('ruleChanges.cli.unknownVm', { file: services.file, vm: name }))
  })
}


/** `virtpilot rules list|add|remove`. */
export async function rulesCommand(args: string[]): Promise<number> {
  const [verb, ...rest] = args
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { data: { type: 'string' }, json: { type: 'boolean', default: false }, host: { type: 'string', multiple: true }, name: { type: 'string' } },
    strict: true,
  })
  if (!values.json) throw badUsage(msg('cli.usage.needsJson', { command: 'rules' }))
  switch (verb) {
    case 'list':
      if (positionals.length > 0) throw badUsage(msg('ruleChanges.cli.listNoArgument'))
      return withServices(cliServices(values.data), async (s) => (printJson(s.rules.list()), 0), false)
    case 'add': {
      const [kind, ...vms] = positionals
      const parsedKind = PlacementRuleKindSchema.safeParse(kind)
      if (!parsedKind.success) throw badUsage(msg('ruleChanges.cli.needsKind', { kinds: PlacementRuleKindSchema.options.join(', ') }))
      return withServices(cliServices(values.data), async (s) => {
        const candidate: NewPlacementRule = { kind: parsedKind.data, vms: vmIds(s, vms), hosts: values.host ?? [], ...(values.name ? { name: values.name } : {}) }
        const rule = NewPlacementRuleSchema.safeParse(candidate)
        if (!rule.success) throw badUsage(msg('ruleChanges.cli.invalid', { clauses: rule.error.issues.map(issueRef) }))
        try {
          printJson(s.rules.add(rule.data))
        } catch (error) {
          refusedByServices(error)
        }
        return 0
      }, false)
    }
    case 'remove': {
      if (positionals.length !== 1) throw badUsage(msg('ruleChanges.cli.needsRuleId'))
      const id = positionals[0]!
      return withServices(cliServices(values.data), async (s) => {
        if (!s.rules.remove(id)) throw refusedInput(msg('ruleChanges.cli.noRule', { file: s.file, id }))
        printJson({ removed: id })
        return 0
      }, false)
    }
    default:
      throw badUsage(verb === undefined ? msg('ruleChanges.cli.rulesVerb') : msg('ruleChanges.cli.unknownRulesVerb', { verb: JSON.stringify(verb) }))
  }
}

/** `virtpilot maintenance enter|exit HOST`. */
export async function maintenanceCommand(args: string[]): Promise<number> {
  const [verb, ...rest] = args
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { data: { type: 'string' }, json: { type: 'boolean', default: false }, out: { type: 'string' }, 'allow-unsafe-migration': { type: 'boolean', default: false } },
    strict: true,
  })
  if (!values.json) throw badUsage(msg('cli.usage.needsJson', { command: 'maintenance' }))
  if (positionals.length !== 1) throw badUsage(verb ? msg('ruleChanges.cli.needsHost', { verb }) : msg('ruleChanges.cli.needsHostNoVerb'))
  const host = positionals[0]!
  switch (verb) {
    case 'enter': {
      const services = cliServices(values.data, { log: (m) => console.error(terminalSafe(m)) })
      return withServices(services, async (s) => {
        if (s.hosts.stored().length === 0) throw refusedInput(msg('cli.rules.noHosts', { file: s.file }))
        // Every host read first: the evacuation is planned on where the VMs are now.
        await s.start()
        const errors = await s.hosts.whenSampled(1)
        for (const [id, error] of errors) console.error(`virtpilot: ${terminalSafe(tell(msg('cli.leftOut', { host: id, reason: hostReason(s.hosts.list().find((h) => h.id === id) ?? {}, error) })))}`)
        const entry = await s.rules.enter(host, { allowUnsafeMigration: values['allow-unsafe-migration'] }).catch(refusedByServices)
        if (entry.plan && values.out) writeJsonFile(values.out, entry.plan)
        for (const vm of entry.staying) console.error(terminalSafe(tell(msg('cli.rules.stays', { vm: vm.name, host, reason: vm.reasonRef ?? vm.reason }))))
        printJson(entry)
        return 0
      }, false)
    }
    case 'exit':
      return withServices(cliServices(values.data), async (s) => {
        const exited = s.rules.exit(host)
        if (!exited) throw refusedInput(msg('ruleChanges.cli.notInMaintenance', { host }))
        printJson({ hostId: host, exited })
        return 0
      }, false)
    default:
      throw badUsage(verb === undefined ? msg('ruleChanges.cli.maintenanceVerb') : msg('ruleChanges.cli.unknownMaintenanceVerb', { verb: JSON.stringify(verb) }))
  }
}
