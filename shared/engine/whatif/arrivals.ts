import type { Arrival, ArrivalStream } from '../../model/scenario'

/**
 * Expands arrival streams into requests with a seeded generator: exponential gaps (Poisson
 * arrivals at `perHour`), sizes, durations and priorities uniform in their ranges.
 */
export function expandStreams(streams: readonly ArrivalStream[], random: () => number): Arrival[] {
  const out: Arrival[] = []
  for (const s of streams) {
    const meanGap = 60 / s.perHour
    let t = s.fromMinute
    let n = 0
    for (;;) {
      t += -Math.log(1 - random()) * meanGap
      if (t >= s.toMinute) break
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
