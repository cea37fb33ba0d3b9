import { describe, expect, it } from 'vitest'
import { clusterHealth, healthLevel, hostHealth, type HostHealthInput } from '../../../shared/dashboard/health'

const calm: HostHealthInput = { hostId: 'h1', online: true, sampled: true, cpuPct: 40, memPct: 50, readyPct: 0, pressuredVms: 0 }

describe('host health score', () => {
  it('is 100 with no reasons for a calm host', () => {
    expect(hostHealth(calm)).toEqual({ score: 100, reasons: [] })
    expect(healthLevel(100)).toBe('good')
  })

  it('takes off 1.2 points per % of CPU above 75 and 1.5 per % of memory above 80', () => {
    const h = hostHealth({ ...calm, cpuPct: 95, memPct: 90 })
    expect(h.reasons.map((r) => [r.code, r.penalty])).toEqual([
      ['cpu', 24],
      ['memory', 15],
    ])
    expect(h.score).toBe(61)
  })

  it('caps each penalty: a saturated host scores 10, not below', () => {
    const h = hostHealth({ ...calm, cpuPct: 100, memPct: 100, readyPct: 20, pressuredVms: 10 })
    expect(h.reasons.map((r) => r.penalty)).toEqual([30, 30, 30, 20])
    expect(h.score).toBe(0)
    expect(healthLevel(h.score)).toBe('poor')
  })

  it('lists a host at 80 % CPU as a reason, and one from 70 % as a warning before points come off', () => {
    const hot = hostHealth({ ...calm, cpuPct: 80 })
    expect(hot.reasons).toEqual([{ code: 'cpu', value: 80, penalty: 6, hostId: 'h1' }])
    expect(hot.score).toBe(94)
    const warm = hostHealth({ ...calm, cpuPct: 72, memPct: 76 })
    expect(warm.score).toBe(100)
    expect(warm.reasons).toEqual([
      { code: 'memory', value: 76, penalty: 0, hostId: 'h1' },
      { code: 'cpu', value: 72, penalty: 0, hostId: 'h1' },
    ])
  })

  it('counts CPU ready at 4 points per % and memory pressure at 5 per VM', () => {
    const h = hostHealth({ ...calm, readyPct: 2.5, pressuredVms: 1 })
    expect(h.reasons).toEqual([
      { code: 'cpu-ready', value: 2.5, penalty: 10, hostId: 'h1' },
      { code: 'memory-pressure', value: 1, penalty: 5, hostId: 'h1' },
    ])
    expect(h.score).toBe(85)
  })

  it('scores a disconnected host 0 and a host without samples as unknown', () => {
    expect(hostHealth({ ...calm, online: false })).toMatchObject({ score: 0, reasons: [{ code: 'offline' }] })
    const unknown = hostHealth({ ...calm, sampled: false })
    expect(unknown.score).toBeNull()
    expect(healthLevel(unknown.score)).toBe('unknown')
  })
})

describe('cluster health score', () => {
  it('weights hosts by logical CPUs and lists the worst reasons first', () => {
    const big = hostHealth({ ...calm, hostId: 'big' })
    const small = hostHealth({ ...calm, hostId: 'small', cpuPct: 100 })
    const cluster = clusterHealth([
      { health: big, threads: 48 },
      { health: small, threads: 16 },
    ])
    expect(cluster.score).toBe(Math.round((100 * 48 + 70 * 16) / 64))
    expect(cluster.reasons[0]).toMatchObject({ code: 'cpu', hostId: 'small' })
  })

  it('has no score without any sampled host', () => {
    expect(clusterHealth([{ health: hostHealth({ ...calm, sampled: false }), threads: 8 }]).score).toBeNull()
    expect(clusterHealth([]).score).toBeNull()
  })
})
