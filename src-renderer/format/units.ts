import { computed, type Ref } from 'vue'
import { useI18n } from 'vue-i18n'

const MIB_PER_GIB = 1024
const RATE_STEPS = ['B', 'KiB', 'MiB', 'GiB'] as const
const RELATIVE_STEPS = [
  { unit: 'day', ms: 86_400_000 },
  { unit: 'hour', ms: 3_600_000 },
  { unit: 'minute', ms: 60_000 },
] as const

/** The part of vue-i18n the formatters need: a message lookup with named values. */
export type Translate = (key: string, named: Record<string, unknown>) => string

/**
 * A Translate over vue-i18n's `t` that picks plural forms ("1 vCPU | {count} vCPUs") by a
 * numeric `count`, so callers never build plurals themselves.
 */
export function pluralAware(t: (key: string, named: Record<string, unknown>, plural?: number) => string): Translate {
  return (key, named) => (typeof named.count === 'number' ? t(key, named, named.count) : t(key, named))
}

/**
 * Intl.NumberFormat instances by locale and options, shared by every view: building one costs
 * far more than formatting with it, and charts format axis labels and tooltips all the time.
 */
const numberFormats = new Map<string, Intl.NumberFormat>()

/** The cached formatter for `locale` with `digits` fraction digits (a percentage with `percent`). */
export function numberFormat(locale: string, digits: number, percent = false): Intl.NumberFormat {
  const key = `${locale}|${digits}|${percent ? '%' : ''}`
  let format = numberFormats.get(key)
  if (!format) {
    format = new Intl.NumberFormat(locale, { ...(percent ? { style: 'percent' as const } : {}), minimumFractionDigits: digits, maximumFractionDigits: digits })
    numberFormats.set(key, format)
  }
  return format
}

/** Date and relative-time formatters by kind and locale, shared like the number formats (every component asks for them). */
const otherFormats = new Map<string, Intl.DateTimeFormat | Intl.RelativeTimeFormat>()
function shared<F extends Intl.DateTimeFormat | Intl.RelativeTimeFormat>(key: string, make: () => F): F {
  let format = otherFormats.get(key) as F | undefined
  if (!format) {
    format = make()
    otherFormats.set(key, format)
  }
  return format
}

/**
 * Number formatters for one language. Every figure the UI shows goes through one of these so
 * it always carries its unit. Pure (no component context), so it can be tested in Node.
 */
export function createUnits(t: Translate, locale: Ref<string>) {
  const timeFormat = computed(() => shared(`time|${locale.value}`, () => new Intl.DateTimeFormat(locale.value, { hour: '2-digit', minute: '2-digit', second: '2-digit' })))
  const dateTimeFormat = computed(() => shared(`datetime|${locale.value}`, () => new Intl.DateTimeFormat(locale.value, { dateStyle: 'medium', timeStyle: 'medium' })))
  const relativeFormat = computed(() => shared(`relative|${locale.value}`, () => new Intl.RelativeTimeFormat(locale.value, { numeric: 'auto' })))

  function fixed(value: number, digits: number): string {
    return numberFormat(locale.value, digits).format(value)
  }

  /** 0-100 -> "42.0%". */
  function percent(pct: number): string {
    return numberFormat(locale.value, 1, true).format(pct / 100)
  }

  function vcpus(count: number): string {
    return t('units.vcpus', { count })
  }

  /** A count in one of the engine's own units (VMs, disks, pages...), said in the language; undefined for a unit it has no word for. */
  function counted(value: number, unit: string, digits: number): string | undefined {
    const key = `engine.units.${unit}` as const
    const said = t(key, { value: fixed(value, digits) })
    return said === key ? undefined : said
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

  /** Date and time, for when something happened longer ago than a clock time says. */
  function dateTime(epochMs: number): string {
    return dateTimeFormat.value.format(new Date(epochMs))
  }

  /** How long ago, in the largest whole unit: "12 seconds ago", "3 hours ago", "now". */
  function ago(epochMs: number, now: number): string {
    const elapsed = Math.max(0, now - epochMs)
    const step = RELATIVE_STEPS.find((s) => elapsed >= s.ms)
    if (!step) return relativeFormat.value.format(-Math.floor(elapsed / 1000), 'second')
    return relativeFormat.value.format(-Math.floor(elapsed / step.ms), step.unit)
  }

  return { fixed, percent, vcpus, counted, cores, gib, memory, rate, seconds, clock, dateTime, ago }
}

export type Units = ReturnType<typeof createUnits>

/** The formatters bound to the current language of the component's i18n. */
export function useUnits(): Units {
  const { t, locale } = useI18n()
  return createUnits(pluralAware((key, named, plural) => (plural === undefined ? t(key, named) : t(key, named, plural))), locale)
}
