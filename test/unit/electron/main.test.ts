import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DebugLogger } from 'builder-util'
import { validateConfiguration } from 'app-builder-lib/out/util/config/config'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { IPC_EVENT, IPC_INVOKE } from '../../../shared/api'
import { CONTENT_SECURITY_POLICY } from '../../../src-main/security/csp'
import { vaultFrom } from '../../../src-main/security/secret-storage'
import { formatKnownHostLine } from '../../../src-main/ssh/known-hosts'
import { openStore } from '../../../src-main/store'
import { startSshServer, type TestSshServer } from '../support/ssh-server'

// The Electron binary cannot be downloaded here, so `electron` is a FAKE in this file (the one
// part that cannot exist in this environment): it records what src-main/index.ts asks of Electron.
// Everything behind it is real: services, store, api dispatch, an SSH server on loopback.

interface FakeWebContents {
  listeners: Map<string, (...args: unknown[]) => void>
  openHandler?: (details: { url: string }) => { action: string }
  sent: unknown[][]
}
interface FakeWindow {
  options: { webPreferences: Record<string, unknown> } & Record<string, unknown>
  webContents: FakeWebContents
  loaded?: string
}

const fake = vi.hoisted(() => {
  const state = {
    isPackaged: false,
    backend: 'gnome_libsecret',
    userData: '',
    windows: [] as FakeWindow[],
    ipc: new Map<string, (event: unknown, ...args: unknown[]) => unknown>(),
    headers: undefined as undefined | ((details: { responseHeaders: Record<string, string[]> }, callback: (r: unknown) => void) => void),
    permission: undefined as undefined | ((wc: unknown, permission: string, callback: (granted: boolean) => void) => void),
    menu: undefined as undefined | { template: { role?: string; submenu?: { role?: string }[] }[] },
    external: [] as string[],
    appEvents: new Map<string, () => void>(),
  }
  class BrowserWindow {
    webContents: FakeWebContents
    loaded?: string
    constructor(readonly options: FakeWindow['options']) {
      const listeners = new Map<string, (...args: unknown[]) => void>()
      this.webContents = {
        listeners,
        sent: [],
        on(event: string, listener: (...args: unknown[]) => void) {
          listeners.set(event, listener)
          return this
        },
        setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
          this.openHandler = handler
        },
        send(...args: unknown[]) {
          this.sent.push(args)
        },
      } as FakeWebContents & Record<string, unknown>
      state.windows.push(this)
    }
    loadURL(url: string) {
      this.loaded = url
      return Promise.resolve()
    }
    on() {
      return this
    }
    once() {
      return this
    }
    isDestroyed() {
      return false
    }
    static getAllWindows() {
      return state.windows
    }
  }
  const electron = {
    app: {
      setName: () => undefined,
      get isPackaged() {
        return state.isPackaged
      },
      whenReady: () => Promise.resolve(),
      getPath: () => state.userData,
      getAppPath: () => process.cwd(),
      on: (event: string, listener: () => void) => state.appEvents.set(event, listener),
      quit: () => undefined,
    },
    BrowserWindow,
    ipcMain: { handle: (channel: string, handler: (event: unknown, ...args: unknown[]) => unknown) => state.ipc.set(channel, handler) },
    Menu: {
      buildFromTemplate: (template: unknown) => ({ template }),
      setApplicationMenu: (menu: typeof state.menu) => (state.menu = menu),
    },
    safeStorage: {
      isEncryptionAvailable: () => true,
      getSelectedStorageBackend: () => state.backend,
      encryptString: (plain: string) => Buffer.from(`sealed:${plain}`),
      decryptString: (sealed: Buffer) => sealed.toString().slice('sealed:'.length),
    },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: (listener: typeof state.headers) => (state.headers = listener) },
        setPermissionRequestHandler: (handler: typeof state.permission) => (state.permission = handler),
      },
    },
    shell: { openExternal: (url: string) => (state.external.push(url), Promise.resolve()) },
  }
  return { state, electron }
})

vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }))

let dir: string
let server: TestSshServer

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'virtpilot-electron-'))
  // A host that wants a password: the credential question shows what the keychain allows.
  server = await startSshServer({ authenticate: (ctx) => ctx.reject(['password']) })
  mkdirSync(join(dir, '.ssh'))
  writeFileSync(join(dir, '.ssh', 'known_hosts'), formatKnownHostLine('127.0.0.1', server.port, server.hostKeyBlob))
  writeFileSync(join(dir, '.ssh', 'config'), 'Host *\n  IdentityFile /nonexistent\n')
})

afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

afterEach(() => {
  vi.unstubAllEnvs()
})

/** Boots src-main/index.ts afresh with the fake Electron in the given state; resolves once its window exists. */
async function boot(options: { isPackaged: boolean; backend: string; rendererUrl?: string; name: string }): Promise<{ window: FakeWindow; quit: () => Promise<void>; dataFile: string }> {
  Object.assign(fake.state, { isPackaged: options.isPackaged, backend: options.backend, userData: join(dir, options.name), windows: [], menu: undefined, external: [] })
  fake.state.ipc.clear()
  const dataFile = join(dir, options.name, 'virtpilot.db')
  vi.stubEnv('VIRTPILOT_DATA', dataFile)
  vi.stubEnv('VIRTPILOT_SSH_DIR', join(dir, '.ssh'))
  vi.stubEnv('ELECTRON_RENDERER_URL', options.rendererUrl)
  vi.resetModules()
  await import('../../../src-main/index')
  const deadline = Date.now() + 60_000
  while (fake.state.windows.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  const window = fake.state.windows[0]!
  return {
    window,
    dataFile,
    quit: async () => {
      fake.state.appEvents.get('will-quit')!()
      await new Promise((r) => setTimeout(r, 200))
    },
  }
}

function invoke(frame: { parent: unknown; url: string } | null, channel: string, req: unknown): Promise<{ ok: boolean; error?: { code: string; message: string }; value?: unknown }> {
  return Promise.resolve(fake.state.ipc.get(IPC_INVOKE)!({ senderFrame: frame }, channel, req)) as never
}

describe('the Electron shell (electron faked: the binary cannot be downloaded here)', { timeout: 120_000 }, () => {
  it('in a checkout: a locked-down window, devtools allowed, the dev server honoured, the keychain used', async () => {
    const { window, quit } = await boot({ isPackaged: false, backend: 'gnome_libsecret', rendererUrl: 'http://localhost:5173/', name: 'dev' })
    try {
      expect(window.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, allowRunningInsecureContent: false, webviewTag: false, devTools: true })
      expect(window.loaded).toBe('http://localhost:5173/')
      expect(fake.state.menu).toBeUndefined()
      expect((await invoke({ parent: null, url: 'http://localhost:5173/#/hosts' }, 'app.info', {})).ok).toBe(true)
    } finally {
      await quit()
    }
  })

  it('packaged: no devtools, no developer menu, ELECTRON_RENDERER_URL ignored, navigation and new windows leave the app, IPC only from its own top frame', async () => {
    const { window, quit } = await boot({ isPackaged: true, backend: 'gnome_libsecret', rendererUrl: 'http://evil.example/', name: 'packaged' })
    try {
      expect(window.options.webPreferences.devTools).toBe(false)
      expect(window.loaded).toMatch(/^file:\/\/.*\/renderer\/index\.html$/)
      const roles = JSON.stringify(fake.state.menu!.template)
      expect(roles).not.toMatch(/toggleDevTools|reload|forceReload/)
      expect(roles).toContain('editMenu')

      const navigate = window.webContents.listeners.get('will-navigate')!
      for (const [url, prevented, opened] of [
        ['https://docs.example/kvm', true, true],
        ['javascript:alert(1)', true, false],
        [window.loaded!, false, false],
      ] as const) {
        const event = { preventDefault: vi.fn() }
        fake.state.external = []
        navigate(event, url)
        expect(event.preventDefault.mock.calls.length > 0, url).toBe(prevented)
        expect(fake.state.external, url).toEqual(opened ? [url] : [])
      }
      fake.state.external = []
      expect(window.webContents.openHandler!({ url: 'https://example.org/' })).toEqual({ action: 'deny' })
      expect(window.webContents.openHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' })
      expect(fake.state.external).toEqual(['https://example.org/'])
      const webview = { preventDefault: vi.fn() }
      window.webContents.listeners.get('will-attach-webview')!(webview)
      expect(webview.preventDefault).toHaveBeenCalled()

      expect(await invoke({ parent: null, url: window.loaded! }, 'app.info', {})).toMatchObject({ ok: true, value: { transport: 'electron' } })
      for (const frame of [{ parent: {}, url: window.loaded! }, { parent: null, url: 'http://evil.example/' }, null]) {
        expect(await invoke(frame, 'app.info', {})).toEqual({ ok: false, error: { code: 'forbidden', message: 'IPC from an untrusted frame' } })
      }

      let headers: unknown
      fake.state.headers!({ responseHeaders: { 'X-Other': ['1'] } }, (r) => (headers = r))
      expect(headers).toEqual({ responseHeaders: { 'X-Other': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } })
      const granted = vi.fn()
      fake.state.permission!(undefined, 'media', granted)
      expect(granted).toHaveBeenCalledWith(false)
    } finally {
      await quit()
    }
  })

  it('on Linux with only the basic_text backend nothing is remembered, the dialog says why, and what an older version kept is forgotten', async () => {
    // An earlier version kept a password under basic_text (a fixed key): as good as plain text.
    mkdirSync(join(dir, 'basic'), { recursive: true })
    const old = openStore(join(dir, 'basic', 'virtpilot.db'))
    old.secrets.set('password:admin@old', Buffer.from('sealed:hunter2'))
    old.close()
    const { window, quit, dataFile } = await boot({ isPackaged: true, backend: 'basic_text', name: 'basic' })
    try {
      const added = await invoke({ parent: null, url: window.loaded! }, 'hosts.add', { target: `admin@127.0.0.1:${server.port}` })
      expect(added.ok).toBe(true)
      const deadline = Date.now() + 60_000
      let request: { canRemember: boolean; rememberUnavailable?: string } | undefined
      while (!request && Date.now() < deadline) {
        request = window.webContents.sent.find((s) => s[0] === IPC_EVENT && s[1] === 'credentials.requested')?.[2] as typeof request
        await new Promise((r) => setTimeout(r, 50))
      }
      expect(request).toMatchObject({ canRemember: false, rememberUnavailable: 'basic-text' })
      // Not left behind in free pages or the WAL either.
      for (const file of [dataFile, `${dataFile}-wal`]) expect(readFileSync(file).includes('hunter2'), file).toBe(false)
      const reopened = openStore(dataFile)
      expect(reopened.secrets.get('password:admin@old')).toBeUndefined()
      reopened.close()
    } finally {
      await quit()
    }
  })

  it('chooses the keychain only where it encrypts for real', () => {
    const storage = (backend: string, available = true) => ({ isEncryptionAvailable: () => available, getSelectedStorageBackend: () => backend, encryptString: (s: string) => Buffer.from(s), decryptString: (b: Buffer) => b.toString() })
    expect(vaultFrom(storage('basic_text'), 'linux')).toEqual({ unavailable: 'basic-text' })
    expect(vaultFrom(storage('unknown'), 'linux')).toEqual({ unavailable: 'basic-text' })
    expect(vaultFrom(storage('kwallet5'), 'linux')).toHaveProperty('vault')
    expect(vaultFrom(storage('basic_text', false), 'darwin')).toEqual({ unavailable: 'no-encryption' })
    expect(vaultFrom(storage('unknown'), 'win32')).toHaveProperty('vault')
  })
})

describe('packaging', { timeout: 60_000 }, () => {
  it('flips the Electron fuses in the electron-builder config, which electron-builder itself accepts', async () => {
    const config = parseYaml(readFileSync('build/electron-builder.yml', 'utf8')) as { electronFuses: Record<string, boolean> }
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    })
    await expect(validateConfiguration(config as never, new DebugLogger(false))).resolves.toBeUndefined()
  })
})
