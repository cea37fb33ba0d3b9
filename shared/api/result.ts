import { z } from 'zod'
import { MessageRefSchema, type MessageRef } from '../model/message'
import { english } from '../i18n'
import { ApiFailure } from './failure'
import { issueRef } from './issues'

/** Every failure that crosses the api says which kind it is, so a caller can react without parsing text. */
export const ErrorCodeSchema = z.enum([
  'bad-request', // the request did not match the channel's schema
  'unknown-channel', // no such channel in the contract
  'not-found', // the host, VM or item named does not exist
  'conflict', // the request clashes with the current state
  'unavailable', // a host or service cannot be reached right now
  'forbidden', // the caller may not do this
  'internal', // a bug: the message says what failed
])

export const ApiErrorSchema = z.object({
  code: ErrorCodeSchema,
  /** In English; `messageRef` says it in the admin's language where VirtPilot words it. */
  message: z.string(),
  messageRef: MessageRefSchema.optional(),
  /** Field-level problems, e.g. zod issues as "path: message" (zod's own words, in English). */
  details: z.array(z.string()).optional(),
  /** The same problems in VirtPilot's words, one per detail (null where it has none): which field, what it expects. */
  detailRefs: z.array(MessageRefSchema.nullable()).optional(),
})

export type ErrorCode = z.infer<typeof ErrorCodeSchema>
export type ApiError = z.infer<typeof ApiErrorSchema>
export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError }

export { ApiFailure }

/** A failure VirtPilot words itself: the English as its message, the key and values beside it. */
export function failure(code: ErrorCode, ref: MessageRef, details?: string[]): ApiFailure {
  return new ApiFailure(code, english(ref), details, ref)
}

export function ok<T>(value: T): Result<T> {
  return { ok: true, value }
}

export function fail(error: ApiError): Result<never> {
  return { ok: false, error }
}

/** zod issues as short "path: message" lines an admin can act on. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : '(root)'
    return `${path}: ${issue.message}`
  })
}

/** The same issues in VirtPilot's words, one per line of describeIssues. */
export function issueRefs(error: z.ZodError): MessageRef[] {
  return error.issues.map(issueRef)
}
