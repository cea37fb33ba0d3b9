import { defineStore } from 'pinia'
import { computed, shallowRef } from 'vue'
import type { CredentialRequest } from '../../shared/api'
import { api } from '../api'

/** Passphrases and passwords main is waiting for while it connects to a host. */
export const useCredentialsStore = defineStore('credentials', () => {
  const pending = shallowRef<CredentialRequest[]>([])
  const current = computed(() => pending.value[0])
  let started = false

  async function start(): Promise<void> {
    if (started) return
    started = true
    api.on('credentials.requested', (request) => {
      if (!pending.value.some((r) => r.requestId === request.requestId)) pending.value = [...pending.value, request]
    })
    api.on('credentials.changed', (list) => (pending.value = list))
    pending.value = await api.invoke('credentials.pending', {})
  }

  /** An empty secret skips that way of logging in. */
  async function answer(requestId: string, secret: string | undefined, remember: boolean): Promise<void> {
    pending.value = pending.value.filter((r) => r.requestId !== requestId)
    await api.invoke('credentials.answer', { requestId, ...(secret ? { secret } : {}), remember })
  }

  return { pending, current, start, answer }
})
