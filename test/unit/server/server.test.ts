import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { SnapshotSchema } from '../../../shared/model'
import { startServer, type RunningServer } from '../../../src-main/server/server'
import { createServices, type Services } from '../../../src-main/services/services'

let dir: string
let services: Services
let server: RunningServer
let base: string

// Starting the services (the demo cluster's first polls) takes seconds on a busy machine.
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'virtpilot-serve-'))
  mkdirSync(join(dir, 'renderer'))
  writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>VirtPilot</title>')
  writeFileSync(join(dir, 'secret.txt'), 'outside the renderer')
  services = createServices({ transport: 'serve', dataFile: ':memory:', version: 'test', pollIntervalMs: 100, scheduleAnalysis: false, log: () => {} })
  await services.start()
  server = await startServer({ services, rendererDir: join(dir, 'renderer'), host: '127.0.0.1', port: 0 })
  base = `http://127.0.0.1:${server.port}`
}, 60_000)

afterAll(async () => {
  await server.close()
  await services.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** A raw GET so the test controls Host and Origin exactly as an attacker could. */
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers }, (res) => {
      let body = ''
      res.on('data', (c) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

const cookie = () => `${server.cookieName}=${server.token}`

function openSocket(headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api`, { headers })
    ws.once('open', () => resolve(ws))
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    ws.once('error', reject)
  })
}

function call(ws: WebSocket, id: number, channel: string, req: unknown): Promise<{ ok: boolean; value?: unknown; error?: { code: string } }> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const msg = JSON.parse(String(data))
      if (msg.type === 'result' && msg.id === id) {
        ws.off('message', onMessage)
        resolve(msg.result)
      }
    }
    ws.on('message', onMessage)
    ws.send(JSON.stringify({ type: 'call', id, channel, req }))
  })
}

describe('serve mode access', () => {
  it('prints a loopback URL carrying a long random token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/)
  })

  it('refuses a page request without the token (401)', async () => {
    const res = await get('/')
    expect(res.status).toBe(401)
    expect(res.body).not.toContain('<title>')
  })

  it('refuses a wrong token (401)', async () => {
    expect((await get('/?token=nope')).status).toBe(401)
  })

  it('trades the token for an HttpOnly cookie and then serves the app with a CSP', async () => {
    const first = await get(`/?token=${server.token}`)
    expect(first.status).toBe(303)
    // Named for this server's port: browsers send cookies to every port of a host.
    expect(server.cookieName).toBe(`virtpilot-${server.port}`)
    expect(String(first.headers['set-cookie'])).toMatch(new RegExp(`^virtpilot-${server.port}=${server.token}; HttpOnly; SameSite=Strict; Path=/$`))
    expect(first.headers.location).toBe('/')
    const page = await get('/', { Cookie: cookie() })
    expect(page.status).toBe(200)
    expect(page.body).toContain('<title>VirtPilot</title>')
    expect(page.headers['content-security-policy']).toContain("default-src 'self'")
  })

  it('refuses a foreign Origin or a foreign Host even with the cookie (403)', async () => {
    expect((await get('/', { Cookie: cookie(), Origin: 'http://evil.example' })).status).toBe(403)
    expect((await get('/', { Cookie: cookie(), Host: `evil.example:${server.port}` })).status).toBe(403)
  })

  it('never serves a file outside the renderer folder', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt']) {
      const res = await get(path, { Cookie: cookie() })
      expect(res.body).not.toContain('outside the renderer')
    }
  })

  it('refuses a WebSocket without the token or from another Origin', async () => {
    await expect(openSocket({})).rejects.toThrow('HTTP 401')
    await expect(openSocket({ Cookie: cookie(), Origin: 'http://evil.example' })).rejects.toThrow('HTTP 403')
  })
})

describe('serve mode api', () => {
  it('answers contract calls and pushes live snapshots', async () => {
    const ws = await openSocket({ Cookie: cookie(), Origin: base })
    const snapshot = await call(ws, 1, 'cluster.snapshot', {})
    expect(snapshot.ok).toBe(true)
    const parsed = SnapshotSchema.parse(snapshot.value)
    expect(parsed.hosts).toHaveLength(3)
    expect(parsed.vms).toHaveLength(24)

    const event = await new Promise<{ event: string; payload: { t: number } }>((resolve) =>
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data))
        if (msg.type === 'event' && msg.event === 'cluster.snapshot') resolve(msg)
      }),
    )
    expect(event.payload.t).toBeGreaterThanOrEqual(parsed.t)
    ws.close()
  })

  it('returns errors as values and closes a socket that sends garbage', async () => {
    const ws = await openSocket({ Cookie: cookie(), Origin: base })
    expect(await call(ws, 2, 'no.such.channel', {})).toMatchObject({ ok: false, error: { code: 'unknown-channel' } })
    expect(await call(ws, 3, 'settings.update', { theme: 'neon' })).toMatchObject({ ok: false, error: { code: 'bad-request' } })
    // A forged request cannot carry actions or steps of its own into a plan or an apply.
    const forged = { recommendationIds: ['r1'], actions: [{ kind: 'migrate', vm: 'v', from: 'a', to: 'b', live: true }] }
    expect(await call(ws, 4, 'plans.create', forged)).toMatchObject({ ok: false, error: { code: 'bad-request' } })
    expect(await call(ws, 5, 'plans.apply', { id: 'p', steps: [{ commands: [['rm', '-rf', '/']] }] })).toMatchObject({ ok: false, error: { code: 'bad-request' } })
    expect(await call(ws, 6, 'plans.create', { recommendationIds: ['not-approved'] })).toMatchObject({ ok: false, error: { code: 'not-found' } })
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
    ws.send('{not json')
    expect(await closed).toBe(1008)
  })
})
