import { request as playwrightRequest } from '@playwright/test'
import type WebSocket from 'ws'
import { test, expect, openApiSocket } from './fixtures'

/** How a WebSocket handshake ended: opened, or refused with an HTTP status. */
function handshake(ws: WebSocket): Promise<{ opened: true } | { opened: false; status: number | undefined }> {
  return new Promise((resolve) => {
    ws.once('open', () => {
      ws.close()
      resolve({ opened: true })
    })
    ws.once('unexpected-response', (_req, res) => {
      resolve({ opened: false, status: res.statusCode })
      ws.terminate()
    })
    // A server that just drops the socket is a refusal too.
    ws.once('error', () => resolve({ opened: false, status: undefined }))
  })
}

test.describe('Access control of serve mode', () => {
  test('the built page carries the same CSP as the header (less frame-ancestors, which a meta tag cannot hold)', async ({ page, serve }) => {
    const response = await page.goto(serve.entryUrl)
    const header = (await response!.allHeaders())['content-security-policy']!
    const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')
    expect(`${meta}; frame-ancestors 'none'`).toBe(header)
  })

  test('refuses HTTP requests without the token', async ({ serve }) => {
    const anonymous = await playwrightRequest.newContext()
    try {
      expect((await anonymous.get(`${serve.origin}/`, { maxRedirects: 0 })).status()).toBe(401)
      expect((await anonymous.get(`${serve.origin}/index.html`, { maxRedirects: 0 })).status()).toBe(401)
      expect((await anonymous.get(`${serve.origin}/?token=not-the-token`, { maxRedirects: 0 })).status()).toBe(401)
      // The right token is accepted (and traded for a cookie).
      expect((await anonymous.get(serve.entryUrl, { maxRedirects: 0 })).status()).toBe(303)
    } finally {
      await anonymous.dispose()
    }
  })

  test('refuses WebSockets from another origin or without the session', async ({ serve }) => {
    expect(await handshake(openApiSocket(serve.origin, serve.token))).toEqual({ opened: true })

    const foreign = await handshake(openApiSocket(serve.origin, serve.token, { Origin: 'http://evil.example' }))
    expect(foreign.opened).toBe(false)
    if (!foreign.opened && foreign.status !== undefined) expect(foreign.status).toBe(403)

    const withoutCookie = await handshake(openApiSocket(serve.origin, 'wrong-token'))
    expect(withoutCookie.opened).toBe(false)
    if (!withoutCookie.opened && withoutCookie.status !== undefined) expect(withoutCookie.status).toBe(401)
  })
})
