import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { HostConnection, type ConnectionState, type UnknownHostKey } from '../../src-main/ssh/connection'
import { KnownHostsStore } from '../../src-main/ssh/known-hosts-store'
import { noPrompts } from '../../src-main/ssh/credentials'
import { resolveTarget } from '../../src-main/ssh/resolve'
import { parseTarget } from '../../src-main/ssh/target'
import { describeWithLab } from './lab'
import { LoopbackSshd } from './support/sshd'

// A real OpenSSH server on loopback, real keys, real known_hosts files. Its own sshd (not a lab
// host) because these tests stop, restart and re-key the server. Same prerequisites as the lab.
let sshd: LoopbackSshd
let dir: string

function connection(opts: { knownHosts?: KnownHostsStore; accept?: boolean; states?: ConnectionState[]; asked?: UnknownHostKey[]; key?: string }) {
  const target = resolveTarget(parseTarget(`${sshd.user}@127.0.0.1:${sshd.port}`), { home: dir, localUser: sshd.user })
  target.identityFiles = [opts.key ?? sshd.clientKey]
  return new HostConnection({
    target,
    knownHosts: opts.knownHosts ?? new KnownHostsStore(undefined, join(dir, `known_hosts_${Math.random()}`)),
    onUnknownHostKey: async (key) => (opts.asked?.push(key), opts.accept ?? false),
    prompter: noPrompts,
    agentSocket: undefined,
    readyTimeoutMs: 5000,
    backoff: { initialMs: 100, maxMs: 400 },
    onStateChange: (state) => opts.states?.push(state),
  })
}

describeWithLab('SSH connection to a real sshd', () => {
  beforeAll(async () => {
    sshd = new LoopbackSshd()
    await sshd.start()
    dir = mkdtempSync(join(tmpdir(), 'virtpilot-ssh-'))
  })

  afterAll(async () => {
    await sshd.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  it('asks about an unknown host key with its SHA256 fingerprint, remembers an accepted one, and runs commands', async () => {
    const known = new KnownHostsStore(undefined, join(dir, 'app_known_hosts'))
    const asked: UnknownHostKey[] = []
    const conn = connection({ knownHosts: known, accept: true, asked })
    await conn.connect()
    expect(conn.state).toBe('online')
    expect(asked).toHaveLength(1)
    expect(asked[0]!.fingerprint).toMatch(/^SHA256:/)
    expect(asked[0]!.keyType).toBe('ssh-ed25519')
    const result = await conn.exec(['printf', '%s', "it's a $(name); with `ticks`"])
    expect(result.stdout).toBe("it's a $(name); with `ticks`")
    expect(result.code).toBe(0)
    conn.close()

    // Second time: the key is known, nobody is asked.
    const again = connection({ knownHosts: known, asked })
    await again.connect()
    expect(asked).toHaveLength(1)
    again.close()
  })

  it('runs many small commands quickly over one connection (TCP_NODELAY)', async () => {
    const conn = connection({ accept: true })
    await conn.connect()
    await Promise.all(Array.from({ length: 20 }, (_, i) => conn.exec(['echo', String(i)])))
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => conn.exec(['echo', String(i)])))
    expect(results.map((r) => r.stdout.trim())).toEqual(['0', '1', '2', '3', '4', '5', '6', '7'])
    expect(conn.execCount).toBe(28)
    conn.close()
  })

  it('goes through a jump host (ProxyJump) and a ProxyCommand from ~/.ssh/config', async () => {
    const sshConfig = [
      'Host jumpbox',
      '  HostName 127.0.0.1',
      `  Port ${sshd.port}`,
      `  User ${sshd.user}`,
      `  IdentityFile ${sshd.clientKey}`,
      'Host behind',
      // Another name for the same sshd, so the two handshakes (jump, then target) are told apart.
      '  HostName localhost',
      `  Port ${sshd.port}`,
      `  IdentityFile ${sshd.clientKey}`,
      '  ProxyJump jumpbox',
      'Host piped',
      '  HostName 127.0.0.1',
      `  Port ${sshd.port}`,
      `  IdentityFile ${sshd.clientKey}`,
      '  ProxyCommand socat STDIO TCP:%h:%p',
      '',
    ].join('\n')
    for (const alias of ['behind', 'piped']) {
      const target = resolveTarget(parseTarget(alias), { sshConfig, home: dir, localUser: sshd.user })
      const asked: UnknownHostKey[] = []
      const conn = new HostConnection({
        target,
        knownHosts: new KnownHostsStore(undefined, join(dir, `kh-${alias}`)),
        onUnknownHostKey: async (key) => (asked.push(key), true),
        prompter: noPrompts,
        agentSocket: undefined,
      })
      await conn.connect()
      expect((await conn.exec(['echo', alias])).stdout).toBe(`${alias}\n`)
      // The jump host's key is verified too: two handshakes through ProxyJump, one with ProxyCommand.
      expect(asked).toHaveLength(alias === 'behind' ? 2 : 1)
      conn.close()
    }
  })

  it('asks for the passphrase of an encrypted key outside the handshake, once, and logs in', async () => {
    const key = join(dir, 'encrypted_ed25519')
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'correct horse', '-f', key])
    sshd.authorize(`${key}.pub`)
    const asked: string[] = []
    const target = resolveTarget(parseTarget(`${sshd.user}@127.0.0.1:${sshd.port}`), { home: dir, localUser: sshd.user })
    target.identityFiles = [key]
    const make = (answer: string) =>
      new HostConnection({
        target,
        knownHosts: new KnownHostsStore(undefined, join(dir, `kh-pass-${answer.length}`)),
        onUnknownHostKey: async () => true,
        prompter: { keyPassphrase: async (file) => (asked.push(file), answer), password: async () => undefined },
        agentSocket: undefined,
        // Far shorter than a person takes to type: asking must not happen inside the handshake
        // (10 s, not less: decrypting the key and the handshake take seconds on a busy machine).
        readyTimeoutMs: 10_000,
      })
    const conn = make('correct horse')
    await conn.connect()
    expect(asked).toEqual([key])
    expect((await conn.exec(['echo', 'ok'])).stdout).toBe('ok\n')
    conn.close()
    const wrong = make('wrong')
    await expect(wrong.connect()).rejects.toMatchObject({ kind: 'auth-failed' })
    wrong.close()
  })

  it('refuses an unknown key the admin does not accept', async () => {
    const conn = connection({ accept: false })
    await expect(conn.connect()).rejects.toMatchObject({ kind: 'host-key-rejected' })
    expect(conn.state).toBe('host-key-rejected')
    conn.close()
  })

  it('refuses a changed host key loudly and never asks', async () => {
    const userKnown = join(dir, 'user_known_hosts')
    writeFileSync(userKnown, `[127.0.0.1]:${sshd.port} ssh-ed25519 ${sshd.hostPublicKeyBase64()}\n`)
    sshd.rekey()
    await sshd.stop()
    await sshd.start()
    const asked: UnknownHostKey[] = []
    const conn = connection({ knownHosts: new KnownHostsStore(userKnown, join(dir, 'x')), accept: true, asked })
    const error = await conn.connect().catch((e: Error) => e)
    expect(error).toMatchObject({ kind: 'host-key-rejected' })
    expect((error as Error).message).toMatch(/HOST KEY CHANGED/)
    expect(asked).toEqual([])
    expect(conn.state).toBe('host-key-rejected')
    conn.close()
  })

  it('reports auth failure for a key the host does not know, without retrying', async () => {
    const conn = connection({ accept: true, key: join(dir, 'missing-key') })
    await expect(conn.connect()).rejects.toMatchObject({ kind: 'auth-failed' })
    expect(conn.state).toBe('auth-failed')
    conn.close()
  })

  it('goes unreachable when sshd stops and comes back online by itself when it returns', async () => {
    const states: ConnectionState[] = []
    const conn = connection({ accept: true, states })
    await conn.connect()
    await sshd.stop()
    const waitFor = async (state: ConnectionState) => {
      const deadline = Date.now() + 15_000
      while (conn.state !== state) {
        if (Date.now() > deadline) throw new Error(`never reached ${state}; went through ${states.join(' -> ')}`)
        await new Promise((r) => setTimeout(r, 50))
      }
    }
    await waitFor('backing-off')
    await expect(conn.exec(['true'])).rejects.toMatchObject({ kind: 'closed' })
    await sshd.start()
    await waitFor('online')
    expect(states).toContain('unreachable')
    expect((await conn.exec(['echo', 'back'])).stdout).toBe('back\n')
    conn.close()
  })
})
