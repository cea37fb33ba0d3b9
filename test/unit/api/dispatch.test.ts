import { describe, expect, it } from 'vitest'
import { ApiFailure, dispatch, requestChannelNames, type Handlers } from '../../../shared/api'

const ctx = { transport: 'test' as const }
const settings = { language: 'en' as const, theme: 'light' as const, demoEnabled: true, analysisIntervalMinutes: 15, migrationThreshold: 3, allocationRatios: { cluster: { cpu: 4, memory: 1 }, hosts: {} }, metricsSource: { kind: 'ssh' as const } }

function handlers(overrides: Partial<Handlers> = {}): Handlers {
  // Channels a test does not use fail loudly if called.
  const unused = Object.fromEntries(
    requestChannelNames.map((channel) => [channel, async () => Promise.reject(new ApiFailure('unavailable', `${channel} is not part of this test`))]),
  ) as unknown as Handlers
  return {
    ...unused,
    'app.info': async () => ({ version: '1', transport: 'cli', dataFile: ':memory:', demoRunning: false, pollIntervalMs: 2000 }),
    'cluster.snapshot': async () => ({ t: 0, hosts: [], vms: [], hostSamples: [], vmSamples: [] }),
    'cluster.history': async (req) => ({ from: req.from, to: req.to, stepMs: req.maxPoints, cpuUsedCores: { t: [], values: [] }, cpuCapacityCores: 0, memUsedMiB: { t: [], values: [] }, memCapacityMiB: 0 }),
    'settings.get': async () => settings,
    'settings.update': async (patch) => ({ ...settings, ...patch, allocationRatios: patch.allocationRatios ?? settings.allocationRatios }),
    ...overrides,
  }
}

describe('dispatch', () => {
  it('refuses a channel outside the contract', async () => {
    const result = await dispatch(handlers(), 'fs.readFile', {}, ctx)
    expect(result).toMatchObject({ ok: false, error: { code: 'unknown-channel' } })
    expect(await dispatch(handlers(), 'toString', {}, ctx)).toMatchObject({ ok: false, error: { code: 'unknown-channel' } })
  })

  it('refuses a malformed request with the field at fault, without calling the handler', async () => {
    let called = false
    const h = handlers({ 'settings.update': async () => ((called = true), settings) })
    const result = await dispatch(h, 'settings.update', { theme: 'purple', extra: 1 }, ctx)
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.error.code).toBe('bad-request')
      expect(result.error.details?.join('\n')).toMatch(/theme/)
    }
    expect(called).toBe(false)
  })

  it('applies defaults and refinements of the request schema', async () => {
    const result = await dispatch(handlers(), 'cluster.history', { from: 10, to: 20 }, ctx)
    expect(result).toMatchObject({ ok: true, value: { stepMs: 300 } })
    const backwards = await dispatch(handlers(), 'cluster.history', { from: 20, to: 10 }, ctx)
    expect(backwards).toMatchObject({ ok: false, error: { code: 'bad-request' } })
  })

  it('passes a handler failure code through and wraps unexpected errors as internal', async () => {
    const h = handlers({
      'settings.get': async () => {
        throw new ApiFailure('unavailable', 'store is closed')
      },
      'app.info': async () => {
        throw new TypeError('boom')
      },
    })
    expect(await dispatch(h, 'settings.get', {}, ctx)).toEqual({ ok: false, error: { code: 'unavailable', message: 'store is closed' } })
    expect(await dispatch(h, 'app.info', {}, ctx)).toMatchObject({ ok: false, error: { code: 'internal', message: 'app.info failed: boom' } })
  })
})
