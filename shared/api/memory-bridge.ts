import type { CallContext, Handlers } from './handlers'
import { dispatch } from './dispatch'
import type { ApiBridge } from './client'
import type { Result } from './result'

/**
 * A transport without a wire: the same calls and events as the Electron preload and the
 * WebSocket, straight into the handlers through `dispatch` (validation included). Payloads go
 * through JSON both ways, as over the WebSocket. For running renderer code against real services
 * in tests, and for any embedding that has no IPC.
 */
/** What crossing a JSON transport leaves of a value. */
const overTheWire = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T))

export function createMemoryBridge(handlers: Handlers, subscribe: (listener: (event: string, payload: unknown) => void) => () => void, ctx: CallContext = { transport: 'test' }): ApiBridge {
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  subscribe((event, payload) => {
    for (const cb of listeners.get(event) ?? []) cb(overTheWire(payload))
  })
  return {
    async invoke(channel, req): Promise<Result<unknown>> {
      return overTheWire(await dispatch(handlers, channel, overTheWire(req), ctx))
    },
    on(event, cb) {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      set.add(cb)
      return () => set.delete(cb)
    },
  }
}
