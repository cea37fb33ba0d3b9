import { execFileSync, spawnSync } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore, StoreError } from '../../../src-main/store'
import { createServices } from '../../../src-main/services/services'
import type { Plan } from '../../../shared/model'
import { formatMessage } from '../../../shared/i18n'
import { englishRuns } from '../../support/english-runs'
import { cliArgv } from '../../support/built-cli'

// The data file on a small tmpfs that fills up or is remounted read-only, and a damaged data file.
// Mounting needs root (CI runs as root); every mount is undone after each test.
const root = process.getuid?.() === 0

let dir: string
let mnt: string
let file: string

function mount(options: string): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', mnt])
}

function remount(options: string): void {
  execFileSync('mount', ['-o', `remount,${options}`, mnt])
}

/** Fills the disk with one file (its size is what the disk could take). */
function fill(name = 'filler'): string {
  const filler = join(mnt, name)
  const fd = openSync(filler, 'w')
  const block = Buffer.alloc(64 * 1024, 1)
  try {
    for (;;) writeSync(fd, block)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error
  } finally {
    closeSync(fd)
  }
  return filler
}

const entry = (n: number) => ({ t: n, actor: 'test', kind: 'state' as const, message: `entry ${n} ${'x'.repeat(200)}` })

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'virtpilot-disk-'))
  mnt = join(dir, 'mnt')
  mkdirSync(mnt)
  file = join(mnt, 'virtpilot.db')
})

afterEach(() => {
  try {
    // Lazy: a store a failed test left open must not keep the mount (or the folder) behind.
    execFileSync('umount', ['-l', mnt], { stdio: 'ignore' })
  } catch {
    // not mounted (a test that needs no mount, or the mount failed)
  }
  rmSync(dir, { recursive: true, force: true })
})

describe.skipIf(!root)('a data file on a disk that fills up', () => {
  it('refuses the write that does not fit with a message naming the file, keeps every entry it acknowledged, and works again once there is room', () => {
    mount('size=1m')
    const store = openStore(file)
    const acknowledged: number[] = []
    let failure: unknown
    for (let n = 0; n < 100_000 && !failure; n++) {
      try {
        acknowledged.push(store.plans.audit(entry(n)))
      } catch (error) {
        failure = error
      }
    }
    expect(failure).toBeInstanceOf(StoreError)
    expect((failure as StoreError).problem).toBe('disk-full')
    expect((failure as Error).message).toContain(`Cannot write ${file}: the disk holding it is full`)
    expect((failure as Error).message).toMatch(/Free some space on that disk, or move the data file/)
    expect(acknowledged.length).toBeGreaterThan(10)
    // Samples (the other connection) fail the same clear way, once the room SQLite had set aside is used.
    let sampleFailure: unknown
    for (let t = 0; t < 100_000 && !sampleFailure; t++) {
      try {
        store.samples.save([{ hostId: 'h', t, cpuPct: 1, cpuUsedCores: 1, memUsedMiB: 1, memTotalMiB: 2, diskReadBps: 0, diskWriteBps: 0, netRxBps: 0, netTxBps: 0 }], [])
      } catch (error) {
        sampleFailure = error
      }
    }
    expect((sampleFailure as Error).message).toContain(`Cannot write ${file}: the disk holding it is full`)
    store.close()

    remount('size=8m')
    const again = openStore(file)
    const kept = again.plans.listAudit({ limit: 1_000_000 }).map((e) => e.id)
    expect(new Set(kept)).toEqual(new Set(acknowledged))
    expect(again.plans.audit(entry(-1))).toBeGreaterThan(Math.max(...acknowledged))
    again.close()
    const raw = new Database(file, { readonly: true })
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok')
    raw.close()
  })

  it('keeps the app running when its disk fills: polls say why, the api answers, a change is refused and nothing half written', async () => {
    mount('size=32m')
    const said: string[] = []
    const services = createServices({ transport: 'serve', dataFile: file, version: 'test', log: (m) => said.push(m) })
    await services.start()
    try {
      // No room left, not even in the journal SQLite had grown before: empty the journal, then fill the disk.
      const side = new Database(file)
      side.pragma('wal_checkpoint(TRUNCATE)')
      side.close()
      const filler = fill()
      const full = await until(() => said.find((m) => m.includes('the disk holding it is full')))
      expect(full).toContain(file)
      const snapshot = await services.handlers['cluster.snapshot']({}, { transport: 'test' })
      expect(snapshot.hosts.length).toBe(3)
      // A change the admin makes fails with the same message once the space SQLite had set aside is used up.
      let refusal: Error | undefined
      for (let n = 0; n < 1000 && !refusal; n++) {
        await services.handlers['settings.update']({ theme: n % 2 ? 'dark' : 'light' }, { transport: 'test' }).catch((e: Error) => (refusal = e))
      }
      expect(refusal?.message).toContain(`Cannot write ${file}: the disk holding it is full`)
      rmSync(filler)
      // Room again: the next polls are stored.
      const stored = () => {
        const s = openStore(file)
        try {
          return s.samples.count().hostSamples
        } finally {
          s.close()
        }
      }
      const count = stored()
      await until(() => (stored() > count ? true : undefined))
    } finally {
      await services.stop()
    }
  })
})

describe.skipIf(!root)('a data file on a read-only disk', () => {
  it('is refused with a message naming the file and what to do, and left as it was', () => {
    mount('size=8m')
    const writable = openStore(file)
    writable.plans.audit(entry(1))
    writable.close()
    const before = readFileSync(file)
    remount('ro')
    const refusal = (() => {
      try {
        openStore(file).close()
      } catch (error) {
        return error
      }
      return undefined
    })()
    expect(refusal).toBeInstanceOf(StoreError)
    expect((refusal as StoreError).problem).toBe('read-only')
    expect((refusal as Error).message).toContain(`${file} is on a read-only disk, or in a folder VirtPilot may not write`)
    expect((refusal as Error).message).toMatch(/make the folder writable \(or remount the disk read-write\), or copy the file somewhere writable/)
    expect(readFileSync(file).equals(before)).toBe(true)
    expect(readdirSync(mnt)).toEqual(['virtpilot.db'])
  })

  it('stops the CLI with that message and exit status 1, no stack trace', () => {
    mount('size=8m')
    openStore(file).close()
    remount('ro')
    const run = spawnSync(process.execPath, cliArgv(['hosts', 'list', '--data', file, '--json']), { encoding: 'utf8' })
    expect(run.status).toBe(1)
    expect(run.stderr.trim()).toBe(`virtpilot: ${file} is on a read-only disk, or in a folder VirtPilot may not write (unable to open database file). SQLite writes its journal next to the file: make the folder writable (or remount the disk read-write), or copy the file somewhere writable and use --data COPY.`)
    // In Chinese, with SQLite's own words kept and labelled.
    const chinese = spawnSync(process.execPath, cliArgv(['hosts', 'list', '--data', file, '--json', '--lang', 'zh-CN']), { encoding: 'utf8' })
    expect(chinese.status).toBe(1)
    expect(chinese.stderr.trim()).toBe(`virtpilot: ${file} 位于只读磁盘上，或位于 VirtPilot 无权写入的文件夹中（原文：unable to open database file）。SQLite 会在文件旁边写日志：请让该文件夹可写（或以读写方式重新挂载磁盘），或把文件复制到可写的位置并使用 --data COPY。`)
  })
})

describe('a damaged data file', () => {
  it('is moved aside (never overwritten) and a new one started; the notice says where it went', () => {
    mkdirSync(mnt, { recursive: true })
    const store = openStore(file)
    for (let n = 0; n < 2000; n++) store.plans.audit(entry(n))
    store.close()
    // Garbage over a few pages in the middle of the file: the header still says SQLite.
    const size = statSync(file).size
    const fd = openSync(file, 'r+')
    writeSync(fd, Buffer.alloc(3 * 4096, 0xa5), 0, 3 * 4096, Math.floor(size / 2 / 4096) * 4096)
    closeSync(fd)
    const damaged = readFileSync(file)

    const again = openStore(file, { now: () => Date.parse('2026-12-05T10:15:00Z') })
    const aside = `${file}.damaged-20261205T101500Z`
    expect(again.notice).toContain(`${file} was damaged`)
    expect(again.notice).toContain(`It was moved to ${aside}`)
    expect(readFileSync(aside).equals(damaged)).toBe(true)
    expect(again.plans.listAudit()).toEqual([])
    again.plans.audit(entry(1))
    again.close()

    // The same again: the first copy is kept, the second goes next to it.
    const fd2 = openSync(file, 'r+')
    writeSync(fd2, Buffer.alloc(4096, 0xa5), 0, 4096, 4096)
    closeSync(fd2)
    const third = openStore(file, { now: () => Date.parse('2026-12-05T10:15:00Z') })
    third.close()
    expect(readFileSync(aside).equals(damaged)).toBe(true)
    expect(readdirSync(mnt).filter((f) => f.includes('.damaged-')).sort()).toEqual(['virtpilot.db.damaged-20261205T101500Z', 'virtpilot.db.damaged-20261205T101500Z-2'])
  })

  it('tells the admin at start (log and app info) and goes on with the new file', async () => {
    mkdirSync(mnt, { recursive: true })
    openStore(file).close()
    const fd = openSync(file, 'r+')
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, 4096)
    closeSync(fd)
    const said: string[] = []
    const services = createServices({ transport: 'serve', dataFile: file, version: 'test', log: (m) => said.push(m) })
    try {
      expect(said.some((m) => m.includes(`${file} was damaged`))).toBe(true)
      const info = await services.handlers['app.info']({}, { transport: 'test' })
      expect(info.dataFileNotice).toContain('was moved to')
      const notice = formatMessage(info.dataFileNoticeRef!, 'zh-CN')
      expect(notice).toMatch(/已被移到 .*virtpilot\.db\.damaged-\S+，并新建了一个空的数据文件/)
      expect(englishRuns(notice.replace(/（原文：[^）]*）/, ''), { names: [file] }), notice).toEqual([])
      const plans: Plan[] = await services.handlers['plans.list']({}, { transport: 'test' })
      expect(plans).toEqual([])
    } finally {
      await services.stop()
    }
  })

  it('refuses a file that is not a data file at all, and leaves it as it is', () => {
    mkdirSync(mnt, { recursive: true })
    writeFileSync(file, '{"this": "is a plan file, not a data file"}\n'.repeat(200))
    const before = readFileSync(file)
    expect(() => openStore(file)).toThrow(StoreError)
    expect(() => openStore(file)).toThrow(`${file} is not a VirtPilot data file`)
    const refusal = (() => {
      try {
        openStore(file).close()
      } catch (error) {
        return error as StoreError
      }
      throw new Error('opened')
    })()
    const chinese = formatMessage(refusal.messageRef, 'zh-CN')
    expect(chinese).toMatch(new RegExp(`^${file.replace(/[.]/g, '\\.')} 不是 VirtPilot 的数据文件（原文：[^）]+）。请用 --data FILE 指定另一个文件。$`))
    expect(englishRuns(chinese.replace(/（原文：[^）]*）/, ''), { names: [file] }), chinese).toEqual([])
    expect(readFileSync(file).equals(before)).toBe(true)
    expect(readdirSync(mnt)).toEqual(['virtpilot.db'])
    expect(existsSync(`${file}-wal`)).toBe(false)
  })
})

async function until<T>(probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 50))
  }
}
