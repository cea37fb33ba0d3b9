/**
 * Finds English a Chinese admin would read: runs of two or more English words in a row.
 * One word alone passes (a unit, an acronym, a name); so do words the admin's own language
 * keeps in Latin letters: product and tool names, acronyms, units, and the names the caller
 * passes (hosts, VMs, scenario files). Used by the zh-CN e2e walk and by unit tests of text.
 */

/** Words kept as they are in Chinese text too (compared in lower case). */
const KEPT_WORDS = [
  // Products, tools and formats.
  'virtpilot', 'kvm', 'qemu', 'libvirt', 'libvirtd', 'virsh', 'proxmox', 've', 'pve', 'highs', 'prometheus', 'echarts',
  'bitbrains', 'openssh', 'ssh', 'linux', 'debian', 'ubuntu', 'electron', 'chromium', 'ansible', 'shell', 'bash',
  'json', 'yaml', 'csv', 'png', 'svg', 'uuid', 'sha256', 'md5', 'ed25519', 'rsa', 'ecdsa', 'ssh-ed25519', 'ssh-rsa',
  'ksm', 'thp', 'numa', 'virtio', 'virtio-net', 'virtio-blk', 'virtio-scsi', 'vhost', 'vhost-net', 'hugepages', 'iothreads',
  'qcow2', 'raw', 'lvm', 'zfs', 'nfs', 'ceph', 'iscsi', 'drs', 'vsphere', 'openstack', 'watcher', 'aria',
  'github', 'localhost', 'qemu+ssh', 'system', 'tcp', 'ip', 'ipv4', 'ipv6', 'dns', 'url', 'api', 'cli', 'ui',
  // Scheduling policies named after their papers (FCFS, SJF, EASY backfilling).
  'fcfs', 'sjf', 'easy',
  // Units and unit-like words.
  'b', 'kb', 'mb', 'gb', 'tb', 'kib', 'mib', 'gib', 'tib', 'b/s', 'kib/s', 'mib/s', 'gib/s', 'kb/s', 'mb/s', 'gb/s',
  'bit/s', 'kbit/s', 'mbit/s', 'gbit/s', 'iops', 'ms', 's', 'min', 'h', 'd', 'hz', 'mhz', 'ghz', 'vcpu', 'vcpus',
  'cpu', 'cpus', 'vm', 'vms', 'vm-h', 'core-h', 'core', 'cores', 'p50', 'p90', 'p95', 'p99', 'psi', 'io', 'i/o',
  'x', 'ok', 'id', 'pid', 'rss', 'swap', 'numa-node',
]

const KEPT = new Set(KEPT_WORDS)

/** Acronyms in capitals (CPU, NUMA, HA, SSD), with an optional plural s. */
const ACRONYM = /^[A-Z][A-Z0-9]{0,4}s?$/

/** A token that is an English word: Latin letters, maybe joined by ' - or a dot inside. */
const WORD = /^[A-Za-z][A-Za-z'’-]*$/

/** Punctuation stripped from both ends of a token before it is judged. */
const EDGE = new Set([...'"\'“”‘’«»()[]{}<>,.;:!?…·•、，。；：！？（）《》【】—–-'])

function stripEdges(token: string): string {
  let start = 0
  let end = token.length
  while (start < end && EDGE.has(token[start]!)) start++
  while (end > start && EDGE.has(token[end - 1]!)) end--
  return token.slice(start, end)
}

/** Characters that end a run: a full stop, a colon, a bracket or any Chinese character between two words. */
const BREAK = /[.;:!?()[\]{}<>|=/\\，。；：！？（）《》【】、·•]/

export interface EnglishRunOptions {
  /** Names to let through as they are (hosts, VMs, scenario names, file names), matched as whole tokens. */
  names?: Iterable<string>
}

/** Is this token (already stripped of edge punctuation) an English word a Chinese reader would trip on? */
function isEnglishWord(token: string, names: Set<string>): boolean {
  if (!WORD.test(token)) return false
  if (names.has(token) || names.has(token.toLowerCase())) return false
  if (KEPT.has(token.toLowerCase())) return false
  if (ACRONYM.test(token)) return false
  return true
}

/**
 * The runs of two or more English words in `text`, each as it appears. Words are split on
 * whitespace; a run ends at a non-word token, at a word the admin's language keeps, or at
 * punctuation that ends a phrase.
 */
export function englishRuns(text: string, options: EnglishRunOptions = {}): string[] {
  const names = new Set<string>()
  for (const n of options.names ?? []) {
    names.add(n)
    names.add(n.toLowerCase())
    // A name of several words lets each of its words through.
    for (const part of n.split(/\s+/)) if (part) names.add(part.toLowerCase())
  }
  const runs: string[] = []
  let run: string[] = []
  const close = () => {
    if (run.length >= 2) runs.push(run.join(' '))
    run = []
  }
  // Chinese characters separate words even without spaces ("主机demo-a的CPU").
  const tokens = text.split(/(\s+|[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+)/)
  for (const raw of tokens) {
    if (raw === '' || /^\s+$/.test(raw)) continue
    const token = stripEdges(raw)
    if (token === '' || !isEnglishWord(token, names)) {
      close()
      continue
    }
    // Punctuation before the word ends the previous run; punctuation after it ends the run with it.
    const [lead = ''] = /^[^A-Za-z]*/.exec(raw) ?? []
    if (BREAK.test(lead)) close()
    run.push(token)
    const trail = raw.slice(raw.lastIndexOf(token) + token.length)
    if (BREAK.test(trail)) close()
  }
  close()
  return runs
}
