/**
 * How much a host may print for one command. A host that prints more is broken or hostile: the
 * command is stopped and its connection stays usable; without a cap a flood of output would hold
 * hundreds of MiB, then crash VirtPilot when it became one string (V8 strings stop at 512 MiB).
 */
const MiB = 1024 * 1024
export const OUTPUT_LIMITS = {
  /** Inventory of a big host: every domain's XML, /proc/cpuinfo of many CPUs (about 2 MiB for 200 VMs). */
  discovery: 32 * MiB,
  /** One poll: domstats and /proc files (about 0.6 MiB for 200 VMs). */
  poll: 4 * MiB,
  /** Anything else (virsh commands of a plan, probes). */
  command: 4 * MiB,
} as const

export function describeBytes(bytes: number): string {
  return bytes >= MiB ? `${Math.round(bytes / MiB)} MiB` : `${Math.round(bytes / 1024)} KiB`
}

/** One command's stdout and stderr, kept until together they pass the limit; after that, dropped. */
export class CappedOutput {
  private readonly out: Buffer[] = []
  private readonly err: Buffer[] = []
  bytes = 0

  constructor(readonly limit: number) {}

  get exceeded(): boolean {
    return this.bytes > this.limit
  }

  /** Keeps the chunk unless the limit is passed; false once it is. */
  add(stream: 'stdout' | 'stderr', chunk: Buffer): boolean {
    this.bytes += chunk.length
    if (this.exceeded) {
      this.out.length = 0
      this.err.length = 0
      return false
    }
    ;(stream === 'stdout' ? this.out : this.err).push(chunk)
    return true
  }

  text(stream: 'stdout' | 'stderr'): string {
    return Buffer.concat(stream === 'stdout' ? this.out : this.err).toString('utf8')
  }
}
