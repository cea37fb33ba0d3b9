import { afterEach, describe, expect, it, vi } from 'vitest'
import { createI18n } from 'vue-i18n'
import { en } from '../../../src-renderer/i18n/en'
import { zhCN } from '../../../src-renderer/i18n/zh-CN'
import { flatten } from '../i18n/support'

// Same keys and placeholders in every language: test/unit/i18n/catalogues.test.ts.
describe('messages', () => {
  afterEach(() => vi.restoreAllMocks())

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
