import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveStaticFile, sendStaticFile } from '../../../src-main/server/static-files'

let root: string
let server: Server
let port: number
const script = `export const rows = ${JSON.stringify(Array.from({ length: 400 }, (_, i) => ({ id: i, name: `vm-${i}` })))}\n`

beforeAll(async () => {
  root = join(mkdtempSync(join(tmpdir(), 'virtpilot-static-')), 'renderer')
  mkdirSync(join(root, 'assets'), { recursive: true })
  writeFileSync(join(root, 'index.html'), `<!doctype html><title>VirtPilot</title><script src="./assets/index-AbCd1234.js"></script>${' '.repeat(2000)}`)
  writeFileSync(join(root, 'assets', 'index-AbCd1234.js'), script)
  writeFileSync(join(root, 'assets', 'tiny-ZyXw9876.css'), 'a{}')
  server = createServer((req, res) => {
    void (async () => {
      const file = await resolveStaticFile(root, new URL(req.url ?? '/', 'http://x').pathname)
      if (!file) {
        res.writeHead(404)
        return res.end()
      }
      await sendStaticFile(req, res, root, file, { 'X-Content-Type-Options': 'nosniff' })
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
})

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  rmSync(join(root, '..'), { recursive: true, force: true })
})

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('static files of serve mode', () => {
  it('sends brotli to a browser that takes it, gzip to one that takes only gzip, plain otherwise', async () => {
    const br = await get('/assets/index-AbCd1234.js', { 'Accept-Encoding': 'gzip, deflate, br' })
    expect(br.headers['content-encoding']).toBe('br')
    expect(brotliDecompressSync(br.body).toString()).toBe(script)
    expect(br.body.length).toBeLessThan(script.length / 3)
    expect(br.headers.vary).toBe('Accept-Encoding')

    const gz = await get('/assets/index-AbCd1234.js', { 'Accept-Encoding': 'gzip' })
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(gz.body).toString()).toBe(script)

    const refused = await get('/assets/index-AbCd1234.js', { 'Accept-Encoding': 'br;q=0, gzip;q=0' })
    expect(refused.headers['content-encoding']).toBeUndefined()
    expect(refused.body.toString()).toBe(script)
    expect(refused.headers['x-content-type-options']).toBe('nosniff')
  })

  it('leaves tiny files uncompressed', async () => {
    const css = await get('/assets/tiny-ZyXw9876.css', { 'Accept-Encoding': 'br' })
    expect(css.headers['content-encoding']).toBeUndefined()
    expect(css.body.toString()).toBe('a{}')
  })

  it('caches hashed assets for a year without revalidation, and makes index.html revalidate', async () => {
    const asset = await get('/assets/index-AbCd1234.js')
    expect(asset.headers['cache-control']).toBe('private, max-age=31536000, immutable')
    const page = await get('/')
    expect(page.headers['cache-control']).toBe('no-cache')
    expect(page.body.toString()).toContain('<title>VirtPilot</title>')
  })

  it('answers 304 when the browser holds the current version', async () => {
    const first = await get('/index.html')
    const etag = String(first.headers.etag)
    expect(etag).toMatch(/^".+"$/)
    const again = await get('/index.html', { 'If-None-Match': etag })
    expect(again.status).toBe(304)
    expect(again.body.length).toBe(0)
    const changed = await get('/index.html', { 'If-None-Match': '"something-else"' })
    expect(changed.status).toBe(200)
  })

  it('never serves a file outside the renderer', async () => {
    writeFileSync(join(root, '..', 'secret.txt'), 'outside')
    const escaped = await get('/..%2fsecret.txt')
    expect(escaped.body.toString()).not.toContain('outside')
  })
})
