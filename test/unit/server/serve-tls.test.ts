import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { allowedHostsFor, checkServeOptions, ServeRefusal, startServer, type RunningServer } from '../../../src-main/server/server'
import { createServices, type Services } from '../../../src-main/services/services'
import { cliArgv } from '../../support/built-cli'

// Serve mode beyond loopback carries the access token and SSH passwords over a network: it
// refuses to do that in clear, and it answers only to the names it was given.

let dir: string
let cert: Buffer
let key: Buffer
let services: Services
let server: RunningServer

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'virtpilot-tls-'))
  mkdirSync(join(dir, 'renderer'))
  writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>VirtPilot</title>')
  // A self-signed certificate for the name the admin gives with --public-name.
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=virtpilot.lab', '-addext', 'subjectAltName=DNS:virtpilot.lab', '-days', '2', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' })
  cert = readFileSync(join(dir, 'cert.pem'))
  key = readFileSync(join(dir, 'key.pem'))
  services = createServices({ transport: 'serve', dataFile: ':memory:', version: 'test', log: () => {} })
  await services.start()
  server = await startServer({ services, rendererDir: join(dir, 'renderer'), host: '127.0.0.1', port: 0, tls: { cert, key }, publicNames: ['virtpilot.lab'] })
}, 60_000)

afterAll(async () => {
  await server?.close()
  await services?.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** An HTTPS GET to 127.0.0.1 that verifies the certificate for virtpilot.lab, with the Host header given. */
function get(path: string, host: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, servername: 'virtpilot.lab', ca: cert, headers: { Host: host, ...headers } }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('serve beyond loopback', { timeout: 60_000 }, () => {
  it('the CLI refuses a non-loopback address without --tls-cert/--tls-key, saying why, before binding anything', () => {
    // 192.0.2.1 is a documentation address: nothing here has it, nothing is exposed either way.
    const run = spawnSync(process.execPath, cliArgv(['serve', '--host', '192.0.2.1', '--port', '0', '--data', join(dir, 'x.db')]), { encoding: 'utf8', timeout: 60_000 })
    expect(run.status).toBe(2)
    expect(run.stderr).toMatch(/Refusing to serve on 192\.0\.2\.1 over plain HTTP: the access token and every SSH password typed into the app would travel unencrypted\. Give --tls-cert FILE and --tls-key FILE/)
  })

  it('every address needs the names browsers use; those and the bind address are the only Hosts answered', () => {
    expect(() => checkServeOptions({ host: '0.0.0.0', tls: { cert, key } })).toThrow(ServeRefusal)
    expect(() => checkServeOptions({ host: '0.0.0.0', tls: { cert, key }, publicNames: ['virtpilot.lab'] })).not.toThrow()
    expect([...allowedHostsFor('192.0.2.10', 7420, ['VirtPilot.lab'])]).toEqual(['192.0.2.10:7420', 'virtpilot.lab:7420'])
    expect([...allowedHostsFor('0.0.0.0', 7420, ['virtpilot.lab'])]).toEqual(['virtpilot.lab:7420'])
    expect([...allowedHostsFor('::', 7420, ['virtpilot.lab'])]).toEqual(['virtpilot.lab:7420'])
  })

  it('over TLS: HTTPS with a Secure __Host- cookie, WSS for the api, and a foreign Host refused', async () => {
    expect(server.url).toBe(`https://127.0.0.1:${server.port}/?token=${server.token}`)
    const host = `virtpilot.lab:${server.port}`
    const first = await get(`/?token=${server.token}`, host)
    expect(first.status).toBe(303)
    expect(String(first.headers['set-cookie'])).toBe(`__Host-virtpilot-${server.port}=${server.token}; HttpOnly; SameSite=Strict; Path=/; Secure`)
    const cookie = `__Host-virtpilot-${server.port}=${server.token}`
    expect((await get('/', host, { Cookie: cookie })).status).toBe(200)
    expect((await get('/', `evil.example:${server.port}`, { Cookie: cookie })).status).toBe(403)
    // An http:// Origin is not this server's.
    expect((await get('/', host, { Cookie: cookie, Origin: `http://${host}` })).status).toBe(403)
    // servername is a tls.connect option that ws passes on (its typings leave it out).
    const ws = new WebSocket(`wss://127.0.0.1:${server.port}/api`, { ...({ servername: 'virtpilot.lab' } as object), ca: cert, headers: { Host: host, Cookie: cookie, Origin: `https://${host}` } })
    const reply = await new Promise<{ result: { ok: boolean } }>((resolve, reject) => {
      ws.once('open', () => ws.send(JSON.stringify({ type: 'call', id: 1, channel: 'app.info', req: {} })))
      // The reply to this call: the server may push an event first.
      ws.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string; id?: number; result: { ok: boolean } }
        if (message.type === 'result' && message.id === 1) resolve(message)
      })
      ws.once('error', reject)
    })
    ws.close()
    expect(reply.result.ok).toBe(true)
  })

  it('the token exchange never redirects to another site (//evil.example/)', async () => {
    const answer = await get(`/x/..//evil.example/?token=${server.token}`, `virtpilot.lab:${server.port}`)
    expect(answer.status).toBe(303)
    expect(answer.headers.location).toBe('/evil.example/')
  })
})
