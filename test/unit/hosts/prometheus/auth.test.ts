// Credentials and certificates against a real Prometheus (Debian's 2.42) protected by its own
// --web.config.file: basic auth (bcrypt) over TLS with a certificate from a lab CA.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PrometheusClient } from '../../../../src-main/hosts/prometheus/client'
import { resolveAuth, storeBaseUrl } from '../../../../src-main/hosts/prometheus/source'
import { startPrometheus, storeMissing, type RunningStore } from '../../support/prometheus'

const missing = storeMissing()
const suite = missing && process.env.VIRTPILOT_REQUIRE_LAB !== '1' ? describe.skip : describe
// bcrypt of "virtpilot-test" (Prometheus' web config takes bcrypt hashes only).
const HASH = '$2b$04$VirtPilotTestSaltSalt.BGgam2UlLLdPjPceAsI.lFybEOOLsx.'

suite('a store behind basic auth and TLS', () => {
  let prometheus: RunningStore
  let dir: string
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text)
    return join(dir, name)
  }
  beforeAll(async () => {
    if (missing) throw new Error(`the real store is needed here: ${missing}`)
    dir = mkdtempSync(join(tmpdir(), 'virtpilot-store-auth-'))
    const ssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' })
    ssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=VirtPilot test CA', '-days', '2', '-keyout', 'ca-key.pem', '-out', 'ca.pem'])
    ssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'key.pem', '-out', 'req.pem'])
    file('ext.cnf', 'subjectAltName=IP:127.0.0.1\n')
    ssl(['x509', '-req', '-in', 'req.pem', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-days', '2', '-extfile', 'ext.cnf', '-out', 'cert.pem'])
    prometheus = await startPrometheus({
      scheme: 'https',
      files: { 'cert.pem': readFileSync(join(dir, 'cert.pem'), 'utf8'), 'key.pem': readFileSync(join(dir, 'key.pem'), 'utf8') },
      webConfig: `tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\nbasic_auth_users:\n  admin: '${HASH}'\n`,
    })
  }, 120_000)
  afterAll(async () => {
    await prometheus?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  const client = (auth: Parameters<typeof resolveAuth>[0]) => new PrometheusClient(storeBaseUrl(auth.url), resolveAuth(auth))

  it('refuses an untrusted certificate and names --ca-file', async () => {
    await expect(client({ url: `prometheus+${prometheus.url}` }).query('up')).rejects.toMatchObject({ kind: 'auth', message: expect.stringMatching(/TLS certificate is not trusted.*--ca-file/) })
  })

  it('names the credentials when the store refuses them, and reads with the right ones', async () => {
    const ca = join(dir, 'ca.pem')
    await expect(client({ url: `prometheus+${prometheus.url}`, caFile: ca }).query('up')).rejects.toMatchObject({ kind: 'auth', message: expect.stringMatching(/refused the credentials \(HTTP 401\).*--basic-auth-file/) })
    const wrong = file('wrong.txt', 'admin:guess\n')
    await expect(client({ url: `prometheus+${prometheus.url}`, caFile: ca, basicAuthFile: wrong }).query('up')).rejects.toMatchObject({ kind: 'auth' })
    const right = file('right.txt', 'admin:virtpilot-test\n')
    expect(await client({ url: `prometheus+${prometheus.url}`, caFile: ca, basicAuthFile: right }).query('vector(1)')).toEqual([{ labels: {}, value: 1 }])
  })

  it('sends a bearer token as Authorization and refuses a token file that is not one token', () => {
    expect(resolveAuth({ url: 'x', bearerTokenFile: file('token', 'abc.def\n') }).headers).toEqual({ authorization: 'Bearer abc.def' })
    expect(() => resolveAuth({ url: 'x', bearerTokenFile: file('two', 'a b\n') })).toThrow(/should hold one token on one line/)
    expect(() => resolveAuth({ url: 'x', bearerTokenFile: file('t2', 'a'), basicAuthFile: file('b2', 'u:p') })).toThrow(/either a bearer token file or a basic auth file/)
    expect(resolveAuth({ url: 'x', tenant: 'lab' }).headers).toEqual({ 'x-scope-orgid': 'lab' })
  })
})
