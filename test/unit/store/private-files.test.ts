import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { openStore } from '../../../src-main/store'

// The data file holds inventory, the audit log with host output, and the host list: on a machine
// shared with other users, nobody else may read it, whatever the umask says.

const dir = mkdtempSync(join(tmpdir(), 'virtpilot-modes-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const mode = (path: string) => statSync(path).mode & 0o777

it('creates the data folder 0700 and the database, its WAL and shared-memory files 0600 under a 022 umask', () => {
  const previous = process.umask(0o022)
  try {
    const file = join(dir, 'new', 'virtpilot.db')
    const store = openStore(file)
    store.settings.update({ demoEnabled: false })
    expect(mode(join(dir, 'new'))).toBe(0o700)
    for (const path of [file, `${file}-wal`, `${file}-shm`]) expect(mode(path), path).toBe(0o600)
    store.close()
  } finally {
    process.umask(previous)
  }
})

it('tightens a database an older version left readable by others, and leaves a folder it did not create alone', () => {
  const file = join(dir, 'old.db')
  writeFileSync(file, '', { mode: 0o644 })
  const before = mode(dir)
  const store = openStore(file)
  store.settings.update({ demoEnabled: false })
  expect(mode(file)).toBe(0o600)
  expect(mode(dir)).toBe(before)
  store.close()
})
