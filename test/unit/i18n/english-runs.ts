/**
 * Runs of two or more English words in a text meant for a Chinese reader, leaving out what stays
 * in Latin letters by the glossary: names (VMs, hosts, pools, disks), commands and settings,
 * units, acronyms and product names.
 */
const KEPT = new Set(
  [
    // Products, tools and their words as the admin types them.
    'VirtPilot', 'HiGHS', 'KSM', 'ksmd', 'virtio', 'virtio-blk', 'virtio-net', 'virtio-win', 'virtio-balloon', 'vhost-net', 'NUMA', 'QEMU', 'qemu', 'libvirt', 'virsh',
    'vcpupin', 'blockresize', 'blkdeviotune', 'cputune', 'quota', 'tuned', 'virtual-host', 'performance', 'powersave', 'conservative', 'userspace', 'intel_pstate',
    'madvise', 'never', 'khugepaged', 'memballoon', 'model', 'none', 'driver', 'iothread', 'tmpfs', 'discard', 'Windows', 'Linux', 'DHCP', 'MAC', 'UUID',
    'TLB', 'IPI', 'IDE', 'SATA', 'NFS', 'Ceph', 'O_DIRECT', 'ISO', 'ISOs', 'dir', 'logical', 'netfs', 'fs', 'qcow2', 'raw', 'file', 'block', 'volume', 'network',
    // Acronyms and units.
    'CPU', 'CPUs', 'vCPU', 'vCPUs', 'VM', 'VMs', 'I/O', 'IOPS', 'MiB', 'GiB', 'TiB', 'KiB', 'MiB/s', 'ms', 'ns', 'µs', 's', 'h', 'p95', 'OS',
  ].map((w) => w.toLowerCase()),
)

/** A token that is a setting, path, option or value rather than a word: cache=none, /dev/vhost-net, --unsafe, halt_poll_ns, ksm.run. */
const technical = (token: string) => /[=/_.]|^--|\d/.test(token)

/** A token without the quotes, dashes and full stops around it. */
function trimmed(token: string): string {
  let start = 0
  let end = token.length
  while (start < end && "-'’".includes(token[start]!)) start++
  while (end > start && "'’.".includes(token[end - 1]!)) end--
  return token.slice(start, end)
}

/** The runs found, each as the words it holds. `names` are the VM, host and pool names of the data. */
export function englishRuns(text: string, names: readonly string[] = []): string[] {
  let rest = text
  // Longest first, so "web-1" is taken before "web".
  for (const name of [...names].filter(Boolean).sort((a, b) => b.length - a.length)) rest = rest.split(name).join(' ⟂ ')
  const runs: string[] = []
  // A run is broken by anything that is not a Latin word or the spaces and light punctuation between them.
  for (const segment of rest.split(/[^A-Za-z0-9µ'’=/_.:,;()\- ]+/)) {
    let run: string[] = []
    const flush = () => {
      if (run.length >= 2) runs.push(run.join(' '))
      run = []
    }
    for (const token of segment.split(/[\s,;:()]+/).filter(Boolean)) {
      const word = trimmed(token)
      if (!/^[A-Za-z]/.test(word) || technical(word) || KEPT.has(word.toLowerCase())) {
        flush()
        continue
      }
      run.push(word)
    }
    flush()
  }
  return runs
}
