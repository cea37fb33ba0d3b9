import { connect as tcpConnect, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
// ssh2 is CommonJS: Node's ESM loader only sees its default export.
import ssh2, { type Client, type ClientChannel, type ConnectConfig, type ServerHostKeyAlgorithm } from 'ssh2'
import { english, msg } from '../../shared/i18n'
import type { MessageRef } from '../../shared/model'
import { processStream } from './process-stream'
import { authSequence, type MissingSecrets } from './auth'
import type { CredentialPrompter } from './credentials'
import { HopSecrets } from './hop-secrets'
import { fingerprint, keyTypeOf } from './known-hosts'
import type { KnownHostsStore } from './known-hosts-store'
import { CappedOutput, describeBytes, OUTPUT_LIMITS } from './output-cap'
import { commandLine } from './quote'
import type { ResolvedTarget } from './resolve'
import { CountedTimers, type ConnectionResources } from './resources'

/** What the admin sees for a host's connection. */
export type ConnectionState = 'connecting' | 'online' | 'auth-failed' | 'host-key-rejected' | 'unreachable' | 'backing-off' | 'closed'

export type SshErrorKind = 'auth-failed' | 'host-key-rejected' | 'unreachable' | 'timeout' | 'closed' | 'exec-failed' | 'output-too-large'

export class SshError extends Error {
  override name = 'SshError'
  constructor(
    readonly kind: SshErrorKind,
    message: string,
    /** The error in VirtPilot's words, for the admin's language (message is its English). */
    readonly ref?: MessageRef,
    /** What the system or ssh said itself (an errno code, ssh2's text), shown verbatim. */
    readonly detail?: string,
  ) {
    super(message)
  }
}

/** An SshError whose text VirtPilot words: English message, the message itself, and the raw detail if any. */
function worded(kind: SshErrorKind, ref: MessageRef, detail?: string): SshError {
  return new SshError(kind, detail ? `${english(ref)} (${detail})` : english(ref), ref, detail)
}

/** An SshError in VirtPilot's words whose English goes on with what the system said: "<words>: <detail>". */
function wordedThen(kind: SshErrorKind, ref: MessageRef, detail?: string): SshError {
  return new SshError(kind, detail ? `${english(ref)}: ${detail}` : english(ref), ref, detail)
}

/** A socket's failure to connect, in the admin's words, with the system's code kept verbatim. */
function socketError(host: string, port: number, error: NodeJS.ErrnoException): SshError {
  const code = error.code ?? error.message
  switch (error.code) {
    case 'ECONNREFUSED':
      return worded('unreachable', msg('apply.connection.refused', { host, port }), code)
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return worded('unreachable', msg('apply.connection.unknownHost', { host }), code)
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return worded('unreachable', msg('apply.connection.unreachable', { host }), code)
    case 'ECONNRESET':
      return worded('unreachable', msg('apply.connection.reset', { host }), code)
    default:
      return worded('unreachable', msg('apply.connection.failed', { host }), code)
  }
}

export interface UnknownHostKey {
  host: string
  port: number
  keyType: string
  fingerprint: string
  /** The key itself, so the one the admin saw is the one remembered. */
  keyBlob: Buffer
  /**
   * Keys of other types already trusted for this host (`ssh-ed25519 SHA256:...`): the host offers
   * only a type nobody saw before, as a man-in-the-middle would. Ask; never accept by rule.
   */
  otherKeysKnown?: string[]
}

export interface ExecResult {
  stdout: string
  stderr: string
  code: number | null
  signal: string | null
  /** Bytes received (stdout + stderr), for the collection benchmark. */
  bytes: number
}

export interface ConnectionOptions {
  target: ResolvedTarget
  knownHosts: KnownHostsStore
  /** Asked when a host presents a key nobody trusted yet; true accepts and remembers it. */
  onUnknownHostKey: (key: UnknownHostKey) => Promise<boolean>
  prompter: CredentialPrompter
  agentSocket?: string | undefined
  readyTimeoutMs?: number
  keepaliveIntervalMs?: number
  maxConcurrentExecs?: number
  /** Wait before reconnecting: initialMs after a failure, doubling up to maxMs; reset once online. */
  backoff?: { initialMs: number; maxMs: number }
  /** Reconnect by itself after losing an online connection or failing to reach the host. */
  reconnect?: boolean
  onStateChange?: (state: ConnectionState, error?: SshError) => void
}

/** What to run so a reinstalled host's new key can be trusted: per file that holds the old one. */
function howToForget(files: readonly string[], appFile: string, target: ResolvedTarget): MessageRef[] {
  const name = target.port === 22 ? target.hostName : `[${target.hostName}]:${target.port}`
  const steps = files.map((file) =>
    file === appFile
      ? msg('apply.hostKey.forgetApp', { file, command: `virtpilot hosts forget-key ${target.hostName}${target.port === 22 ? '' : ` --port ${target.port}`}` })
      : msg('apply.hostKey.forgetFile', { file, command: `ssh-keygen -R '${name}' -f ${file}` }),
  )
  return steps.length > 0 ? steps : [msg('apply.hostKey.forgetOld', { name })]
}

/** Handshake algorithms that produce a known_hosts key type, so a trusted type is asked for first. */
function hostKeyAlgorithms(keyType: string): ServerHostKeyAlgorithm[] {
  if (keyType === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']
  const supported: string[] = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521']
  return supported.includes(keyType) ? [keyType as ServerHostKeyAlgorithm] : []
}

const TERMINAL: ReadonlySet<ConnectionState> = new Set(['auth-failed', 'host-key-rejected', 'closed'])
/** Reconnect delays unless the caller says otherwise: 1 s, 2 s, 4 s, ... at most 60 s. */
export const DEFAULT_BACKOFF = { initialMs: 1000, maxMs: 60_000 }
/** After a command missed its deadline: how long a trivial command may take before the host counts as gone. */
const LIVENESS_TIMEOUT_MS = 10_000

/** A local ProxyCommand's stdin/stdout as one stream for ssh2, as ssh(1) uses it. */
function proxyCommandStream(command: string): Duplex {
  return processStream('/bin/sh', ['-c', command], (code) => worded('unreachable', msg('apply.connection.proxyExited', { code: String(code), command })))
}

function tcpStream(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host, port })
    // Each poll is a small request/response: Nagle's delay would dominate it.
    socket.setNoDelay(true)
    socket.setTimeout(timeoutMs, () => socket.destroy(worded('unreachable', msg('apply.connection.timeout', { host: `${host}:${port}`, seconds: Math.round(timeoutMs / 100) / 10 }))))
    socket.once('connect', () => {
      socket.setTimeout(0)
      resolve(socket)
    })
    socket.once('error', (error: NodeJS.ErrnoException) => reject(error instanceof SshError ? error : socketError(host, port, error)))
  })
}

/**
 * One SSH connection per host, multiplexing command executions over it, with host key
 * verification, ssh(1)'s auth order, jump hosts, keepalive and a reconnecting state machine.
 */
export class HostConnection {
  private client: Client | undefined
  private hops: Client[] = []
  private current: ConnectionState = 'closed'
  private lastError: SshError | undefined
  private running = 0
  private readonly waiting: (() => void)[] = []
  private cancelRetry: (() => void) | undefined
  private retryAt = 0
  private attempt = 0
  /** Every SSH client made and not yet closed (handshakes included): one host connection at a time. */
  private readonly live = new Set<Client>()
  private readonly timers = new CountedTimers()
  private channels = 0
  private checkingLiveness = false
  /** Why the connection is being dropped, for lost() to report. */
  private lostReason: SshError | undefined
  private wanted = false
  private connecting: Promise<void> | undefined
  /** Executions started, for the one-exec-per-poll check. */
  execCount = 0
  /** Round trips: executions and requests on resident sessions (src-main/ssh/session-channel.ts). */
  roundTrips = 0
  /** Passphrases and passwords the admin gave, for reconnects; memory only, each password for its own hop. */
  private readonly secrets = new HopSecrets()

  constructor(private readonly options: ConnectionOptions) {}

  get state(): ConnectionState {
    return this.current
  }

  get error(): SshError | undefined {
    return this.lastError
  }

  /** Why nothing can run now: the connection's state, and the error that put it there. */
  private notOnline(): SshError {
    return wordedThen('closed', msg('apply.connection.notOnline', { host: this.label, state: this.current }), this.lastError?.message)
  }

  /** What the connection holds now (see resources.ts). */
  get resources(): ConnectionResources {
    let listeners = 0
    for (const client of this.live) for (const name of client.eventNames()) listeners += client.listenerCount(name)
    return { clients: this.live.size, channels: this.channels, timers: this.timers.count, listeners }
  }

  get label(): string {
    const t = this.options.target
    return `${t.user}@${t.alias}${t.port === 22 ? '' : `:${t.port}`}`
  }

  private setState(state: ConnectionState, error?: SshError): void {
    this.current = state
    if (error) this.lastError = error
    if (state === 'online') this.lastError = undefined
    this.options.onStateChange?.(state, error)
  }

  /**
   * Connects (or waits for the connection in progress); rejects with an SshError saying why.
   * After a refused host key or failed authentication it does not try again by itself (that
   * would hammer the host's sshd every poll) until `force` says the admin acted.
   */
  connect(force = false): Promise<void> {
    this.wanted = true
    if (this.current === 'online') return Promise.resolve()
    if (!force && (this.current === 'host-key-rejected' || this.current === 'auth-failed') && this.lastError) return Promise.reject(this.lastError)
    // Backing off: callers (each poll) fail at once instead of hammering the host; the timer tries again.
    if (!force && this.current === 'backing-off' && this.lastError && !this.connecting) {
      const seconds = Math.max(0, Math.ceil((this.retryAt - Date.now()) / 1000))
      const last = this.lastError
      const ref = last.ref ? msg('apply.connection.retry', { reason: last.ref, seconds }) : undefined
      return Promise.reject(new SshError(last.kind, `${last.message} (next try in ${seconds} s)`, ref, last.detail))
    }
    return this.reopen()
  }

  private reopen(): Promise<void> {
    this.connecting ??= this.open().finally(() => (this.connecting = undefined))
    return this.connecting
  }

  private async open(): Promise<void> {
    this.cancelRetry?.()
    this.cancelRetry = undefined
    this.setState('connecting')
    const { target } = this.options
    try {
      let sock: NodeJS.ReadableStream & NodeJS.WritableStream
      const timeout = this.options.readyTimeoutMs ?? 10_000
      if (target.jumps.length > 0) {
        let through: Duplex | undefined
        for (const hop of target.jumps) {
          const stream = through ?? (await tcpStream(hop.hostName, hop.port, timeout))
          const client = await this.handshake(hop, stream)
          this.hops.push(client)
          through = await this.forward(client, target.jumps[this.hops.length]?.hostName ?? target.hostName, target.jumps[this.hops.length]?.port ?? target.port)
        }
        sock = through!
      } else if (target.proxyCommand) {
        sock = proxyCommandStream(target.proxyCommand)
      } else {
        sock = await tcpStream(target.hostName, target.port, timeout)
      }
      // A second stream to the target, should the first handshake need a secret from the admin.
      const reopen = async (): Promise<Duplex | Socket> =>
        this.hops.length > 0 ? this.forward(this.hops.at(-1)!, target.hostName, target.port) : target.proxyCommand ? proxyCommandStream(target.proxyCommand) : tcpStream(target.hostName, target.port, timeout)
      const client = await this.handshakeAsking(target, sock as Duplex, reopen)
      if (!this.wanted) {
        // Closed while it connected: nothing stays open behind the caller's back.
        client.end()
        throw worded('closed', msg('apply.connection.closedWhileConnecting', { host: this.label }))
      }
      this.client = client
      this.attempt = 0
      client.on('close', () => this.lost(client))
      // The stream can end before it closes (a proxy whose host went away): the connection is gone either way.
      client.on('end', () => this.lost(client))
      this.setState('online')
    } catch (error) {
      this.teardown()
      const sshError = error instanceof SshError ? error : new SshError('unreachable', (error as Error).message)
      if (!this.wanted) {
        this.setState('closed')
        throw sshError
      }
      this.setState(sshError.kind === 'auth-failed' || sshError.kind === 'host-key-rejected' ? sshError.kind : 'unreachable', sshError)
      this.scheduleRetry()
      throw sshError
    }
  }

  private forward(client: Client, host: string, port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      client.forwardOut('127.0.0.1', 0, host, port, (error, stream) => {
        if (error) reject(wordedThen('unreachable', msg('apply.connection.jumpCouldNotReach', { host, port }), error.message))
        else resolve(stream as unknown as Duplex)
      })
    })
  }

  /**
   * Handshake; if authentication failed only for want of a passphrase or password, ask the
   * admin (outside the handshake's deadline) and try once more on a fresh stream.
   */
  private async handshakeAsking(target: ResolvedTarget, sock: Duplex | Socket, reopen: () => Promise<Duplex | Socket>): Promise<Client> {
    const missing: MissingSecrets = { passphrases: [], password: false }
    try {
      return await this.handshake(target, sock, missing)
    } catch (error) {
      if (!(error instanceof SshError) || error.kind !== 'auth-failed') throw error
      // A kept password that was refused is forgotten and asked for again (the admin may have mistyped it).
      if (missing.passwordTried) {
        this.secrets.forgetPassword(target)
        missing.password = true
      }
      if (!(await this.askFor(missing))) throw error
    }
    return this.handshake(target, await reopen(), { passphrases: [], password: false })
  }

  /** Asks for what the last handshake lacked; true when something new was given. */
  private async askFor(missing: MissingSecrets): Promise<boolean> {
    const label = this.label
    let given = false
    for (const file of missing.passphrases) {
      const passphrase = await this.options.prompter.keyPassphrase(file, label)
      if (passphrase !== undefined) {
        this.secrets.setPassphrase(file, passphrase)
        given = true
      }
    }
    if (!given && missing.password) {
      const password = await this.options.prompter.password(this.options.target.user, label)
      if (password !== undefined) {
        this.secrets.setPassword(this.options.target, password)
        given = true
      }
    }
    return given
  }

  private handshake(target: ResolvedTarget, sock: Duplex | Socket, missing: MissingSecrets = { passphrases: [], password: false }): Promise<Client> {
    const { knownHosts, onUnknownHostKey } = this.options
    const client = new ssh2.Client()
    this.live.add(client)
    client.once('close', () => this.live.delete(client))
    let keyProblem: SshError | undefined
    const preferred = knownHosts.knownTypes(target.hostName, target.port, target.knownHosts)
    return new Promise((resolve, reject) => {
      client.once('ready', () => resolve(client))
      // ssh2 may emit several errors (socket, then protocol); every one must be handled, and
      // after the handshake an error is followed by 'close', which lost() handles.
      client.on('error', (error: Error & { level?: string }) => {
        client.end()
        if (keyProblem) return reject(keyProblem)
        if (error.level === 'client-authentication') {
          return reject(worded('auth-failed', msg('apply.connection.authFailed', { host: target.alias, user: target.user })))
        }
        if (error.level === 'client-timeout') return reject(worded('unreachable', msg('apply.connection.noHandshake', { host: target.alias, seconds: (this.options.readyTimeoutMs ?? 10_000) / 1000 })))
        reject(error instanceof SshError ? error : worded('unreachable', msg('apply.connection.failed', { host: target.alias }), error.message))
      })
      client.once('close', () => reject(keyProblem ?? worded('unreachable', msg('apply.connection.reset', { host: target.alias }))))
      const config: ConnectConfig = {
        sock: sock as Duplex,
        host: target.hostName,
        port: target.port,
        username: target.user,
        readyTimeout: this.options.readyTimeoutMs ?? 10_000,
        keepaliveInterval: this.options.keepaliveIntervalMs ?? 15_000,
        keepaliveCountMax: 3,
        authHandler: authSequence(target, this.secrets.for(target), this.options.agentSocket, missing),
        hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
          const verdict = knownHosts.check(target.hostName, target.port, key, target.knownHosts)
          const fp = fingerprint(key)
          if (verdict.status === 'match') return verify(true)
          if (verdict.status === 'mismatch') {
            const ands = howToForget(knownHosts.filesWith(target.hostName, target.port, keyTypeOf(key), target.knownHosts), knownHosts.appFile, target)
            keyProblem = worded('host-key-rejected', msg('apply.hostKey.changed', { host: target.alias, address: `${target.hostName}:${target.port}`, fingerprint: fp, known: verdict.knownFingerprints.join(', '), ands }))
            return verify(false)
          }
          if (verdict.status === 'revoked') {
            keyProblem = worded('host-key-rejected', msg('apply.hostKey.revoked', { host: target.alias, fingerprint: fp }))
            return verify(false)
          }
          if (verdict.status === 'revoked-list-error') {
            keyProblem = new SshError('host-key-rejected', `${target.alias}: ${verdict.reason}; VirtPilot will not connect without checking it.`, msg('apply.hostKey.listUnreadable', { host: target.alias }), verdict.reason)
            return verify(false)
          }
          const otherKeysKnown = verdict.status === 'unknown-other-types-known' ? verdict.knownKeys : undefined
          void onUnknownHostKey({ host: target.hostName, port: target.port, keyType: keyTypeOf(key), fingerprint: fp, keyBlob: key, ...(otherKeysKnown ? { otherKeysKnown } : {}) })
            .then((accepted) => {
              if (accepted) knownHosts.accept(target.hostName, target.port, key)
              else if (otherKeysKnown) {
                keyProblem = worded('host-key-rejected', msg('apply.hostKey.otherTypes', { host: target.alias, type: keyTypeOf(key), fingerprint: fp, known: otherKeysKnown.join(', ') }))
              } else keyProblem = worded('host-key-rejected', msg('apply.hostKey.notTrusted', { host: target.alias, fingerprint: fp, type: keyTypeOf(key) }))
              verify(accepted)
            })
            .catch(() => verify(false))
        },
      }
      const prepend = preferred.flatMap(hostKeyAlgorithms)
      // ssh2's typing wants append, prepend and remove together; it accepts any of them alone.
      if (prepend.length > 0) config.algorithms = { serverHostKey: { prepend } as unknown as ServerHostKeyAlgorithm[] }
      client.connect(config)
    })
  }

  private lost(client: Client): void {
    if (client !== this.client) return
    const reason = this.lostReason ?? worded('unreachable', msg('apply.connection.lost', { host: this.label }))
    this.lostReason = undefined
    this.teardown()
    if (!this.wanted) return
    this.setState('unreachable', reason)
    this.scheduleRetry()
  }

  private scheduleRetry(): void {
    if (!this.wanted || this.options.reconnect === false || TERMINAL.has(this.current)) return
    const { initialMs, maxMs } = this.options.backoff ?? DEFAULT_BACKOFF
    const delay = Math.min(maxMs, initialMs * 2 ** this.attempt++)
    this.setState('backing-off', this.lastError)
    this.cancelRetry?.()
    this.retryAt = Date.now() + delay
    this.cancelRetry = this.timers.start(delay, () => {
      this.cancelRetry = undefined
      void this.reopen().catch(() => undefined)
    })
  }

  private teardown(): void {
    const client = this.client
    this.client = undefined
    client?.end()
    for (const hop of this.hops.reverse()) hop.end()
    this.hops = []
  }

  /** A resident session's request missed its deadline: the same check as for a command. */
  missedDeadline(): void {
    if (this.client) this.checkLiveness(this.client)
  }

  /**
   * A command missed its deadline: if a trivial one does not answer either, the host stopped
   * answering and the connection is dropped (its channels close with it) and tried again later.
   */
  private checkLiveness(client: Client): void {
    if (this.checkingLiveness || client !== this.client) return
    this.checkingLiveness = true
    let answered = false
    const cancel = this.timers.start(LIVENESS_TIMEOUT_MS, () => {
      this.checkingLiveness = false
      if (answered || client !== this.client) return
      this.lostReason = worded('timeout', msg('apply.connection.stoppedAnswering', { host: this.label, ms: LIVENESS_TIMEOUT_MS }))
      // 'close' follows, and lost() takes it from there.
      client.destroy()
    })
    try {
      client.exec('true', (error, channel) => {
        if (error) return
        this.channels++
        channel.once('close', () => {
          this.channels--
          answered = true
          this.checkingLiveness = false
          cancel()
        })
        channel.resume()
        channel.end()
      })
    } catch {
      cancel()
      this.checkingLiveness = false
    }
  }

  private async slot(): Promise<() => void> {
    const limit = this.options.maxConcurrentExecs ?? 4
    if (this.running >= limit) await new Promise<void>((resolve) => this.waiting.push(resolve))
    this.running++
    return () => {
      this.running--
      this.waiting.shift()?.()
    }
  }

  /**
   * Runs argv on the host (quoted in one place), optionally feeding stdin. Output beyond
   * `maxOutputBytes` (OUTPUT_LIMITS.command by default) stops the command with an error naming the host.
   */
  async exec(argv: readonly string[], options: { stdin?: string; timeoutMs?: number; maxOutputBytes?: number } = {}): Promise<ExecResult> {
    const command = commandLine(argv)
    const release = await this.slot()
    try {
      const client = this.client
      if (!client || this.current !== 'online') throw this.notOnline()
      this.execCount++
      this.roundTrips++
      return await new Promise<ExecResult>((resolve, reject) => {
        let opened: ClientChannel | undefined
        // The deadline covers opening the channel too: a host that stopped answering never opens it.
        const cancel = options.timeoutMs
          ? this.timers.start(options.timeoutMs, () => {
              opened?.close()
              reject(worded('timeout', msg('apply.connection.commandTimeout', { host: this.label, command: argv[0] ?? '', ms: options.timeoutMs ?? 0 })))
              this.checkLiveness(client)
            })
          : () => {}
        const started = (error: Error | undefined, channel: ClientChannel) => {
          if (error) {
            cancel()
            return reject(wordedThen('exec-failed', msg('apply.connection.couldNotStart', { host: this.label, command: argv[0] ?? '' }), error.message))
          }
          opened = channel
          this.channels++
          const output = new CappedOutput(options.maxOutputBytes ?? OUTPUT_LIMITS.command)
          let code: number | null = null
          let signal: string | null = null
          const take = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
            if (output.add(stream, chunk) || output.bytes - chunk.length > output.limit) return
            // Just passed the limit: stop the command; this host's other commands go on.
            cancel()
            channel.close()
            reject(worded('output-too-large', msg('apply.connection.outputTooLarge', { host: this.label, command: argv[0] === 'sh' ? msg('apply.connection.theHostScript') : (argv[0] ?? ''), size: describeBytes(output.limit) })))
          }
          channel.on('data', take('stdout'))
          channel.stderr.on('data', take('stderr'))
          channel.on('exit', (c: number | null, s?: string) => ((code = c), (signal = s ?? null)))
          channel.on('close', () => {
            this.channels--
            cancel()
            if (!output.exceeded) resolve({ stdout: output.text('stdout'), stderr: output.text('stderr'), code, signal, bytes: output.bytes })
          })
          if (options.stdin !== undefined) channel.end(options.stdin)
          else channel.end()
        }
        try {
          client.exec(command, started)
        } catch (error) {
          cancel()
          reject(new SshError('closed', `${this.label}: ${(error as Error).message}`))
        }
      })
    } finally {
      release()
    }
  }

  /**
   * Runs a constant script as `sh -c SCRIPT`, quoted like any argument. (Not on stdin: a
   * command inside the script that reads stdin would swallow the rest of it.)
   */
  execScript(script: string, timeoutMs?: number, maxOutputBytes?: number): Promise<ExecResult> {
    return this.exec(['sh', '-c', script], { ...(timeoutMs ? { timeoutMs } : {}), ...(maxOutputBytes ? { maxOutputBytes } : {}) })
  }

  /**
   * Starts a constant script as `sh -c SCRIPT` on a channel that stays open: a resident session
   * (session-channel.ts) writes requests to its input and reads the answers. Not bound by
   * maxConcurrentExecs: it lives as long as the connection.
   */
  openSession(script: string): Promise<ClientChannel> {
    const client = this.online()
    this.execCount++
    this.roundTrips++
    return new Promise((resolve, reject) =>
      client.exec(commandLine(['sh', '-c', script]), (error, channel) => (error ? reject(wordedThen('exec-failed', msg('apply.connection.couldNotStartSession', { host: this.label }), error.message)) : resolve(channel))),
    )
  }

  private online(): Client {
    if (!this.client || this.current !== 'online') throw this.notOnline()
    return this.client
  }

  /**
   * A Unix socket at `path` on the host (like `ssh -R path:...`), created by sshd for this SSH
   * user with StreamLocalBindMask (0600 by default); each connection to it is handed to `onStream`
   * until `close`. Needs the host's sshd to allow stream-local forwarding (the default).
   */
  async listenOnHostSocket(path: string, onStream: (stream: Duplex) => void): Promise<{ close: () => Promise<void> }> {
    const client = this.online()
    await new Promise<void>((resolve, reject) =>
      client.openssh_forwardInStreamLocal(path, (error) => (error ? reject(wordedThen('exec-failed', msg('apply.connection.forwardRefused', { host: this.label, path }), error.message)) : resolve())),
    )
    // Other listeners on this connection handle their own paths.
    const onConnection = (info: { socketPath: string }, accept: () => unknown) => {
      if (info.socketPath === path) onStream(accept() as Duplex)
    }
    client.on('unix connection', onConnection)
    let open = true
    return {
      close: () =>
        new Promise<void>((resolve) => {
          if (!open) return resolve()
          open = false
          client.off('unix connection', onConnection)
          if (this.client !== client) return resolve()
          client.openssh_unforwardInStreamLocal(path, () => resolve())
        }),
    }
  }

  /** A stream to a Unix socket on the host (like `ssh -L ...:/path`), e.g. libvirt's. */
  openSocketOnHost(path: string): Promise<Duplex> {
    const client = this.online()
    return new Promise((resolve, reject) =>
      client.openssh_forwardOutStreamLocal(path, (error, stream) =>
        error ? reject(wordedThen('exec-failed', msg('apply.connection.cannotOpenSocket', { host: this.label, path }), error.message)) : resolve(stream as unknown as Duplex),
      ),
    )
  }

  close(): void {
    this.wanted = false
    this.cancelRetry?.()
    this.cancelRetry = undefined
    this.teardown()
    this.setState('closed')
  }
}
