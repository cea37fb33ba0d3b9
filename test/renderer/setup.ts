import { afterAll } from 'vitest'
import { createMemoryBridge } from '../../shared/api'
import { createServices } from '../../src-main/services/services'

// Renderer code against the real services: the demo cluster on an in-memory store, reached
// through an in-memory bridge over the same contract and dispatch as the preload and the
// WebSocket. Only the transport is left out. Set before any store imports src-renderer/api.
export const services = createServices({ transport: 'cli', dataFile: ':memory:', version: 'test', log: () => {} })
await services.start()
window.virtpilot = createMemoryBridge(services.handlers, (listener) => services.events.onAny(listener))

afterAll(() => services.stop())
