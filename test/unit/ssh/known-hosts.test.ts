import { createHmac, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { utils } from 'ssh2'
import { checkHostKey, fingerprint, formatKnownHostLine, keyTypeOf, parseKnownHosts, patternsMatch } from '../../../src-main/ssh/known-hosts'

/** A real ed25519 public key blob in SSH wire format, as a host would present it. */
function hostKey(): Buffer {
  const { public: publicKey } = utils.generateKeyPairSync('ed25519')
  return Buffer.from(publicKey.split(' ')[1]!, 'base64')
}

function hashed(name: string): string {
  const salt = randomBytes(20)
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`
}

describe('known_hosts', () => {
  const key = hostKey()
  const other = hostKey()
  const b64 = key.toString('base64')

  it('matches plain, hashed, ported and wildcard entries', () => {
    expect(checkHostKey(parseKnownHosts(`kvm1,10.0.0.1 ssh-ed25519 ${b64}\n`), 'kvm1', 22, key).status).toBe('match')
    expect(checkHostKey(parseKnownHosts(`${hashed('kvm1')} ssh-ed25519 ${b64}\n`), 'kvm1', 22, key).status).toBe('match')
    expect(checkHostKey(parseKnownHosts(`${hashed('[kvm1]:2222')} ssh-ed25519 ${b64}\n`), 'kvm1', 2222, key).status).toBe('match')
    expect(checkHostKey(parseKnownHosts(`[kvm1]:2222 ssh-ed25519 ${b64}\n`), 'kvm1', 22, key).status).toBe('unknown')
    expect(checkHostKey(parseKnownHosts(`*.lab ssh-ed25519 ${b64}\n`), 'kvm7.lab', 22, key).status).toBe('match')
    expect(patternsMatch('*.lab,!bad.lab', 'bad.lab')).toBe(false)
  })

  it('reports a changed key of the same type as a mismatch with the known fingerprint', () => {
    const verdict = checkHostKey(parseKnownHosts(`kvm1 ssh-ed25519 ${other.toString('base64')}\n`), 'kvm1', 22, key)
    expect(verdict).toEqual({ status: 'mismatch', knownFingerprints: [fingerprint(other)] })
  })

  it('refuses a revoked key even when another line trusts it', () => {
    const text = `kvm1 ssh-ed25519 ${b64}\n@revoked * ssh-ed25519 ${b64}\n`
    expect(checkHostKey(parseKnownHosts(text), 'kvm1', 22, key).status).toBe('revoked')
  })

  it('ignores comments, blank lines and cert-authority lines', () => {
    const text = `# comment\n\n@cert-authority *.lab ssh-ed25519 ${b64}\n`
    expect(checkHostKey(parseKnownHosts(text), 'kvm1.lab', 22, key).status).toBe('unknown')
  })

  it('writes lines that it reads back as a match', () => {
    const line = formatKnownHostLine('10.200.0.2', 2222, key)
    expect(line).toMatch(/^\[10\.200\.0\.2\]:2222 ssh-ed25519 /)
    expect(checkHostKey(parseKnownHosts(line), '10.200.0.2', 2222, key).status).toBe('match')
  })

  it('prints fingerprints as ssh-keygen -l does', () => {
    expect(keyTypeOf(key)).toBe('ssh-ed25519')
    expect(fingerprint(key)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/)
  })
})
