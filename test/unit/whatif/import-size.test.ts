import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'

// The store's api client picks a transport from `window`; this test only needs its calls.
const invoke = vi.fn()
vi.mock('../../../src-renderer/api', () => ({ api: { invoke: (...args: unknown[]) => invoke(...args), on: () => () => {} } }))

/** What this test uses of src-renderer/stores/whatif.ts. */
interface WhatifStoreModule {
  MAX_IMPORT_BYTES: number
  useWhatifStore: () => { error: string | null; importFile(file: File, tooLarge: (sizeBytes: number, limitBytes: number) => string): Promise<void> }
}
// A computed path: the store is browser code (typechecked by tsconfig.web.json), this test runs
// and typechecks as Node code.
const storeModule = ['../../../src-renderer/stores', 'whatif'].join('/')
const { MAX_IMPORT_BYTES, useWhatifStore } = (await import(/* @vite-ignore */ storeModule)) as WhatifStoreModule

/** Just what importFile reads of a File, so no 64 MiB of memory is needed. */
function file(name: string, size: number, text = ''): File {
  return { name, size, text: vi.fn(async () => text) } as unknown as File
}

describe('What-if import size in the view', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    invoke.mockReset()
  })

  it('refuses a file over 64 MiB with the message it is given, without reading or sending it', async () => {
    expect(MAX_IMPORT_BYTES).toBe(64 * 1024 * 1024)
    const store = useWhatifStore()
    const big = file('trace.csv', MAX_IMPORT_BYTES + 1)
    await store.importFile(big, (size, limit) => `too big: ${size} > ${limit}`)
    expect(store.error).toBe(`too big: ${MAX_IMPORT_BYTES + 1} > ${MAX_IMPORT_BYTES}`)
    expect(big.text).not.toHaveBeenCalled()
    expect(invoke).not.toHaveBeenCalled()
  })

  it('sends a file up to the limit as before', async () => {
    invoke.mockImplementation(async (channel: string) => (channel === 'whatif.list' ? [] : { id: 's1', edits: [], arrivals: [], arrivalStreams: [], hostList: [], vmList: [], steps: 1, stepSeconds: 60 }))
    const store = useWhatifStore()
    await store.importFile(file('trace.csv', 12, 'vm,timestamp'), () => 'unused')
    expect(store.error).toBeNull()
    expect(invoke).toHaveBeenCalledWith('whatif.import', { fileName: 'trace.csv', text: 'vm,timestamp' })
  })
})
