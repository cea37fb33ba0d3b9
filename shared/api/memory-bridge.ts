import type { CallContext, Handlers } from './handlers'
import { dispatch } from './dispatch'
import type { ApiBridge } from './client'
import type { Result } from './result'

/**
 * A transport without a wire: the same calls and events as the Electron preload and the
 * WebSocket, straight into the handlers through `dispatch` (validation included). Payloads are
 * copied both ways, as a real transport copies them. For running renderer code against real
 * services in tests, and for any embedding that has no IPC.
 */
export function createMemoryBridge(handlers: Handlers, subscribe: (listener: (event: string, payload: unknown) => void) => () => void, ctx: CallContext = { transport: 'test' }): ApiBridge {
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  subscribe((event, payload) => {
    for (const cb of listeners.get(event) ?? []) cb(structuredClone(payload))
  })
  return {
    async invoke(channel, req): Promise<Result<unknown>> {
      return structuredClone(await dispatch(handlers, channel, structuredClone(req), ctx))
    },
    on(event, cb) {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      set.add(cb)
      return () => set.delete(cb)
    },
  }
}
