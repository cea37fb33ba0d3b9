import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { AppInfo } from '../../shared/api'
import { api } from '../api'

/** Facts about this VirtPilot instance (version, transport, data file). */
export const useAppStore = defineStore('app', () => {
  const info = ref<AppInfo | null>(null)
  const error = ref<string | null>(null)

  async function load(): Promise<void> {
    try {
      info.value = await api.invoke('app.info', {})
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    }
  }

  return { info, error, load }
})
