import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { AutomationStatus } from '../../shared/api/automation'
import type { AutomationUpdate, VmAutomation } from '../../shared/model/automation'
import { api } from '../api'

/** Automation's settings, pause and last round (Settings → Automation, the header, VM detail); main pushes every change. */
export const useAutomationStore = defineStore('automation', () => {
  const status = ref<AutomationStatus | null>(null)
  const busy = ref(false)
  const error = ref<string | null>(null)
  let unsubscribe: (() => void) | undefined

  /** On: the cluster or some VM is above manual. */
  const on = computed(() => {
    const s = status.value?.settings
    return !!s && (s.level !== 'manual' || Object.values(s.vms).some((l) => l === 'partially-automated' || l === 'fully-automated'))
  })
  const paused = computed(() => status.value?.settings.paused)

  async function load(): Promise<void> {
    unsubscribe ??= api.on('automation.changed', (next) => (status.value = next))
    try {
      status.value = await api.invoke('automation.get', {})
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    }
  }

  /** Runs a change; main's refusal is thrown to the caller with its reason. */
  async function change(body: () => Promise<AutomationStatus>): Promise<AutomationStatus> {
    busy.value = true
    try {
      status.value = await body()
      return status.value
    } finally {
      busy.value = false
    }
  }

  const update = (patch: AutomationUpdate) => change(() => api.invoke('automation.update', patch))
  const setVm = (vmId: string, level: VmAutomation | null) => change(() => api.invoke('automation.setVm', { vmId, level }))
  const pause = (running: 'finish' | 'cancel') => change(() => api.invoke('automation.pause', { running }))
  const resume = () => change(() => api.invoke('automation.resume', {}))

  return { status, busy, error, on, paused, load, update, setVm, pause, resume }
})
