import { parseArgs } from 'node:util'
import { ApiFailure } from '../../shared/api'
import type { ManagedHost, MessageRef } from '../../shared/model'
import type { Services } from '../services/services'
import { badUsage, cliServices, confirm, printJson, refusedByServices, refusedInput, terminalSafe, withServices } from './input'
import { msg } from '../../shared/i18n'
import { tell } from './language'

export const HOSTS_HELP = `  virtpilot hosts add TARGET [--name NAME] [--accept-new] [--data FILE] [--json]
  virtpilot hosts list [--data FILE] [--json]
  virtpilot hosts remove ID|TARGET [--data FILE]
  virtpilot hosts forget-key HOST [--data FILE]
      The hosts of a data file, as the app's Hosts page keeps them. add checks TARGET
      (user@host[:port], a ~/.ssh/config alias, or qemu+ssh://user@host[:port]/system),
      connects, shows an unknown host key's fingerprint and asks (or trusts it with
      --accept-new), reads the host once and stores it; exit 1 if it could not be read (it
      stays added: fix the cause, or remove it). forget-key removes a reinstalled host's old
      key from VirtPilot's own known_hosts (next to the data file).
`

const line = (h: ManagedHost) => `${h.id}\t${h.state}\t${h.target}${h.displayName !== h.target ? `\t(${h.displayName})` : ''}${h.error ? `\t${terminalSafe(h.error)}` : ''}`

/** Why a host could not be read: VirtPilot's words with what ssh or the host said beside them, else its error as it came. */
export function hostReason(host: Pick<ManagedHost, 'error' | 'errorRef' | 'errorDetail'>, fallback = host.error ?? ''): MessageRef | string {
  if (!host.errorRef) return fallback
  return host.errorDetail ? msg('cli.hosts.withDetail', { text: host.errorRef, detail: host.errorDetail }) : host.errorRef
}

/** Adds a host the way the app does, asking about an unknown host key on the terminal. */
async function add(services: Services, target: string, name: string | undefined, acceptNew: boolean, json: boolean): Promise<number> {
  let host: ManagedHost
  try {
    host = await services.hosts.add({ target, ...(name ? { displayName: name } : {}) })
  } catch (error) {
    refusedByServices(error)
  }
  for (;;) {
    await services.hosts.whenSampled(0, [host.id])
    host = services.hosts.list().find((h) => h.id === host.id)!
    const question = host.pendingHostKey
    if (!question) break
    process.stderr.write(`${tell(msg('cli.hosts.unknownKey', { target, address: `${question.host}:${question.port}`, type: question.keyType }))}\n  ${question.fingerprint}\n${tell(msg('cli.hosts.compareKey'))}\n`)
    const accept = acceptNew || (await confirm(tell(msg('cli.hosts.trust'))))
    try {
      host = await services.hosts.answerHostKey(question.promptId, accept)
    } catch (error) {
      // A retry of the connection asked again meanwhile: answer the newer question.
      if (error instanceof ApiFailure && error.code === 'not-found') continue
      throw error
    }
    if (!accept) break
  }
  if (json) printJson(host)
  else console.log(line(host))
  if (host.state === 'online' && !host.error) return 0
  console.error(`virtpilot: ${terminalSafe(tell(msg('cli.hosts.notRead', { host: host.id, reason: host.error ? msg('cli.hosts.reason', { reason: hostReason(host) }) : '' })))}`)
  return 1
}

/** `virtpilot hosts add|list|remove|forget-key`. */
export async function hostsCommand(args: string[]): Promise<number> {
  const [verb, ...rest] = args
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      data: { type: 'string' },
      json: { type: 'boolean', default: false },
      name: { type: 'string' },
      'accept-new': { type: 'boolean', default: false },
    },
    strict: true,
  })
  const one = (what: string | MessageRef) => {
    if (positionals.length !== 1) throw badUsage(msg('cli.hosts.needsOne', { verb: verb ?? '', what }))
    return positionals[0]!
  }
  switch (verb) {
    case 'add': {
      const target = one('TARGET')
      const services = cliServices(values.data, { unknownHostKeys: 'ask', log: (m) => console.error(terminalSafe(m)) })
      return withServices(services, (s) => add(s, target, values.name, values['accept-new'], values.json), false)
    }
    case 'list': {
      if (positionals.length > 0) throw badUsage(msg('cli.hosts.listNoArgument'))
      return withServices(cliServices(values.data), async (s) => {
        // As stored, without connecting to them.
        const hosts = s.hosts.stored()
        if (values.json) printJson(hosts)
        else for (const h of hosts) console.log(`${h.id}\t${h.target}${h.displayName !== h.target ? `\t(${h.displayName})` : ''}${h.lastSeenAt ? `\tlast seen ${new Date(h.lastSeenAt).toISOString()}` : ''}`)
        return 0
      }, false)
    }
    case 'remove': {
      const id = one(msg('cli.hosts.idOrTarget'))
      return withServices(cliServices(values.data), async (s) => {
        if (!(await s.hosts.remove(id))) throw refusedInput(msg('cli.hosts.noHost', { file: s.file, host: id }))
        console.error(tell(msg('cli.hosts.removed', { host: id })))
        return 0
      }, false)
    }
    case 'forget-key': {
      const host = one('HOST')
      return withServices(cliServices(values.data), async (s) => {
        let forgotten
        try {
          forgotten = s.hosts.forgetKey(host)
        } catch (error) {
          refusedByServices(error)
        }
        const name = forgotten.port === 22 ? forgotten.host : `[${forgotten.host}]:${forgotten.port}`
        if (forgotten.removed === 0) throw refusedInput(msg('cli.hosts.noKey', { file: forgotten.file, name }))
        console.error(tell(msg('cli.hosts.keysRemoved', { count: forgotten.removed, name, file: forgotten.file })))
        return 0
      }, false)
    }
    default:
      throw badUsage(verb === undefined ? msg('cli.hosts.verb') : msg('cli.hosts.unknownVerb', { verb: JSON.stringify(verb) }))
  }
}
