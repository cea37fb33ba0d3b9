/** Parses a Linux CPU list such as `0-3,8,10-11` (sysfs, libvirt's siblings='...', Proxmox affinity). */
export function parseCpuList(list: string): number[] | undefined {
  const out: number[] = []
  for (const part of list.split(',')) {
    const m = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part)
    if (!m) return undefined
    const from = Number(m[1])
    const to = m[2] === undefined ? from : Number(m[2])
    if (to < from || to - from > 65536) return undefined
    for (let c = from; c <= to; c++) out.push(c)
  }
  return out
}
