import { parseArgs } from 'node:util'
import type { Host, HostSample, ManagedHost, Vm, VmSample } from '../../shared/model'
import type { Services } from '../services/services'
import { asTyped, badUsage, cliServices, numberOption, printJson, refusedByServices, refusedInput, terminalSafe, withServices } from './input'
import { msg } from '../../shared/i18n'
import { say, tell } from './language'

export const COLLECT_HELP = `  virtpilot collect [--data FILE] [HOST...] [--samples N] [--interval S] --json
  virtpilot collect TARGET... [--accept-new] [--samples N] [--interval S] --json
  virtpilot collect prometheus+http(s)://HOST:PORT[/PATH] [--bearer-token-file F | --basic-auth-file F]
                    [--ca-file F] [--tenant ID] [--host-map STORE-NAME=HOST]... [--cluster-label LABEL]
                    [--data FILE]
                    [--samples N] [--interval S] --json
      With --data (or no TARGET): read the data file's hosts (all, or those named by id or
      target) over SSH as the app does, inventory and N samples (default 1) taken S seconds
      apart (default 2), and store them in the file. With TARGETs and no --data: read those
      targets without adding them and store nothing (unknown host keys are refused unless
      --accept-new). Prints the last sample of each host. Exits 1 when a host could not be
      read, naming it.
      With a store address: read every host node_exporter reports and every VM a libvirt
      exporter reports from that Prometheus-compatible store (Prometheus, Thanos, Mimir,
      VictoriaMetrics) through its HTTP API. With --data the store becomes the data file's
      metrics source (saved; its SSH hosts then read their statistics from it, and the store's
      other hosts are read-only) and the samples are stored. --host-map maps the store's name
      for a host (instance, address or nodename) to an SSH host's name. --cluster-label names the
      scrape label whose values tell Proxmox VE clusters apart (default job).
`

const STORE_ADDRESS = /^prometheus\+https?:\/\//i

interface StoreHost {
  id: string
  name: string
  readOnly: boolean
  host: Host
  vms: Vm[]
  hostSample?: HostSample
  vmSamples: VmSample[]
}

/** `virtpilot collect prometheus+http://...`: the fleet as a metrics store holds it. */
async function collectFromStore(url: string, values: Record<string, string | string[] | boolean | undefined>, samples: number, intervalMs: number): Promise<number> {
  const hostMap: Record<string, string> = {}
  for (const pair of (values['host-map'] as string[] | undefined) ?? []) {
    const eq = pair.lastIndexOf('=')
    if (eq <= 0 || eq === pair.length - 1) throw badUsage(msg('cli.collect.hostMap', { value: pair }))
    hostMap[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
  const file = (key: string) => (typeof values[key] === 'string' ? (values[key] as string) : undefined)
  const bearerTokenFile = file('bearer-token-file')
  const basicAuthFile = file('basic-auth-file')
  const caFile = file('ca-file')
  const tenant = file('tenant')
  const clusterLabel = file('cluster-label')
  if (clusterLabel !== undefined && !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(clusterLabel)) throw badUsage(msg('cli.collect.clusterLabel', { value: clusterLabel }))
  const source = {
    kind: 'prometheus' as const,
    url,
    ...(bearerTokenFile ? { bearerTokenFile } : {}),
    ...(basicAuthFile ? { basicAuthFile } : {}),
    ...(caFile ? { caFile } : {}),
    ...(tenant ? { tenant } : {}),
    ...(clusterLabel ? { clusterLabel } : {}),
    ...(Object.keys(hostMap).length > 0 ? { hostMap } : {}),
  }
  const data = file('data')
  const services = cliServices(data ?? ':memory:', { hostPollIntervalMs: intervalMs })
  const result = await withServices(
    services,
    async (s) => {
      await s.cluster.start()
      try {
        await s.cluster.updateSettings({ metricsSource: source })
      } catch (error) {
        refusedByServices(error)
      }
      if (samples > 1) await s.metrics.whenPolled(samples - 1)
      // SSH hosts of the data file served by the store: each has its own poll.
      if (data !== undefined && s.hosts.count > 0) await s.hosts.whenSampled(samples)
      const status = s.metrics.status()
      const snapshot = s.cluster.snapshot()
      const hosts: StoreHost[] = snapshot.hosts.map((host) => {
        const hostSample = snapshot.hostSamples.find((x) => x.hostId === host.id)
        return {
          id: host.id,
          name: host.name,
          readOnly: host.tags.includes('read-only'),
          host,
          vms: snapshot.vms.filter((v) => v.hostId === host.id),
          ...(hostSample ? { hostSample } : {}),
          vmSamples: snapshot.vmSamples.filter((x) => x.hostId === host.id),
        }
      })
      s.cluster.housekeeping()
      return { source: status, hosts }
    },
    false,
  )
  printJson(result)
  const { error, errorRef, problems, problemRefs } = result.source
  // In the CLI's language where VirtPilot has the words.
  problems?.forEach((p, i) => console.error(`virtpilot: ${terminalSafe(say(problemRefs?.[i] ?? undefined, p))}`))
  const containers = result.source.pve?.containers ?? []
  if (containers.length > 0) console.error(`virtpilot: Proxmox containers listed, not managed (VirtPilot manages QEMU guests only): ${terminalSafe(containers.map((c) => `${c.name} (${c.node})`).join(', '))}`)
  if (error) console.error(`virtpilot: ${terminalSafe(say(errorRef, error))}`)
  else if (result.hosts.length === 0) console.error(`virtpilot: ${tell(msg('cli.collect.noFreshHost'))}`)
  return !error && result.hosts.length > 0 ? 0 : 1
}

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
  /** Round trips to the host during the run (1 host type probe, 1 discovery, 1 to start the statistics session, 1 per read). */
  roundTrips: number
}

/** Waits for N samples of each host and reports each one: what it holds, or why it could not be read. */
async function readHosts(services: Services, hosts: readonly ManagedHost[], samples: number): Promise<CollectedHost[]> {
  const errors = await services.hosts.whenSampled(samples, hosts.map((h) => h.id))
  const snapshot = services.cluster.snapshot()
  return hosts.map((managed) => {
    const status = services.hosts.list().find((h) => h.id === managed.id) ?? managed
    const roundTrips = services.hosts.diagnostics(managed.id)?.roundTrips ?? 0
    const error = errors.get(managed.id)
    if (error !== undefined) {
      const hint = /not trusted yet/.test(error) ? ' Run `virtpilot hosts add` to check and trust its key (or, reading TARGETs without --data, pass --accept-new).' : ''
      return { target: managed.target, id: managed.id, ok: false, state: status.state, error: error + hint, roundTrips }
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
      roundTrips,
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
      'bearer-token-file': { type: 'string' },
      'basic-auth-file': { type: 'string' },
      'ca-file': { type: 'string' },
      tenant: { type: 'string' },
      'host-map': { type: 'string', multiple: true },
      'cluster-label': { type: 'string' },
    },
    strict: true,
  })
  if (!values.json) throw badUsage(msg('cli.usage.needsJsonResults', { command: 'collect' }))
  const samples = numberOption('samples', values.samples, 1, 1000, true)
  const intervalMs = numberOption('interval', values.interval, 0.1, 3600) * 1000
  const stores = positionals.filter((p) => STORE_ADDRESS.test(p))
  const storeOnly = ['bearer-token-file', 'basic-auth-file', 'ca-file', 'tenant', 'host-map', 'cluster-label'].filter((k) => values[k as keyof typeof values] !== undefined)
  if (stores.length > 0) {
    if (stores.length !== positionals.length || stores.length > 1) throw badUsage(msg('cli.collect.oneStore'))
    if (values['accept-new']) throw badUsage(msg('cli.collect.acceptNewStore'))
    return collectFromStore(stores[0]!, values, samples, intervalMs)
  }
  if (storeOnly.length > 0) throw badUsage(msg('cli.collect.storeOnly', { option: `--${storeOnly[0]}` }))
  // TARGETs without a data file are read as they are, added to nothing.
  const adHoc = positionals.length > 0 && values.data === undefined
  if (!adHoc && values['accept-new']) throw badUsage(msg('cli.collect.acceptNewData'))

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
            refusedByServices(error)
          }
        }
      } else {
        await s.cluster.start()
        const all = s.hosts.list()
        if (all.length === 0) throw refusedInput(msg('cli.collect.noHosts', { file: s.file }))
        const unknown = positionals.filter((p) => !all.some((h) => h.id === p || h.target === p))
        if (unknown.length > 0) throw refusedInput(msg('cli.collect.noHost', { file: s.file, items: asTyped(unknown), host: unknown[0]! }))
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
