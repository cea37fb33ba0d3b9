import type { KnownSecrets } from './auth'
import type { ResolvedTarget } from './resolve'

/**
 * What the admin typed for one connection, kept so a reconnect need not ask again (memory only).
 * A password belongs to the hop it was asked for (`user@host:port`) and is offered to nothing
 * else: a jump host that suddenly wants a password never gets the target's. Passphrases belong
 * to their key file: they unlock it on this machine and never travel.
 */
export class HopSecrets {
  private readonly passphrases = new Map<string, string>()
  private readonly passwords = new Map<string, string>()

  private static key(hop: Pick<ResolvedTarget, 'user' | 'hostName' | 'port'>): string {
    return `${hop.user}@${hop.hostName}:${hop.port}`
  }

  /** The secrets one handshake with this hop may use. */
  for(hop: Pick<ResolvedTarget, 'user' | 'hostName' | 'port'>): KnownSecrets {
    const password = this.passwords.get(HopSecrets.key(hop))
    return { passphrases: this.passphrases, ...(password !== undefined ? { password } : {}) }
  }

  setPassphrase(identityFile: string, passphrase: string): void {
    this.passphrases.set(identityFile, passphrase)
  }

  setPassword(hop: Pick<ResolvedTarget, 'user' | 'hostName' | 'port'>, password: string): void {
    this.passwords.set(HopSecrets.key(hop), password)
  }

  forgetPassword(hop: Pick<ResolvedTarget, 'user' | 'hostName' | 'port'>): void {
    this.passwords.delete(HopSecrets.key(hop))
  }
}
