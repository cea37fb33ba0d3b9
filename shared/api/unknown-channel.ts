import type { MessageRef } from '../model/message'

/**
 * The refusal of a channel the contract does not have, said the same by main's dispatch and by the
 * preload (which carries no catalogue, so the English is written here beside its key).
 */
export function unknownChannel(channel: unknown): { code: 'unknown-channel'; message: string; messageRef: MessageRef } {
  const name = String(JSON.stringify(channel))
  return { code: 'unknown-channel', message: `No api channel named ${name}`, messageRef: { key: 'server.api.unknownChannel', params: { channel: name } } }
}
