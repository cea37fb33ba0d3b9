import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import { WebSocket, WebSocketServer } from 'ws'
import { z } from 'zod'
import { dispatch } from '../../shared/api'
import { english, msg } from '../../shared/i18n'
import type { MessageRef } from '../../shared/model'
import { WhatifImportRequestSchema } from '../../shared/api/whatif'
import { CONTENT_SECURITY_POLICY } from '../security/csp'
import type { Services } from '../services/services'
import { checkRequest, queryToken, sessionCookieName, type RequestPolicy } from './auth'
import { resolveStaticFile, sendStaticFile, warmStaticFiles } from './static-files'

export interface ServeOptions {
  services: Pick<Services, 'handlers' | 'events'>
  rendererDir: string
  host: string
  port: number
  /** Fixed token (tests); a random one otherwise. */
  token?: string
  /** Largest message a socket takes (tests); MAX_MESSAGE_BYTES otherwise. */
  maxMessageBytes?: number
  /** Certificate and key (PEM): serve HTTPS and WSS. Required beyond loopback. */
  tls?: { cert: string | Buffer; key: string | Buffer }
  /** Names browsers use to reach this server (its Host header), besides the bind address. */
  publicNames?: readonly string[]
}

/** Why serve mode will not start as asked: said to the admin as it is. */
export class ServeRefusal extends Error {
  override name = 'ServeRefusal'
  /** The English as its message; `ref` says it in the admin's language. */
  constructor(readonly ref: MessageRef) {
    super(english(ref))
  }
}

export interface RunningServer {
  url: string
  token: string
  port: number
  /** The session cookie's name (per server: see sessionCookieName). */
  cookieName: string
  close(): Promise<void>
}

const CallSchema = z.object({ type: z.literal('call'), id: z.number().int().nonnegative(), channel: z.string(), req: z.unknown() })
/** The largest file the What-if view imports: the contract's limit on whatif.import text (64 MiB). */
export const MAX_IMPORT_BYTES = WhatifImportRequestSchema.shape.text.maxLength ?? 64 * 1024 * 1024
/**
 * The largest message: the largest import with room for its JSON escaping (each quote or newline
 * doubles) and the envelope. Every socket is authenticated (the cookie is checked at the upgrade,
 * before a socket exists), so this cap bounds memory, not who may send. Bigger messages are refused
 * with close code 1009 and the limit as the reason; the view checks the file size before sending.
 */
export const MAX_MESSAGE_BYTES = 2 * MAX_IMPORT_BYTES

/**
 * ws refuses an over-long message with close code 1009 (message too big) but no reason: give the
 * limit as JSON (`{"limitBytes":N}`), for the page to say in the admin's language (websocket-bridge.ts).
 */
function socketWithLimit(maxBytes: number): typeof WebSocket {
  const reason = JSON.stringify({ limitBytes: maxBytes })
  return class LimitedWebSocket extends WebSocket {
    override close(code?: number, data?: string | Buffer): void {
      super.close(code, code === 1009 && data === undefined ? reason : data)
    }
  }
}

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
}

/** Whether an address only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host)
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]'
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host
}

/**
 * The Host headers a server answers to: loopback binds the loopback names; beyond loopback the
 * bind address (unless it is a wildcard) and the names given with --public-name, all with the port.
 */
export function allowedHostsFor(bind: string, port: number, publicNames: readonly string[] = []): Set<string> {
  const hosts = isLoopback(bind) ? [bind, 'localhost', '127.0.0.1', '::1'] : isWildcard(bind) ? [] : [bind]
  return new Set([...hosts, ...publicNames].map((h) => `${hostForUrl(h.toLowerCase())}:${port}`))
}

/**
 * Serving beyond loopback carries the token and every password typed into the app over the
 * network: only over TLS, and only for the names the admin gave.
 */
export function checkServeOptions(options: Pick<ServeOptions, 'host' | 'tls' | 'publicNames'>): void {
  if (isLoopback(options.host)) return
  if (!options.tls) {
    throw new ServeRefusal(msg('server.serve.plainHttp', { host: options.host }))
  }
  if (isWildcard(options.host) && (options.publicNames ?? []).length === 0) {
    throw new ServeRefusal(msg('server.serve.needsPublicName', { host: options.host }))
  }
}

/**
 * `virtpilot serve`: the renderer and the same api as the desktop app, for a browser.
 * HTTP serves the built renderer; one WebSocket at /api carries calls and events.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  checkServeOptions(options)
  const token = options.token ?? randomBytes(24).toString('base64url')
  const rendererDir = resolve(options.rendererDir)
  const scheme = options.tls ? 'https' : 'http'
  // Filled in once the port is known; until then nothing is accepted.
  const policy: RequestPolicy = { token, allowedHosts: new Set(), scheme, cookieName: '' }

  const refuse = (res: ServerResponse, status: number, reason: string) => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS })
    res.end(`VirtPilot: ${reason}\n`)
  }

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const verdict = checkRequest(req, policy)
      if (!verdict.ok) return refuse(res, verdict.status, verdict.reason)
      if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Only GET is served here; the api is on the WebSocket')
      const url = new URL(req.url ?? '/', 'http://x')
      if (queryToken(req)) {
        // Trade the token in the address bar for a cookie, and drop it from the URL.
        url.searchParams.delete('token')
        res.writeHead(303, {
          ...SECURITY_HEADERS,
          'Set-Cookie': `${policy.cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/${options.tls ? '; Secure' : ''}`,
          // One leading slash: `//evil.example/` would be another site.
          Location: url.pathname.replace(/^\/+/, '/') + url.search,
        })
        return res.end()
      }
      const file = await resolveStaticFile(rendererDir, url.pathname)
      if (!file) return refuse(res, 404, `Not found. Is the renderer built (npm run build)? Looked in ${rendererDir}`)
      await sendStaticFile(req, res, rendererDir, file, SECURITY_HEADERS)
    })().catch((error: unknown) => refuse(res, 500, (error as Error).message))
  }
  const server = options.tls ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, handle) : createServer(handle)

  const sockets = new Set<WebSocket>()
  const maxMessageBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes, WebSocket: socketWithLimit(maxMessageBytes) })
  server.on('upgrade', (req, socket, head) => {
    const verdict = checkRequest(req, policy)
    const path = new URL(req.url ?? '/', 'http://x').pathname
    if (!verdict.ok || path !== '/api') {
      const status = verdict.ok ? 404 : verdict.status
      socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Not Found'}\r\nConnection: close\r\n\r\n`)
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws))
  })

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws)
    ws.on('close', () => sockets.delete(ws))
    // ws closes the socket itself on a protocol error (1009 for an over-long message); unheard,
    // the 'error' event would be an uncaught exception that stops the server.
    ws.on('error', () => {})
    ws.on('message', (data) => {
      let call: z.infer<typeof CallSchema>
      try {
        call = CallSchema.parse(JSON.parse(String(data)))
      } catch {
        ws.close(1008, 'Malformed message')
        return
      }
      void dispatch(options.services.handlers, call.channel, call.req, { transport: 'serve' }).then((result) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'result', id: call.id, result }))
      })
    })
  })

  const stopForwarding = options.services.events.onAny((event, payload) => {
    const message = JSON.stringify({ type: 'event', event, payload })
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(message)
  })

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => resolveListen())
  })
  const port = (server.address() as AddressInfo).port
  void warmStaticFiles(rendererDir)
  policy.allowedHosts = allowedHostsFor(options.host, port, options.publicNames)
  policy.cookieName = sessionCookieName(port, options.tls !== undefined)
  const urlHost = isWildcard(options.host) ? options.publicNames![0]! : options.host
  const url = `${scheme}://${hostForUrl(urlHost)}:${port}/?token=${token}`

  return {
    url,
    token,
    port,
    cookieName: policy.cookieName,
    async close() {
      stopForwarding()
      for (const ws of sockets) ws.terminate()
      wss.close()
      await new Promise<void>((done) => server.close(() => done()))
    },
  }
}
