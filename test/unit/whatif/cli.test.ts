import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { whatifCommand } from '../../../src-main/cli/whatif'
import { parsePolicy } from '../../../src-main/whatif/policy-syntax'
import type { ScenarioInputError } from '../../../src-main/whatif/scenario-file'

describe('--policy syntax', () => {
  it('reads every key into a policy set with defaults for the rest', () => {
    const p = parsePolicy('name=night,alloc=hybrid,sched=priority,aging=2,max-wait=90,cpu-overcommit=3,balance=on,balance.every=30,balance.threshold=0.6,consolidate=on,headroom=0.25')
    expect(p).toMatchObject({
      name: 'night',
      allocation: 'hybrid',
      scheduling: 'priority',
      agingPerHour: 2,
      maxWaitMinutes: 90,
      cpuOvercommit: 3,
      memOvercommit: 1,
      balance: { enabled: true, intervalMinutes: 30, thresholdLoad: 0.6, maxMigrations: 8 },
      consolidation: { enabled: true, headroom: 0.25, intervalMinutes: 240 },
    })
  })

  it('says which key is wrong', () => {
    const error = (() => {
      try {
        parsePolicy('alloc=hybird,balance=yes,speed=2,headroom=lots')
      } catch (e) {
        return e as ScenarioInputError
      }
    })()
    expect(error?.details).toEqual([
      'balance: expected on or off, got "yes"',
      expect.stringMatching(/^unknown key "speed" \(known: name, alloc, /),
      'headroom: "lots" is not a number',
    ])
  })
})

describe('virtpilot whatif', () => {
  let out = ''
  let err = ''
  let dir = ''
  beforeEach(() => {
    out = ''
    err = ''
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true))
    vi.spyOn(console, 'error').mockImplementation((...args) => void (err += args.join(' ') + '\n'))
    dir = mkdtempSync(join(tmpdir(), 'virtpilot-whatif-cli-'))
  })
  afterEach(() => {
    vi.restoreAllMocks()
    rmSync(dir, { recursive: true, force: true })
  })

  it('compares policy sets on the demo cluster and can save the scenario it used', { timeout: 60_000 }, async () => {
    const file = join(dir, 'demo.json')
    expect(await whatifCommand(['--demo', '--json', '--policy', 'alloc=static', '--policy', 'alloc=dynamic', '--save-scenario', file])).toBe(0)
    const result = JSON.parse(out) as { scenario: { vms: number }; runs: { label: string; metrics: { unmetVmMinutes: number } }[] }
    expect(result.scenario.vms).toBe(24)
    expect(result.runs.map((r) => r.label)).toEqual(['static · FCFS', 'dynamic · FCFS'])
    // Static gives each VM its allocation even when the host is short: dynamic does better.
    expect(result.runs[1]!.metrics.unmetVmMinutes).toBeLessThan(result.runs[0]!.metrics.unmetVmMinutes)
    out = ''
    // The saved file replays to the same figures.
    expect(await whatifCommand([file, '--json', '--policy', 'alloc=static'])).toBe(0)
    expect((JSON.parse(out) as typeof result).runs[0]!.metrics.unmetVmMinutes).toBe(result.runs[0]!.metrics.unmetVmMinutes)
    expect(readFileSync(file, 'utf8').startsWith('{"version":1')).toBe(true)
  })

  it('exits 2 on bad usage and 1 on an invalid scenario, with a message saying why', { timeout: 60_000 }, async () => {
    expect(await whatifCommand(['--demo'])).toBe(2)
    expect(err).toMatch(/whatif needs --json/)
    expect(await whatifCommand(['--demo', '--json', ...Array.from({ length: 5 }, () => ['--policy', 'alloc=static']).flat()])).toBe(2)
    expect(await whatifCommand(['--json', '--bogus'])).toBe(2)
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, '{"version": 1, "name": "x", "start": 0, "stepSeconds": 300, "steps": 1, "hosts": [], "vms": [], "workload": []}')
    err = ''
    expect(await whatifCommand([bad, '--json'])).toBe(1)
    expect(err).toMatch(/bad\.json is not a valid VirtPilot scenario\n\s+hosts: /)
    expect(out).toBe('')
  })
})
