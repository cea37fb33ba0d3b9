// ssh2 connections to lab hosts, the way VirtPilot itself connects: verified host key,
// TCP_NODELAY (without it Nagle turns 100 sequential execs from ~0.2 s into 4-14 s).
import { readFileSync } from 'node:fs'
import { connect as tcpConnect } from 'node:net'
import type { Duplex } from 'node:stream'
import { Client, type ConnectConfig } from 'ssh2'
import { processStream } from '../../src-main/ssh/process-stream'
import type { LabHost } from '../lab/description'

export interface ExecResult {
  code: number | null
  signal: string | undefined
  stdout: string
  stderr: string
}

/**
 * A Duplex over a child process's stdin/stdout, like OpenSSH's ProxyCommand. The lab's proxy is
 * `socat ... TCP:<ip>:22,nodelay` inside the hub namespace: socat sets TCP_NODELAY on the real
 * TCP socket.
 */
export function proxySocket(argv: readonly string[]): Duplex {
  const [command, ...args] = argv
  if (command === undefined) throw new Error('empty proxy command')
  return processStream(command, args, (code, stderr) => new Error(`proxy ${argv.join(' ')} exited ${code}: ${stderr}`))
}

/** The key blob of an OpenSSH public key line (`ssh-ed25519 AAAA... comment`). */
function keyBlob(openSshLine: string): Buffer {
  const base64 = openSshLine.trim().split(/\s+/)[1]
  if (!base64) throw new Error(`not an OpenSSH public key: ${openSshLine}`)
  return Buffer.from(base64, 'base64')
}

export interface ConnectOptions {
  /** Expected host key (OpenSSH line); defaults to the one the lab recorded for the host. */
  hostKey?: string
  /** Extra ssh2 settings (e.g. a different username or key for negative tests). */
  config?: Partial<ConnectConfig>
}

/** Connects and authenticates to a lab host; rejects on a host key other than the expected one. */
export function connectHost(host: LabHost, options: ConnectOptions = {}): Promise<Client> {
  const expected = keyBlob(options.hostKey ?? host.ssh.hostKey)
  const sock =
    host.ssh.proxyCommand.length > 0
      ? proxySocket(host.ssh.proxyCommand)
      : tcpConnect({ host: host.ip, port: host.ssh.port, noDelay: true })
  return new Promise((resolve, reject) => {
    const client = new Client()
    let hostKeyRejected = false
    client
      .on('ready', () => resolve(client))
      .on('error', (error) =>
        reject(hostKeyRejected ? new Error(`host key of ${host.name} (${host.ip}) does not match the expected key`) : error),
      )
      .connect({
        sock,
        username: host.ssh.user,
        privateKey: readFileSync(host.ssh.privateKeyPath),
        readyTimeout: 20_000,
        keepaliveInterval: 10_000,
        hostVerifier: (key: Buffer) => {
          hostKeyRejected = !key.equals(expected)
          return !hostKeyRejected
        },
        ...options.config,
      })
  })
}

/** Runs one command on an open connection (one exec channel) and collects its output. */
export function execOn(client: Client, command: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, stream) => {
      if (error) return reject(error)
      let stdout = ''
      let stderr = ''
      stream.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
      stream.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      stream.on('close', (code: number | null, signal?: string) => resolve({ code, signal, stdout, stderr }))
    })
  })
}
