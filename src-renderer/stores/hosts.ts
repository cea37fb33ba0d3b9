import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { ApiFailure } from '../../shared/api/failure'
import type { AddHostRequest } from '../../shared/api'
import type { ManagedHost, MessageRef } from '../../shared/model'
import { api } from '../api'
import { shownError, type ShownError } from './shown-error'

/** A failed call as the views show it: the server's words, and its field problems if any. */
export interface CallError {
  code: string
  message: string
  /** The message in the admin's language, where VirtPilot words it. */
  messageRef?: MessageRef
  details: string[]
  /** One per detail where VirtPilot words it (which field, what it expects). */
  detailRefs?: (MessageRef | null)[]
}

function callError(error: unknown): CallError {
  if (error instanceof ApiFailure) {
    return {
      code: error.code,
      message: error.message,
      ...(error.messageRef ? { messageRef: error.messageRef } : {}),
      details: error.details ?? [],
      ...(error.detailRefs ? { detailRefs: error.detailRefs } : {}),
    }
  }
  return { code: 'unavailable', message: (error as Error).message, details: [] }
}

/** The hosts the admin added (not the demo), with their live connection state. */
export const useHostsStore = defineStore('hosts', () => {
  const hosts = shallowRef<ManagedHost[]>([])
  const loaded = ref(false)
  const error = ref<ShownError | null>(null)
  let unsubscribe: (() => void) | undefined
  // A pushed list is newer than a response that was already on its way.
  let version = 0

  function apply(next: ManagedHost[]): void {
    version++
    hosts.value = next
    loaded.value = true
  }

  /** Loads the list and subscribes to changes; safe to call again to retry. */
  async function load(): Promise<void> {
    unsubscribe ??= api.on('hosts.changed', apply)
    const before = version
    try {
      const list = await api.invoke('hosts.list', {})
      if (version === before) apply(list)
      error.value = null
    } catch (e) {
      error.value = shownError(e)
    }
  }

  function replace(host: ManagedHost): void {
    if (hosts.value.some((h) => h.id === host.id)) hosts.value = hosts.value.map((h) => (h.id === host.id ? host : h))
    else hosts.value = [...hosts.value, host]
  }

  /** Adds a host; the error is returned (not thrown) so the form can show it beside the field. */
  async function add(request: AddHostRequest): Promise<{ host: ManagedHost } | { error: CallError }> {
    try {
      const host = await api.invoke('hosts.add', request)
      replace(host)
      return { host }
    } catch (e) {
      return { error: callError(e) }
    }
  }

  async function remove(id: string): Promise<CallError | null> {
    try {
      await api.invoke('hosts.remove', { id })
      hosts.value = hosts.value.filter((h) => h.id !== id)
      return null
    } catch (e) {
      return callError(e)
    }
  }

  async function answerHostKey(promptId: string, accept: boolean): Promise<CallError | null> {
    try {
      replace(await api.invoke('hosts.answerHostKey', { promptId, accept }))
      return null
    } catch (e) {
      return callError(e)
    }
  }

  const byId = computed(() => new Map(hosts.value.map((h) => [h.id, h])))

  return { hosts, loaded, error, byId, load, add, remove, answerHostKey }
})
