import type { MessageParam, MessageRef } from '../model/message'
import type { Language } from '../model/settings'
import { sharedMessages, type MessageKey, type MessageParams, type NeedsNoParams } from './catalogues'

/** A typed message reference: the key must exist and every placeholder of its English text gets a value. */
export function msg<K extends MessageKey>(key: K, ...params: NeedsNoParams<K> extends true ? [params?: MessageParams<K>] : [MessageParams<K>]): MessageRef {
  return { key, params: (params[0] ?? {}) as Record<string, MessageParam> }
}

/**
 * Messages in a list value are sentences said one after another: a space between them in English,
 * none in Chinese; a list value named `items` is a list of short phrases ("a, b" / "a、b"), one
 * named `clauses` or `whereabouts` a list of clauses ("a; b" / "a；b"), `ands` of things said together
 * ("a and b"), `hosts` or `bars` of columns ("a | b").
 */
const SENTENCE_GAP: Record<Language, string> = { en: ' ', 'zh-CN': '' }
const GAPS: Record<string, Record<Language, string>> = {
  items: { en: ', ', 'zh-CN': '、' },
  clauses: { en: '; ', 'zh-CN': '；' },
  whereabouts: { en: '; ', 'zh-CN': '；' },
  ands: { en: ' and ', 'zh-CN': '，' },
  hosts: { en: ' | ', 'zh-CN': ' | ' },
  bars: { en: ' | ', 'zh-CN': ' | ' },
}

export function sentenceGap(locale: Language): string {
  return SENTENCE_GAP[locale]
}

/** The text at a dotted key of one language's shared catalogue, if there is one. */
export function messageText(key: string, locale: Language): string | undefined {
  let node: unknown = sharedMessages[locale]
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null || !(part in node)) return undefined
    node = (node as Record<string, unknown>)[part]
  }
  return typeof node === 'string' ? node : undefined
}

/** True when the key names a text in the shared catalogues. */
export function isMessageKey(key: string): key is MessageKey {
  return messageText(key, 'en') !== undefined
}

/** Nested messages said in the same language; plain values kept. */
export function resolveParams(params: MessageRef['params'], say: (ref: MessageRef) => string, locale: Language): Record<string, string | number> {
  return Object.fromEntries(
    Object.entries(params).map(([name, value]) => [
      name,
      typeof value === 'object' ? (Array.isArray(value) ? value.map(say).filter(Boolean).join((GAPS[name] ?? SENTENCE_GAP)[locale]) : say(value)) : value,
    ]),
  )
}

/**
 * A message in a language, as vue-i18n would say it (the renderer's test holds the two equal):
 * `{name}` values, `{'x'}` literals, `a | b | c` plural forms chosen by `count`. An unknown key
 * (a record from an older version) gives `fallback`, else the key itself.
 */
export function formatMessage(ref: MessageRef, locale: Language, fallback?: string): string {
  const text = messageText(ref.key, locale) ?? messageText(ref.key, 'en')
  if (text === undefined) return fallback ?? ref.key
  const values = resolveParams(ref.params, (nested) => formatMessage(nested, locale), locale)
  return interpolate(pluralForm(text, values.count), values)
}

/** The English text of a message: what the CLI, exports and the audit log keep beside the key. */
export function english(ref: MessageRef): string {
  return formatMessage(ref, 'en')
}

/** vue-i18n's default plural rule: two forms are one | many (0 counts as many), three are none | one | many. */
function pluralForm(text: string, count: string | number | undefined): string {
  const forms = splitForms(text)
  if (forms.length === 1) return forms[0]!
  if (typeof count !== 'number') return forms[0]!
  const n = Math.abs(count)
  const index = forms.length === 2 ? (n === 1 ? 0 : 1) : Math.min(n, 2)
  return forms[Math.min(index, forms.length - 1)]!
}

function splitForms(text: string): string[] {
  const forms: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '{') depth++
    else if (c === '}') depth--
    else if (c === '|' && depth === 0) {
      forms.push(text.slice(start, i).trim())
      start = i + 1
    }
  }
  forms.push(forms.length > 0 ? text.slice(start).trim() : text.slice(start))
  return forms
}

function interpolate(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{\s*(?:'([^']*)'|(\w+))\s*\}/g, (whole, literal: string | undefined, name: string | undefined) => {
    if (literal !== undefined) return literal
    const value = values[name!]
    return value === undefined ? whole : String(value)
  })
}

/** Sentences said one after another; the ones left out (undefined, false) are skipped. */
export function sentences(...parts: (MessageRef | undefined | false)[]): MessageRef {
  const list = parts.filter((p): p is MessageRef => !!p)
  return list.length === 1 ? list[0]! : { key: 'engine.sentences', params: { sentences: list } }
}

/**
 * Text main or the engine stores or sends, as messages with their English beside them:
 * `said({ title, riskNote })` gives `{ title, titleRef, riskNote, riskNoteRef }` (the English for
 * the CLI, exports, the audit log and older readers; the message for the reader's language).
 */
export function said<T extends Record<string, MessageRef>>(refs: T): { [K in keyof T & string]: string } & { [K in keyof T & string as `${K}Ref`]: MessageRef } {
  const out: Record<string, string | MessageRef> = {}
  for (const [name, ref] of Object.entries(refs)) {
    out[name] = english(ref)
    out[`${name}Ref`] = ref
  }
  return out as { [K in keyof T & string]: string } & { [K in keyof T & string as `${K}Ref`]: MessageRef }
}
