import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { WhatifRunRequestSchema, type WhatifMetrics } from '../../../shared/api/whatif'
import { compareScenario } from '../../../shared/engine/whatif'
import { english, formatMessage } from '../../../shared/i18n'
import type { MessageRef } from '../../../shared/model'
import { createWhatif } from '../../../src-main/services/whatif'
import { openStore } from '../../../src-main/store'
import { runInProcess } from '../../../src-main/whatif/run'
import { englishRuns } from '../../support/english-runs'
import { seedArticleText } from '../../../shared/text/seed-article'
import { whatifCommand } from '../../../src-main/cli/whatif'
import { seedArticlePolicies, seedArticleScenario } from '../../../src-main/whatif/examples'

describe("the article's example: VM A and VM B on one host", () => {
  const result = compareScenario(seedArticleScenario(), seedArticlePolicies(), { seed: 1 })
  const byName = Object.fromEntries(result.runs.map((r) => [r.policy.name!, r]))
  const m = (name: string): WhatifMetrics => byName[name]!.metrics

  it("has the article's host and VMs: 4 cores / 4 GiB / 40 GiB; A 1 core, 1 GiB, 10 GiB; B 2 cores, 2 GiB, 20 GiB", () => {
    const s = seedArticleScenario()
    expect(s.hosts).toEqual([expect.objectContaining({ cpuCores: 4, memoryMiB: 4096, diskGiB: 40 })])
    expect(s.vms.map((v) => [v.name, v.cpuReservationCores, v.memoryMiB, v.diskGiB])).toEqual([['VM A', 1, 1024, 10], ['VM B', 2, 2048, 20]])
    // They trade load: A busy at 10:00 while B idles, B busy at 21:00 while A idles, both at 17:30.
    const at = (vm: number, hour: number) => s.workload[vm]!.cpuCores[hour * 12]!
    expect([at(0, 10), at(1, 10), at(0, 21), at(1, 21)]).toEqual([2, 0.3, 0.2, 3])
    expect(s.workload[0]!.cpuCores[17 * 12 + 6]! + s.workload[1]!.cpuCores[17 * 12 + 6]!).toBe(5)
  })

  it('static leaves the idle share unused: both VMs are short whenever busy; dynamic and hybrid only in the hour both are', () => {
    expect(m('static, FCFS').unmetCpuCoreHours).toBeGreaterThan(8)
    expect(m('dynamic, FCFS').unmetCpuCoreHours).toBeCloseTo(1, 6)
    expect(m('hybrid, FCFS').unmetCpuCoreHours).toBeCloseTo(1, 6)
    // In that hour dynamic splits evenly (B, wanting 3, is the one short); hybrid keeps the reservations and shares the shortfall.
    expect(m('dynamic, FCFS').cpuUnmetVmMinutes).toBe(60)
    expect(m('hybrid, FCFS').cpuUnmetVmMinutes).toBe(120)
  })

  it('disk, the third resource: thick disks (static) leave no room for the 15 GiB archive, thin disks do', () => {
    expect(m('static, FCFS').disk).toMatchObject({ rejected: 1, peakUse: 0.95 })
    expect(byName['static, FCFS']!.requests.find((r) => r.id === 'archive')!.outcome).toBe('rejected')
    expect(m('dynamic, FCFS').disk!.rejected).toBe(0)
    expect(m('hybrid, FCFS').disk!.rejected).toBe(0)
    expect(m('hybrid, FCFS').disk!.peakPromise).toBeLessThanOrEqual(1.5)
  })

  it('the queue: SJF has the shortest mean wait, priority starts the urgent build at once, FCFS makes it wait behind the backup', () => {
    const start = (name: string, id: string) => byName[name]!.requests.find((r) => r.id === id)!.startMinute
    expect(m('hybrid, SJF').queue.waitMinutes.mean).toBeLessThan(m('hybrid, priority').queue.waitMinutes.mean)
    expect(m('hybrid, priority').queue.waitMinutes.mean).toBeLessThan(m('hybrid, FCFS').queue.waitMinutes.mean)
    expect(start('hybrid, priority', 'urgent-build')).toBe(540)
    expect(start('hybrid, FCFS', 'urgent-build')).toBe(540 + 120 + 15)
    expect(start('hybrid, SJF', 'report')).toBe(540)
  })

  it('explains every strategy and queue policy in English and Chinese', () => {
    for (const lang of ['en', 'zh-CN'] as const) {
      const text = seedArticleText[lang]
      for (const key of ['title', 'setup', 'static', 'dynamic', 'hybrid', 'fcfs', 'sjf', 'priority', 'disk', 'takeaway'] as const) expect(text[key].length).toBeGreaterThan(20)
    }
    expect(seedArticleText['zh-CN'].setup).toContain('虚拟机 A')
  })
})

describe("the article's example as the What-if view runs it, in Chinese", () => {
  it('dynamic allocation gives A the core B does not use, as the article\'s allocate_resource(1, 1, 1) does; every text of the result reads in Chinese', { timeout: 120_000 }, async () => {
    const store = openStore(':memory:')
    try {
      const whatif = createWhatif({ scenarios: store.scenarios, samples: store.samples, snapshot: () => ({ t: 0, hosts: [], vms: [], hostSamples: [], vmSamples: [] }), clock: () => 1_700_000_000_000, runner: runInProcess })
      const outline = await whatif.build({ source: 'seed-article', windowDays: 7 })
      // The view's policy sets carry no names: their labels are VirtPilot's, as messages.
      const sets = [
        ...(['static', 'dynamic', 'hybrid'] as const).map((allocation) => ({ allocation, scheduling: 'fcfs' as const })),
        ...(['sjf', 'priority'] as const).map((scheduling) => ({ allocation: 'hybrid' as const, scheduling })),
      ]
      const result = await whatif.run(WhatifRunRequestSchema.parse({ id: outline.id, policies: sets, seed: 1 }))
      const [staticFcfs, dynamicFcfs, hybridFcfs] = result.runs
      // A busy (2 cores wanted, 1 reserved) while B idles: static holds A to its own core for its ten busy
      // hours; dynamic lends it B's idle one, so only the hour both are busy (17:00-18:00) stays short.
      expect(staticFcfs!.metrics.unmetCpuCoreHours).toBeGreaterThan(8)
      expect(dynamicFcfs!.metrics.unmetCpuCoreHours).toBeCloseTo(1, 6)
      expect(hybridFcfs!.metrics.unmetCpuCoreHours).toBeCloseTo(1, 6)
      // Thick disks (static) leave no room for the archive's 15 GiB; thin disks do.
      expect(staticFcfs!.metrics.disk!.rejected).toBe(1)
      expect(dynamicFcfs!.metrics.disk!.rejected).toBe(0)

      const texts: { english: string; ref: MessageRef }[] = [{ english: outline.name, ref: outline.nameRef! }]
      for (const run of result.runs) {
        texts.push({ english: run.label, ref: run.labelRef! })
        for (const event of run.events) if (event.detail !== undefined) texts.push({ english: event.detail, ref: event.detailRef! })
      }
      // The rejected archive is one of the texts: the result has more than labels to say.
      expect(texts.some((t) => t.ref?.key === 'engine.whatif.rejectedDisk')).toBe(true)
      const names = [...outline.vmList.flatMap((v) => [v.id, v.name ?? v.id]), ...outline.hostList.flatMap((h) => [h.id, h.name ?? h.id]), ...outline.arrivals.map((a) => a.id)]
      for (const text of texts) {
        expect(text.ref, text.english).toBeDefined()
        expect(english(text.ref)).toBe(text.english)
        const chinese = formatMessage(text.ref, 'zh-CN')
        expect(englishRuns(chinese, { names }), chinese).toEqual([])
      }
      expect(formatMessage(result.runs[0]!.labelRef!, 'zh-CN')).toBe('静态 · FCFS')
      for (const key of ['title', 'setup', 'static', 'dynamic', 'hybrid', 'fcfs', 'sjf', 'priority', 'disk', 'takeaway'] as const) {
        expect(englishRuns(seedArticleText['zh-CN'][key], { names }), key).toEqual([])
      }
    } finally {
      store.close()
    }
  })
})

describe('virtpilot whatif --example seed-article', () => {
  let out = ''
  beforeEach(() => {
    out = ''
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true))
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
  })
  afterEach(() => vi.restoreAllMocks())

  it('prints the five runs with the explanation in both languages; an unknown example is bad usage', { timeout: 120_000 }, async () => {
    expect(await whatifCommand(['--example', 'seed-article', '--json'])).toBe(0)
    const printed = JSON.parse(out) as { example: { id: string; explanation: typeof seedArticleText }; runs: { label: string; metrics: WhatifMetrics }[] }
    expect(printed.example.id).toBe('seed-article')
    expect(printed.example.explanation['zh-CN'].title).toBe(seedArticleText['zh-CN'].title)
    expect(printed.runs.map((r) => r.label)).toEqual(['static, FCFS', 'dynamic, FCFS', 'hybrid, FCFS', 'hybrid, SJF', 'hybrid, priority'])
    expect(printed.runs[0]!.metrics.disk!.rejected).toBe(1)
    expect(await whatifCommand(['--example', 'nope', '--json'])).toBe(2)
  })
})
