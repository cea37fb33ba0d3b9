import type { ApiBridge, ApiError, Result } from '../../shared/api'
import type { MessageRef } from '../../shared/model'

type Pending = { resolve: (r: Result<unknown>) => void }

/**
 * A message over the server's size limit, which the server gives as the close reason
 * (`{"limitBytes":N}`, src-main/server/server.ts); without it, the refusal alone.
 */
function tooBig(reason: string): ApiError {
  let limitBytes: unknown
  try {
    limitBytes = (JSON.parse(reason) as { limitBytes?: unknown } | null)?.limitBytes
  } catch {
    limitBytes = undefined
  }
  if (typeof limitBytes !== 'number' || !(limitBytes > 0)) return { code: 'bad-request', message: 'The message was too big for VirtPilot', messageRef: { key: 'access.bridge.tooBig', params: {} } }
  const mib = Math.floor(limitBytes / (1024 * 1024))
  return { code: 'bad-request', message: `Message too big: the limit is ${mib} MiB`, messageRef: { key: 'access.bridge.tooBigLimit', params: { mib } } }
}

/**
 * The serve-mode transport: the same calls and events as the Electron preload, over one
 * WebSocket. The server authenticated this page with a cookie; the socket carries it.
 * Reconnects with backoff; calls made while disconnected fail with `unavailable`.
 */
export function createWebSocketBridge(url: string): ApiBridge {
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const pending = new Map<number, Pending>()
  let nextId = 1
  let socket: WebSocket | undefined
  let opened: Promise<WebSocket> | undefined
  let retryMs = 500

  function connect(): Promise<WebSocket> {
    if (opened) return opened
    opened = new Promise((resolve, reject) => {
      const ws = new WebSocket(url)
      ws.onopen = () => {
        socket = ws
        retryMs = 500
        resolve(ws)
      }
      ws.onmessage = (message) => {
        const data = JSON.parse(String(message.data)) as
          | { type: 'result'; id: number; result: Result<unknown> }
          | { type: 'event'; event: string; payload: unknown }
        if (data.type === 'result') {
          pending.get(data.id)?.resolve(data.result)
          pending.delete(data.id)
        } else {
          listeners.get(data.event)?.forEach((cb) => cb(data.payload))
        }
      }
      ws.onclose = (event) => {
        const wasOpen = socket === ws
        socket = undefined
        opened = undefined
        // 1009: the server refused a message over its size limit (the call is not retried).
        const error = event.code === 1009
          ? tooBig(event.reason)
          : { code: 'unavailable' as const, message: 'Connection to VirtPilot was lost; retrying', messageRef: { key: 'access.bridge.lost', params: {} } }
        for (const [id, call] of pending) {
          call.resolve({ ok: false, error })
          pending.delete(id)
        }
        if (!wasOpen) reject(Object.assign(new Error(`Cannot reach ${url}`), { messageRef: { key: 'access.bridge.unreachable', params: { url } } }))
        // Keep trying while anyone listens for events, so live views resume by themselves.
        if (listeners.size > 0) {
          setTimeout(() => void connect().catch(() => undefined), retryMs)
          retryMs = Math.min(retryMs * 2, 10_000)
        }
      }
    })
    return opened
  }

  return {
    async invoke(channel, req) {
      let ws: WebSocket
      try {
        ws = socket ?? (await connect())
      } catch (error) {
        const messageRef = (error as { messageRef?: MessageRef }).messageRef
        return { ok: false, error: { code: 'unavailable', message: (error as Error).message, ...(messageRef ? { messageRef } : {}) } }
      }
      const id = nextId++
      return new Promise((resolve) => {
        pending.set(id, { resolve })
        ws.send(JSON.stringify({ type: 'call', id, channel, req }))
      })
    },
    on(event, cb) {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      set.add(cb)
      void connect().catch(() => undefined)
      return () => {
        set.delete(cb)
        if (set.size === 0) listeners.delete(event)
      }
    },
  }
}
