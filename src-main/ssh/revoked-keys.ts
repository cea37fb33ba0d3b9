import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { keyTypeOf } from './known-hosts'

const KRL_MAGIC = Buffer.from('SSHKRL\n\0', 'latin1')

/**
 * ssh_config's RevokedHostKeys: a file of public keys (one per line) or an OpenSSH Key
 * Revocation List. A KRL is checked with `ssh-keygen -Q`, as ssh(1) would read it. Like ssh(1),
 * a file that cannot be read or checked refuses the key rather than ignore the list.
 */
export function revokedByFile(file: string, keyBlob: Buffer): { revoked: boolean } | { error: string } {
  let content: Buffer
  try {
    content = readFileSync(file)
  } catch (error) {
    return { error: `cannot read RevokedHostKeys ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` }
  }
  if (content.subarray(0, KRL_MAGIC.length).equals(KRL_MAGIC)) return checkKrl(file, keyBlob)
  const presented = keyBlob.toString('base64')
  for (const line of content.toString('utf8').split('\n')) {
    const fields = line.trim().split(/\s+/)
    if (fields[0]?.startsWith('#')) continue
    if (fields[1] === presented) return { revoked: true }
  }
  return { revoked: false }
}

function checkKrl(file: string, keyBlob: Buffer): { revoked: boolean } | { error: string } {
  const dir = mkdtempSync(join(tmpdir(), 'virtpilot-krl-'))
  try {
    const pub = join(dir, 'key.pub')
    writeFileSync(pub, `${keyTypeOf(keyBlob)} ${keyBlob.toString('base64')}\n`)
    const run = spawnSync('ssh-keygen', ['-Q', '-f', file, pub], { encoding: 'utf8', timeout: 10_000 })
    if (run.error) return { error: `cannot check the key revocation list ${file} (ssh-keygen: ${(run.error as NodeJS.ErrnoException).code ?? run.error.message})` }
    if (run.status === 0) return { revoked: false }
    if (run.status === 1 && /REVOKED/.test(run.stdout)) return { revoked: true }
    return { error: `cannot check the key revocation list ${file}: ${(run.stderr || run.stdout).trim().slice(0, 200)}` }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
