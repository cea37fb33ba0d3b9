export { sharedMessages, type MessageKey, type MessageParams, type SharedMessages } from './catalogues'
export { MessageRefSchema, type MessageParam, type MessageRef } from '../model/message'
export { english, formatMessage, isMessageKey, messageText, msg, resolveParams, said, sentenceGap, sentences } from './format'
export type { Catalogue } from './types'
