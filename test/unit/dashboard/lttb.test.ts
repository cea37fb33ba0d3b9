import { describe, expect, it } from 'vitest'
import { lttb, lttbIndices } from '../../../src-main/store/downsample'

const range = (n: number) => Array.from({ length: n }, (_, i) => i)

describe('LTTB downsampling', () => {
  it('keeps the first and the last point', () => {
    const t = range(10_000).map((i) => 1_000_000 + i * 10_000)
    const v = t.map((_, i) => Math.sin(i / 50))
    const out = lttb(t, v, 500)
    expect(out.t[0]).toBe(t[0])
    expect(out.values[0]).toBe(v[0])
    expect(out.t.at(-1)).toBe(t.at(-1))
    expect(out.values.at(-1)).toBe(v.at(-1))
  })

  it('returns at most n points, in time order', () => {
    for (const n of [3, 10, 299, 1000]) {
      const t = range(8640)
      const out = lttb(t, t.map((i) => (i * 7919) % 101), n)
      expect(out.t.length).toBeLessThanOrEqual(n)
      expect(out.t.length).toBe(n)
      for (let i = 1; i < out.t.length; i++) expect(out.t[i]!).toBeGreaterThan(out.t[i - 1]!)
    }
  })

  it('returns a short series unchanged', () => {
    expect(lttbIndices([1, 2, 3], [5, 6, 7], 10)).toEqual([0, 1, 2])
    expect(lttb([], [], 10)).toEqual({ t: [], values: [] })
  })

  it('picks the peak of a one-sample spike that averaging would flatten', () => {
    const t = range(10_000)
    const v = t.map(() => 1)
    v[4321] = 100
    const out = lttb(t, v, 100)
    expect(out.values).toContain(100)
    expect(out.t).toContain(4321)
    expect(Math.max(...out.values)).toBe(100)
  })

  it('keeps a dip too', () => {
    const t = range(5000)
    const v = t.map(() => 50)
    v[2500] = 0
    expect(lttb(t, v, 50).values).toContain(0)
  })
})
