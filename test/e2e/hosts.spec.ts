import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { LoopbackSshd } from '../integration/support/sshd'
import { test as base, expect, type ServeInstance } from './fixtures'

/**
 * Two real OpenSSH servers on loopback and a ~/.ssh with a Host alias for the first. They have
 * no libvirt: a host whose key is accepted connects, then its discovery fails.
 */
interface SshLab {
  sshDir: string
  /** Reached through the `vp-e2e` alias of the lab's ~/.ssh/config. */
  aliased: LoopbackSshd
  /** Reached by a libvirt URI; its key gets refused. */
  other: LoopbackSshd
}

const ALIAS = 'vp-e2e'

const test = base.extend<object, { sshLab: SshLab }>({
  sshLab: [
    async ({}, use) => {
      const home = mkdtempSync(join(tmpdir(), 'virtpilot-e2e-home-'))
      const aliased = new LoopbackSshd()
      const other = new LoopbackSshd()
      try {
        await Promise.all([aliased.start(), other.start()])
        const sshDir = join(home, '.ssh')
        mkdirSync(sshDir, { mode: 0o700 })
        writeFileSync(
          join(sshDir, 'config'),
          `Host ${ALIAS}\n  HostName 127.0.0.1\n  Port ${aliased.port}\n  User ${aliased.user}\n  IdentityFile ${aliased.clientKey}\n`,
        )
        await use({ sshDir, aliased, other })
      } finally {
        await Promise.all([aliased.dispose(), other.dispose()])
        rmSync(home, { recursive: true, force: true })
      }
    },
    { scope: 'worker' },
  ],
  // This spec's server reads the lab's ~/.ssh; overriding the env gives it a server of its own.
  serveEnv: [async ({ sshLab }, use) => use({ VIRTPILOT_SSH_DIR: sshLab.sshDir }), { scope: 'worker' }],
})

/** The OpenSSH fingerprint of a host's public key: SHA256 of the key blob, base64 without padding. */
function fingerprintOf(sshd: LoopbackSshd): string {
  const blob = Buffer.from(sshd.hostPublicKeyBase64(), 'base64')
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/={1,2}$/, '')}`
}

function uriOf(sshd: LoopbackSshd): string {
  return `qemu+ssh://${sshd.user}@127.0.0.1:${sshd.port}/system`
}

async function removeAllHosts(serve: ServeInstance): Promise<void> {
  for (const host of await serve.call('hosts.list', {})) await serve.call('hosts.remove', { id: host.id })
}

/** Adds a host through the dialog, as the admin does. */
async function addHost(page: Page, target: string, displayName?: string): Promise<void> {
  await page.getByTestId('add-host').click()
  const dialog = page.getByTestId('add-host-dialog')
  await expect(dialog).toBeVisible()
  await dialog.getByTestId('add-host-target').locator('input').fill(target)
  if (displayName) await dialog.getByTestId('add-host-name').locator('input').fill(displayName)
  await dialog.getByTestId('add-host-submit').click()
}

/** Adds a host over the api and answers its key question (unless the key is trusted already), for tests about something else. */
async function addAnswered(serve: ServeInstance, target: string, accept: boolean, displayName?: string): Promise<string> {
  const added = await serve.call('hosts.add', { target, ...(displayName ? { displayName } : {}) })
  const current = async () => (await serve.call('hosts.list', {})).find((h) => h.id === added.id)
  await expect.poll(async () => Boolean((await current())?.pendingHostKey) || (await current())?.state === 'online').toBe(true)
  const pending = (await current())?.pendingHostKey
  if (pending) await serve.call('hosts.answerHostKey', { promptId: pending.promptId, accept })
  return added.id
}

const row = (page: Page, id: string) => page.locator(`[data-testid="managed-host-row"][data-host-id="${id}"]`)

test.describe('Hosts: adding real hosts over SSH', () => {
  test.afterEach(async ({ serve }) => removeAllHosts(serve))

  test('shows the server’s validation error beside the target', async ({ app, serve }) => {
    await app.getByTestId('nav-hosts').click()
    await expect(app.getByTestId('managed-hosts-empty')).toContainText('No hosts added yet.')
    await addHost(app, 'bad host;rm')

    const field = app.getByTestId('add-host-target-item')
    await expect(field).toContainText('is not a valid host name, address or ~/.ssh/config alias')
    await expect(app.getByTestId('add-host-dialog')).toBeVisible()
    expect(await serve.call('hosts.list', {})).toEqual([])
    await app.screenshot({ path: 'test-results/hosts-add-invalid.png' })

    // Editing the target clears the complaint; a valid one is then accepted.
    await app.getByTestId('add-host-target').locator('input').fill(ALIAS)
    await expect(field).not.toContainText('is not a valid')
  })

  test('adds a host by its ~/.ssh/config alias, verifies its key, and shows why collection fails', async ({ app, serve, sshLab }) => {
    await expect(app.getByTestId('demo-banner')).toBeVisible()
    await app.getByTestId('nav-hosts').click()
    await addHost(app, ALIAS, 'Lab host one')

    const dialog = app.getByTestId('host-key-dialog')
    await expect(dialog).toContainText('Verify the host key of Lab host one')
    await expect(dialog.getByTestId('host-key-fingerprint')).toHaveText(fingerprintOf(sshLab.aliased))
    await expect(dialog.getByTestId('host-key-type')).toHaveText('ssh-ed25519')
    await expect(dialog.getByTestId('host-key-command')).toHaveText('ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub')
    await expect(dialog).toContainText('127.0.0.1, port ' + sshLab.aliased.port)
    // The first real host turned the demo cluster off.
    await expect(app.getByTestId('demo-banner')).toBeHidden()
    await app.mouse.move(0, 0)
    await app.screenshot({ path: 'test-results/hosts-key-dialog.png' })

    await dialog.getByTestId('host-key-accept').click()
    await expect(dialog).toBeHidden()
    const [host] = await serve.call('hosts.list', {})
    expect(host?.displayName).toBe('Lab host one')
    const hostRow = row(app, host!.id)
    await expect(hostRow.getByTestId('managed-host-target')).toHaveText(ALIAS)

    // Connected over SSH, but the loopback sshd has no libvirt: the next poll's discovery fails.
    const state = hostRow.getByTestId('connection-state')
    await expect(state).toHaveAttribute('data-state', 'collection-failed', { timeout: 30_000 })
    // VirtPilot's words (which step failed, and the hint), with what virsh said on the host in them, verbatim.
    const error = hostRow.getByTestId('managed-host-error')
    await expect(error).toContainText('discovery failed: capabilities: exit 1', { timeout: 30_000 })
    await expect(error).not.toContainText('capabilities: capabilities')
    await expect(error).toContainText('Failed to connect socket to')
    await expect(error).toContainText('Is libvirtd running on the host')
    await expect(hostRow.getByTestId('managed-host-error')).not.toContainText('not trusted')
    await expect(hostRow.getByTestId('managed-host-contact')).toHaveText('Connected now')
    await expect(app.getByTestId('no-inventory')).toContainText('None of your hosts has reported an inventory yet.')
    expect((await serve.call('settings.get', {})).demoEnabled).toBe(false)

    await app.getByTestId('nav-overview').click()
    await expect(app.getByText('No host has reported an inventory yet.')).toBeVisible()
    await expect(app.getByTestId('demo-banner')).toBeHidden()
  })

  test('refusing a host key leaves the host rejected with its error', async ({ app, serve, sshLab }) => {
    await app.getByTestId('nav-hosts').click()
    await addHost(app, uriOf(sshLab.other))

    const dialog = app.getByTestId('host-key-dialog')
    await expect(dialog.getByTestId('host-key-fingerprint')).toHaveText(fingerprintOf(sshLab.other))
    await dialog.getByTestId('host-key-refuse').click()
    await expect(dialog).toBeHidden()

    const [host] = await serve.call('hosts.list', {})
    const hostRow = row(app, host!.id)
    await expect(hostRow.getByTestId('connection-state')).toHaveAttribute('data-state', 'host-key-rejected')
    await expect(hostRow.getByTestId('connection-state')).toHaveText('Host key rejected')
    await expect(hostRow.getByTestId('managed-host-error')).toContainText(fingerprintOf(sshLab.other))
    await expect(hostRow).toContainText('remove it and add it again')
    expect(host?.state).toBe('host-key-rejected')
  })

  test('puts a key question aside, asks again on request, and removes a host after confirming', async ({ app, serve, sshLab }) => {
    await app.getByTestId('nav-hosts').click()
    // A key nobody answered yet (the aliased host's may be trusted by an earlier test).
    const added = await serve.call('hosts.add', { target: uriOf(sshLab.other) })
    const dialog = app.getByTestId('host-key-dialog')
    await expect(dialog).toBeVisible()
    await dialog.getByTestId('host-key-later').click()
    await expect(dialog).toBeHidden()

    const hostRow = row(app, added.id)
    await expect(hostRow.getByTestId('connection-state')).toHaveAttribute('data-state', 'verify-key')
    await hostRow.getByTestId('verify-host-key').click()
    await expect(dialog).toBeVisible()
    await dialog.getByTestId('host-key-later').click()

    await hostRow.getByTestId('remove-host').click()
    await expect(app.getByTestId('remove-host-confirm')).toContainText(`Remove ${added.displayName}?`)
    await app.getByRole('button', { name: 'Remove', exact: true }).last().click()
    await expect(hostRow).toHaveCount(0)
    await expect(app.getByTestId('managed-hosts-empty')).toBeVisible()
    expect(await serve.call('hosts.list', {})).toEqual([])
  })

  test('looks right in light and dark, English and Chinese', async ({ app, serve, sshLab }) => {
    await addAnswered(serve, ALIAS, true, 'kvm-lab-1')
    // The demo next to them fills the inventory section, as when an admin turns it back on.
    await serve.call('settings.update', { demoEnabled: true })
    await app.getByTestId('nav-hosts').click()
    await expect(row(app, 'kvm-lab-1').getByTestId('managed-host-error')).toContainText(/hypervisor|libvirt/, { timeout: 30_000 })
    // Refused in the page, so the page does not ask again when the server re-asks.
    await addHost(app, uriOf(sshLab.other), 'kvm-lab-2')
    await app.getByTestId('host-key-refuse').click()
    await expect(row(app, 'kvm-lab-2').getByTestId('connection-state')).toHaveAttribute('data-state', 'host-key-rejected')
    await expect(app.getByTestId('managed-host-row')).toHaveCount(2)
    await expect(app.getByTestId('demo-banner')).toContainText('your hosts have sent no inventory yet')
    await expect(app.getByTestId('vm-row').first()).toContainText('%')
    await expect(app.locator('.n-message')).toHaveCount(0)

    for (const [language, theme] of [['en', 'light'], ['en', 'dark'], ['zh-CN', 'light'], ['zh-CN', 'dark']] as const) {
      await serve.call('settings.update', { language, theme })
      await expect(app.locator('html')).toHaveAttribute('data-theme', theme)
      await expect(app.locator('html')).toHaveAttribute('lang', language)
      await expect(app.getByTestId('add-host')).toHaveText(language === 'en' ? 'Add host' : '添加宿主机')
      await app.mouse.move(0, 0)
      await app.screenshot({ path: `test-results/hosts-${language}-${theme}.png` })
    }
  })
})
