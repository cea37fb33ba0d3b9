import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Plan, PlanDryRun } from '../../shared/model'
import { api } from '../api'
import { upsertPlan } from './plan-steps'
import { shownError, type ShownError } from './shown-error'

export type ExportFormat = 'shell' | 'ansible'

/** Plans made from approved recommendations: the list, live progress from `plans.changed`, apply and cancel. */
export const usePlansStore = defineStore('plans', () => {
  const plans = ref<Plan[]>([])
  const loaded = ref(false)
  const loadError = ref<ShownError | null>(null)
  let unsubscribe: (() => void) | undefined

  async function load(): Promise<void> {
    unsubscribe ??= api.on('plans.changed', (plan) => (plans.value = upsertPlan(plans.value, plan)))
    try {
      const listed = await api.invoke('plans.list', {})
      // Events that arrived while listing are newer than the list.
      plans.value = listed.reduce((all, plan) => (all.some((p) => p.id === plan.id) ? all : upsertPlan(all, plan)), plans.value)
      loadError.value = null
      loaded.value = true
    } catch (e) {
      loadError.value = shownError(e)
    }
  }

  async function create(recommendationIds: string[], parallelism: number, allowUnsafeMigration: boolean): Promise<Plan> {
    const plan = await api.invoke('plans.create', { recommendationIds, parallelism, allowUnsafeMigration })
    plans.value = upsertPlan(plans.value, plan)
    return plan
  }

  /** Starts the plan; main refuses with a message when it cannot (demo hosts, out of date, not ready). */
  async function apply(id: string): Promise<void> {
    plans.value = upsertPlan(plans.value, await api.invoke('plans.apply', { id }))
  }

  async function cancel(id: string): Promise<void> {
    plans.value = upsertPlan(plans.value, await api.invoke('plans.cancel', { id }))
  }

  /** An interrupted plan: read its hosts again, or resume it, or roll it back (main reads the hosts first). */
  async function recover(id: string, how: 'readBack' | 'resume' | 'rollBack'): Promise<void> {
    plans.value = upsertPlan(plans.value, await api.invoke(`plans.${how}`, { id }))
  }

  /** The exact commands in the order they would run; nothing runs. */
  async function dryRun(id: string): Promise<PlanDryRun> {
    return api.invoke('plans.dryRun', { id })
  }

  async function exportPlan(id: string, format: ExportFormat): Promise<{ filename: string; text: string }> {
    return api.invoke('plans.export', { id, format })
  }

  return { plans, loaded, loadError, load, create, apply, cancel, recover, dryRun, exportPlan }
})
