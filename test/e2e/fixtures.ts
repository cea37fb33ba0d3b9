import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test as base, expect, type Page } from '@playwright/test'
import WebSocket from 'ws'
import { defaultSettings, type RequestChannel, type RequestOf, type ResponseOf, type Result } from '../../shared/api'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const SERVING_LINE = /VirtPilot is serving at (http:\/\/\S+)/
const START_TIMEOUT_MS = 120_000

/** One running `virtpilot serve` with its own temporary data file. */
export interface ServeInstance {
  /** The URL printed by the server, token included. */
  entryUrl: string
  /** Scheme, host and port, without the token. */
  origin: string
  token: string
  /** Calls the api from Node, like the page does, with the session cookie. */
  call<C extends RequestChannel>(channel: C, req: RequestOf<C>): Promise<ResponseOf<C>>
}

async function startServe(dataDir: string, env: Record<string, string>): Promise<{ child: ChildProcess; entryUrl: string }> {
  if (!existsSync(join(repoRoot, 'out/renderer/index.html'))) {
    throw new Error('The renderer is not built: run `npm run build` before `npx playwright test`.')
  }
  const child = spawn(process.execPath, ['bin/virtpilot.js', 'serve', '--port', '0', '--data', join(dataDir, 'virtpilot.db')], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const entryUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`virtpilot serve printed no URL within ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = SERVING_LINE.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`virtpilot serve exited with code ${code} before serving:\n${output}`))
    })
  })
  return { child, entryUrl }
}

async function stopServe(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
  await exited
  clearTimeout(timer)
}

/** One api call over a fresh WebSocket, authenticated with the session cookie. */
export function openApiSocket(origin: string, token: string, headers: Record<string, string> = {}): WebSocket {
  // The session cookie is named for the server's port (src-main/server/auth.ts).
  const port = new URL(origin).port
  return new WebSocket(`${origin.replace(/^http/, 'ws')}/api`, { headers: { Cookie: `virtpilot-${port}=${token}`, ...headers } })
}

async function callApi(origin: string, token: string, channel: string, req: unknown): Promise<unknown> {
  const ws = openApiSocket(origin, token)
  try {
    const result = await new Promise<Result<unknown>>((resolve, reject) => {
      ws.once('error', reject)
      ws.once('open', () => ws.send(JSON.stringify({ type: 'call', id: 1, channel, req })))
      ws.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string; id?: number; result?: Result<unknown> }
        if (message.type === 'result' && message.id === 1 && message.result) resolve(message.result)
      })
    })
    if (!result.ok) throw new Error(`${channel} failed: ${result.error.code}: ${result.error.message}`)
    return result.value
  } finally {
    ws.close()
  }
}

export const test = base.extend<{ app: Page }, { serve: ServeInstance; serveEnv: Record<string, string>; ownServer: string }>({
  /** Extra environment for `virtpilot serve`; a spec that overrides it gets its own server. */
  serveEnv: [{}, { scope: 'worker', option: true }],
  /**
   * A spec that needs the demo's inbox as the engine left it sets a name here and gets a server of
   * its own (Playwright starts a worker per distinct value): the specs sharing one server approve
   * and plan the demo's few memory changes, and which are left open depended on their order.
   */
  ownServer: ['', { scope: 'worker', option: true }],

  serve: [
    async ({ serveEnv, ownServer }, use) => {
      void ownServer // only its value matters: it picks the worker
      const dataDir = mkdtempSync(join(tmpdir(), 'virtpilot-e2e-'))
      const { child, entryUrl } = await startServe(dataDir, serveEnv)
      const url = new URL(entryUrl)
      const token = url.searchParams.get('token') ?? ''
      try {
        await use({
          entryUrl,
          origin: url.origin,
          token,
          call: (channel, req) => callApi(url.origin, token, channel, req) as never,
        })
      } finally {
        await stopServe(child)
        rmSync(dataDir, { recursive: true, force: true })
      }
    },
    { scope: 'worker', timeout: 60_000 },
  ],

  /** The app opened with the access token, on the Overview, with settings back to their defaults afterwards. */
  app: async ({ page, serve }, use) => {
    const problems: string[] = []
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`)
    })
    await serve.call('settings.update', defaultSettings)
    await page.goto(serve.entryUrl)
    await expect(page.getByTestId('host-row').first()).toBeVisible()
    await use(page)
    await serve.call('settings.update', defaultSettings)
    expect(problems, 'the page logged no errors').toEqual([])
  },
})

export { expect }

/** The part of a canvas element the pixel check needs (the e2e tsconfig has no DOM lib). */
interface CanvasLike {
  width: number
  height: number
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null
}

/** Count of drawn (non-transparent) pixels in a chart's canvas. */
export async function paintedPixels(page: Page, chartTestId: string): Promise<number> {
  // As the admin sees it: a chart below the fold draws once it is scrolled into view.
  const chart = page.getByTestId(chartTestId)
  await chart.evaluate((element) => element.scrollIntoView({ block: 'center' }))
  return chart
    .locator('canvas')
    .first()
    .evaluate((element) => {
      const canvas = element as unknown as CanvasLike
      const context = canvas.getContext('2d')
      if (!context) return 0
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height)
      let painted = 0
      for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) painted++
      return painted
    })
}

/** The body's computed background colour, e.g. "rgb(16, 16, 20)". */
export async function bodyBackground(page: Page): Promise<string> {
  type StyleWindow = { getComputedStyle(element: unknown): { backgroundColor: string } }
  return page.locator('body').evaluate((body) => (globalThis as unknown as StyleWindow).getComputedStyle(body).backgroundColor)
}
