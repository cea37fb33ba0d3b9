/**
 * Channel names alone, without schemas, for the sandboxed preload (which must not bundle zod).
 * contract.ts checks that its channel maps have exactly these keys.
 */
export const requestChannelNames = [
  'app.info',
  'cluster.snapshot',
  'cluster.history',
  'settings.get',
  'settings.update',
  'hosts.list',
  'hosts.add',
  'hosts.remove',
  'hosts.answerHostKey',
] as const
export const eventChannelNames = ['cluster.snapshot', 'settings.changed', 'hosts.changed'] as const

export type RequestChannelName = (typeof requestChannelNames)[number]
export type EventChannelName = (typeof eventChannelNames)[number]

/** IPC channel names used between preload and main. */
export const IPC_INVOKE = 'virtpilot:invoke'
export const IPC_EVENT = 'virtpilot:event'
