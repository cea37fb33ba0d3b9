import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'

/**
 * A real OpenSSH server on 127.0.0.1 for connection tests that need to stop, restart or re-key
 * the server (the lab's hosts are shared by all tests, so those tests get their own sshd).
 */
export class LoopbackSshd {
  readonly dir: string
  readonly clientKey: string
  readonly user = userInfo().username
  port = 0
  private child: ChildProcess | undefined

  /** A command sshd runs instead of whatever the client asks (sshd_config ForceCommand). */
  forceCommand: string | undefined

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'virtpilot-sshd-'))
    this.clientKey = join(this.dir, 'client_ed25519')
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', this.clientKey])
    writeFileSync(join(this.dir, 'authorized_keys'), readFileSync(`${this.clientKey}.pub`))
    chmodSync(join(this.dir, 'authorized_keys'), 0o600)
    this.rekey()
  }

  /** Also accept logins with this public key (e.g. a passphrase-protected one). */
  authorize(publicKeyFile: string): void {
    writeFileSync(join(this.dir, 'authorized_keys'), readFileSync(publicKeyFile), { flag: 'a' })
  }

  /** A new host key: what a reinstalled host, or an attacker in the middle, presents. */
  rekey(): void {
    rmSync(join(this.dir, 'host_ed25519'), { force: true })
    rmSync(join(this.dir, 'host_ed25519.pub'), { force: true })
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(this.dir, 'host_ed25519')])
  }

  hostPublicKeyBase64(): string {
    return readFileSync(join(this.dir, 'host_ed25519.pub'), 'utf8').split(' ')[1]!
  }

  private async freePort(): Promise<number> {
    return new Promise((resolve) => {
      const server = createServer()
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number }
        server.close(() => resolve(port))
      })
    })
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await this.freePort()
    const config = join(this.dir, 'sshd_config')
    writeFileSync(
      config,
      [
        `Port ${this.port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(this.dir, 'host_ed25519')}`,
        `AuthorizedKeysFile ${join(this.dir, 'authorized_keys')}`,
        `PidFile ${join(this.dir, 'sshd.pid')}`,
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        'StrictModes no',
        'UsePAM no',
        'LogLevel ERROR',
        ...(this.forceCommand ? [`ForceCommand ${this.forceCommand}`] : []),
        '',
      ].join('\n'),
    )
    // OpenSSH's privilege separation directory; Debian creates it only when its service starts.
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 })
    const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] })
    this.child = child
    let stderr = ''
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    // Ready when the port accepts connections.
    const deadline = Date.now() + 5000
    for (;;) {
      const ok = await new Promise<boolean>((resolve) => {
        const socket = connect(this.port, '127.0.0.1')
        socket.once('connect', () => (socket.destroy(), resolve(true)))
        socket.once('error', () => resolve(false))
      })
      if (ok) return
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`sshd did not start: ${stderr.trim()}`)
      await new Promise((r) => setTimeout(r, 30))
    }
  }

  /** Stops the server and every session it forked, as when a host's sshd goes down. */
  async stop(): Promise<void> {
    const child = this.child
    this.child = undefined
    if (!child || child.exitCode !== null) return
    const descendants = (pid: number): number[] => {
      let children: number[] = []
      try {
        children = execFileSync('pgrep', ['-P', String(pid)]).toString().trim().split('\n').filter(Boolean).map(Number)
      } catch {
        // pgrep exits 1 when there are none.
      }
      return children.flatMap((c) => [c, ...descendants(c)])
    }
    const all = descendants(child.pid!)
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve())
      child.kill('SIGTERM')
    })
    for (const pid of all) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
  }

  async dispose(): Promise<void> {
    await this.stop()
    rmSync(this.dir, { recursive: true, force: true })
  }
}
