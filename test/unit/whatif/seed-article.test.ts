import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { WhatifMetrics } from '../../../shared/api/whatif'
import { compareScenario } from '../../../shared/engine/whatif'
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
