import { z } from 'zod'

/**
 * Text a person reads, as a message key and its values, for each reader to say in their own
 * language (shared/i18n). A value may itself be a message (a sentence inside a sentence) or a
 * list of messages (sentences said one after another).
 */
export interface MessageRef {
  key: string
  params: Record<string, MessageParam>
}
export type MessageParam = string | number | MessageRef | MessageRef[]

export const MessageRefSchema: z.ZodType<MessageRef, { key: string; params?: Record<string, unknown> }> = z.lazy(() =>
  z.object({
    key: z.string().min(1),
    params: z.record(z.string(), z.union([z.string(), z.number(), MessageRefSchema, z.array(MessageRefSchema)])).default({}),
  }),
)
