import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

export const SESSION_COOKIE = 'virtpilot_session'

export type Verdict = { ok: true } | { ok: false; status: 401 | 403; reason: string }

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

export function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=')
    if (name === SESSION_COOKIE) return rest.join('=')
  }
  return undefined
}

export function queryToken(req: IncomingMessage): string | undefined {
  return new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? undefined
}

/**
 * Who may talk to serve mode: the right Host (against DNS rebinding, for loopback binds), no
 * foreign Origin (against cross-site requests and WebSockets), and the access token as a query
 * parameter or the session cookie set from it.
 */
export function checkRequest(req: IncomingMessage, token: string, allowedHosts: ReadonlySet<string> | undefined): Verdict {
  const host = req.headers.host ?? ''
  if (allowedHosts && !allowedHosts.has(host.toLowerCase())) {
    return { ok: false, status: 403, reason: `Host ${JSON.stringify(host)} is not this server` }
  }
  const origin = req.headers.origin
  if (origin !== undefined && origin !== `http://${host}`) {
    return { ok: false, status: 403, reason: `Requests from ${origin} are not allowed` }
  }
  const given = queryToken(req) ?? cookieToken(req)
  if (!given || !sameSecret(given, token)) {
    return { ok: false, status: 401, reason: 'Missing or wrong access token: open the URL that `virtpilot serve` printed' }
  }
  return { ok: true }
}
