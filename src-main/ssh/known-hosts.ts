import { createHash, createHmac } from 'node:crypto'

/** How a host's key compares with what the admin has trusted before. */
export type HostKeyVerdict =
  | { status: 'match' }
  | { status: 'unknown' }
  /**
   * Known only with keys of other types (`ssh-ed25519 SHA256:...`): ssh(1) warns about this, since
   * a man-in-the-middle may offer just a type the admin never saw. Never accepted without asking.
   */
  | { status: 'unknown-other-types-known'; knownKeys: string[] }
  /** Known with a different key of the same type: possible man-in-the-middle. Never connect. */
  | { status: 'mismatch'; knownFingerprints: string[] }
  | { status: 'revoked' }

export interface KnownHostLine {
  marker?: '@revoked' | '@cert-authority'
  patterns: string
  keyType: string
  keyBase64: string
}

/** The name OpenSSH stores for a host: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`
}

/** OpenSSH's SHA256 fingerprint of a raw public key blob, e.g. `SHA256:abc...` (no padding). */
export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/={1,2}$/, '')}`
}

/** The algorithm name at the start of an SSH public key blob (`ssh-ed25519`, `ecdsa-sha2-nistp256`, ...). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return ''
  const len = keyBlob.readUInt32BE(0)
  return keyBlob.subarray(4, 4 + len).toString('latin1')
}

export function parseKnownHosts(text: string): KnownHostLine[] {
  const lines: KnownHostLine[] = []
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim()
    if (line === '' || line.startsWith('#')) continue
    const fields = line.split(/\s+/)
    let marker: KnownHostLine['marker']
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift() as KnownHostLine['marker']
    else if (fields[0]?.startsWith('@')) continue // a marker this version does not know: ignore the line, as ssh does
    const [patterns, keyType, keyBase64] = fields
    if (!patterns || !keyType || !keyBase64) continue
    lines.push({ ...(marker ? { marker } : {}), patterns, keyType, keyBase64 })
  }
  return lines
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')
  return new RegExp(`^${escaped}$`, 'i')
}

function hashedMatches(pattern: string, name: string): boolean {
  const [, , salt, hash] = pattern.split('|')
  if (!salt || !hash) return false
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash
}

/** Does a comma-separated host pattern list (hashed, wildcard, negated) name this host? */
export function patternsMatch(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) return hashedMatches(patterns, name)
  let matched = false
  for (const pattern of patterns.split(',')) {
    if (pattern.startsWith('!')) {
      if (globToRegExp(pattern.slice(1)).test(name)) return false
    } else if (globToRegExp(pattern).test(name)) {
      matched = true
    }
  }
  return matched
}

/**
 * Checks a presented host key against known_hosts lines, like ssh(1) with
 * StrictHostKeyChecking: revoked wins, then an exact match, then a different key of the
 * same type means the key changed.
 */
export function checkHostKey(lines: readonly KnownHostLine[], host: string, port: number, keyBlob: Buffer): HostKeyVerdict {
  const name = knownHostsName(host, port)
  const presented = keyBlob.toString('base64')
  const type = keyTypeOf(keyBlob)
  const forHost = lines.filter((l) => l.marker !== '@cert-authority' && patternsMatch(l.patterns, name))
  if (lines.some((l) => l.marker === '@revoked' && l.keyBase64 === presented)) return { status: 'revoked' }
  const trusted = forHost.filter((l) => !l.marker)
  if (trusted.some((l) => l.keyBase64 === presented)) return { status: 'match' }
  const sameType = trusted.filter((l) => l.keyType === type)
  if (sameType.length > 0) return { status: 'mismatch', knownFingerprints: sameType.map((l) => fingerprint(Buffer.from(l.keyBase64, 'base64'))) }
  if (trusted.length > 0) return { status: 'unknown-other-types-known', knownKeys: [...new Set(trusted.map((l) => `${l.keyType} ${fingerprint(Buffer.from(l.keyBase64, 'base64'))}`))] }
  return { status: 'unknown' }
}

/** Key types already trusted for a host, so the handshake can prefer them as ssh(1) does. */
export function knownKeyTypes(lines: readonly KnownHostLine[], host: string, port: number): string[] {
  const name = knownHostsName(host, port)
  return [...new Set(lines.filter((l) => !l.marker && patternsMatch(l.patterns, name)).map((l) => l.keyType))]
}

/** A line to append to the app's own known_hosts when the admin accepts a key. */
export function formatKnownHostLine(host: string, port: number, keyBlob: Buffer): string {
  return `${knownHostsName(host, port)} ${keyTypeOf(keyBlob)} ${keyBlob.toString('base64')}\n`
}
