import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createWebSocketBridge } from '../../../src-renderer/api/websocket-bridge'
import { MAX_IMPORT_BYTES, MAX_MESSAGE_BYTES, startServer, type RunningServer } from '../../../src-main/server/server'
import { createServices, type Services } from '../../../src-main/services/services'

// Large What-if imports from the browser: the real server over a real WebSocket.
let dir: string
let services: Services
let server: RunningServer
/** The same server code with a small message cap, so the over-cap case needs no 128 MiB frame. */
let small: RunningServer
const SMALL_CAP = 2 * 1024 * 1024

// Starting the services (the demo cluster's first polls) takes seconds on a busy machine.
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'virtpilot-size-'))
  mkdirSync(join(dir, 'renderer'))
  writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>VirtPilot</title>')
  services = createServices({ transport: 'serve', dataFile: ':memory:', version: 'test', pollIntervalMs: 100, scheduleAnalysis: false, log: () => {} })
  await services.start()
  server = await startServer({ services, rendererDir: join(dir, 'renderer'), host: '127.0.0.1', port: 0 })
  small = await startServer({ services, rendererDir: join(dir, 'renderer'), host: '127.0.0.1', port: 0, maxMessageBytes: SMALL_CAP })
}, 60_000)

afterAll(async () => {
  await server.close()
  await small.close()
  await services.stop()
  rmSync(dir, { recursive: true, force: true })
})

function openSocket(s: RunningServer): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}/api`, { headers: { Cookie: `${s.cookieName}=${s.token}`, Origin: `http://127.0.0.1:${s.port}` } })
    ws.once('open', () => resolve(ws))
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    ws.once('error', reject)
  })
}

type Reply = { ok: boolean; value?: { vms: number; steps: number }; error?: { code: string; message: string; details?: string[] } }

/** One call; rejects with the close code and reason if the socket closes first. */
function call(ws: WebSocket, id: number, channel: string, req: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const onMessage = (data: WebSocket.RawData) => {
      const msg = JSON.parse(String(data))
      if (msg.type === 'result' && msg.id === id) {
        cleanup()
        resolve(msg.result)
      }
    }
    const onClose = (code: number, reason: Buffer) => {
      cleanup()
      reject(Object.assign(new Error(`closed ${code}: ${String(reason)}`), { code, reason: String(reason) }))
    }
    const cleanup = () => {
      ws.off('message', onMessage)
      ws.off('close', onClose)
    }
    ws.on('message', onMessage)
    ws.on('close', onClose)
    ws.send(JSON.stringify({ type: 'call', id, channel, req }))
  })
}

/** A generic trace CSV of about `bytes`: 8 VMs with 5-minute rows. */
function traceCsv(bytes: number): string {
  const lines = ['vm,timestamp,cpu,mem,vcpus,memory,host']
  let size = lines[0]!.length
  const start = Date.UTC(2024, 0, 1) / 1000
  for (let row = 0; size < bytes; row++) {
    const line = `vm${row % 8},${start + Math.floor(row / 8) * 300},${(1 + (row % 5) * 0.25).toFixed(2)},${2048 + (row % 7) * 64},4,8192,h${row % 2}`
    lines.push(line)
    size += line.length + 1
  }
  return lines.join('\n')
}

describe('serve mode message size', () => {
  it('allows messages far above the old 1 MiB cap: the largest import fits with its JSON escaping', () => {
    expect(MAX_IMPORT_BYTES).toBe(64 * 1024 * 1024)
    expect(MAX_MESSAGE_BYTES).toBeGreaterThanOrEqual(2 * MAX_IMPORT_BYTES)
  })

  it('imports a trace CSV of several MiB sent as one message and answers it', async () => {
    const ws = await openSocket(server)
    const text = traceCsv(5 * 1024 * 1024)
    expect(JSON.stringify({ type: 'call', id: 1, channel: 'whatif.import', req: { fileName: 'big.csv', text } }).length).toBeGreaterThan(5 * 1024 * 1024)
    const reply = await call(ws, 1, 'whatif.import', { fileName: 'big.csv', text })
    expect(reply.ok).toBe(true)
    expect(reply.value).toMatchObject({ vms: 8 })
    expect(reply.value!.steps).toBeGreaterThan(10_000)
    ws.close()
  }, 60_000)

  it('answers an import above 64 MiB with a bad-request error naming the limit, and the socket stays open', async () => {
    const ws = await openSocket(server)
    const reply = await call(ws, 2, 'whatif.import', { fileName: 'huge.csv', text: 'x'.repeat(MAX_IMPORT_BYTES + 1) })
    expect(reply).toMatchObject({ ok: false, error: { code: 'bad-request' } })
    expect(reply.error!.details!.join('\n')).toMatch(/text: .*67108864/)
    // Still usable: the next call gets its answer.
    expect(await call(ws, 3, 'whatif.list', {})).toMatchObject({ ok: true })
    ws.close()
  }, 60_000)

  it('closes with 1009 and the limit as the reason (JSON, for the page to say) when a message is over the cap, never silently', async () => {
    const ws = await openSocket(small)
    const error = await call(ws, 4, 'whatif.import', { fileName: 'big.csv', text: traceCsv(SMALL_CAP + 1024) }).then(
      () => null,
      (e: { code: number; reason: string }) => e,
    )
    expect(error).toMatchObject({ code: 1009 })
    expect(JSON.parse(error!.reason)).toEqual({ limitBytes: SMALL_CAP })
    // The server is fine: a new socket works.
    const again = await openSocket(small)
    expect(await call(again, 5, 'whatif.list', {})).toMatchObject({ ok: true })
    again.close()
  }, 60_000)

  it('the page\'s bridge reports an over-cap call as a bad request naming the limit, not as a lost connection', async () => {
    // The page's WebSocket is the browser's; here ws's client plays it (same onopen/onmessage/onclose
    // API), carrying the session cookie the browser would send.
    const Browserish = class extends WebSocket {
      constructor(url: string) {
        super(url, { headers: { Cookie: `${small.cookieName}=${small.token}`, Origin: `http://127.0.0.1:${small.port}` } })
      }
    }
    const saved = globalThis.WebSocket
    globalThis.WebSocket = Browserish as unknown as typeof globalThis.WebSocket
    try {
      const bridge = createWebSocketBridge(`ws://127.0.0.1:${small.port}/api`)
      const reply = await bridge.invoke('whatif.import', { fileName: 'big.csv', text: traceCsv(SMALL_CAP + 1024) })
      expect(reply).toEqual({
        ok: false,
        error: { code: 'bad-request', message: 'Message too big: the limit is 2 MiB', messageRef: { key: 'access.bridge.tooBigLimit', params: { mib: 2 } } },
      })
      // The next call opens a new socket and is answered.
      expect(await bridge.invoke('whatif.list', {})).toMatchObject({ ok: true })
    } finally {
      globalThis.WebSocket = saved
    }
  }, 60_000)
})
