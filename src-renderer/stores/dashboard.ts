import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { OverviewSummary, RecommendationList } from '../../shared/api'
import { api } from '../api'
import { shownError, type ShownError } from './shown-error'

/** Refresh the summary at most this often while snapshots stream in. */
const MIN_REFRESH_MS = 2000

/** The Overview's summary (health, capacity, contention) and the open recommendations by priority. */
export const useDashboardStore = defineStore('dashboard', () => {
  const summary = shallowRef<OverviewSummary | null>(null)
  const error = ref<ShownError | null>(null)
  const recommendations = shallowRef<RecommendationList | null>(null)
  const recommendationsError = ref<ShownError | null>(null)
  let unsubscribe: (() => void)[] = []
  let lastLoad = 0
  let pending: ReturnType<typeof setTimeout> | undefined
  let inFlight = false

  async function loadSummary(): Promise<void> {
    if (inFlight) return
    inFlight = true
    lastLoad = Date.now()
    try {
      summary.value = await api.invoke('dashboard.overview', {})
      error.value = null
    } catch (e) {
      error.value = shownError(e)
    } finally {
      inFlight = false
    }
  }

  async function loadRecommendations(): Promise<void> {
    try {
      recommendations.value = await api.invoke('recommendations.list', {})
      recommendationsError.value = null
    } catch (e) {
      recommendationsError.value = shownError(e)
    }
  }

  /** A snapshot arrived: refresh, but not more often than MIN_REFRESH_MS. */
  function onSnapshot(): void {
    if (pending) return
    const wait = Math.max(0, lastLoad + MIN_REFRESH_MS - Date.now())
    pending = setTimeout(() => {
      pending = undefined
      void loadSummary()
    }, wait)
  }

  async function start(): Promise<void> {
    if (unsubscribe.length === 0) {
      unsubscribe = [api.on('cluster.snapshot', onSnapshot), api.on('recommendations.changed', (list) => (recommendations.value = list))]
    }
    await Promise.all([loadSummary(), loadRecommendations()])
  }

  function stop(): void {
    unsubscribe.forEach((off) => off())
    unsubscribe = []
    if (pending) clearTimeout(pending)
    pending = undefined
  }

  /** Open recommendations per priority 1 (mandatory) .. 5 (slight gain). */
  const openByPriority = computed(() => {
    const counts: Record<1 | 2 | 3 | 4 | 5, number> = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 }
    for (const item of recommendations.value?.items ?? []) if (item.status === 'open') counts[item.recommendation.priority]++
    return counts
  })

  return { summary, error, recommendations, recommendationsError, openByPriority, start, stop, loadSummary }
})
