/** Above Linux's largest NR_CPUS (8192): a CPU number or list beyond it is not a real host's. */
const MAX_CPU_ID = 65_535

/** Parses a Linux CPU list such as `0-3,8,10-11` (sysfs, libvirt's siblings='...', Proxmox affinity). */
export function parseCpuList(list: string): number[] | undefined {
  const out: number[] = []
  for (const part of list.split(',')) {
    const m = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part)
    if (!m) return undefined
    const from = Number(m[1])
    const to = m[2] === undefined ? from : Number(m[2])
    if (to < from || to > MAX_CPU_ID || out.length + (to - from) > MAX_CPU_ID) return undefined
    for (let c = from; c <= to; c++) out.push(c)
  }
  return out
}
