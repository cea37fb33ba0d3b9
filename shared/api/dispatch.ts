import { english, msg } from '../i18n'
import type { MessageRef } from '../model/message'
import { requestChannels, isRequestChannel } from './contract'
import type { Handlers, CallContext } from './handlers'
import { ApiFailure, describeIssues, fail, issueRefs, ok, type Result } from './result'
import { unknownChannel } from './unknown-channel'

/**
 * The single entry both transports call: checks the channel, validates the request,
 * runs the handler and turns every outcome into a Result. Never throws.
 */
export async function dispatch(handlers: Handlers, channel: unknown, rawRequest: unknown, ctx: CallContext): Promise<Result<unknown>> {
  if (!isRequestChannel(channel)) {
    return fail(unknownChannel(channel))
  }
  const parsed = requestChannels[channel].req.safeParse(rawRequest ?? {})
  if (!parsed.success) {
    const ref = msg('server.api.invalidRequest', { channel })
    return fail(new ApiFailure('bad-request', english(ref), describeIssues(parsed.error), ref, issueRefs(parsed.error)).toApiError())
  }
  try {
    // The map type guarantees handlers[channel] accepts this channel's parsed request.
    const handler = handlers[channel] as (req: unknown, ctx: CallContext) => Promise<unknown>
    return ok(await handler(parsed.data, ctx))
  } catch (error) {
    if (error instanceof ApiFailure) return fail(error.toApiError())
    const message = error instanceof Error ? error.message : String(error)
    // A failure main words itself (the data file is full or read-only) keeps its words for the admin's language.
    const ref = (error as { messageRef?: MessageRef } | undefined)?.messageRef
    return fail({ code: 'internal', message: `${channel} failed: ${message}`, ...(ref ? { messageRef: msg('access.callFailed', { channel, reason: ref }) } : {}) })
  }
}
