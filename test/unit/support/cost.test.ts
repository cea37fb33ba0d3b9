import { expect, it } from 'vitest'
import { costAgainstBaseline, MAX_COST_RATIO } from './cost'

// The yardstick of the hostile-output tests must itself tell a parser that scans the rest of the
// text at every position from one that reads it once, on a busy machine as on an idle one.
it('tells a quadratic parser from a linear one: the first falls behind as the text grows, the second does not', () => {
  const text = (kib: number) => 'word '.repeat((kib * 1024) / 5)
  const linear = (t: string) => t.split(' ').filter((w) => w === 'word').length
  const quadratic = (t: string) => {
    let found = 0
    for (let i = 0; i < t.length; i += 8) for (let j = i; j < t.length; j++) if (t.charCodeAt(j) === 0) found++
    return found
  }
  const [linear32, linear64] = [costAgainstBaseline(linear, text(32)).ratio, costAgainstBaseline(linear, text(64)).ratio]
  const [quadratic32, quadratic64] = [costAgainstBaseline(quadratic, text(32)).ratio, costAgainstBaseline(quadratic, text(64)).ratio]
  // A linear parser stays far under the bound at both sizes (its ratio-of-ratios is noise on a busy machine).
  expect(Math.max(linear32, linear64)).toBeLessThan(MAX_COST_RATIO / 4)
  // Twice the text, twice as far behind in theory; a busy machine blurs that, so only the direction counts.
  expect(quadratic64 / quadratic32).toBeGreaterThan(1.2)
  expect(quadratic64).toBeGreaterThan(MAX_COST_RATIO)
})
