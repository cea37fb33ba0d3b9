import { createApiClient, type ApiBridge, type ApiClient } from '../../shared/api/client'
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

/** The one api client of the renderer; stores call it, views never do directly. */
export const api: ApiClient = createApiClient(pickBridge())
