import { execFile, execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import ssh2 from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServices } from '../../../src-main/services/services'
import { checkHostKey, fingerprint, formatKnownHostLine, parseKnownHosts } from '../../../src-main/ssh/known-hosts'
import { KnownHostsStore } from '../../../src-main/ssh/known-hosts-store'
import { resolveTarget } from '../../../src-main/ssh/resolve'
import { parseTarget } from '../../../src-main/ssh/target'
import { startSshServer, type TestSshServer } from '../support/ssh-server'
import { cliArgv } from '../../support/built-cli'

// A man-in-the-middle who cannot show the host's ed25519 key may offer an ecdsa key instead: for
// a host known only by ed25519 that looks like a first contact. ssh(1) warns; VirtPilot must too,
// and never accept it by rule. Known keys and revocations come from every file ssh(1) reads.

let dir: string
let server: TestSshServer
/** The real host's key, which the admin trusted earlier (a different type from what the server shows). */
const trusted = Buffer.from(ssh2.utils.generateKeyPairSync('ed25519').public.split(' ')[1]!, 'base64')

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'virtpilot-keytypes-'))
  mkdirSync(join(dir, '.ssh'))
  writeFileSync(join(dir, '.ssh', 'id_ed25519'), ssh2.utils.generateKeyPairSync('ed25519').private, { mode: 0o600 })
  server = await startSshServer({ hostKeyType: 'ecdsa', authenticate: (ctx) => (ctx.method === 'publickey' ? ctx.accept() : ctx.reject(['publickey'])) })
  writeFileSync(join(dir, '.ssh', 'known_hosts'), formatKnownHostLine('127.0.0.1', server.port, trusted))
})

afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

const otherType = () => `ssh-ed25519 ${fingerprint(trusted)}`

describe('a host known by keys of other types', () => {
  it('is its own verdict, naming the keys that are known', () => {
    const verdict = checkHostKey(parseKnownHosts(formatKnownHostLine('127.0.0.1', server.port, trusted)), '127.0.0.1', server.port, server.hostKeyBlob)
    expect(verdict).toEqual({ status: 'unknown-other-types-known', knownKeys: [otherType()] })
  })

  it('the app asks (showing the known keys) and, set to accept new keys, still refuses it with a warning', { timeout: 60_000 }, async () => {
    for (const unknownHostKeys of ['ask', 'accept-new'] as const) {
      const services = createServices({ transport: 'cli', dataFile: join(dir, `${unknownHostKeys}.db`), version: 'test', sshDir: join(dir, '.ssh'), unknownHostKeys, demo: 'off', log: () => {} })
      await services.start()
      const added = await services.hosts.add({ target: `admin@127.0.0.1:${server.port}` })
      await services.hosts.whenPolled()
      const host = services.hosts.list().find((h) => h.id === added.id)!
      if (unknownHostKeys === 'ask') expect(host.pendingHostKey).toMatchObject({ keyType: 'ecdsa-sha2-nistp256', otherKeysKnown: [otherType()] })
      else {
        expect(host.pendingHostKey).toBeUndefined()
        expect(host.state).toBe('host-key-rejected')
        expect(host.error).toMatch(/now offers only a ecdsa-sha2-nistp256 key .* while known_hosts trusts keys of other types for it \(ssh-ed25519 SHA256:.*\)\. This can be a man-in-the-middle attack/)
      }
      await services.stop()
    }
    expect(readFileSync(join(dir, '.ssh', 'known_hosts'), 'utf8')).not.toContain('ecdsa')
  })

  it('collect --accept-new does not take it either', { timeout: 60_000 }, async () => {
    const run = await promisify(execFile)(process.execPath, cliArgv(['collect', `admin@127.0.0.1:${server.port}`, '--accept-new', '--json']), {
      encoding: 'utf8',
      env: { ...process.env, VIRTPILOT_SSH_DIR: join(dir, '.ssh'), VIRTPILOT_DATA: join(dir, 'cli', 'virtpilot.db'), SSH_AUTH_SOCK: '' },
      timeout: 60_000,
    }).catch((error: { code: number; stderr: string }) => error)
    expect((run as { code: number }).code).toBe(1)
    expect((run as { stderr: string }).stderr).toMatch(/keys of other types for it \(ssh-ed25519 SHA256:/)
  })
})

describe('known_hosts files beyond ~/.ssh/known_hosts', () => {
  const key = Buffer.from(ssh2.utils.generateKeyPairSync('ed25519').public.split(' ')[1]!, 'base64')
  const line = formatKnownHostLine('kvm1.lab', 22, key)

  it('reads the system-wide file and honours @revoked from any file', () => {
    const global = join(dir, 'ssh_known_hosts')
    writeFileSync(global, line)
    const store = new KnownHostsStore(join(dir, 'none'), join(dir, 'app_known_hosts_1'), [global])
    expect(store.check('kvm1.lab', 22, key).status).toBe('match')
    writeFileSync(join(dir, 'user_known_hosts'), `@revoked * ssh-ed25519 ${key.toString('base64')}\n`)
    expect(new KnownHostsStore(join(dir, 'user_known_hosts'), join(dir, 'app_known_hosts_1'), [global]).check('kvm1.lab', 22, key).status).toBe('revoked')
  })

  it('uses UserKnownHostsFile, GlobalKnownHostsFile and RevokedHostKeys from ~/.ssh/config, a text list or a KRL', () => {
    writeFileSync(join(dir, 'lab_hosts'), line)
    const config = (revoked: string) => `Host kvm1\n  HostName kvm1.lab\n  UserKnownHostsFile %d/lab_hosts\n  GlobalKnownHostsFile none\n  RevokedHostKeys ${revoked}\n`
    const resolved = (revoked: string) => resolveTarget(parseTarget('kvm1'), { sshConfig: config(revoked), home: dir, localUser: 'admin' })
    const target = resolved(join(dir, 'revoked.txt'))
    expect(target.knownHosts).toEqual({ userFiles: [join(dir, 'lab_hosts')], globalFiles: [], revokedHostKeys: join(dir, 'revoked.txt') })
    const store = new KnownHostsStore(join(dir, 'none'), join(dir, 'app_known_hosts_2'))
    writeFileSync(join(dir, 'revoked.txt'), '# nothing revoked yet\n')
    expect(store.check('kvm1.lab', 22, key, target.knownHosts).status).toBe('match')
    writeFileSync(join(dir, 'revoked.txt'), `ssh-ed25519 ${key.toString('base64')} old key\n`)
    expect(store.check('kvm1.lab', 22, key, target.knownHosts).status).toBe('revoked')
    // A binary KRL, made and checked by OpenSSH's own ssh-keygen.
    writeFileSync(join(dir, 'k.pub'), `ssh-ed25519 ${key.toString('base64')}\n`)
    execFileSync('ssh-keygen', ['-q', '-k', '-f', join(dir, 'revoked.krl'), join(dir, 'k.pub')], { stdio: 'ignore' })
    expect(store.check('kvm1.lab', 22, key, resolved(join(dir, 'revoked.krl')).knownHosts).status).toBe('revoked')
    expect(store.check('kvm1.lab', 22, server.hostKeyBlob, resolved(join(dir, 'revoked.krl')).knownHosts).status).toBe('unknown-other-types-known')
    // A list that cannot be read refuses rather than ignores.
    expect(store.check('kvm1.lab', 22, key, resolved(join(dir, 'missing.krl')).knownHosts)).toMatchObject({ status: 'revoked-list-error', reason: expect.stringMatching(/ENOENT/) })
  })
})
