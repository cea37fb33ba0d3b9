import { english, msg } from '../../shared/i18n'
import type { MessageRef } from '../../shared/model'

/**
 * The ways an admin names a host, parsed and validated in one place:
 *   user@host[:port], host, [v6addr]:port, a Host alias of ~/.ssh/config,
 *   qemu+ssh://user@host[:port]/system
 */
export interface HostTarget {
  /** What the admin typed, kept for display and storage. */
  raw: string
  /** Host name or alias to look up in ~/.ssh/config (like ssh(1), the alias is matched first). */
  host: string
  user?: string
  port?: number
}

/** A target VirtPilot cannot use, in its words (`messageRef`; the English is the message). */
export class TargetError extends Error {
  override name = 'TargetError'
  constructor(readonly messageRef: MessageRef) {
    super(english(messageRef))
  }
}

// Host names, IPv4, and bracketed IPv6; no spaces, quotes or shell metacharacters.
const HOST_RE = /^(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,252})|\[[0-9A-Fa-f:.%a-zA-Z]+\])$/
const USER_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/

function parsePort(text: string, raw: string): number {
  const port = Number(text)
  if (!/^\d{1,5}$/.test(text) || port < 1 || port > 65535) throw new TargetError(msg('access.target.badPort', { target: JSON.stringify(raw) }))
  return port
}

function parseUserHostPort(text: string, raw: string): HostTarget {
  let rest = text
  let user: string | undefined
  const at = rest.lastIndexOf('@')
  if (at >= 0) {
    user = rest.slice(0, at)
    rest = rest.slice(at + 1)
    if (!USER_RE.test(user)) throw new TargetError(msg('access.target.badUser', { target: JSON.stringify(raw), user: JSON.stringify(user) }))
  }
  let host = rest
  let port: number | undefined
  const bracketed = /^(\[[^\]]+\])(?::(\d+))?$/.exec(rest)
  if (bracketed) {
    host = bracketed[1]!
    if (bracketed[2] !== undefined) port = parsePort(bracketed[2], raw)
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    const [h, p] = rest.split(':') as [string, string]
    host = h
    port = parsePort(p, raw)
  } else if (rest.includes(':')) {
    throw new TargetError(msg('access.target.ipv6', { target: JSON.stringify(raw) }))
  }
  if (!HOST_RE.test(host)) {
    throw new TargetError(host === raw ? msg('access.target.badHost', { host: JSON.stringify(raw) }) : msg('access.target.badHostIn', { host: JSON.stringify(host), target: JSON.stringify(raw) }))
  }
  return { raw, host: host.replace(/^\[|\]$/g, ''), ...(user ? { user } : {}), ...(port ? { port } : {}) }
}

export function parseTarget(input: string): HostTarget {
  const raw = input.trim()
  if (raw === '') throw new TargetError(msg('access.target.empty'))
  if (raw.includes('://')) {
    let url: URL
    try {
      url = new URL(raw)
    } catch {
      throw new TargetError(msg('access.target.badUri', { target: JSON.stringify(raw) }))
    }
    if (url.protocol !== 'qemu+ssh:') throw new TargetError(msg('access.target.onlyQemuSsh', { target: JSON.stringify(raw) }))
    if (url.pathname !== '/system') throw new TargetError(msg('access.target.systemOnly', { target: JSON.stringify(raw) }))
    const hostPart = url.port ? `${url.hostname}:${url.port}` : url.hostname
    return { ...parseUserHostPort(url.username ? `${decodeURIComponent(url.username)}@${hostPart}` : hostPart, raw), raw }
  }
  return parseUserHostPort(raw, raw)
}
