import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { vmMetrics } from '../../shared/model/series'
import type { RecommendationItem, VmMetric, VmSeriesResult } from '../../shared/api'
import type { AuditEntry, Snapshot } from '../../shared/model'
import { api } from '../api'
import { detailMaxPoints, useLiveSeries } from './live-series'
import { shownError, type ShownError } from './shown-error'

/** One VM's series for the selected range, its recommendations and their change history. */
export const useVmDetailStore = defineStore('vm-detail', () => {
  const vmId = ref<string | null>(null)
  const series = shallowRef<VmSeriesResult | null>(null)
  const loading = ref(false)
  const error = ref<ShownError | null>(null)
  const recommendations = shallowRef<RecommendationItem[] | null>(null)
  const audit = shallowRef<AuditEntry[] | null>(null)
  const changesError = ref<ShownError | null>(null)
  const live = useLiveSeries<VmMetric>()
  const range = live.range
  let request = 0

  async function load(id: string, from: number, to: number): Promise<void> {
    const mine = ++request
    if (vmId.value !== id) {
      series.value = null
      recommendations.value = null
      audit.value = null
    }
    vmId.value = id
    range.value = { from, to }
    loading.value = true
    try {
      const next = await api.invoke('series.query', { kind: 'vm', id, metrics: [...vmMetrics], from, to, maxPoints: detailMaxPoints() })
      if (mine !== request) return
      if (next.kind !== 'vm') throw new Error(`series.query answered for a ${next.kind}`)
      series.value = next
      error.value = null
    } catch (e) {
      if (mine === request) error.value = shownError(e)
    } finally {
      if (mine === request) loading.value = false
    }
  }

  /** Its recommendations (about this VM, or a rebalance that moves it) and the audit entries of them and of their plans. */
  async function loadChanges(id: string): Promise<void> {
    try {
      const list = await api.invoke('recommendations.list', {})
      const mine = list.items.filter(
        (item) => (item.recommendation.target.type === 'vm' && item.recommendation.target.id === id) || item.recommendation.actions.some((a) => 'vm' in a.action && a.action.vm === id),
      )
      const entries = await api.invoke('audit.list', { limit: 5000 })
      const recIds = new Set(mine.map((item) => item.recommendation.id))
      const planIds = new Set(entries.filter((e) => e.recommendationId && recIds.has(e.recommendationId) && e.planId).map((e) => e.planId!))
      recommendations.value = mine
      audit.value = entries.filter((e) => (e.recommendationId && recIds.has(e.recommendationId)) || (e.planId && planIds.has(e.planId)))
      changesError.value = null
    } catch (e) {
      changesError.value = shownError(e)
    }
  }

  function applySnapshot(snapshot: Snapshot): void {
    const current = series.value
    const sample = snapshot.vmSamples.find((s) => s.vmId === vmId.value)
    if (!current || !sample) return
    series.value = live.extend(current, sample)
  }

  return { vmId, series, loading, error, recommendations, audit, changesError, range, load, loadChanges, applySnapshot }
})
