import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { Host, HostSample, Vm, VmSample } from '../../shared/model'
import { deriveSamples } from '../collect/rates'
import type { RawStats } from '../hosts/adapter'
import { adapterForHost } from '../hosts/detect'
import { HostConnection } from '../ssh/connection'
import type { CredentialPrompter } from '../ssh/credentials'
import { KnownHostsStore } from '../ssh/known-hosts-store'
import { resolveTarget } from '../ssh/resolve'
import { parseTarget } from '../ssh/target'

export interface CollectOptions {
  targets: string[]
  samples: number
  intervalMs: number
  acceptNew: boolean
  dataDir: string
  sshDir?: string
  prompter: CredentialPrompter
}

export interface CollectedHost {
  target: string
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** `virtpilot collect`: inventory and the last sample of each host, read live over SSH. */
export async function collect(options: CollectOptions): Promise<CollectedHost[]> {
  const sshDir = options.sshDir ?? join(homedir(), '.ssh')
  const configFile = join(sshDir, 'config')
  const sshConfig = existsSync(configFile) ? readFileSync(configFile, 'utf8') : undefined
  const knownHosts = new KnownHostsStore([join(sshDir, 'known_hosts'), join(sshDir, 'known_hosts2')], join(options.dataDir, 'known_hosts'))

  return Promise.all(
    options.targets.map(async (raw): Promise<CollectedHost> => {
      let connection: HostConnection | undefined
      try {
        const target = resolveTarget(parseTarget(raw), { sshConfig, home: join(sshDir, '..') })
        connection = new HostConnection({
          target,
          knownHosts,
          prompter: options.prompter,
          agentSocket: process.env.SSH_AUTH_SOCK,
          // Like StrictHostKeyChecking=accept-new, but a new key type for a host known by others is never taken silently.
          onUnknownHostKey: async (key) => options.acceptNew && !key.otherKeysKnown,
          reconnect: false,
        })
        const hostId = target.alias
        const adapter = adapterForHost(connection, hostId)
        const inventory = await adapter.discover()
        const threads = new Map(inventory.hosts.map((h) => [h.id, h.cpu.threads]))
        let previous: RawStats | undefined
        let last: { hostSamples: HostSample[]; vmSamples: VmSample[] } | undefined
        // Rates need two reads: N samples take N + 1 reads.
        for (let i = 0; i <= options.samples; i++) {
          if (i > 0) await sleep(options.intervalMs)
          const raw = await adapter.readStats(Date.now())
          if (previous) last = deriveSamples(previous, raw, threads)
          previous = raw
        }
        return {
          target: raw,
          ok: true,
          state: connection.state,
          host: inventory.hosts[0]!,
          vms: inventory.vms,
          ...(last?.hostSamples[0] ? { hostSample: last.hostSamples[0] } : {}),
          vmSamples: last?.vmSamples ?? [],
          execs: connection.execCount,
        }
      } catch (error) {
        const message = (error as Error).message
        const hint = /not trusted yet/.test(message) && !options.acceptNew ? ' Run again with --accept-new to trust it (like StrictHostKeyChecking=accept-new).' : ''
        return { target: raw, ok: false, state: connection?.state ?? 'invalid', error: message + hint, execs: connection?.execCount ?? 0 }
      } finally {
        connection?.close()
      }
    }),
  )
}
