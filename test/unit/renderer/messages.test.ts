import { afterEach, describe, expect, it, vi } from 'vitest'
import { createI18n } from 'vue-i18n'
import { en } from '../../../src-renderer/i18n/en'
import { zhCN } from '../../../src-renderer/i18n/zh-CN'

/** Every message as [dotted key, text]. */
function flatten(messages: object, prefix = ''): [string, string][] {
  return Object.entries(messages).flatMap(([key, value]) =>
    typeof value === 'string' ? [[`${prefix}${key}`, value] as [string, string]] : flatten(value as object, `${prefix}${key}.`),
  )
}

describe('messages', () => {
  afterEach(() => vi.restoreAllMocks())

  it('has the same keys in every language', () => {
    expect(flatten(zhCN).map(([key]) => key)).toEqual(flatten(en).map(([key]) => key))
  })

  // Plural forms repeat a placeholder (and Chinese has one form): compare which placeholders, not how often.
  it('has the same placeholders in every language', () => {
    const placeholders = (text: string) => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort()
    const zh = new Map(flatten(zhCN))
    for (const [key, text] of flatten(en)) expect(placeholders(zh.get(key) ?? ''), key).toEqual(placeholders(text))
  })

  // vue-i18n's syntax makes `@` (linked message) and `|` (plural) special: a target like
  // admin@kvm1 inside a message fails to compile at runtime, in the browser only.
  for (const [language, messages] of [['en', en], ['zh-CN', zhCN]] as const) {
    it(`compiles every ${language} message`, () => {
      const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined)
      const i18n = createI18n({ legacy: false, locale: language, messages: { [language]: messages } })
      for (const [key, text] of flatten(messages)) {
        const named = Object.fromEntries([...text.matchAll(/\{(\w+)\}/g)].map((m) => [m[1], `<${m[1]}>`]))
        const shown = i18n.global.t(key, named)
        expect(shown, key).not.toMatch(/[{}]/)
        expect(shown.length, key).toBeGreaterThan(0)
      }
      expect(errors).not.toHaveBeenCalled()
    })
  }
})
