import { SCENARIO_LIMITS, type Arrival, type ArrivalStream } from '../../model/scenario'

/**
 * Expands arrival streams into requests with a seeded generator: exponential gaps (Poisson
 * arrivals at `perHour`), sizes, durations and priorities uniform in their ranges. Only while
 * the scenario runs (up to `endMinute`), and never more than `limit` requests (the schema keeps
 * the expected number below it; a seed's luck may not pass it either).
 */
export function expandStreams(streams: readonly ArrivalStream[], random: () => number, endMinute = Infinity, limit: number = SCENARIO_LIMITS.arrivals): Arrival[] {
  const out: Arrival[] = []
  for (const s of streams) {
    const meanGap = 60 / s.perHour
    const until = Math.min(s.toMinute, endMinute)
    let t = s.fromMinute
    let n = 0
    for (;;) {
      t += -Math.log(1 - random()) * meanGap
      if (t >= until) break
      if (out.length >= limit) throw new Error(`the arrival streams make more than ${limit.toLocaleString('en')} placement requests (the limit)`)
      const vcpus = uniformInt(s.vcpus[0], s.vcpus[1], random)
      out.push({
        id: `${s.name}#${++n}`,
        atMinute: t,
        vcpus,
        memoryMiB: uniform(s.memoryMiB[0], s.memoryMiB[1], random),
        durationMinutes: uniform(s.durationMinutes[0], s.durationMinutes[1], random),
        priority: uniformInt(s.priority[0], s.priority[1], random),
        cpuCores: vcpus * s.cpuUse,
      })
    }
  }
  return out
}

function uniform(lo: number, hi: number, random: () => number): number {
  return lo + (hi - lo) * random()
}

function uniformInt(lo: number, hi: number, random: () => number): number {
  return Math.min(hi, lo + Math.floor((hi - lo + 1) * random()))
}
