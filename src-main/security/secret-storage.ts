/**
 * The OS keychain (Electron safeStorage). Absent where encryption is unavailable (and in serve
 * mode and the CLI): then secrets are never stored, not even as a fallback.
 */
export interface SecretVault {
  encrypt(plain: string): Buffer
  decrypt(sealed: Buffer): string
}

/** Why an answer cannot be kept (the credential dialog says so in the admin's language). */
export type VaultUnavailable = 'not-desktop' | 'basic-text' | 'no-encryption'

/** What Electron's safeStorage offers here (only the calls VirtPilot uses). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean
  getSelectedStorageBackend?(): string
  encryptString(plain: string): Buffer
  decryptString(sealed: Buffer): string
}

/**
 * The OS keychain, or why there is none. On Linux without Secret Service or KWallet, safeStorage
 * still "encrypts", with the `basic_text` backend: a password hardcoded in Chromium. That is not
 * a keychain, so nothing is kept there (and what an older version kept is forgotten). `unknown`
 * (no backend chosen) counts the same way.
 */
export function vaultFrom(safeStorage: SafeStorageLike, platform: NodeJS.Platform = process.platform): { vault: SecretVault } | { unavailable: VaultUnavailable } {
  if (!safeStorage.isEncryptionAvailable()) return { unavailable: 'no-encryption' }
  if (platform === 'linux') {
    const backend = safeStorage.getSelectedStorageBackend?.() ?? 'unknown'
    if (backend === 'basic_text' || backend === 'unknown') return { unavailable: 'basic-text' }
  }
  return { vault: { encrypt: (plain) => safeStorage.encryptString(plain), decrypt: (sealed) => safeStorage.decryptString(sealed) } }
}
