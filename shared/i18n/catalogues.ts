import type { Language } from '../model/settings'
import { sharedEn } from './catalogue.en'
import { sharedZhCN } from './catalogue.zh-CN'
import type { At, Catalogue, Leaves, ParamsFor, Placeholders } from './types'

/** The messages main, the engine and the CLI produce, in every language (catalogue.<language>.ts). */
const sourceEn = sharedEn

export type SharedMessages = Catalogue<typeof sourceEn>

export const sharedMessages: Record<Language, SharedMessages> = {
  en: sourceEn,
  'zh-CN': sharedZhCN,
}

/** A key some shared catalogue holds, and the values its English text needs. */
export type MessageKey = Leaves<typeof sourceEn>
export type MessageParams<K extends MessageKey> = ParamsFor<At<typeof sourceEn, K>>
/** True when the text of K has no placeholder (its values may be left out). */
export type NeedsNoParams<K extends MessageKey> = [Placeholders<At<typeof sourceEn, K>>] extends [never] ? true : false
