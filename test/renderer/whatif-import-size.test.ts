import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { MAX_IMPORT_BYTES, useWhatifStore } from '../../src-renderer/stores/whatif'

/** Just what importFile reads of a File, so no 64 MiB of memory is needed. */
function file(name: string, size: number, text = ''): File {
  return { name, size, text: vi.fn(async () => text) } as Pick<File, 'name' | 'size' | 'text'> as File
}

describe('What-if import size in the view', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('refuses a file over 64 MiB with the message it is given, without reading or sending it', async () => {
    expect(MAX_IMPORT_BYTES).toBe(64 * 1024 * 1024)
    const sent = vi.spyOn(window.virtpilot!, 'invoke')
    const store = useWhatifStore()
    const big = file('trace.csv', MAX_IMPORT_BYTES + 1)
    await store.importFile(big, (size, limit) => `too big: ${size} > ${limit}`)
    expect(store.error?.message).toBe(`too big: ${MAX_IMPORT_BYTES + 1} > ${MAX_IMPORT_BYTES}`)
    expect(big.text).not.toHaveBeenCalled()
    expect(sent).not.toHaveBeenCalled()
    sent.mockRestore()
  })

  it('imports a file up to the limit into a saved scenario', async () => {
    const store = useWhatifStore()
    const csv = 'vm,timestamp,cpu,mem\n' + Array.from({ length: 6 }, (_, i) => `web,${1_700_000_000 + i * 300},0.5,512\nsql,${1_700_000_000 + i * 300},1.5,2048`).join('\n')
    await store.importFile(file('lab-trace.csv', csv.length, csv), () => 'unused')
    expect(store.error).toBeNull()
    expect(store.scenarios.map((s) => s.name)).toContain('Trace import (2 VMs)')
    expect(store.current?.hostList.length).toBeGreaterThan(0)
  })
})
