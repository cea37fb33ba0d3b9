import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { AuditEntry, Language } from '../../shared/model'
import { api } from '../api'
import { shownError, type ShownError } from './shown-error'

/** How many entries the view asks for at once (newest first). */
export const AUDIT_PAGE = 1000

/** The audit log as stored by main: decisions, plans, every command with its output and exit code. */
export const useAuditStore = defineStore('audit', () => {
  const entries = shallowRef<AuditEntry[]>([])
  const loading = ref(false)
  const loaded = ref(false)
  const error = ref<ShownError | null>(null)

  async function load(planId: string | null): Promise<void> {
    loading.value = true
    try {
      entries.value = await api.invoke('audit.list', { limit: AUDIT_PAGE, ...(planId ? { planId } : {}) })
      error.value = null
      loaded.value = true
    } catch (e) {
      error.value = shownError(e)
    } finally {
      loading.value = false
    }
  }

  /** The log as a file; a CSV is written in `language` (JSON keeps every message's key and values beside its English). */
  async function exportLog(format: 'json' | 'csv', language: Language = 'en'): Promise<{ filename: string; text: string }> {
    return api.invoke('audit.export', { format, language })
  }

  return { entries, loading, loaded, error, load, exportLog }
})
