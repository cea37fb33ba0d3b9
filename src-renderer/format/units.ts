import { computed } from 'vue'
import { useI18n } from 'vue-i18n'

const MIB_PER_GIB = 1024
const RATE_STEPS = ['B', 'KiB', 'MiB', 'GiB'] as const

/**
 * Number formatters bound to the current language. Every figure the UI shows goes
 * through one of these so it always carries its unit.
 */
export function useUnits() {
  const { t, locale } = useI18n()

  const number = computed(() => (digits: number) => new Intl.NumberFormat(locale.value, { minimumFractionDigits: digits, maximumFractionDigits: digits }))
  const percentFormat = computed(() => new Intl.NumberFormat(locale.value, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }))
  const timeFormat = computed(() => new Intl.DateTimeFormat(locale.value, { hour: '2-digit', minute: '2-digit', second: '2-digit' }))

  function fixed(value: number, digits: number): string {
    return number.value(digits).format(value)
  }

  /** 0-100 -> "42.0%". */
  function percent(pct: number): string {
    return percentFormat.value.format(pct / 100)
  }

  function cores(value: number, digits = 1): string {
    return t('units.cores', { value: fixed(value, digits) })
  }

  function gib(mib: number, digits = 1): string {
    return t('units.gib', { value: fixed(mib / MIB_PER_GIB, digits) })
  }

  /** Memory sizes: MiB below one GiB, GiB above. */
  function memory(mib: number): string {
    if (mib < MIB_PER_GIB) return t('units.mib', { value: fixed(mib, 0) })
    return gib(mib, Number.isInteger(mib / MIB_PER_GIB) ? 0 : 1)
  }

  /** Bytes per second in binary steps: "12.4 MiB/s". */
  function rate(bytesPerSecond: number): string {
    let value = bytesPerSecond
    let step = 0
    while (value >= 1024 && step < RATE_STEPS.length - 1) {
      value /= 1024
      step++
    }
    const digits = step === 0 ? 0 : 1
    return t('units.perSecond', { value: `${fixed(value, digits)} ${RATE_STEPS[step]}` })
  }

  function seconds(ms: number): string {
    return t('units.seconds', { value: fixed(ms / 1000, ms % 1000 === 0 ? 0 : 1) })
  }

  function clock(epochMs: number): string {
    return timeFormat.value.format(new Date(epochMs))
  }

  return { fixed, percent, cores, gib, memory, rate, seconds, clock }
}
