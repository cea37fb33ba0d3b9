import type { StorageIo } from '../../../shared/model'
import type { DiskStat } from './parse/procfs'

/** A /proc/diskstats read and when it was taken (epoch ms). */
export interface DiskstatsRead {
  t: number
  stats: readonly DiskStat[]
}

/** Counters only grow; a smaller value means the device was re-created (or wrapped): count from zero. */
const grown = (before: number, after: number) => (after >= before ? after - before : after)

/**
 * Latency and load of a set of block devices between two diskstats reads, as iostat computes it:
 * time spent on requests per request (r_await, w_await) and the share of time with requests in
 * flight (%util, the busiest device's). Undefined without both reads of some device.
 */
export function devicesIo(previous: DiskstatsRead, current: DiskstatsRead, devices: readonly string[]): StorageIo | undefined {
  const seconds = (current.t - previous.t) / 1000
  if (!(seconds > 0) || devices.length === 0) return undefined
  const before = new Map(previous.stats.map((d) => [d.name, d]))
  const after = new Map(current.stats.map((d) => [d.name, d]))
  let reads = 0
  let writes = 0
  let readMs = 0
  let writeMs = 0
  let busiest = 0
  const seen: string[] = []
  for (const name of devices) {
    const a = before.get(name)
    const b = after.get(name)
    if (!a || !b) continue
    seen.push(name)
    reads += grown(a.readsCompleted, b.readsCompleted)
    writes += grown(a.writesCompleted, b.writesCompleted)
    readMs += grown(a.msReading, b.msReading)
    writeMs += grown(a.msWriting, b.msWriting)
    busiest = Math.max(busiest, grown(a.msDoingIo, b.msDoingIo))
  }
  if (seen.length === 0) return undefined
  return {
    devices: seen,
    windowSeconds: seconds,
    readsPerSecond: reads / seconds,
    writesPerSecond: writes / seconds,
    ...(reads > 0 ? { readMsPerOp: readMs / reads } : {}),
    ...(writes > 0 ? { writeMsPerOp: writeMs / writes } : {}),
    busyPct: Math.min(100, (busiest / (seconds * 1000)) * 100),
  }
}

/** The diskstats name of a filesystem's device, by major:minor (the same numbers mountinfo shows). */
export function deviceOfMajorMinor(majorMinor: string, stats: readonly DiskStat[]): string | undefined {
  const colon = majorMinor.indexOf(':')
  const major = Number(majorMinor.slice(0, colon))
  const minor = Number(majorMinor.slice(colon + 1))
  return stats.find((d) => d.major === major && d.minor === minor)?.name
}

/**
 * The diskstats name of a device path: /dev/sdb -> sdb, /dev/mapper/vg-lv and /dev/vg/lv -> the
 * dm-N device of that name (device-mapper doubles dashes inside VG and LV names).
 */
export function deviceOfPath(path: string, stats: readonly DiskStat[], dmNames: ReadonlyMap<string, string>): string | undefined {
  const known = new Set(stats.map((d) => d.name))
  const parts = path.split('/').filter(Boolean)
  if (parts[0] !== 'dev') return undefined
  let mapperName: string | undefined
  if (parts.length === 3 && parts[1] === 'mapper') mapperName = parts[2]
  else if (parts.length === 3) mapperName = `${parts[1]!.replaceAll('-', '--')}-${parts[2]!.replaceAll('-', '--')}`
  if (mapperName !== undefined) {
    const dm = dmNames.get(mapperName)
    if (dm && known.has(dm)) return dm
  }
  const base = parts.at(-1)
  return base !== undefined && known.has(base) ? base : undefined
}

/** `/sys/block/dm-3/dm/name=vg-lv` lines (the `kv` output) as mapper name -> dm-3. */
export function parseDmNames(text: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=')
    if (!line.startsWith('/sys/block/') || eq < 0) continue
    const dev = line.slice('/sys/block/'.length, line.indexOf('/', '/sys/block/'.length))
    const name = line.slice(eq + 1).trim()
    if (dev && name) out.set(name, dev)
  }
  return out
}
