import type { MessageRef } from '../model/message'
import type { ApiError, ErrorCode } from './result'

/**
 * Thrown by handlers (and rebuilt by clients) to fail a call with a specific code. Its own
 * module, free of zod, so the renderer's start-up can use it without building any schema.
 */
export class ApiFailure extends Error {
  readonly code: ErrorCode
  readonly details: string[] | undefined
  readonly messageRef: MessageRef | undefined
  readonly detailRefs: (MessageRef | null)[] | undefined

  constructor(code: ErrorCode, message: string, details?: string[], messageRef?: MessageRef, detailRefs?: (MessageRef | null)[]) {
    super(message)
    this.name = 'ApiFailure'
    this.code = code
    this.details = details
    this.messageRef = messageRef
    this.detailRefs = detailRefs
  }

  toApiError(): ApiError {
    return {
      code: this.code,
      message: this.message,
      ...(this.messageRef ? { messageRef: this.messageRef } : {}),
      ...(this.details ? { details: this.details } : {}),
      ...(this.detailRefs ? { detailRefs: this.detailRefs } : {}),
    }
  }
}
