import { existsSync, readFileSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { HostConnection, type ConnectionOptions } from './connection'
import type { CredentialPrompter } from './credentials'
import { KnownHostsStore } from './known-hosts-store'
import { resolveTarget, type ResolvedTarget } from './resolve'
import { parseTarget } from './target'

export interface SshConnectionsOptions {
  /** The admin's ~/.ssh (config, known_hosts, keys); VIRTPILOT_SSH_DIR stands in for tests. */
  sshDir?: string
  /** Where VirtPilot keeps its own known_hosts (the data file's folder). */
  dataDir: string
  prompter: CredentialPrompter
  agentSocket?: string | undefined
}

/** What a caller decides per connection; the rest (target, keys, prompts) is the factory's. */
export type OpenOptions = Omit<ConnectionOptions, 'target' | 'knownHosts' | 'prompter' | 'agentSocket'>

/**
 * The one way VirtPilot reaches a host: a target as the admin typed it is resolved with
 * ~/.ssh/config (read again only when it changed), checked against both known_hosts files, and
 * connected with the admin's agent, keys and prompts. Migration addresses come from here too.
 */
export class SshConnections {
  readonly knownHosts: KnownHostsStore
  private readonly sshDir: string
  private config: { mtimeMs: number; text: string | undefined } | undefined

  constructor(private readonly options: SshConnectionsOptions) {
    this.sshDir = options.sshDir ?? join(homedir(), '.ssh')
    this.knownHosts = new KnownHostsStore([join(this.sshDir, 'known_hosts'), join(this.sshDir, 'known_hosts2')], join(options.dataDir, 'known_hosts'))
  }

  private sshConfig(): string | undefined {
    const file = join(this.sshDir, 'config')
    const mtimeMs = existsSync(file) ? statSync(file).mtimeMs : -1
    if (this.config?.mtimeMs !== mtimeMs) this.config = { mtimeMs, text: mtimeMs < 0 ? undefined : readFileSync(file, 'utf8') }
    return this.config.text
  }

  /** user@host[:port], an alias or qemu+ssh://... after ~/.ssh/config; throws TargetError when invalid. */
  resolve(target: string): ResolvedTarget {
    return resolveTarget(parseTarget(target), { sshConfig: this.sshConfig(), home: join(this.sshDir, '..') })
  }

  /** The address a host is reached at (HostName after ~/.ssh/config): where its QEMU receives migrations. */
  addressOf(target: string): string {
    return this.resolve(target).hostName
  }

  open(target: string, options: OpenOptions): HostConnection {
    return new HostConnection({
      ...options,
      target: this.resolve(target),
      knownHosts: this.knownHosts,
      prompter: this.options.prompter,
      agentSocket: this.options.agentSocket,
    })
  }

  /**
   * Forgets a host's keys in VirtPilot's own known_hosts (after the host was reinstalled); the
   * target may be an alias, keys are kept under the HostName and port it resolves to.
   */
  forgetKey(target: string): { host: string; port: number; removed: number; file: string } {
    const { hostName, port } = this.resolve(target)
    return { host: hostName, port, removed: this.knownHosts.forget(hostName, port), file: this.knownHosts.appFile }
  }
}
