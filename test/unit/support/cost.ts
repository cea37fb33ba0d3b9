/**
 * A parser's cost compared with a proportional baseline run side by side in the same test: the
 * most a linear tokenizer can do with the same text (split it at every character that is not a
 * letter or digit). A busy machine slows both alike, so the ratio holds where a time limit would
 * not; both allocate alike, so the garbage collector's steps affect both. A linear parser stays
 * within a constant factor of it at any size; a quadratic one falls behind by the input's length.
 */
export function tokenizeEverything(text: string): number {
  return text.split(/[^A-Za-z0-9]/).length
}

/** Time of `reps` calls, in ms. */
function timed(run: () => unknown, reps: number): number {
  const start = performance.now()
  for (let i = 0; i < reps; i++) run()
  return performance.now() - start
}

export interface Cost {
  /** The parser's time over the baseline's, best of each. */
  ratio: number
  parseMs: number
  baselineMs: number
}

export function costAgainstBaseline(parse: (input: string) => unknown, input: string, tries = 3): Cost {
  // Enough repetitions that the baseline takes a few ms: below that the timer's noise dominates.
  let reps = 1
  while (reps < 4096 && timed(() => tokenizeEverything(input), reps) < 1) reps *= 2
  let parseMs = Infinity
  let baselineMs = Infinity
  for (let i = 0; i < tries; i++) {
    baselineMs = Math.min(baselineMs, timed(() => tokenizeEverything(input), reps))
    parseMs = Math.min(parseMs, timed(() => parse(input), reps))
    // Far past any linear parser already: no need to wait for more runs of a quadratic one.
    if (parseMs > baselineMs * MAX_COST_RATIO * 10) break
  }
  return { ratio: parseMs / baselineMs, parseMs: parseMs / reps, baselineMs: baselineMs / reps }
}

/** The most a linear host-output parser may cost relative to the baseline (calibrated on every parser, with room). */
export const MAX_COST_RATIO = 100
