import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { checkHostKey, formatKnownHostLine, knownHostsName, knownKeyTypes, parseKnownHosts, patternsMatch, type HostKeyVerdict, type KnownHostLine } from './known-hosts'
import { revokedByFile } from './revoked-keys'

/** ssh(1)'s GlobalKnownHostsFile default. */
export const GLOBAL_KNOWN_HOSTS = ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2']

/** The files ssh_config names for one target (UserKnownHostsFile, GlobalKnownHostsFile, RevokedHostKeys). */
export interface KnownHostsConfig {
  userFiles?: string[]
  globalFiles?: string[]
  revokedHostKeys?: string
}

/**
 * The admin's known_hosts files (read only: ~/.ssh/known_hosts and the system-wide
 * /etc/ssh/ssh_known_hosts, or what ssh_config names instead) plus VirtPilot's own file, where
 * keys the admin accepts in the app are written. `@revoked` lines of every file count, and
 * RevokedHostKeys too. All are read fresh for every check, so an edit is seen.
 */
export class KnownHostsStore {
  private readonly userFiles: string[]

  constructor(
    userFiles: string | readonly string[] | undefined,
    /** VirtPilot's own known_hosts, in its data folder. */
    readonly appFile: string,
    private readonly globalFiles: readonly string[] = GLOBAL_KNOWN_HOSTS,
  ) {
    this.userFiles = userFiles === undefined ? [] : typeof userFiles === 'string' ? [userFiles] : [...userFiles]
  }

  private lines(config: KnownHostsConfig = {}): KnownHostLine[] {
    const read = (file: string) => (existsSync(file) ? parseKnownHosts(readFileSync(file, 'utf8')) : [])
    return [...(config.userFiles ?? this.userFiles), ...(config.globalFiles ?? this.globalFiles), this.appFile].flatMap(read)
  }

  check(host: string, port: number, keyBlob: Buffer, config: KnownHostsConfig = {}): HostKeyVerdict | { status: 'revoked-list-error'; reason: string } {
    if (config.revokedHostKeys) {
      const listed = revokedByFile(config.revokedHostKeys, keyBlob)
      if ('error' in listed) return { status: 'revoked-list-error', reason: listed.error }
      if (listed.revoked) return { status: 'revoked' }
    }
    return checkHostKey(this.lines(config), host, port, keyBlob)
  }

  knownTypes(host: string, port: number, config: KnownHostsConfig = {}): string[] {
    return knownKeyTypes(this.lines(config), host, port)
  }

  accept(host: string, port: number, keyBlob: Buffer): void {
    mkdirSync(dirname(this.appFile), { recursive: true })
    appendFileSync(this.appFile, formatKnownHostLine(host, port, keyBlob), { mode: 0o600 })
  }

  /** The files that trust a key of this type for the host: where a changed key must be removed. */
  filesWith(host: string, port: number, keyType: string, config: KnownHostsConfig = {}): string[] {
    const name = knownHostsName(host, port)
    return [...(config.userFiles ?? this.userFiles), ...(config.globalFiles ?? this.globalFiles), this.appFile].filter((file) => {
      if (!existsSync(file)) return false
      return parseKnownHosts(readFileSync(file, 'utf8')).some((l) => !l.marker && l.keyType === keyType && patternsMatch(l.patterns, name))
    })
  }

  /** Removes the host's keys from VirtPilot's own file (never from ~/.ssh or /etc/ssh); returns how many went. */
  forget(host: string, port: number): number {
    if (!existsSync(this.appFile)) return 0
    const name = knownHostsName(host, port)
    const lines = readFileSync(this.appFile, 'utf8').split('\n')
    const keep = lines.filter((line) => {
      const [parsed] = parseKnownHosts(line)
      return !parsed || parsed.marker !== undefined || !patternsMatch(parsed.patterns, name)
    })
    if (keep.length !== lines.length) writeFileSync(this.appFile, keep.join('\n'), { mode: 0o600 })
    return lines.length - keep.length
  }
}
