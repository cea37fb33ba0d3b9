import { randomUUID } from 'node:crypto'
import type { CredentialRequest } from '../../shared/api'
import type { SecretVault, VaultUnavailable } from '../security/secret-storage'
import type { CredentialPrompter } from '../ssh/credentials'
import type { SecretsRepo } from '../store/secrets'
import type { EventBus } from './events'

export type { SecretVault } from '../security/secret-storage'

const ANSWER_TIMEOUT_MS = 5 * 60_000

interface Waiting {
  request: CredentialRequest
  storageKey: string
  resolve: (secret: string | undefined) => void
  timer: ReturnType<typeof setTimeout>
}

/**
 * Asks the admin for a key passphrase or a password through the UI (an api event and an
 * answer request), and keeps an answer only when asked to and only in the OS keychain.
 */
export class CredentialBroker implements CredentialPrompter {
  private readonly waiting = new Map<string, Waiting>()
  /** Stored secrets already handed out once: asked again means it was wrong. */
  private readonly usedStored = new Set<string>()

  constructor(
    private readonly secrets: SecretsRepo,
    private readonly events: EventBus,
    private readonly vault: SecretVault | undefined,
    private readonly onChange: () => void = () => {},
    /** Why there is no vault (said in every request), when there is none. */
    private readonly unavailable: VaultUnavailable = 'not-desktop',
  ) {}

  keyPassphrase(keyFile: string, host: string): Promise<string | undefined> {
    return this.ask({ kind: 'passphrase', host, keyFile }, `passphrase:${keyFile}`)
  }

  password(user: string, host: string): Promise<string | undefined> {
    return this.ask({ kind: 'password', host, user }, `password:${host}`)
  }

  pending(): CredentialRequest[] {
    return [...this.waiting.values()].map((w) => w.request)
  }

  /** The admin's answer; an absent secret means "cancel" (that method is skipped). */
  answer(requestId: string, secret: string | undefined, remember: boolean): boolean {
    const waiting = this.waiting.get(requestId)
    if (!waiting) return false
    this.finish(waiting, secret)
    if (secret !== undefined && remember && this.vault) this.secrets.set(waiting.storageKey, this.vault.encrypt(secret))
    return true
  }

  private async ask(what: Omit<CredentialRequest, 'requestId' | 'canRemember'>, storageKey: string): Promise<string | undefined> {
    const sealed = this.vault ? this.secrets.get(storageKey) : undefined
    if (sealed && this.vault) {
      if (!this.usedStored.has(storageKey)) {
        this.usedStored.add(storageKey)
        try {
          return this.vault.decrypt(sealed)
        } catch {
          // Unreadable (keychain changed): forget it and ask.
        }
      }
      this.secrets.delete(storageKey)
    }
    const request: CredentialRequest = { requestId: randomUUID(), canRemember: this.vault !== undefined, ...(this.vault ? {} : { rememberUnavailable: this.unavailable }), ...what }
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.finish(this.waiting.get(request.requestId)!, undefined), ANSWER_TIMEOUT_MS)
      this.waiting.set(request.requestId, { request, storageKey, resolve, timer })
      this.events.emit('credentials.requested', request)
      this.onChange()
    })
  }

  private finish(waiting: Waiting, secret: string | undefined): void {
    clearTimeout(waiting.timer)
    this.waiting.delete(waiting.request.requestId)
    waiting.resolve(secret)
    this.events.emit('credentials.changed', this.pending())
  }
}
