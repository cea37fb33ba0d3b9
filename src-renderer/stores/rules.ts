import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { MaintenanceEntry, RulesList } from '../../shared/api'
import type { NewPlacementRule, PlacementRule } from '../../shared/model'
import { api } from '../api'
import { shownError, type ShownError } from './shown-error'

/** The admin's placement rules and the hosts in maintenance (Rules view, Host detail). */
export const useRulesStore = defineStore('rules', () => {
  const list = ref<RulesList>({ rules: [], maintenance: [] })
  const loaded = ref(false)
  const busy = ref(false)
  const error = ref<ShownError | null>(null)

  let unsubscribe: (() => void) | undefined

  async function load(): Promise<void> {
    // Another window (or the CLI through serve) changed the rules or maintenance: show it here too.
    unsubscribe ??= api.on('rules.changed', (next) => (list.value = next))
    try {
      list.value = await api.invoke('rules.list', {})
      loaded.value = true
      error.value = null
    } catch (e) {
      error.value = shownError(e)
    }
  }

  /** Runs a change, then reloads; a refusal (a conflicting rule) is thrown to the caller with main's reason. */
  async function change<T>(body: () => Promise<T>): Promise<T> {
    busy.value = true
    try {
      return await body()
    } finally {
      busy.value = false
      await load()
    }
  }

  const add = (rule: NewPlacementRule): Promise<PlacementRule> => change(() => api.invoke('rules.add', rule))
  const remove = (id: string): Promise<{ removed: boolean }> => change(() => api.invoke('rules.remove', { id }))
  const enterMaintenance = (hostId: string, allowUnsafeMigration = false): Promise<MaintenanceEntry> => change(() => api.invoke('maintenance.enter', { hostId, allowUnsafeMigration }))
  const exitMaintenance = (hostId: string): Promise<{ exited: boolean }> => change(() => api.invoke('maintenance.exit', { hostId }))

  return { list, loaded, busy, error, load, add, remove, enterMaintenance, exitMaintenance }
})
