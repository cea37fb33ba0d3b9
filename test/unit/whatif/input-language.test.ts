import { readdirSync, readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { issueRef } from '../../../shared/api/issues'
import { ApiFailure } from '../../../shared/api/result'
import { english, formatMessage, isMessageKey } from '../../../shared/i18n'
import { AutomationUpdateSchema, type MessageRef } from '../../../shared/model'
import { createWhatif } from '../../../src-main/services/whatif'
import { openStore, type Store } from '../../../src-main/store'
import { parseScenarioText, ScenarioInputError } from '../../../src-main/whatif/scenario-file'
import { importTraceText } from '../../../src-main/whatif/traces'
import { englishRuns } from '../../support/english-runs'

/**
 * A scenario file or trace VirtPilot cannot load, told in the admin's language: which field of
 * which host or VM is wrong and what it expects, in English and in Chinese, with zod's own line
 * kept (in English) beside it for scripts. Names the admin gave (ids, file names) stay as they are.
 */

const valid = {
  version: 1,
  name: 'two hosts',
  start: 0,
  stepSeconds: 300,
  steps: 3,
  hosts: [
    { id: 'h1', cpuCores: 8, memoryMiB: 32768 },
    { id: 'h2', cpuCores: 8, memoryMiB: 32768 },
  ],
  vms: [{ id: 'v1', hostId: 'h1', vcpus: 2, memoryMiB: 4096 }],
  workload: [{ vm: 'v1', cpuCores: [1, 1, 1], memMiB: [100, 100, 100] }],
}

function refusal(load: () => unknown): ScenarioInputError {
  try {
    load()
  } catch (error) {
    if (error instanceof ScenarioInputError) return error
    throw error
  }
  throw new Error('expected the input to be refused')
}

const NAMES = ['bad.json', 'plan.json', 'h1', 'h2', 'v1', 'v9', 'trace.csv', 'cpu']

/** Every line of a refusal as the admin reads it in one language. */
function said(error: ScenarioInputError, locale: 'en' | 'zh-CN'): string[] {
  return [formatMessage(error.ref, locale), ...error.problems.map((p) => (p.ref ? formatMessage(p.ref, locale) : p.text))]
}

describe('a scenario file that cannot be loaded, in the admin’s language', () => {
  it('the walk’s file: a host with 0 CPU cores is named by its place, with what is expected, in both languages', () => {
    const error = refusal(() => parseScenarioText(JSON.stringify({ ...valid, hosts: [{ id: 'h1', cpuCores: 0, memoryMiB: 1024 }] }), 'bad.json'))
    // The English for scripts and logs is as before: the summary, then zod's own line.
    expect(error.summary).toBe('bad.json is not a valid VirtPilot scenario')
    expect(error.details[0]).toBe('hosts.0.cpuCores: Too small: expected number to be >0')
    expect(said(error, 'en')).toEqual(expect.arrayContaining(['bad.json is not a valid VirtPilot scenario', 'hosts.0.cpuCores (host 1): must be more than 0']))
    expect(said(error, 'zh-CN')).toEqual(expect.arrayContaining(['bad.json 不是有效的 VirtPilot 场景', 'hosts.0.cpuCores（第 1 台宿主机）：必须大于 0']))
  })

  it('every kind of wrong value gets its own words: missing, wrong type, out of range, not one of, unknown key, and the references between parts', () => {
    const bad = {
      ...valid,
      name: 5,
      stepSeconds: undefined,
      source: { kind: 'spreadsheet' },
      extra: true,
      hosts: [...valid.hosts, { id: 'h1', cpuCores: 4, memoryMiB: 2e12 }],
      vms: [...valid.vms, { id: 'v1', hostId: 'h9', vcpus: 1.5, memoryMiB: 512 }],
      workload: [{ vm: 'v1', cpuCores: [1], memMiB: [100, 100, 100] }],
    }
    // The shapes first (zod stops there), then a file whose shapes are right but whose parts do not fit together.
    const shapes = refusal(() => parseScenarioText(JSON.stringify(bad), 'plan.json'))
    const refs = refusal(() =>
      parseScenarioText(
        JSON.stringify({ ...valid, hosts: [...valid.hosts, valid.hosts[0]], vms: [...valid.vms, { id: 'v2', hostId: 'h9', vcpus: 1, memoryMiB: 512 }], workload: [{ vm: 'v1', cpuCores: [1], memMiB: [1, 1, 1] }] }),
        'plan.json',
      ),
    )
    for (const error of [shapes, refs]) {
      expect(error.problems.length).toBeGreaterThan(2)
      for (const problem of error.problems) {
        // Each line is worded by VirtPilot, not passed on as zod said it.
        expect(problem.ref?.key, problem.text).toMatch(/^input\.issue\./)
        expect(problem.ref!.key, problem.text).not.toBe('input.issue.other')
        // zod's "(root)" is the file as a whole; any other path is named as the file spells it.
        const path = problem.text.slice(0, problem.text.indexOf(':'))
        const where = path === '(root)' ? ['the file as a whole', '整个文件'] : [path, path]
        expect(formatMessage(problem.ref!, 'en')).toContain(where[0])
        const chinese = formatMessage(problem.ref!, 'zh-CN')
        expect(chinese).toContain(where[1])
        expect(englishRuns(chinese, { names: NAMES }), chinese).toEqual([])
      }
    }
    const zh = said(shapes, 'zh-CN').join('\n')
    expect(zh).toContain('name：应为文本')
    expect(zh).toContain('stepSeconds：缺少此项，应为数字')
    expect(zh).toContain('source.kind：必须是 "file"、"demo"')
    expect(zh).toContain('未知的键 "extra"')
    expect(zh).toContain('hosts.2.memoryMiB（第 3 台宿主机）：不能大于 1000000000')
    expect(zh).toContain('vms.1.vcpus（第 2 台虚拟机）：应为整数')
    expect(said(refs, 'zh-CN')).toEqual(
      expect.arrayContaining([
        'hosts.2.id（第 3 台宿主机）：宿主机 ID "h1" 重复',
        'vms.1.hostId（第 2 台虚拟机）：hosts 中没有宿主机 "h9"',
        'workload.0.cpuCores（第 1 条需求序列）：有 1 个值，应与 steps 相同，为 3 个',
      ]),
    )
  })

  it('a JSON syntax error says where and what, in both languages', () => {
    const error = refusal(() => parseScenarioText('{\n  "version": 1,\n  "name": "x"\n  "start": 0\n}', 'plan.json'))
    expect(error.details).toEqual(["line 4, column 3: expected ',' or '}' after a property value"])
    expect(said(error, 'zh-CN')).toEqual(['plan.json 不是有效的 JSON', "第 4 行第 3 列：属性值后应为 ',' 或 '}'"])
  })

  it('a trace with a bad value names the line, the column and what it holds', () => {
    const error = refusal(() => importTraceText('trace.csv', 'vm,timestamp,cpu,mem\nv1,1700000000,abc,100\n'))
    expect(error.details).toEqual(['line 2, column 3 (cpu): "abc" is not a non-negative number'])
    expect(said(error, 'zh-CN')).toEqual(['trace.csv 中有错误的值', '第 2 行第 3 列（cpu）："abc" 不是非负数'])
  })

  it('each worded check of the model names a message that exists (the model cannot import the catalogues)', () => {
    const dir = new URL('../../../shared/model/', import.meta.url)
    const keys = readdirSync(dir).filter((f) => f.endsWith('.ts')).flatMap((f) => [...readFileSync(new URL(f, dir), 'utf8').matchAll(/words\('([^']+)'/g)].map((m) => m[1]!))
    expect(keys.length).toBeGreaterThan(19)
    for (const key of keys) expect(isMessageKey(key), key).toBe(true)
  })

  it("the automation settings' own checks (clock time, window, days, time zone) say what is wrong in both languages", () => {
    const checked = AutomationUpdateSchema.safeParse({ windows: [{ days: ['sat', 'sat'], start: '22:00', end: '22:00' }, { days: ['mon'], start: '25:00', end: '06:00' }], timeZone: 'Mars/Olympus_Mons' })
    expect(checked.success).toBe(false)
    const refs = checked.error!.issues.map(issueRef)
    expect(refs.map((r) => r.key).sort()).toEqual(['input.issue.clockTime', 'input.issue.dayTwice', 'input.issue.timeZone', 'input.issue.windowEnd'])
    expect(refs.map((r) => formatMessage(r, 'en')).sort()).toEqual([
      'timeZone: not a time zone this system knows (e.g. Europe/Berlin, UTC)',
      'windows.0.days: a day is named twice',
      'windows.0.end: a window needs an end different from its start',
      'windows.1.start: must be a time as HH:MM (00:00 .. 24:00)',
    ])
    for (const ref of refs) expect(englishRuns(formatMessage(ref, 'zh-CN'), { names: ['Europe/Berlin', 'UTC', 'HH:MM'] }), formatMessage(ref, 'zh-CN')).toEqual([])
  })
})

describe('what-if refusals and names over the api', { timeout: 60_000 }, () => {
  let store: Store | undefined
  afterEach(() => store?.close())

  function handlers() {
    store = openStore(':memory:')
    let now = 1_700_000_000_000
    return createWhatif({ scenarios: store.scenarios, samples: store.samples, snapshot: () => ({ t: 0, hosts: [], vms: [], hostSamples: [], vmSamples: [] }), clock: () => now++ })
  }

  it('an import failure carries the message and one message per detail, beside the English', async () => {
    const h = handlers()
    const bad = { ...valid, hosts: [{ id: 'h1', cpuCores: -8, memoryMiB: 32768 }, valid.hosts[1]] }
    const failure = (await h.import({ fileName: 'plan.json', text: JSON.stringify(bad) }).catch((e: unknown) => e)) as ApiFailure
    expect(failure).toBeInstanceOf(ApiFailure)
    expect(failure.toApiError()).toMatchObject({ code: 'bad-request', message: 'plan.json is not a valid VirtPilot scenario', messageRef: { key: 'input.file.notScenario' } })
    expect(failure.details).toHaveLength(1)
    expect(failure.detailRefs).toHaveLength(1)
    expect(formatMessage(failure.detailRefs![0]!, 'zh-CN')).toBe('hosts.0.cpuCores（第 1 台宿主机）：必须大于 0')
    const missing = (await h.get({ id: 'gone' }).catch((e: unknown) => e)) as ApiFailure
    expect(formatMessage(missing.messageRef!, 'zh-CN')).toMatch(/^没有已保存的场景 gone/)
    expect(missing.message).toMatch(/^No saved scenario gone/)
  })

  it('the name VirtPilot gives a scenario reads in the admin’s language, until the admin names it', async () => {
    const h = handlers()
    const demo = await h.build({ source: 'demo', windowDays: 7 })
    expect(demo.name).toBe('Demo cluster (2 days of Bitbrains demand)')
    expect(formatMessage(demo.nameRef!, 'zh-CN')).toBe('演示集群（2 天的 Bitbrains 需求）')
    const example = await h.build({ source: 'seed-article', windowDays: 7 })
    expect(english(example.nameRef!)).toBe(example.name)
    expect(englishRuns(formatMessage(example.nameRef!, 'zh-CN'))).toEqual([])
    // Kept in the list (SQLite), and when saved under the same name with edits.
    expect((await h.list({})).find((s) => s.id === demo.id)!.nameRef).toEqual(demo.nameRef)
    const edited = await h.save({ id: demo.id, name: demo.name, edits: [{ kind: 'hostFailure', hostId: demo.hostList[0]!.id, atMinute: 60 }], asNew: false })
    expect(edited.nameRef).toEqual(demo.nameRef)
    // A name the admin typed is theirs, in whatever language they typed it.
    const renamed = await h.save({ id: demo.id, name: '周末演练', edits: [], asNew: false })
    expect(renamed.nameRef).toBeUndefined()
    expect((await h.list({})).find((s) => s.id === demo.id)).toMatchObject({ name: '周末演练' })
    expect((await h.list({})).find((s) => s.id === demo.id)!.nameRef).toBeUndefined()
    // An import named after its trace: "Trace import (1 VMs)".
    const trace = await h.import({ fileName: 'trace.csv', text: 'vm,timestamp,cpu,mem\nv1,1700000000,1,100\nv1,1700000300,1,100\n' })
    expect(formatMessage(trace.nameRef as MessageRef, 'zh-CN')).toBe('跟踪数据导入（1 台虚拟机）')
  })
})
