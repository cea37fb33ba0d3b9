import { afterEach, describe, expect, it } from 'vitest'
import { ref } from 'vue'
import { createI18n } from 'vue-i18n'
import { createUnits, numberFormat } from '../../../src-renderer/format/units'
import { en } from '../../../src-renderer/i18n/en'
import { zhCN } from '../../../src-renderer/i18n/zh-CN'

/** The formatters keep one Intl.NumberFormat per locale and digits instead of one per call. */

function unitsIn(language: string) {
  const i18n = createI18n({ legacy: false, locale: language, fallbackLocale: 'en', messages: { en, 'zh-CN': zhCN } })
  const locale = ref(language)
  return { locale, units: createUnits((key, named) => i18n.global.t(key, named), locale) }
}

const VALUES = [0, 0.004, 0.5, 1, 3.25, 12.345, 999.95, 1023, 1234.5678, 98_765.4321, -2.5]

const NativeNumberFormat = Intl.NumberFormat
afterEach(() => {
  Intl.NumberFormat = NativeNumberFormat
})

/** Counts Intl.NumberFormat constructions from here on. */
function countConstructions(): { count: number } {
  const counter = { count: 0 }
  Intl.NumberFormat = new Proxy(NativeNumberFormat, {
    construct(target, args: ConstructorParameters<typeof Intl.NumberFormat>) {
      counter.count++
      return new target(...args)
    },
  })
  return counter
}

describe('cached number formatters', () => {
  for (const language of ['en', 'zh-CN']) {
    it(`format as a new Intl.NumberFormat would, in ${language}`, () => {
      const { units } = unitsIn(language)
      for (const digits of [0, 1, 2, 3]) {
        const fresh = new NativeNumberFormat(language, { minimumFractionDigits: digits, maximumFractionDigits: digits })
        for (const value of VALUES) {
          expect(units.fixed(value, digits)).toBe(fresh.format(value))
          // Second call, from the cache.
          expect(units.fixed(value, digits)).toBe(fresh.format(value))
        }
      }
      const percent = new NativeNumberFormat(language, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 })
      for (const value of VALUES) expect(units.percent(value)).toBe(percent.format(value / 100))
    })
  }

  it('give the same figures in English and Simplified Chinese, each with its unit words', () => {
    const english = unitsIn('en').units
    const chinese = unitsIn('zh-CN').units
    for (const value of VALUES) expect(chinese.fixed(value, 2)).toBe(english.fixed(value, 2))
    expect(english.cores(3.25, 2)).toBe('3.25 cores')
    expect(chinese.cores(3.25, 2)).toBe('3.25 核')
    expect(english.rate(12.4 * 1024 * 1024)).toBe('12.4 MiB/s')
    expect(chinese.rate(12.4 * 1024 * 1024)).toBe('12.4 MiB/秒')
  })

  it('build one formatter per locale and digits, however often they format', () => {
    const counter = countConstructions()
    // A locale no other test uses, so the shared cache is cold for it.
    const { units } = unitsIn('en-IE')
    for (let i = 0; i < 500; i++) {
      units.fixed(i / 7, i % 3)
      units.percent(i / 3)
      units.cores(i / 9, 2)
      units.rate(i * 4096)
    }
    // Digits 0, 1, 2 and the percentage.
    expect(counter.count).toBe(4)
    expect(numberFormat('en-IE', 2)).toBe(numberFormat('en-IE', 2))
    expect(numberFormat('en-IE', 1, true)).not.toBe(numberFormat('en-IE', 1))
  })

  it('switch formatter with the language, and back', () => {
    const { units, locale } = unitsIn('en')
    expect(units.fixed(1234.5, 1)).toBe('1,234.5')
    locale.value = 'de-DE'
    expect(units.fixed(1234.5, 1)).toBe('1.234,5')
    expect(units.percent(42)).toBe(new NativeNumberFormat('de-DE', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(0.42))
    locale.value = 'zh-CN'
    expect(units.fixed(1234.5, 1)).toBe('1,234.5')
    locale.value = 'en'
    expect(units.fixed(1234.5, 1)).toBe('1,234.5')
  })
})
