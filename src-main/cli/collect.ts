import { parseArgs } from 'node:util'
import { ApiFailure } from '../../shared/api'
import type { Host, HostSample, ManagedHost, Vm, VmSample } from '../../shared/model'
import type { Services } from '../services/services'
import { cliServices, InputError, numberOption, printJson, terminalSafe, UsageError, withServices } from './input'

export const COLLECT_HELP = `  virtpilot collect [--data FILE] [HOST...] [--samples N] [--interval S] --json
  virtpilot collect TARGET... [--accept-new] [--samples N] [--interval S] --json
      With --data (or no TARGET): read the data file's hosts (all, or those named by id or
      target) over SSH as the app does, inventory and N samples (default 1) taken S seconds
      apart (default 2), and store them in the file. With TARGETs and no --data: read those
      targets without adding them and store nothing (unknown host keys are refused unless
      --accept-new). Prints the last sample of each host. Exits 1 when a host could not be
      read, naming it.
`

interface CollectedHost {
  target: string
  id: string
  ok: boolean
  state: string
  error?: string
  host?: Host
  vms?: Vm[]
  hostSample?: HostSample
  vmSamples?: VmSample[]
  /** Round trips to the host during the run (1 host type probe + 1 discovery + 1 per read). */
  execs: number
}

/** Waits for N samples of each host and reports each one: what it holds, or why it could not be read. */
async function readHosts(services: Services, hosts: readonly ManagedHost[], samples: number): Promise<CollectedHost[]> {
  const errors = await services.hosts.whenSampled(samples, hosts.map((h) => h.id))
  const snapshot = services.cluster.snapshot()
  return hosts.map((managed) => {
    const status = services.hosts.list().find((h) => h.id === managed.id) ?? managed
    const execs = services.hosts.diagnostics(managed.id)?.execs ?? 0
    const error = errors.get(managed.id)
    if (error !== undefined) {
      const hint = /not trusted yet/.test(error) ? ' Run `virtpilot hosts add` to check and trust its key (or, reading TARGETs without --data, pass --accept-new).' : ''
      return { target: managed.target, id: managed.id, ok: false, state: status.state, error: error + hint, execs }
    }
    const hostSample = snapshot.hostSamples.find((s) => s.hostId === managed.id)
    return {
      target: managed.target,
      id: managed.id,
      ok: true,
      state: status.state,
      host: snapshot.hosts.find((h) => h.id === managed.id)!,
      vms: snapshot.vms.filter((v) => v.hostId === managed.id),
      ...(hostSample ? { hostSample } : {}),
      vmSamples: snapshot.vmSamples.filter((s) => s.hostId === managed.id),
      execs,
    }
  })
}

/** `virtpilot collect`: reads hosts over SSH the way the app does, and stores what it reads. */
export async function collectCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      data: { type: 'string' },
      'accept-new': { type: 'boolean', default: false },
      samples: { type: 'string', default: '1' },
      interval: { type: 'string', default: '2' },
    },
    strict: true,
  })
  if (!values.json) throw new UsageError('collect needs --json (results are printed as JSON)')
  const samples = numberOption('samples', values.samples, 1, 1000, true)
  const intervalMs = numberOption('interval', values.interval, 0.1, 3600) * 1000
  // TARGETs without a data file are read as they are, added to nothing.
  const adHoc = positionals.length > 0 && values.data === undefined
  if (!adHoc && values['accept-new']) throw new UsageError('--accept-new is for TARGETs read without --data; a data file\'s hosts had their keys checked by `virtpilot hosts add`')

  const services = cliServices(adHoc ? ':memory:' : values.data, {
    hostPollIntervalMs: intervalMs,
    unknownHostKeys: values['accept-new'] ? 'accept-new' : 'refuse',
  })
  const results = await withServices(
    services,
    async (s) => {
      let hosts: ManagedHost[]
      if (adHoc) {
        hosts = []
        for (const target of positionals) {
          try {
            hosts.push(await s.hosts.add({ target }))
          } catch (error) {
            if (error instanceof ApiFailure) throw new InputError(error.message)
            throw error
          }
        }
      } else {
        await s.cluster.start()
        const all = s.hosts.list()
        if (all.length === 0) throw new InputError(`${s.file} has no hosts: add one with \`virtpilot hosts add TARGET --data ${s.file}\``)
        const unknown = positionals.filter((p) => !all.some((h) => h.id === p || h.target === p))
        if (unknown.length > 0) throw new InputError(`${s.file} has no host ${unknown.join(', ')}: add it with \`virtpilot hosts add ${unknown[0]} --data ${s.file}\``)
        hosts = positionals.length > 0 ? all.filter((h) => positionals.includes(h.id) || positionals.includes(h.target)) : all
      }
      const read = await readHosts(s, hosts, samples)
      s.cluster.housekeeping()
      return read
    },
    false,
  )
  printJson({ hosts: results })
  for (const r of results.filter((r) => !r.ok)) console.error(`virtpilot: ${r.target}: ${terminalSafe(r.error ?? '')}`)
  return results.every((r) => r.ok) ? 0 : 1
}
