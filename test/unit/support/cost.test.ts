import { expect, it } from 'vitest'
import { costAgainstBaseline, MAX_COST_RATIO } from './cost'

// The yardstick of the hostile-output tests must itself tell a parser that scans the rest of the
// text at every position from one that reads it once, on a busy machine as on an idle one.
// (How the quadratic one grows between two sizes is not asked: its first, uncompiled run blurs the smaller size.)
it('tells a quadratic parser from a linear one: the first lands far past the bound, the second far under it at every size', () => {
  const text = (kib: number) => 'word '.repeat((kib * 1024) / 5)
  const linear = (t: string) => t.split(' ').filter((w) => w === 'word').length
  const quadratic = (t: string) => {
    let found = 0
    for (let i = 0; i < t.length; i += 8) for (let j = i; j < t.length; j++) if (t.charCodeAt(j) === 0) found++
    return found
  }
  const [linear32, linear64] = [costAgainstBaseline(linear, text(32)).ratio, costAgainstBaseline(linear, text(64)).ratio]
  const quadratic64 = costAgainstBaseline(quadratic, text(64)).ratio
  // A linear parser stays far under the bound at both sizes (its ratio-of-ratios is noise on a busy machine).
  expect(Math.max(linear32, linear64)).toBeLessThan(MAX_COST_RATIO / 4)
  expect(quadratic64).toBeGreaterThan(MAX_COST_RATIO)
})
