import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

export type RangeKind = 'live' | '1h' | '24h' | '7d' | '30d' | 'custom'
export const rangeKinds: readonly RangeKind[] = ['live', '1h', '24h', '7d', '30d', 'custom']

const HOUR = 3600_000
/** Live shows the last 15 minutes and follows every poll. */
export const LIVE_WINDOW_MS = 15 * 60_000
const SPANS: Record<Exclude<RangeKind, 'custom'>, number> = { live: LIVE_WINDOW_MS, '1h': HOUR, '24h': 24 * HOUR, '7d': 7 * 24 * HOUR, '30d': 30 * 24 * HOUR }

/** The time range the detail views show; one for all of them, so switching views keeps it. */
export const useTimeRangeStore = defineStore('time-range', () => {
  const kind = ref<RangeKind>('live')
  const custom = ref<[number, number] | null>(null)
  /** Bumped on every change, so views reload once per change. */
  const version = ref(0)

  function set(next: RangeKind, customRange?: [number, number]): void {
    kind.value = next
    if (customRange) custom.value = customRange
    version.value++
  }

  /** [from, to] for a given now. */
  function resolve(now: number): { from: number; to: number } {
    if (kind.value === 'custom' && custom.value) return { from: custom.value[0], to: Math.max(custom.value[1], custom.value[0] + 60_000) }
    const span = SPANS[kind.value === 'custom' ? '1h' : kind.value]
    return { from: now - span, to: now + 1 }
  }

  const live = computed(() => kind.value === 'live')
  return { kind, custom, version, live, set, resolve }
})
