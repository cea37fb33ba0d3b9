import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { defaultSettings } from '../../shared/model/defaults'
import type { Settings } from '../../shared/model/settings'
import { api } from '../api'
import { setLanguage } from '../i18n'
import { shownError, type ShownError } from './shown-error'

/** User preferences, kept in main's store; applying them (language, theme) happens here. */
export const useSettingsStore = defineStore('settings', () => {
  const settings = ref<Settings>({ ...defaultSettings })
  const loaded = ref(false)
  const saving = ref(false)
  const error = ref<ShownError | null>(null)
  /** The last refusal as it came (its message for the admin's language, when main worded it). */
  const failure = ref<unknown>(null)

  const darkQuery = window.matchMedia('(prefers-color-scheme: dark)')
  const systemPrefersDark = ref(darkQuery.matches)
  darkQuery.addEventListener('change', (event) => (systemPrefersDark.value = event.matches))

  /** The theme actually shown: 'system' resolved against the OS preference. */
  const effectiveTheme = computed<'light' | 'dark'>(() => {
    if (settings.value.theme === 'system') return systemPrefersDark.value ? 'dark' : 'light'
    return settings.value.theme
  })

  watch(() => settings.value.language, setLanguage, { immediate: true })

  let unsubscribe: (() => void) | undefined

  async function load(): Promise<void> {
    unsubscribe ??= api.on('settings.changed', (next) => (settings.value = next))
    try {
      settings.value = await api.invoke('settings.get', {})
      loaded.value = true
      error.value = null
    } catch (e) {
      error.value = shownError(e)
    }
  }

  /** Saves a change; returns false (and sets `error`) when main refused or is unreachable. */
  async function update(patch: Partial<Settings>): Promise<boolean> {
    saving.value = true
    try {
      settings.value = await api.invoke('settings.update', patch)
      error.value = null
      failure.value = null
      return true
    } catch (e) {
      error.value = shownError(e)
      failure.value = e
      return false
    } finally {
      saving.value = false
    }
  }

  return { settings, loaded, saving, error, failure, effectiveTheme, load, update }
})
