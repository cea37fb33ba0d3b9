import { existsSync, readFileSync } from 'node:fs'
import ssh2, { type AnyAuthMethod, type AuthHandlerMiddleware } from 'ssh2'
import type { ResolvedTarget } from './resolve'

/** Secrets the admin has given for this connection (kept in memory only, by the connection). */
export interface KnownSecrets {
  passphrases: Map<string, string>
  password?: string
}

/** What a handshake could not try because it lacked a secret: ask the admin, then try again. */
export interface MissingSecrets {
  /** Encrypted identity files whose passphrase is unknown. */
  passphrases: string[]
  /** The server offered password authentication and no password is known. */
  password: boolean
  /** A password kept from an earlier answer was sent: if the handshake fails, it was wrong. */
  passwordTried?: boolean
}

function isEncryptedKeyError(parsed: unknown): boolean {
  return parsed instanceof Error && /encrypted|passphrase/i.test(parsed.message)
}

/**
 * The authentication sequence, in ssh(1)'s order: the agent (SSH_AUTH_SOCK), then each identity
 * file, then a password. It never waits for a person (a handshake has a deadline): an encrypted
 * key without a known passphrase, or a password nobody gave, is noted in `missing` and skipped;
 * the connection asks the admin afterwards and tries again.
 */
export function authSequence(target: ResolvedTarget, secrets: KnownSecrets, agentSocket: string | undefined, missing: MissingSecrets): AuthHandlerMiddleware {
  const username = target.user
  const attempts: { kind: 'agent' | 'publickey' | 'password'; method: () => AnyAuthMethod | undefined }[] = []
  if (agentSocket && !target.identitiesOnly) attempts.push({ kind: 'agent', method: () => ({ type: 'agent', username, agent: agentSocket }) })
  for (const file of target.identityFiles) {
    attempts.push({
      kind: 'publickey',
      method: () => {
        if (!existsSync(file)) return undefined
        const key = readFileSync(file)
        const parsed = ssh2.utils.parseKey(key)
        if (!isEncryptedKeyError(parsed)) return parsed instanceof Error ? undefined : { type: 'publickey', username, key }
        const passphrase = secrets.passphrases.get(file)
        if (passphrase === undefined) {
          missing.passphrases.push(file)
          return undefined
        }
        return { type: 'publickey', username, key, passphrase }
      },
    })
  }
  attempts.push({
    kind: 'password',
    method: () => {
      if (secrets.password === undefined) {
        missing.password = true
        return undefined
      }
      missing.passwordTried = true
      return { type: 'password', username, password: secrets.password }
    },
  })

  let index = 0
  return (methodsLeft, _partialSuccess, next) => {
    while (index < attempts.length) {
      const attempt = attempts[index++]!
      // On the first call methodsLeft is null: the server has not said what it accepts yet.
      if (methodsLeft && !methodsLeft.includes(attempt.kind === 'agent' ? 'publickey' : attempt.kind)) continue
      let method: AnyAuthMethod | undefined
      try {
        method = attempt.method()
      } catch {
        method = undefined
      }
      if (method) return next(method)
    }
    next(false as never)
  }
}
