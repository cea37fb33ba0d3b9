import { afterEach, describe, expect, it, vi } from 'vitest'
import { createI18n } from 'vue-i18n'
import { english, formatMessage, MessageRefSchema, msg, sharedMessages } from '../../../shared/i18n'
import type { MessageRef } from '../../../shared/model'
import { en } from '../../../src-renderer/i18n/en'
import { zhCN } from '../../../src-renderer/i18n/zh-CN'
import { flatten, placeholders } from './support'

const shared = { en: sharedMessages.en, 'zh-CN': sharedMessages['zh-CN'] }

describe('message catalogues', () => {
  afterEach(() => vi.restoreAllMocks())

  // The renderer's catalogues include the shared ones: one check covers the engine's, main's and the pages' words.
  for (const [name, english, chinese] of [
    ['shared (engine, main, CLI)', shared.en, shared['zh-CN']],
    ['renderer (all of it)', en, zhCN],
  ] as const) {
    it(`${name}: en and zh-CN have the same keys and the same placeholders`, () => {
      const zh = new Map(flatten(chinese))
      expect([...zh.keys()]).toEqual(flatten(english).map(([key]) => key))
      for (const [key, text] of flatten(english)) expect(placeholders(zh.get(key) ?? ''), key).toEqual(placeholders(text))
    })
  }

  it('the renderer holds every shared namespace as the shared catalogue wrote it (no page namespace takes its name)', () => {
    for (const language of ['en', 'zh-CN'] as const) {
      const renderer = language === 'en' ? en : zhCN
      for (const [namespace, messages] of Object.entries(shared[language])) expect((renderer as Record<string, unknown>)[namespace], namespace).toBe(messages)
    }
  })

  // The CLI and exports format in Node with formatMessage, the renderer with vue-i18n: they must say the same.
  for (const language of ['en', 'zh-CN'] as const) {
    it(`formatMessage says every shared ${language} message as vue-i18n does`, () => {
      const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined)
      const i18n = createI18n({ legacy: false, locale: language, messages: { [language]: shared[language] } })
      for (const [key, text] of flatten(shared[language])) {
        for (const count of [0, 1, 3]) {
          const params: MessageRef['params'] = Object.fromEntries(placeholders(text).map((p) => [p, p === 'count' ? count : `<${p}>`]))
          const viaVue = typeof params.count === 'number' ? i18n.global.t(key, params, params.count) : i18n.global.t(key, params)
          expect(formatMessage({ key, params }, language), key).toBe(viaVue)
        }
      }
      expect(errors).not.toHaveBeenCalled()
    })
  }
})

describe('formatMessage', () => {
  it('chooses the plural form by count and fills the values', () => {
    expect(english(msg('engine.rebalance.title', { count: 1 }))).toBe('Rebalance: 1 move')
    expect(english(msg('engine.rebalance.title', { count: 4 }))).toBe('Rebalance: 4 moves')
    expect(formatMessage(msg('engine.rebalance.title', { count: 4 }), 'zh-CN')).toBe('再平衡：4 次迁移')
  })

  it('says nested messages in the same language, sentences of a list one after another', () => {
    const title = msg('engine.move.title', { vm: 'web1', from: 'kvm1', to: 'kvm2' })
    const outer: MessageRef = { key: 'engine.figure.hostCpu', params: { host: title } }
    expect(english(outer)).toBe('Move web1 from kvm1 to kvm2 CPU load')
    expect(formatMessage({ key: 'engine.figure.hostCpu', params: { host: [title, title] } }, 'zh-CN')).toBe('将 web1 从 kvm1 迁移到 kvm2将 web1 从 kvm1 迁移到 kvm2 CPU 负载')
    expect(english({ key: 'engine.figure.hostCpu', params: { host: [title, title] } })).toBe('Move web1 from kvm1 to kvm2 Move web1 from kvm1 to kvm2 CPU load')
  })

  it('gives the English beside it for a key it does not know (a record from another version), else the key', () => {
    expect(formatMessage({ key: 'engine.gone', params: {} }, 'zh-CN', 'Old words')).toBe('Old words')
    expect(formatMessage({ key: 'engine.gone', params: {} }, 'zh-CN')).toBe('engine.gone')
  })

  it('the contract takes nested messages and refuses what is not one', () => {
    const ref = msg('engine.figure.hostCpu', { host: [msg('engine.figure.vcpus')] })
    expect(MessageRefSchema.parse(ref)).toEqual(ref)
    expect(MessageRefSchema.parse({ key: 'engine.figure.vcpus' })).toEqual({ key: 'engine.figure.vcpus', params: {} })
    expect(MessageRefSchema.safeParse({ key: 'engine.figure.hostCpu', params: { host: { nope: 1 } } }).success).toBe(false)
  })
})
