// A store that resets a connection as a request arrives (a kept-alive socket it had just closed):
// the read is sent once more; a store that resets every time is reported unreachable.
import { createServer, type Server } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { PrometheusClient } from '../../../../src-main/hosts/prometheus/client'

let server: Server | undefined
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())))

/** A loopback server that resets the first `resets` requests, then answers an empty vector. */
async function resetting(resets: number): Promise<{ url: URL; requests: () => number }> {
  let seen = 0
  server = createServer((req, res) => {
    seen++
    if (seen <= resets) {
      req.socket.destroy()
      return
    }
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }))
  })
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  const address = server.address() as { port: number }
  return { url: new URL(`http://127.0.0.1:${address.port}`), requests: () => seen }
}

describe('a connection the store resets', () => {
  it('is sent once more, and the read succeeds', async () => {
    const store = await resetting(1)
    await expect(new PrometheusClient(store.url, { headers: {} }).query('up')).resolves.toEqual([])
    expect(store.requests()).toBe(2)
  })

  it('is reported unreachable when it resets again', async () => {
    const store = await resetting(5)
    await expect(new PrometheusClient(store.url, { headers: {} }).query('up')).rejects.toMatchObject({ kind: 'unreachable', message: expect.stringMatching(/ECONNRESET/) })
    expect(store.requests()).toBe(2)
  })
})
