import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { RecommendationItem, RecommendationList } from '../../shared/api'
import type { Recommendation, Series } from '../../shared/model'
import { api } from '../api'
import { useClusterStore } from './cluster'
import type { Decision } from './recommendation-list'
import { shownError, type ShownError } from './shown-error'

export type Strategy = 'static' | 'dynamic' | 'hybrid'

const EMPTY: RecommendationList = { items: [], generatedAt: null, notes: [], analysing: false }

/** A demand series for the evidence chart, with the typical step between its points. */
export type EvidenceSeries = Series & { stepMs: number }

/** Evidence window: the last day, or what exists of it. */
export const EVIDENCE_WINDOW_MS = 24 * 3600_000
const EVIDENCE_POINTS = 300
/** Below this many points the day is mostly empty: ask again for just the span that has data. */
const SPARSE_POINTS = 60

/** The recommendations inbox: the engine's list (request, then pushed changes) and the admin's decisions. */
export const useRecommendationsStore = defineStore('recommendations', () => {
  const list = shallowRef<RecommendationList>(EMPTY)
  const loaded = ref(false)
  const loadError = ref<ShownError | null>(null)
  const refreshing = ref(false)
  const refreshError = ref<ShownError | null>(null)
  /** Ids with a decision on its way to main. */
  const deciding = ref<Set<string>>(new Set())
  let unsubscribe: (() => void) | undefined

  const cluster = useClusterStore()

  async function load(): Promise<void> {
    unsubscribe ??= api.on('recommendations.changed', (next) => (list.value = next))
    try {
      list.value = await api.invoke('recommendations.list', {})
      loadError.value = null
      loaded.value = true
    } catch (e) {
      loadError.value = shownError(e)
    }
  }

  async function refresh(strategy: Strategy): Promise<void> {
    refreshing.value = true
    refreshError.value = null
    try {
      list.value = await api.invoke('recommendations.refresh', { strategy })
      loaded.value = true
    } catch (e) {
      refreshError.value = shownError(e)
    } finally {
      refreshing.value = false
    }
  }

  /** Sends one decision; throws with main's message so the view can say why it was refused. */
  async function decide(id: string, decision: Decision, extra: { reason?: string; snoozeHours?: number; moves?: number[] } = {}): Promise<RecommendationItem> {
    deciding.value = new Set([...deciding.value, id])
    try {
      const item = await api.invoke('recommendations.decide', { id, decision, ...extra })
      list.value = { ...list.value, items: list.value.items.map((i) => (i.recommendation.id === id ? item : i)) }
      return item
    } finally {
      const rest = new Set(deciding.value)
      rest.delete(id)
      deciding.value = rest
    }
  }

  /**
   * A VM's demand for the evidence chart (CPU cores or memory MiB), read from the same series as
   * VM detail, at the finest step the recorded span allows.
   */
  async function vmDemand(vmId: string, resource: 'cpu' | 'memory', now = Date.now()): Promise<EvidenceSeries> {
    const metric = resource === 'memory' ? 'memUsedMiB' : 'cpuUsedCores'
    const read = async (from: number): Promise<EvidenceSeries> => {
      const result = await api.invoke('series.query', { kind: 'vm', id: vmId, metrics: [metric], from, to: now, maxPoints: EVIDENCE_POINTS })
      const series = (result.kind === 'vm' ? result.series[metric] : undefined) ?? { t: [], values: [] }
      const n = series.t.length
      return { ...series, stepMs: n > 1 ? Math.round((series.t[n - 1]! - series.t[0]!) / (n - 1)) : 0 }
    }
    const day = await read(now - EVIDENCE_WINDOW_MS)
    const first = day.t[0]
    if (first === undefined || day.t.length >= SPARSE_POINTS) return day
    const from = Math.max(now - EVIDENCE_WINDOW_MS, first - day.stepMs)
    if (now - from < 60_000) return day
    return read(from)
  }

  const byId = computed(() => new Map(list.value.items.map((i) => [i.recommendation.id, i])))

  /** VM or host name as the admin knows it; the id when the snapshot no longer has it. */
  function vmName(id: string): string {
    return cluster.snapshot?.vms.find((v) => v.id === id)?.name ?? id
  }
  function hostName(id: string): string {
    return cluster.snapshot?.hosts.find((h) => h.id === id)?.name ?? id
  }
  function targetName(r: Recommendation): string {
    if (r.target.type === 'vm') return vmName(r.target.id)
    if (r.target.type === 'host') return hostName(r.target.id)
    return r.target.id
  }

  return { list, loaded, loadError, refreshing, refreshError, deciding, byId, load, refresh, decide, vmDemand, vmName, hostName, targetName }
})
