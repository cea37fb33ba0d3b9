import { existsSync, readFileSync } from 'node:fs'
import ssh2, { type AnyAuthMethod, type AuthHandlerMiddleware } from 'ssh2'
import type { CredentialPrompter } from './credentials'
import type { ResolvedTarget } from './resolve'

/** One way to log in, in the order ssh(1) tries them. */
type Attempt = () => Promise<AnyAuthMethod | undefined>

function isEncryptedKeyError(parsed: unknown): boolean {
  return parsed instanceof Error && /encrypted|passphrase/i.test(parsed.message)
}

/**
 * The authentication sequence: the agent (SSH_AUTH_SOCK), then each identity file (asking
 * for the passphrase of an encrypted one), then a password. Methods the server does not
 * offer are skipped; a method that yields nothing (no agent, no file, no answer) too.
 */
export function authSequence(target: ResolvedTarget, prompter: CredentialPrompter, agentSocket: string | undefined): AuthHandlerMiddleware {
  const username = target.user
  const label = `${username}@${target.alias}`
  const attempts: { kind: 'agent' | 'publickey' | 'password'; run: Attempt }[] = []
  if (agentSocket && !target.identitiesOnly) attempts.push({ kind: 'agent', run: async () => ({ type: 'agent', username, agent: agentSocket }) })
  for (const file of target.identityFiles) {
    attempts.push({
      kind: 'publickey',
      run: async () => {
        if (!existsSync(file)) return undefined
        const key = readFileSync(file)
        const parsed = ssh2.utils.parseKey(key)
        if (!isEncryptedKeyError(parsed)) return parsed instanceof Error ? undefined : { type: 'publickey', username, key }
        const passphrase = await prompter.keyPassphrase(file, label)
        if (passphrase === undefined) return undefined
        return { type: 'publickey', username, key, passphrase }
      },
    })
  }
  attempts.push({
    kind: 'password',
    run: async () => {
      const password = await prompter.password(username, label)
      return password === undefined ? undefined : { type: 'password', username, password }
    },
  })

  let index = 0
  return (methodsLeft, _partialSuccess, next) => {
    void (async () => {
      while (index < attempts.length) {
        const attempt = attempts[index++]!
        // On the first call methodsLeft is null: the server has not said what it accepts yet.
        if (methodsLeft && !methodsLeft.includes(attempt.kind === 'agent' ? 'publickey' : attempt.kind)) continue
        const method = await attempt.run().catch(() => undefined)
        if (method) return next(method)
      }
      next(false as never)
    })()
  }
}
