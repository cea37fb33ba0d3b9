import { homedir, userInfo } from 'node:os'
import { join } from 'node:path'
import SSHConfig from 'ssh-config'
import { msg } from '../../shared/i18n'
import type { KnownHostsConfig } from './known-hosts-store'
import { parseTarget, TargetError, type HostTarget } from './target'

/** Everything needed to open one SSH connection, after ~/.ssh/config is applied. */
export interface ResolvedTarget {
  /** The name the admin used (alias or host). */
  alias: string
  hostName: string
  user: string
  port: number
  identityFiles: string[]
  /** Only the identity files given, not the agent's other keys (IdentitiesOnly). */
  identitiesOnly: boolean
  /** Hops to go through first, outermost first (ProxyJump). */
  jumps: ResolvedTarget[]
  /** A local command whose stdio is the connection (ProxyCommand), already expanded. */
  proxyCommand?: string
  /** known_hosts files and revoked keys that ssh_config names for this host (otherwise the defaults). */
  knownHosts?: KnownHostsConfig
}

export interface ResolveContext {
  /** Text of ~/.ssh/config, or undefined when there is none. */
  sshConfig?: string
  home?: string
  localUser?: string
}

const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa']
const MAX_JUMPS = 8

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

function all(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value]
}

/** ssh_config(5) tokens the admin may use in IdentityFile and ProxyCommand. */
function expandTokens(text: string, t: { hostName: string; port: number; user: string; alias: string }, ctx: Required<ResolveContext>): string {
  return text
    .replace(/^~(?=\/|$)/, ctx.home)
    .replace(/%(.)/g, (whole, token: string) => {
      switch (token) {
        case 'h':
          return t.hostName
        case 'p':
          return String(t.port)
        case 'r':
          return t.user
        case 'n':
          return t.alias
        case 'd':
          return ctx.home
        case 'u':
          return ctx.localUser
        case '%':
          return '%'
        default:
          return whole
      }
    })
}

/**
 * Applies ~/.ssh/config to a target like ssh(1): values typed by the admin win, then the first
 * value the config gives. Match exec blocks are never run.
 */
export function resolveTarget(target: HostTarget, context: ResolveContext = {}, depth = 0): ResolvedTarget {
  const ctx: Required<ResolveContext> = {
    sshConfig: context.sshConfig ?? '',
    home: context.home ?? homedir(),
    localUser: context.localUser ?? userInfo().username,
  }
  if (depth > MAX_JUMPS) throw new TargetError(msg('access.target.jumpLoop', { target: target.raw, max: MAX_JUMPS }))
  const computed = ctx.sshConfig ? SSHConfig.parse(ctx.sshConfig).compute(target.host, { ignoreCase: true, matchExec: false }) : {}
  const hostName = first(computed.hostname) ?? target.host
  const user = target.user ?? first(computed.user) ?? ctx.localUser
  const portText = first(computed.port)
  const port = target.port ?? (portText ? Number(portText) : 22)
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new TargetError(msg('access.target.configPort', { target: target.raw, port: String(portText) }))
  const names = { hostName, port, user, alias: target.host }
  const configured = all(computed.identityfile).map((f) => expandTokens(f, names, ctx))
  const identityFiles = configured.length > 0 ? configured : DEFAULT_IDENTITIES.map((f) => join(ctx.home, '.ssh', f))
  const identitiesOnly = first(computed.identitiesonly)?.toLowerCase() === 'yes'

  // UserKnownHostsFile / GlobalKnownHostsFile: whitespace-separated lists; "none" reads none.
  const fileList = (value: string | string[] | undefined): string[] | undefined => {
    const words = all(value).flatMap((v) => v.trim().split(/\s+/)).filter(Boolean)
    if (words.length === 0) return undefined
    return words.some((w) => w.toLowerCase() === 'none') ? [] : words.map((w) => expandTokens(w, names, ctx))
  }
  const userFiles = fileList(computed.userknownhostsfile)
  const globalFiles = fileList(computed.globalknownhostsfile)
  const revoked = first(computed.revokedhostkeys)
  const knownHosts: KnownHostsConfig = {
    ...(userFiles ? { userFiles } : {}),
    ...(globalFiles ? { globalFiles } : {}),
    ...(revoked && revoked.toLowerCase() !== 'none' ? { revokedHostKeys: expandTokens(revoked, names, ctx) } : {}),
  }

  const proxyJump = first(computed.proxyjump)
  const proxyCommand = first(computed.proxycommand)
  const jumps: ResolvedTarget[] = []
  if (proxyJump && proxyJump.toLowerCase() !== 'none') {
    for (const hop of proxyJump.split(',')) {
      const resolved = resolveTarget(parseTarget(hop.replace(/^ssh:\/\//, '')), ctx, depth + 1)
      // A hop's own jumps come before it.
      jumps.push(...resolved.jumps, { ...resolved, jumps: [] })
    }
  }
  return {
    alias: target.host,
    hostName,
    user,
    port,
    identityFiles,
    identitiesOnly,
    jumps,
    ...(Object.keys(knownHosts).length > 0 ? { knownHosts } : {}),
    ...(jumps.length === 0 && proxyCommand && proxyCommand.toLowerCase() !== 'none' ? { proxyCommand: expandTokens(proxyCommand, names, ctx) } : {}),
  }
}
