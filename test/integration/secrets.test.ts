import { execFileSync, spawn } from 'node:child_process'
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { CredentialRequest } from '../../shared/api'
import type { Plan, Recommendation } from '../../shared/model'
import { createServices, type Services } from '../../src-main/services/services'
import { TEST_PASSWORD } from '../lab/paths'
import { describeWithLab, groundTruth, hostNamed, type LabDescription } from './lab'
import { openStore } from '../../src-main/store'
import { call, until } from './support/services'

// A session that uses a password and a key passphrase against the lab's real sshd: afterwards,
// neither may be found in the logs, the audit log (and its exports), any file in the data folder
// (SQLite, WAL, known_hosts) or what the CLI printed.

const PASSPHRASE = 'vp-passphrase-5e0b7a'
const WRONG_PASSWORD = 'vp-wrong-password-2c91'

let dir: string
let sshDir: string
const logs: string[] = []

function sshConfig(lab: LabDescription): string {
  const [h1, h2] = [hostNamed(lab, 'h1'), hostNamed(lab, 'h2')]
  return [
    // h1: the lab key, encrypted with a passphrase. h2: no usable key, so a password.
    `Host h1\n  HostName ${h1.ip}\n  User ${h1.ssh.user}\n  IdentityFile ${join(sshDir, 'id_encrypted')}\n  IdentitiesOnly yes\n  ProxyCommand ${h1.ssh.proxyCommandLine}`,
    `Host h2\n  HostName ${h2.ip}\n  User ${h2.ssh.user}\n  IdentityFile ${join(sshDir, 'no_such_key')}\n  IdentitiesOnly yes\n  ProxyCommand ${h2.ssh.proxyCommandLine}`,
  ].join('\n')
}

/** Runs the CLI in a pseudo-terminal (script(1)), typing `answer` once it asks; resolves with everything the terminal showed. */
function cliInTerminal(args: string[], answer: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, '--import', 'tsx', 'src-main/cli/entry.ts', ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')
  return new Promise((resolve) => {
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] })
    let output = ''
    let typed = false
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      // Typed only once the prompt is up: earlier, the terminal itself would echo it.
      if (!typed && /Passphrase for /.test(output)) {
        typed = true
        child.stdin.write(`${answer}\r`)
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    const timer = setTimeout(() => child.kill('SIGKILL'), 110_000)
    child.on('close', (code) => {
      clearTimeout(timer)
      child.stdin.end()
      resolve({ code, output })
    })
  })
}

/** Every file under a folder (none when the folder was never made). */
function filesUnder(root: string): string[] {
  if (!existsSync(root)) return []
  return readdirSync(root).flatMap((name) => {
    const path = join(root, name)
    return statSync(path).isDirectory() ? filesUnder(path) : [path]
  })
}

describeWithLab('secrets typed by the admin stay secret', (lab) => {
  let services: Services

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'virtpilot-secrets-'))
    sshDir = join(dir, '.ssh')
    mkdirSync(sshDir)
    copyFileSync(lab.hosts[0]!.ssh.privateKeyPath, join(sshDir, 'id_encrypted'))
    chmodSync(join(sshDir, 'id_encrypted'), 0o600)
    execFileSync('ssh-keygen', ['-q', '-p', '-P', '', '-N', PASSPHRASE, '-f', join(sshDir, 'id_encrypted')])
    writeFileSync(join(sshDir, 'config'), `${sshConfig(lab)}\n`)
    writeFileSync(join(sshDir, 'known_hosts'), readFileSync(lab.ssh.knownHostsPath))
  })

  afterAll(async () => {
    await services?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('after a session with a password (one wrong try) and a passphrase, neither is in logs, audit, data files or CLI output', { timeout: 300_000 }, async () => {
    services = createServices({ transport: 'serve', dataFile: join(dir, 'data', 'virtpilot.db'), version: 'test', sshDir, hostPollIntervalMs: 1000, unknownHostKeys: 'refuse', demo: 'off', log: (m) => logs.push(m) })
    const data = openStore(join(dir, 'data', 'virtpilot.db'))
    let passwordAnswers = 0
    // The admin answers in the app's dialog; the first password typed is wrong. "Remember" is ticked.
    services.events.on('credentials.requested', (req: CredentialRequest) => {
      const secret = req.kind === 'passphrase' ? PASSPHRASE : passwordAnswers++ === 0 ? WRONG_PASSWORD : TEST_PASSWORD
      void call(services, 'credentials.answer', { requestId: req.requestId, secret, remember: true })
    })
    await services.start()
    for (const host of ['h1', 'h2']) await call(services, 'hosts.add', { target: host })
    await until('h2 refused the wrong password', () => (services.hosts.list().find((h) => h.id === 'h2')?.state === 'auth-failed' ? true : undefined), 120_000)
    await call(services, 'hosts.reconnect', { id: 'h2' })
    await until('both hosts online with samples', () => {
      const s = services.cluster.snapshot()
      return ['h1', 'h2'].every((h) => s.vmSamples.some((x) => x.hostId === h)) ? true : undefined
    }, 120_000)

    // Something for the audit log: set and restore a guest's CPU shares on h2 (logged in with the password).
    const h2 = hostNamed(lab, 'h2')
    const name = h2.guests[0]!.name
    const vm = services.cluster.snapshot().vms.find((v) => v.name === name)!.id
    const before = Number(/cpu_shares\s*:\s*(\d+)/.exec(await groundTruth(h2, ['schedinfo', name, '--live']))![1])
    const rec: Recommendation = { id: 'secret-shares', kind: 'rightsize-cpu', target: { type: 'vm', id: vm }, priority: 3, title: `Shares for ${name}`, rationale: 'test', predicted: [], risk: 'low', riskNote: '', needsRestart: false, confidence: 'normal', actions: [{ action: { kind: 'setCpuShares', vm, host: 'h2', shares: 768 }, rollback: { kind: 'setCpuShares', vm, host: 'h2', shares: before } }] }
    data.recommendations.replaceOpen([rec], Date.now())
    await call(services, 'recommendations.decide', { id: rec.id, decision: 'approve' })
    const plan = await call<Plan>(services, 'plans.create', { recommendationIds: [rec.id] })
    await call(services, 'plans.apply', { id: plan.id })
    await until('the plan to finish', () => (['done', 'failed', 'rolled-back'].includes(data.plans.getPlan(plan.id)!.state) ? true : undefined), 120_000)
    await groundTruth(h2, ['schedinfo', name, '--live', '--set', `cpu_shares=${before}`])
    const exports = await Promise.all((['json', 'csv'] as const).map((format) => call<{ text: string }>(services, 'audit.export', { format })))
    const audit = data.plans.listAudit({ limit: 100_000 })
    data.close()
    await services.stop()

    // The CLI in a real terminal: it asks for the passphrase of h1's key, hidden.
    const cli = await cliInTerminal(['collect', 'h1', '--json'], PASSPHRASE, { ...process.env, VIRTPILOT_SSH_DIR: sshDir, VIRTPILOT_DATA: join(dir, 'cli', 'virtpilot.db'), SSH_AUTH_SOCK: '' })
    expect(cli.output).toMatch(/Passphrase for .*id_encrypted/)
    expect(cli.code, cli.output).toBe(0)

    const places: [string, string][] = [
      ['logs', logs.join('\n')],
      ['audit', JSON.stringify(audit)],
      ...exports.map((e, i): [string, string] => [`audit export ${i}`, e.text]),
      ['cli output', cli.output],
      // Every file of both data folders, as bytes: SQLite, its WAL and shared memory, known_hosts.
      ...[...filesUnder(join(dir, 'data')), ...filesUnder(join(dir, 'cli'))].map((f): [string, string] => [f, readFileSync(f).toString('latin1')]),
    ]
    expect(places.map(([where]) => where)).toContain(join(dir, 'data', 'virtpilot.db'))
    for (const secret of [TEST_PASSWORD, WRONG_PASSWORD, PASSPHRASE]) {
      for (const [where, text] of places) expect(text.includes(secret), `${secret} found in ${where}`).toBe(false)
    }
    // The session really used them: h2 was reached with the password, h1 with the passphrase.
    expect(audit.some((e) => e.planId === plan.id && e.kind === 'command' && e.exitCode === 0)).toBe(true)
  })
})
