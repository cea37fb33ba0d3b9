import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { WhatifImportRequestSchema, type ScenarioOutline, type ScenarioSummary, type WhatifComparisonResult } from '../../shared/api/whatif'
import type { PolicySetInput, ScenarioEdit } from '../../shared/model/scenario'
import { api } from '../api'

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

/** The view's own edits on top of the loaded scenario. */
export interface EditDraft {
  growthPercentPerMonth: number
  failureHostId: string | null
  failureAtHour: number
  failureForHours: number
}

let nextKey = 1
const draft = (p: Omit<PolicyDraft, 'key'>): PolicyDraft => ({ key: nextKey++, ...p })

function describeError(e: unknown): string {
  const error = e as Error & { details?: string[] }
  return error.details?.length ? `${error.message}\n${error.details.slice(0, 8).join('\n')}` : error.message
}

/** What-if: saved scenarios, the one being looked at, its unsaved edits, policy sets and the last comparison. */
export const useWhatifStore = defineStore('whatif', () => {
  const scenarios = ref<ScenarioSummary[]>([])
  const current = shallowRef<ScenarioOutline | null>(null)
  const result = shallowRef<WhatifComparisonResult | null>(null)
  const busy = ref<'build' | 'import' | 'run' | 'save' | null>(null)
  const error = ref<string | null>(null)
  const policies = ref<PolicyDraft[]>([
    draft({ allocation: 'static', scheduling: 'fcfs', balance: false, consolidation: false }),
    draft({ allocation: 'hybrid', scheduling: 'easy', balance: true, consolidation: false }),
  ])
  const edits = ref<EditDraft>({ growthPercentPerMonth: 0, failureHostId: null, failureAtHour: 12, failureForHours: 2 })

  /** The saved scenario's edits that the view does not manage, plus the view's own. */
  const effectiveEdits = computed<ScenarioEdit[]>(() => {
    const kept = (current.value?.edits ?? []).filter((e) => e.kind !== 'growth' && e.kind !== 'hostFailure')
    const out: ScenarioEdit[] = [...kept]
    if (edits.value.growthPercentPerMonth !== 0) out.push({ kind: 'growth', percentPerMonth: edits.value.growthPercentPerMonth })
    if (edits.value.failureHostId) {
      out.push({
        kind: 'hostFailure',
        hostId: edits.value.failureHostId,
        atMinute: Math.max(0, edits.value.failureAtHour) * 60,
        ...(edits.value.failureForHours > 0 ? { durationMinutes: edits.value.failureForHours * 60 } : {}),
      })
    }
    return out
  })

  function adopt(outline: ScenarioOutline): void {
    current.value = outline
    result.value = null
    const growth = outline.edits.find((e) => e.kind === 'growth')
    const failure = outline.edits.find((e) => e.kind === 'hostFailure')
    edits.value = {
      growthPercentPerMonth: growth?.kind === 'growth' ? growth.percentPerMonth : 0,
      failureHostId: failure?.kind === 'hostFailure' ? failure.hostId : null,
      failureAtHour: failure?.kind === 'hostFailure' ? failure.atMinute / 60 : 12,
      failureForHours: failure?.kind === 'hostFailure' && failure.durationMinutes ? failure.durationMinutes / 60 : 0,
    }
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
      error.value = tooLarge(file.size, MAX_IMPORT_BYTES)
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
    const outline = await guarded('save', () => api.invoke('whatif.save', { id, name, edits: effectiveEdits.value, asNew }))
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
    const out = await guarded('run', () => api.invoke('whatif.run', { id, policies: sets, edits: effectiveEdits.value }))
    if (out) result.value = out
  }

  function addPolicy(): void {
    if (policies.value.length >= MAX_POLICY_SETS) return
    policies.value.push(draft({ allocation: 'dynamic', scheduling: 'sjf', balance: true, consolidation: false }))
  }

  function removePolicy(key: number): void {
    if (policies.value.length > 1) policies.value = policies.value.filter((p) => p.key !== key)
  }

  return { scenarios, current, result, busy, error, policies, edits, effectiveEdits, loadList, build, importFile, select, save, remove, run, addPolicy, removePolicy }
})
