import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { WhatifImportRequestSchema, type ScenarioOutline, type ScenarioQueue, type ScenarioSummary, type WhatifComparisonResult } from '../../shared/api/whatif'
import type { MessageRef } from '../../shared/model/message'
import type { PolicySetInput, ScenarioEdit } from '../../shared/model/scenario'
import { api } from '../api'
import { blankEdit, blankRequest, blankStream, editRows, requestRows, streamRows, toQueue, toScenarioEdit, type EditKind, type EditRow, type RequestRow, type StreamRow } from './whatif-drafts'

export const MAX_POLICY_SETS = 6

/**
 * The largest file the view sends (64 MiB): the contract's limit on the import text, so a bigger
 * file gets a clear message here instead of a refusal after uploading it (serve mode's socket
 * takes messages up to twice this, for the JSON escaping).
 */
export const MAX_IMPORT_BYTES = WhatifImportRequestSchema.shape.text.maxLength ?? 64 * 1024 * 1024

/** A policy set as the view edits it. */
export interface PolicyDraft {
  key: number
  allocation: 'static' | 'dynamic' | 'hybrid'
  scheduling: 'fcfs' | 'sjf' | 'priority' | 'easy'
  balance: boolean
  consolidation: boolean
}

let nextKey = 1
const draft = (p: Omit<PolicyDraft, 'key'>): PolicyDraft => ({ key: nextKey++, ...p })

/** Why the last action failed: main's English, its message, and the lines naming each problem (the first 8). */
export interface WhatifError {
  message: string
  messageRef?: MessageRef
  details: string[]
  /** One per detail: VirtPilot's words for it, or null (the detail is shown as it came). */
  detailRefs: (MessageRef | null)[]
}

function describeError(e: unknown): WhatifError {
  const error = e as Error & { messageRef?: MessageRef; details?: string[]; detailRefs?: (MessageRef | null)[] }
  const details = (error.details ?? []).slice(0, 8)
  return {
    message: error.message,
    ...(error.messageRef ? { messageRef: error.messageRef } : {}),
    details,
    detailRefs: details.map((_, i) => error.detailRefs?.[i] ?? null),
  }
}

/** What-if: saved scenarios, the one being looked at, its unsaved edits, policy sets and the last comparison. */
export const useWhatifStore = defineStore('whatif', () => {
  const scenarios = ref<ScenarioSummary[]>([])
  const current = shallowRef<ScenarioOutline | null>(null)
  const result = shallowRef<WhatifComparisonResult | null>(null)
  const busy = ref<'build' | 'import' | 'run' | 'save' | null>(null)
  const error = ref<WhatifError | null>(null)
  const policies = ref<PolicyDraft[]>([
    draft({ allocation: 'static', scheduling: 'fcfs', balance: false, consolidation: false }),
    draft({ allocation: 'hybrid', scheduling: 'easy', balance: true, consolidation: false }),
  ])
  /** Changes to hosts and VMs, one row each; the queue's listed requests and Poisson streams. */
  const edits = ref<EditRow[]>([])
  const requests = ref<RequestRow[]>([])
  const streams = ref<StreamRow[]>([])

  /** The scenario edits the rows stand for (incomplete rows are left out). */
  const effectiveEdits = computed<ScenarioEdit[]>(() => edits.value.flatMap((row) => toScenarioEdit(row) ?? []))
  const queue = computed<ScenarioQueue>(() => toQueue(requests.value, streams.value))

  function adopt(outline: ScenarioOutline): void {
    current.value = outline
    result.value = null
    edits.value = editRows(outline.edits, outline)
    requests.value = requestRows(outline.arrivals)
    streams.value = streamRows(outline.arrivalStreams)
  }

  function addEdit(kind: EditKind): void {
    if (current.value) edits.value.push(blankEdit(kind, current.value))
  }
  function removeEdit(key: number): void {
    edits.value = edits.value.filter((e) => e.key !== key)
  }
  function addRequest(): void {
    requests.value.push(blankRequest(requests.value.length + 1))
  }
  function removeRequest(key: number): void {
    requests.value = requests.value.filter((r) => r.key !== key)
  }
  /** A Poisson stream over the whole scenario, sized so the schedulers' orders make a difference. */
  function addStream(): void {
    const c = current.value
    if (c) streams.value.push(blankStream(streams.value.length + 1, (c.steps * c.stepSeconds) / 3600))
  }
  function removeStream(key: number): void {
    streams.value = streams.value.filter((s) => s.key !== key)
  }

  async function guarded<T>(kind: NonNullable<typeof busy.value>, work: () => Promise<T>): Promise<T | undefined> {
    busy.value = kind
    error.value = null
    try {
      return await work()
    } catch (e) {
      error.value = describeError(e)
      return undefined
    } finally {
      busy.value = null
    }
  }

  async function loadList(): Promise<void> {
    try {
      scenarios.value = await api.invoke('whatif.list', {})
    } catch (e) {
      error.value = describeError(e)
    }
  }

  async function build(source: 'demo' | 'live' | 'seed-article'): Promise<void> {
    const outline = await guarded('build', () => api.invoke('whatif.build', { source }))
    if (outline) {
      adopt(outline)
      // The article's example compares the three allocation strategies, then the three queue policies.
      if (source === 'seed-article') {
        policies.value = [
          ...(['static', 'dynamic', 'hybrid'] as const).map((allocation) => draft({ allocation, scheduling: 'fcfs', balance: false, consolidation: false })),
          ...(['sjf', 'priority'] as const).map((scheduling) => draft({ allocation: 'hybrid', scheduling, balance: false, consolidation: false })),
        ]
      }
    }
    await loadList()
  }

  /**
   * Reads the file in the page and sends its text: main validates it whole or refuses it. A file
   * over MAX_IMPORT_BYTES is not read or sent: `tooLarge` says why.
   */
  async function importFile(file: File, tooLarge: (sizeBytes: number, limitBytes: number) => string): Promise<void> {
    if (file.size > MAX_IMPORT_BYTES) {
      error.value = { message: tooLarge(file.size, MAX_IMPORT_BYTES), details: [], detailRefs: [] }
      return
    }
    const outline = await guarded('import', async () => api.invoke('whatif.import', { fileName: file.name, text: await file.text() }))
    if (outline) adopt(outline)
    await loadList()
  }

  async function select(id: string): Promise<void> {
    const outline = await guarded('build', () => api.invoke('whatif.get', { id }))
    if (outline) adopt(outline)
  }

  async function save(name: string, asNew: boolean): Promise<void> {
    const id = current.value?.id
    if (!id) return
    const outline = await guarded('save', () => api.invoke('whatif.save', { id, name, edits: effectiveEdits.value, queue: queue.value, asNew }))
    if (outline) {
      const keep = result.value
      adopt(outline)
      result.value = keep
    }
    await loadList()
  }

  async function remove(id: string): Promise<void> {
    await guarded('save', () => api.invoke('whatif.delete', { id }))
    if (current.value?.id === id) {
      current.value = null
      result.value = null
    }
    await loadList()
  }

  async function run(): Promise<void> {
    const id = current.value?.id
    if (!id) return
    const sets: PolicySetInput[] = policies.value.map((p) => ({
      allocation: p.allocation,
      scheduling: p.scheduling,
      balance: { enabled: p.balance },
      consolidation: { enabled: p.consolidation },
    }))
    const out = await guarded('run', () => api.invoke('whatif.run', { id, policies: sets, edits: effectiveEdits.value, queue: queue.value }))
    if (out) result.value = out
  }

  function addPolicy(): void {
    if (policies.value.length >= MAX_POLICY_SETS) return
    policies.value.push(draft({ allocation: 'dynamic', scheduling: 'sjf', balance: true, consolidation: false }))
  }

  /** The four queue policies side by side, all else equal: what the schedulers change. */
  function compareSchedulers(): void {
    policies.value = (['fcfs', 'sjf', 'priority', 'easy'] as const).map((scheduling) => draft({ allocation: 'dynamic', scheduling, balance: false, consolidation: false }))
  }

  function removePolicy(key: number): void {
    if (policies.value.length > 1) policies.value = policies.value.filter((p) => p.key !== key)
  }

  return {
    scenarios, current, result, busy, error, policies, edits, requests, streams, effectiveEdits, queue,
    loadList, build, importFile, select, save, remove, run, addPolicy, removePolicy, compareSchedulers,
    addEdit, removeEdit, addRequest, removeRequest, addStream, removeStream,
  }
})
