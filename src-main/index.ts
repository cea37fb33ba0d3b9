import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { app, BrowserWindow, ipcMain, Menu, safeStorage, session, shell } from 'electron'
import { dispatch, IPC_EVENT, IPC_INVOKE } from '../shared/api'
import pkg from '../package.json'
import { CONTENT_SECURITY_POLICY } from './security/csp'
import { vaultFrom } from './security/secret-storage'
import { isSafeExternalUrl, isTrustedRendererUrl } from './security/trust'
import { createServices, type Services } from './services/services'

// Electron only hosts VirtPilot: everything below the window lives in plain Node modules.
app.setName('VirtPilot')

function dataFlag(): string | undefined {
  const i = process.argv.indexOf('--data')
  return i >= 0 ? process.argv[i + 1] : undefined
}

/** In a checkout, better-sqlite3 in node_modules is built for Node; build/electron-native.mjs makes one for Electron. */
function electronSqliteBinding(): string | undefined {
  if (app.isPackaged) return undefined
  const file = join(app.getAppPath(), 'out', 'electron-native', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')
  return existsSync(file) ? file : undefined
}

function rendererUrl(): string {
  // electron-vite's dev server, in a checkout only: in a packaged app whoever sets this variable
  // would make their own page the trusted renderer.
  const dev = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL
  return dev ?? `file://${join(__dirname, '../renderer/index.html')}`
}

/** The packaged app's menu: editing, zoom and windows, no developer tools or reload. */
function productionMenu(): Menu {
  return Menu.buildFromTemplate([
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    { label: 'View', submenu: [{ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }] },
    { role: 'windowMenu' },
  ])
}

function openExternal(url: string): void {
  if (isSafeExternalUrl(url)) void shell.openExternal(url)
}

function createWindow(services: Services): BrowserWindow {
  const win = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 960,
    minHeight: 600,
    title: 'VirtPilot',
    show: false,
    webPreferences: {
      preload: join(__dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: !app.isPackaged,
    },
  })
  const trusted = rendererUrl()
  win.webContents.on('will-navigate', (event, url) => {
    if (!isTrustedRendererUrl(url, trusted)) {
      event.preventDefault()
      openExternal(url)
    }
  })
  win.webContents.setWindowOpenHandler(({ url }) => {
    openExternal(url)
    return { action: 'deny' }
  })
  win.webContents.on('will-attach-webview', (event) => event.preventDefault())
  const off = services.events.onAny((event, payload) => {
    if (!win.isDestroyed()) win.webContents.send(IPC_EVENT, event, payload)
  })
  win.on('closed', off)
  win.once('ready-to-show', () => win.show())
  void win.loadURL(trusted)
  return win
}

async function boot(): Promise<void> {
  await app.whenReady()
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } })
  })
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  if (app.isPackaged) Menu.setApplicationMenu(productionMenu())

  const binding = electronSqliteBinding()
  // Secrets are kept only in a real OS keychain; never in plain text, nor behind basic_text's fixed password.
  const keychain = vaultFrom(safeStorage)
  const services = createServices({
    transport: 'electron',
    dataFile: dataFlag() ?? process.env.VIRTPILOT_DATA ?? join(app.getPath('userData'), 'virtpilot.db'),
    version: pkg.version,
    store: binding ? { nativeBinding: binding } : {},
    ...('vault' in keychain ? { vault: keychain.vault } : { vaultUnavailable: keychain.unavailable }),
  })
  ipcMain.handle(IPC_INVOKE, (event, channel: unknown, req: unknown) => {
    const frame = event.senderFrame
    // Only the app's own top-level page may call the api.
    if (!frame || frame.parent !== null || !isTrustedRendererUrl(frame.url, rendererUrl())) {
      return { ok: false, error: { code: 'forbidden', message: 'IPC from an untrusted frame' } }
    }
    return dispatch(services.handlers, channel, req, { transport: 'electron' })
  })
  await services.start()
  createWindow(services)

  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow(services)
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  app.on('will-quit', () => void services.stop())
}

void boot()
