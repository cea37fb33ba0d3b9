import { describe, expect, it } from 'vitest'
import { ref } from 'vue'
import { createI18n } from 'vue-i18n'
import { createUnits } from '../../../src-renderer/format/units'
import { en } from '../../../src-renderer/i18n/en'
import { zhCN } from '../../../src-renderer/i18n/zh-CN'

/** The formatters with the renderer's real messages, in one language. */
function unitsIn(language: 'en' | 'zh-CN') {
  const i18n = createI18n({ legacy: false, locale: language, fallbackLocale: 'en', messages: { en, 'zh-CN': zhCN } })
  const locale = ref<string>(language)
  return createUnits((key, named) => i18n.global.t(key, named), locale)
}

describe('units in English', () => {
  const units = unitsIn('en')

  it('gives every figure its unit', () => {
    expect(units.percent(42)).toBe('42.0%')
    expect(units.cores(3.25, 2)).toBe('3.25 cores')
    expect(units.cores(12)).toBe('12.0 cores')
    expect(units.gib(1536)).toBe('1.5 GiB')
    expect(units.seconds(2000)).toBe('2 s')
    expect(units.seconds(2500)).toBe('2.5 s')
  })

  it('shows memory in MiB below one GiB and in GiB above, without needless decimals', () => {
    expect(units.memory(512)).toBe('512 MiB')
    expect(units.memory(1024)).toBe('1 GiB')
    expect(units.memory(4096)).toBe('4 GiB')
    expect(units.memory(1536)).toBe('1.5 GiB')
  })

  it('steps rates in powers of 1024', () => {
    expect(units.rate(0)).toBe('0 B/s')
    expect(units.rate(1023)).toBe('1,023 B/s')
    expect(units.rate(1024)).toBe('1.0 KiB/s')
    expect(units.rate(12.4 * 1024 * 1024)).toBe('12.4 MiB/s')
    // Past the last step the figure grows instead of inventing a unit.
    expect(units.rate(2048 * 1024 ** 3)).toBe('2,048.0 GiB/s')
  })

  it('says how long ago in the largest whole unit', () => {
    const now = 1_800_000_000_000
    expect(units.ago(now, now)).toBe('now')
    expect(units.ago(now - 12_000, now)).toBe('12 seconds ago')
    expect(units.ago(now - 59_999, now)).toBe('59 seconds ago')
    expect(units.ago(now - 60_000, now)).toBe('1 minute ago')
    expect(units.ago(now - 5 * 60_000 - 30_000, now)).toBe('5 minutes ago')
    expect(units.ago(now - 3 * 3_600_000, now)).toBe('3 hours ago')
    expect(units.ago(now - 2 * 86_400_000, now)).toBe('2 days ago')
    // A clock slightly ahead on the other side is "now", never "in 2 seconds".
    expect(units.ago(now + 2_000, now)).toBe('now')
  })
})

describe('units in Simplified Chinese', () => {
  const units = unitsIn('zh-CN')

  it('uses the Chinese unit words', () => {
    expect(units.cores(3.25, 2)).toBe('3.25 核')
    expect(units.seconds(2000)).toBe('2 秒')
    expect(units.rate(1024)).toBe('1.0 KiB/秒')
    expect(units.gib(2048, 0)).toBe('2 GiB')
  })

  it('says how long ago in Chinese', () => {
    const now = 1_800_000_000_000
    expect(units.ago(now - 12_000, now)).toMatch(/^12\s*秒钟?前$/)
    expect(units.ago(now - 3 * 3_600_000, now)).toMatch(/^3\s*小时前$/)
  })
})

describe('a language switch', () => {
  it('reformats with the new locale', () => {
    const i18n = createI18n({ legacy: false, locale: 'en', messages: { en, 'zh-CN': zhCN } })
    const locale = ref('en')
    const units = createUnits((key, named) => i18n.global.t(key, named), locale)
    expect(units.fixed(1234.5, 1)).toBe('1,234.5')
    locale.value = 'de-DE'
    expect(units.fixed(1234.5, 1)).toBe('1.234,5')
  })
})
