import type { EventChannel, EventOf, RequestChannel, RequestOf, ResponseOf } from './contract'
import { ApiFailure } from './failure'
import type { Result } from './result'

/** The raw bridge a transport offers: what the preload exposes and what the WebSocket client implements. */
export interface ApiBridge {
  invoke(channel: string, req: unknown): Promise<Result<unknown>>
  on(event: string, cb: (payload: unknown) => void): () => void
}

/** Typed calls over any bridge; failures come back as ApiFailure with the server's code. */
export interface ApiClient {
  invoke<C extends RequestChannel>(channel: C, req: RequestOf<C>): Promise<ResponseOf<C>>
  on<E extends EventChannel>(event: E, cb: (payload: EventOf<E>) => void): () => void
}

export function createApiClient(bridge: ApiBridge): ApiClient {
  return {
    async invoke(channel, req) {
      const result = await bridge.invoke(channel, req)
      if (!result.ok) throw new ApiFailure(result.error.code, result.error.message, result.error.details, result.error.messageRef, result.error.detailRefs)
      return result.value as never
    },
    on(event, cb) {
      return bridge.on(event, (payload) => cb(payload as never))
    },
  }
}
