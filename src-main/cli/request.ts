import { userInfo } from 'node:os'
import { parseArgs } from 'node:util'
import type { AdminRequest } from '../../shared/engine/requests'
import type { Snapshot } from '../../shared/model'
import { msg } from '../../shared/i18n'
import { asTyped, badUsage, cliServices, numberOption, printJson, refusedByServices, refusedInput, withServices } from './input'
import { clusterOf } from './recommend'

export const REQUEST_HELP = `  virtpilot request migrate VM --to HOST [--data FILE | --demo] --json
  virtpilot request resize VM [--vcpus N] [--memory SIZE] [--data FILE | --demo] --json
      Ask for a change by hand: it becomes a recommendation "requested by" you, with the
      engine's predicted effect, checked like the engine's own against the hosts' capacity,
      allocation ratios, placement rules and other managers (refused with the reasons; exit 1).
      VM and HOST by name or id. SIZE in MiB, or with G/GiB or M/MiB. The request stays open in
      the data file's inbox until decided; the JSON has the shape 'recommend --json' prints,
      so 'plan --from FILE --approve ID' makes a plan of it. --demo: on the embedded demo
      cluster (nothing is written to the data file).
`

/** `4096`, `4096M`, `4G`, `4GiB`: MiB. */
function memoryOption(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(g|gib|gb|m|mib|mb)?$/i.exec(text.trim())
  if (!m) throw badUsage(msg('cli.request.memorySize', { value: JSON.stringify(text) }))
  const n = Number(m[1])
  const mib = /^g/i.test(m[2] ?? '') ? n * 1024 : n
  if (!Number.isInteger(mib) || mib < 16) throw badUsage(msg('cli.request.memoryMin', { value: text }))
  return mib
}

function vmOf(snapshot: Snapshot, name: string): string {
  const found = snapshot.vms.filter((v) => v.id === name || v.name === name)
  if (found.length === 0) throw refusedInput(msg('cli.request.noVm', { vm: JSON.stringify(name), items: asTyped(snapshot.vms.map((v) => v.name).slice(0, 20)) }))
  if (found.length > 1) throw refusedInput(msg('cli.request.sameName', { count: found.length, vm: JSON.stringify(name), items: asTyped(found.map((v) => v.id)) }))
  return found[0]!.id
}

function hostOf(snapshot: Snapshot, name: string): string {
  const found = snapshot.hosts.find((h) => h.id === name || h.name === name)
  if (!found) throw refusedInput(msg('cli.request.noHost', { host: JSON.stringify(name), items: asTyped(snapshot.hosts.map((h) => h.id)) }))
  return found.id
}

/** `virtpilot request migrate|resize`: an admin's request into the inbox, as the engine's recommendations go there. */
export async function requestCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      to: { type: 'string' },
      vcpus: { type: 'string' },
      memory: { type: 'string' },
      demo: { type: 'boolean', default: false },
      data: { type: 'string' },
    },
    strict: true,
  })
  const [kind, vmName, ...extra] = positionals
  if (!values.json) throw badUsage(msg('cli.usage.needsJson', { command: 'request' }))
  if (kind !== 'migrate' && kind !== 'resize') throw badUsage(msg('cli.request.kind'))
  if (!vmName || extra.length > 0) throw badUsage(msg('cli.request.oneVm', { kind }))
  if (values.demo && values.data !== undefined) throw badUsage(msg('cli.request.oneSource'))
  if (kind === 'migrate' && (!values.to || values.vcpus !== undefined || values.memory !== undefined)) throw badUsage(msg('cli.request.migrate'))
  if (kind === 'resize' && (values.to !== undefined || (values.vcpus === undefined && values.memory === undefined))) throw badUsage(msg('cli.request.resize'))
  const vcpus = values.vcpus !== undefined ? numberOption('vcpus', values.vcpus, 1, 1024, true) : undefined
  const memoryMiB = values.memory !== undefined ? memoryOption(values.memory) : undefined
  const services = cliServices(values.demo ? ':memory:' : values.data, { hostPollIntervalMs: 5000, demo: values.demo ? 'settings' : 'off' })
  return withServices(
    services,
    async (s) => {
      const snapshot = await clusterOf(s, values.demo ? 'demo' : 'data')
      const vmId = vmOf(snapshot, vmName)
      const request: AdminRequest = kind === 'migrate' ? { kind, vmId, to: hostOf(snapshot, values.to!) } : { kind, vmId, ...(vcpus !== undefined ? { vcpus } : {}), ...(memoryMiB !== undefined ? { memoryMiB } : {}) }
      try {
        const item = await s.inbox.request(request, `${userInfo().username} (cli)`)
        printJson({ recommendations: [item.recommendation], snapshot })
      } catch (error) {
        refusedByServices(error)
      }
      return 0
    },
    false,
  )
}
