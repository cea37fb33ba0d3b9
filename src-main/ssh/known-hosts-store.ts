import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { checkHostKey, formatKnownHostLine, knownKeyTypes, parseKnownHosts, type HostKeyVerdict, type KnownHostLine } from './known-hosts'

/**
 * The admin's ~/.ssh/known_hosts (read only) plus VirtPilot's own file, where keys the admin
 * accepts in the app are written. Both are read fresh for every check, so an edit is seen.
 */
export class KnownHostsStore {
  constructor(
    private readonly userFile: string | undefined,
    private readonly appFile: string,
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
}
