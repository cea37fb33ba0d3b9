import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ssh2 from 'ssh2'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { HostConnection, type ConnectionState } from '../../../src-main/ssh/connection'
import { KnownHostsStore } from '../../../src-main/ssh/known-hosts-store'
import { resolveTarget } from '../../../src-main/ssh/resolve'
import { parseTarget } from '../../../src-main/ssh/target'
import { startSshServer, type TestSshServer } from '../support/ssh-server'

// A jump host sees every hop's handshake go past it. If it is compromised, it may start asking
// for a password after a reconnect: it must never receive the one the admin typed for the target.

let dir: string
let bastion: TestSshServer
let target: TestSshServer
const TARGET_PASSWORD = 'kvm1-root-password'

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'virtpilot-hops-'))
  const key = ssh2.utils.generateKeyPairSync('ed25519')
  writeFileSync(join(dir, 'id_ed25519'), key.private, { mode: 0o600 })
  // First connection: the bastion takes the admin's key, as it should. Later: keys refused, a password wanted.
  bastion = await startSshServer({
    authenticate: (ctx, connection) => {
      if (connection === 0 && ctx.method === 'publickey') return ctx.accept()
      if (connection > 0 && ctx.method === 'password') return ctx.reject()
      ctx.reject(connection === 0 ? ['publickey'] : ['password'])
    },
    forwarding: true,
  })
  target = await startSshServer({
    authenticate: (ctx) => (ctx.method === 'password' && ctx.password === TARGET_PASSWORD ? ctx.accept() : ctx.reject(['password'])),
  })
})

afterAll(async () => {
  await bastion.close()
  await target.close()
  rmSync(dir, { recursive: true, force: true })
})

it('a password given for the target is never offered to a jump host, even when it asks after a reconnect', { timeout: 60_000 }, async () => {
  const sshConfig = [
    'Host kvm1',
    '  HostName 127.0.0.1',
    `  Port ${target.port}`,
    '  User root',
    `  ProxyJump jumpuser@127.0.0.1:${bastion.port}`,
    'Host *',
    `  IdentityFile ${join(dir, 'id_ed25519')}`,
  ].join('\n')
  const known = new KnownHostsStore(undefined, join(dir, 'known_hosts'))
  known.accept('127.0.0.1', bastion.port, bastion.hostKeyBlob)
  known.accept('127.0.0.1', target.port, target.hostKeyBlob)
  const states: ConnectionState[] = []
  const asked: string[] = []
  const connection = new HostConnection({
    target: resolveTarget(parseTarget('kvm1'), { sshConfig, home: dir, localUser: 'admin' }),
    knownHosts: known,
    onUnknownHostKey: async () => false,
    prompter: { keyPassphrase: async () => undefined, password: async (user, label) => (asked.push(`${user} ${label}`), TARGET_PASSWORD) },
    readyTimeoutMs: 20_000,
    backoff: { initialMs: 50, maxMs: 200 },
    onStateChange: (state) => states.push(state),
  })
  await connection.connect()
  expect(connection.state).toBe('online')
  expect(asked).toEqual([`root ${connection.label}`])
  expect(target.attempts.filter((a) => a.method === 'password').map((a) => a.password)).toContain(TARGET_PASSWORD)

  // The bastion drops the session; the connection reconnects through it, and now it wants a password.
  bastion.dropClients()
  const deadline = Date.now() + 30_000
  while (!bastion.attempts.some((a, i) => i > 0 && a.method !== 'publickey' && a.method !== 'none') && !states.includes('auth-failed') && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50))
  }
  connection.close()
  expect(states).toContain('auth-failed')
  expect(bastion.attempts.filter((a) => a.method === 'password')).toEqual([])
  expect(JSON.stringify(bastion.attempts)).not.toContain(TARGET_PASSWORD)
})

it('a kept password the host refuses is forgotten: the next connect asks again instead of repeating it', { timeout: 60_000 }, async () => {
  const known = new KnownHostsStore(undefined, join(dir, 'known_hosts_retry'))
  known.accept('127.0.0.1', target.port, target.hostKeyBlob)
  const answers = ['mistyped', TARGET_PASSWORD]
  const asked: string[] = []
  const t = resolveTarget(parseTarget(`root@127.0.0.1:${target.port}`), { home: dir, localUser: 'admin' })
  t.identityFiles = []
  const connection = new HostConnection({
    target: t,
    knownHosts: known,
    onUnknownHostKey: async () => false,
    prompter: { keyPassphrase: async () => undefined, password: async () => (asked.push('password'), answers.shift()) },
    readyTimeoutMs: 20_000,
    reconnect: false,
  })
  await expect(connection.connect()).rejects.toMatchObject({ kind: 'auth-failed' })
  await connection.connect(true)
  expect(connection.state).toBe('online')
  expect(asked).toEqual(['password', 'password'])
  connection.close()
})
