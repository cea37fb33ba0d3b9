import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/**
 * The session cookie's name, one per server: browsers send a cookie to every port of a host, so
 * a fixed name would reach any other local web service (and two VirtPilots would overwrite each
 * other's). Over HTTPS the `__Host-` prefix also pins it to this origin (Secure, Path=/, no Domain).
 */
export function sessionCookieName(port: number, secure: boolean): string {
  return `${secure ? '__Host-' : ''}virtpilot-${port}`
}

export type Verdict = { ok: true } | { ok: false; status: 401 | 403; reason: string }

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

export function cookieToken(req: IncomingMessage, cookieName: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=')
    if (name === cookieName) return rest.join('=')
  }
  return undefined
}

export function queryToken(req: IncomingMessage): string | undefined {
  return new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? undefined
}

export interface RequestPolicy {
  token: string
  /** Host headers this server answers to (against DNS rebinding). */
  allowedHosts: ReadonlySet<string>
  /** http or https: an Origin must be this server's own. */
  scheme: 'http' | 'https'
  cookieName: string
}

/**
 * Who may talk to serve mode: the right Host (against DNS rebinding), no foreign Origin (against
 * cross-site requests and WebSockets), and the access token as a query parameter or the session
 * cookie set from it.
 */
export function checkRequest(req: IncomingMessage, policy: RequestPolicy): Verdict {
  const host = req.headers.host ?? ''
  if (!policy.allowedHosts.has(host.toLowerCase())) {
    return { ok: false, status: 403, reason: `Host ${JSON.stringify(host)} is not this server` }
  }
  const origin = req.headers.origin
  if (origin !== undefined && origin !== `${policy.scheme}://${host}`) {
    return { ok: false, status: 403, reason: `Requests from ${origin} are not allowed` }
  }
  const given = queryToken(req) ?? cookieToken(req, policy.cookieName)
  if (!given || !sameSecret(given, policy.token)) {
    return { ok: false, status: 401, reason: 'Missing or wrong access token: open the URL that `virtpilot serve` printed' }
  }
  return { ok: true }
}
