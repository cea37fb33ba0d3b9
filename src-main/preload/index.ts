import { contextBridge, ipcRenderer } from 'electron'
import { eventChannelNames, IPC_EVENT, IPC_INVOKE, requestChannelNames } from '../../shared/api/channels'
import { unknownChannel } from '../../shared/api/unknown-channel'

const requests = new Set<string>(requestChannelNames)
const events = new Set<string>(eventChannelNames)

/**
 * The renderer's only door to main: invoke a contract channel, or listen to a contract event.
 * Names outside the contract are refused here; main validates every request again.
 */
contextBridge.exposeInMainWorld('virtpilot', {
  invoke(channel: string, req: unknown) {
    if (!requests.has(channel)) {
      return Promise.resolve({ ok: false, error: unknownChannel(channel) })
    }
    return ipcRenderer.invoke(IPC_INVOKE, channel, req)
  },
  on(event: string, cb: (payload: unknown) => void) {
    if (!events.has(event)) throw new Error(`No api event named ${JSON.stringify(event)}`)
    const listener = (_e: unknown, name: string, payload: unknown) => {
      if (name === event) cb(payload)
    }
    ipcRenderer.on(IPC_EVENT, listener)
    return () => ipcRenderer.off(IPC_EVENT, listener)
  },
})
