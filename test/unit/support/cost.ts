/**
 * A parser's cost compared with a proportional baseline run side by side in the same test: the
 * most a linear tokenizer can do with the same text (split it at every character that is not a
 * letter or digit). Both are measured in CPU time, so a busy machine (which preempts a long run
 * more often than a short one) does not move the ratio; both allocate alike, so the garbage
 * collector's steps affect both. A linear parser stays within a constant factor of it at any
 * size; a quadratic one falls behind by the input's length.
 */
export function tokenizeEverything(text: string): number {
  return text.split(/[^A-Za-z0-9]/).length
}

/**
 * The process's CPU time (ms, getrusage, microseconds): what the work cost, however busy the
 * machine (wall time counts the waits for a core too).
 */
function cpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/** CPU time of `reps` calls, in ms. */
function timed(run: () => unknown, reps: number): number {
  const start = cpuMs()
  for (let i = 0; i < reps; i++) run()
  return cpuMs() - start
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
    // Ten times inside the bound already: more runs would have to find the baseline ten times
    // faster to matter (the tries are against a preemption or collection in the first).
    if (parseMs < (baselineMs * MAX_COST_RATIO) / 10) break
  }
  return { ratio: parseMs / baselineMs, parseMs: parseMs / reps, baselineMs: baselineMs / reps }
}

/** The most a linear host-output parser may cost relative to the baseline (calibrated on every parser, with room). */
export const MAX_COST_RATIO = 100
