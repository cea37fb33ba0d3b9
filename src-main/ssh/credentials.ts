/**
 * Where passphrases and passwords come from: the desktop app asks the admin (and may keep the
 * answer with Electron safeStorage), the CLI asks on its terminal or relies on the agent.
 * Returning undefined means "none given": that auth method is skipped.
 */
export interface CredentialPrompter {
  keyPassphrase(keyFile: string, hostLabel: string): Promise<string | undefined>
  password(user: string, hostLabel: string): Promise<string | undefined>
}

/** For non-interactive runs (tests, CI, a CLI without a terminal): agent and unencrypted keys only. */
export const noPrompts: CredentialPrompter = {
  keyPassphrase: async () => undefined,
  password: async () => undefined,
}
