import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { AppInfo } from '../../shared/api'
import { api } from '../api'
import { shownError, type ShownError } from './shown-error'

/** Facts about this VirtPilot instance (version, transport, data file). */
export const useAppStore = defineStore('app', () => {
  const info = ref<AppInfo | null>(null)
  const error = ref<ShownError | null>(null)

  async function load(): Promise<void> {
    try {
      info.value = await api.invoke('app.info', {})
      error.value = null
    } catch (e) {
      error.value = shownError(e)
    }
  }

  return { info, error, load }
})
