import { createApiClient, type ApiBridge, type ApiClient } from '../../shared/api/client'
import { takeStartupAnswer } from './startup'
import { createWebSocketBridge } from './websocket-bridge'

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser (serve mode). */
    virtpilot?: ApiBridge
  }
}

function pickBridge(): ApiBridge {
  if (window.virtpilot) return window.virtpilot
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return createWebSocketBridge(`${scheme}//${location.host}/api`)
}

/** The calls themselves, without start-up answers (main.ts sends the start-up calls through it). */
export const client: ApiClient = createApiClient(pickBridge())

/**
 * The one api client of the renderer; stores call it, views never do directly. The first call of
 * a start-up channel (api/startup.ts) gets the answer to the call main.ts sent early.
 */
export const api: ApiClient = {
  invoke: (channel, req) => takeStartupAnswer(channel) ?? client.invoke(channel, req),
  on: (event, cb) => client.on(event, cb),
}
