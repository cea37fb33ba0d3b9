import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { checkHostKey, formatKnownHostLine, knownHostsName, knownKeyTypes, parseKnownHosts, patternsMatch, type HostKeyVerdict, type KnownHostLine } from './known-hosts'

/**
 * The admin's ~/.ssh/known_hosts (read only) plus VirtPilot's own file, where keys the admin
 * accepts in the app are written. Both are read fresh for every check, so an edit is seen.
 */
export class KnownHostsStore {
  constructor(
    private readonly userFile: string | undefined,
    /** VirtPilot's own known_hosts, in its data folder. */
    readonly appFile: string,
  ) {}

  private lines(): KnownHostLine[] {
    const read = (file: string | undefined) => (file && existsSync(file) ? parseKnownHosts(readFileSync(file, 'utf8')) : [])
    return [...read(this.userFile), ...read(this.appFile)]
  }

  check(host: string, port: number, keyBlob: Buffer): HostKeyVerdict {
    return checkHostKey(this.lines(), host, port, keyBlob)
  }

  knownTypes(host: string, port: number): string[] {
    return knownKeyTypes(this.lines(), host, port)
  }

  accept(host: string, port: number, keyBlob: Buffer): void {
    mkdirSync(dirname(this.appFile), { recursive: true })
    appendFileSync(this.appFile, formatKnownHostLine(host, port, keyBlob), { mode: 0o600 })
  }

  /** The files that trust a key of this type for the host: where a changed key must be removed. */
  filesWith(host: string, port: number, keyType: string): string[] {
    const name = knownHostsName(host, port)
    return [this.userFile, this.appFile].filter((file): file is string => {
      if (!file || !existsSync(file)) return false
      return parseKnownHosts(readFileSync(file, 'utf8')).some((l) => !l.marker && l.keyType === keyType && patternsMatch(l.patterns, name))
    })
  }

  /** Removes the host's keys from VirtPilot's own file (never from ~/.ssh); returns how many went. */
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
