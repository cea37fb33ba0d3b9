import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LoopbackSshd } from '../integration/support/sshd'
import { test as base, expect } from './fixtures'

/** A real OpenSSH server on loopback that accepts only a passphrase-protected key. */
interface KeyLab {
  sshDir: string
  sshd: LoopbackSshd
}

const PASSPHRASE = 'correct horse battery'

const test = base.extend<object, { keyLab: KeyLab }>({
  keyLab: [
    async ({}, use) => {
      const home = mkdtempSync(join(tmpdir(), 'virtpilot-e2e-key-'))
      const sshd = new LoopbackSshd()
      try {
        const sshDir = join(home, '.ssh')
        mkdirSync(sshDir, { mode: 0o700 })
        const key = join(sshDir, 'locked_ed25519')
        execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', PASSPHRASE, '-f', key])
        sshd.authorize(`${key}.pub`)
        await sshd.start()
        writeFileSync(join(sshDir, 'config'), `Host locked\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${sshd.user}\n  IdentityFile ${key}\n  IdentitiesOnly yes\n`)
        writeFileSync(join(sshDir, 'known_hosts'), `[127.0.0.1]:${sshd.port} ssh-ed25519 ${sshd.hostPublicKeyBase64()}\n`)
        await use({ sshDir, sshd })
      } finally {
        await sshd.dispose()
        rmSync(home, { recursive: true, force: true })
      }
    },
    { scope: 'worker' },
  ],
  serveEnv: [async ({ keyLab }, use) => use({ VIRTPILOT_SSH_DIR: keyLab.sshDir }), { scope: 'worker' }],
})

test.describe('Credentials', () => {
  test('asks for the passphrase of an encrypted key, never offers to keep it without a keychain, and connects', async ({ app, serve }) => {
    await serve.call('hosts.add', { target: 'locked' })
    const dialog = app.getByTestId('credential-dialog')
    await expect(dialog).toBeVisible()
    await expect(dialog).toContainText('locked_ed25519')
    // serve mode has no OS keychain: nothing can be remembered.
    await expect(dialog).toContainText('Not kept')
    await dialog.getByTestId('credential-secret').locator('input').fill(PASSPHRASE)
    await dialog.getByTestId('credential-connect').click()
    await expect(dialog).toBeHidden()
    // Logged in: the loopback sshd has no libvirt, so what remains is a discovery error, not authentication.
    await expect
      .poll(async () => (await serve.call('hosts.list', {})).find((h) => h.id === 'locked')?.state, { timeout: 30_000 })
      .toBe('online')
    for (const host of await serve.call('hosts.list', {})) await serve.call('hosts.remove', { id: host.id })
  })
})
