import type { MessageRef } from '../../shared/model'

/** A failed call as a view shows it: the English, and VirtPilot's words for it where main or the api sent them (useEngineText().error says it). */
export interface ShownError {
  message: string
  messageRef?: MessageRef
}

export function shownError(e: unknown): ShownError {
  const messageRef = (e as { messageRef?: MessageRef } | null | undefined)?.messageRef
  return { message: e instanceof Error ? e.message : String(e), ...(messageRef ? { messageRef } : {}) }
}
