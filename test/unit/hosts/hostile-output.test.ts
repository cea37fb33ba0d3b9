import fc from 'fast-check'
import { parseQemuThreads } from '../../../src-main/hosts/linux/parse/qemu-threads'
import { parseKvmDebugfs } from '../../../src-main/hosts/linux/parse/kvm-debugfs'
import { parsePerfKvmReport } from '../../../src-main/hosts/linux/parse/perf-kvm'
import { describe, expect, it } from 'vitest'
import type { Action } from '../../../shared/model'
import { kindFromProbe } from '../../../src-main/hosts/detect'
import { checkVerification } from '../../../src-main/hosts/libvirt/commands'
import { DISCOVER_FORMAT } from '../../../src-main/hosts/libvirt/discover-script'
import { parseCapabilities } from '../../../src-main/hosts/libvirt/parse/capabilities'
import { parseCpuList } from '../../../src-main/hosts/linux/parse/cpu-list'
import { parseDiscoverOutput } from '../../../src-main/hosts/libvirt/parse/discover-output'
import { parseDomainXml } from '../../../src-main/hosts/libvirt/parse/domain-xml'
import { parseDomInfo } from '../../../src-main/hosts/libvirt/parse/dominfo'
import { parseDomstats } from '../../../src-main/hosts/libvirt/parse/domstats'
import { parseCpuinfoSummary, parseFileValues } from '../../../src-main/hosts/linux/parse/host-tuning'
import { parseVirshVersion } from '../../../src-main/hosts/libvirt/parse/virsh-version'
import {
  parseDiskstats,
  parseKeyCounters,
  parseLoadavg,
  parseMeminfo,
  parseNetDev,
  parsePressure,
  parseProcStat,
  parseTaskSchedstat,
  parseUptime,
  parseVcpuDelay,
} from '../../../src-main/hosts/linux/parse/procfs'
import { splitSections } from '../../../src-main/hosts/linux/parse/sections'
import { parseStatsOutput } from '../../../src-main/hosts/libvirt/parse/stats-output'
import { parseXml } from '../../../src-main/hosts/libvirt/parse/xml'
import { STATS_FORMAT } from '../../../src-main/hosts/libvirt/stats-script'
import { parseProxmoxDiscoverOutput } from '../../../src-main/hosts/proxmox/discover-output'
import { parseLscpuParsable, parseNodeMemTotals, parseQemuVersion } from '../../../src-main/hosts/proxmox/host-topology'
import { detectProxmox, parseClusterResources, parsePropertyString, parseQemuConfFile, parseQemuConfig, parseQemuStatus } from '../../../src-main/hosts/proxmox/parse'
import { parseProxmoxStatsOutput, parseQemuProcesses } from '../../../src-main/hosts/proxmox/stats-output'
import { parseStorageCfg } from '../../../src-main/hosts/proxmox/storage'
import { DeltaFrames, FrameError } from '../../../src-main/hosts/linux/resident-frame'
import { OUTPUT_LIMITS } from '../../../src-main/ssh/output-cap'
import { costAgainstBaseline, MAX_COST_RATIO } from '../support/cost'
import { fixture, ok } from './libvirt/fixture'

// A compromised host chooses its output. Every parser of host output must return (a value or a
// problem, never an exception) on anything, and its cost must stay linear in the output's size:
// a regex that backtracks over a long run of spaces would freeze collection for every host.

const discover = fixture('virtpilot-lab/discover-h1.txt')
const stats = fixture('virtpilot-lab/stats-h1-sample1.txt')
const pveDiscover = fixture('proxmox/discover-assembled.txt')
const pveStats = fixture('proxmox/stats-assembled-sample1.txt')
const body = (text: string, format: string, name: string) => ok(splitSections(text, format)).sections.find((s) => s.name === name)!.body
const uuid = 'fe124b0f-cf05-4833-b9a3-8a330bd2b984'
const domainXml = body(discover, DISCOVER_FORMAT, `dumpxml ${uuid}`)
const ctx = { uuidOf: () => uuid, migrationAddressOf: () => '10.0.0.2', allowUnsafeMigration: false }
const actions: Action[] = [
  { kind: 'setVcpus', vm: uuid, host: 'h1', count: 2, live: true },
  { kind: 'setMemory', vm: uuid, host: 'h1', memoryMiB: 512, live: true },
  { kind: 'setMemory', vm: uuid, host: 'h1', memoryMiB: 512, live: false },
  { kind: 'setCpuShares', vm: uuid, host: 'h1', shares: 512 },
  { kind: 'migrate', vm: uuid, from: 'h1', to: 'h2', live: true },
]

/** The resident session's decoder: a FrameError (which ends the session) is its problem value. */
function residentAnswer(text: string): unknown {
  try {
    return new DeltaFrames(OUTPUT_LIMITS.poll).decode(text, '7a98b427-d687-4c60-a806-ca0bf3c9b4c1')
  } catch (error) {
    if (error instanceof FrameError) return error
    throw error
  }
}

interface HostParser {
  name: string
  /** A real output of this kind, the starting point of every hostile variant. */
  sample: string
  parse: (text: string) => unknown
}

const parsers: HostParser[] = [
  { name: 'XML', sample: fixture('domain_xml/telegraf_libvirt_testdata_cloudstack_running_domain.xml'), parse: (t) => parseXml(t, 'x') },
  { name: 'capabilities XML', sample: fixture('capabilities_xml/virt-manager_kvm-x86_64.xml'), parse: parseCapabilities },
  { name: 'domain XML', sample: domainXml, parse: parseDomainXml },
  { name: 'virsh domstats', sample: fixture('virsh_domstats/kerub_domstats_2domains_two_samples.txt'), parse: (t) => parseDomstats(t) },
  { name: 'tuning files', sample: body(discover, DISCOVER_FORMAT, 'files'), parse: (t) => parseFileValues(t, 'files') },
  { name: 'virsh dominfo', sample: fixture('virtpilot-lab/virsh-test-driver-dominfo.txt'), parse: parseDomInfo },
  { name: 'virsh version', sample: body(discover, DISCOVER_FORMAT, 'virsh-version'), parse: (t) => parseVirshVersion(t) },
  { name: '/proc/cpuinfo', sample: body(discover, DISCOVER_FORMAT, 'cpuinfo'), parse: parseCpuinfoSummary },
  { name: '/proc/stat', sample: fixture('proc/procfs_stat'), parse: (t) => parseProcStat(t) },
  { name: '/proc/meminfo', sample: fixture('proc/procfs_meminfo'), parse: (t) => parseMeminfo(t) },
  { name: '/proc/pressure', sample: fixture('proc/procfs_pressure_cpu'), parse: (t) => parsePressure(t) },
  { name: '/proc/diskstats', sample: fixture('proc/procfs_diskstats'), parse: (t) => parseDiskstats(t) },
  { name: '/proc/net/dev', sample: fixture('proc/procfs_net_dev'), parse: (t) => parseNetDev(t) },
  { name: '/proc/loadavg', sample: fixture('proc/procfs_loadavg'), parse: (t) => parseLoadavg(t) },
  { name: '/proc/uptime', sample: fixture('sysstat/root1_proc/uptime'), parse: (t) => parseUptime(t) },
  { name: '/proc/vmstat', sample: fixture('sysstat/root1_proc/vmstat'), parse: (t) => parseKeyCounters(t, 'vmstat') },
  { name: 'schedstat', sample: '2033551481 9437682321 1234\n', parse: (t) => parseTaskSchedstat(t) },
  { name: 'vcpu-delay', sample: body(stats, STATS_FORMAT, 'vcpu-delay'), parse: (t) => parseVcpuDelay(t) },
  { name: 'CPU list', sample: '0-3,8,10-11', parse: parseCpuList },
  { name: 'qemu-threads', sample: body(fixture('virtpilot-lab/stats-threads-c1-sample1.txt'), STATS_FORMAT, 'qemu-threads'), parse: (t) => parseQemuThreads(t) },
  { name: 'perf kvm stat report', sample: fixture('perf_kvm/lkml-arm64-senozhatsky-v3.txt'), parse: (t) => parsePerfKvmReport(t) },
  // Built from the kernel's one-number-per-file format (no real dump of /sys/kernel/debug/kvm was found to copy).
  { name: 'kvm-debugfs', sample: 'exits 28094008\nhalt_exits 1173865\nhalt_poll_fail_ns 8369146975\n', parse: (t) => parseKvmDebugfs(t) },
  { name: 'script sections', sample: discover, parse: (t) => splitSections(t, DISCOVER_FORMAT) },
  { name: 'resident session answer', sample: stats, parse: residentAnswer },
  { name: 'libvirt discovery', sample: discover, parse: (t) => parseDiscoverOutput(t, { hostId: 'h1' }) },
  { name: 'libvirt poll', sample: stats, parse: (t) => parseStatsOutput(t, { hostId: 'h1', t: 1, vmIdOf: () => uuid }) },
  { name: 'read-back after apply', sample: 'running\n', parse: (t) => actions.map((a) => checkVerification(a, [t, t], ctx)) },
  { name: 'host type probe', sample: `pve-tools: yes\n${body(pveDiscover, 'pve-discover-1', 'pveversion')}`, parse: (t) => [kindFromProbe(t), detectProxmox(t)] },
  { name: 'Proxmox discovery', sample: pveDiscover, parse: (t) => parseProxmoxDiscoverOutput(t, { hostId: 'pve' }) },
  { name: 'Proxmox poll', sample: pveStats, parse: (t) => parseProxmoxStatsOutput(t, { hostId: 'pve', t: 1, vmIdOf: (n) => `pve-${n}` }) },
  { name: 'pvesh /cluster/resources', sample: fixture('proxmox/cluster-resources-assembled.json'), parse: parseClusterResources },
  { name: 'pvesh qemu list', sample: fixture('proxmox/telegraf_proxmox_nodes_qemu_list.json'), parse: parseQemuStatus },
  { name: 'qm config JSON', sample: fixture('proxmox/packer-plugin-proxmox_qemu_100_config.json'), parse: parseQemuConfig },
  { name: 'qemu-server .conf', sample: fixture('proxmox/qemu-server_cfg2cmd_aio.conf'), parse: (t) => parseQemuConfFile(t) },
  { name: 'property string', sample: 'local-lvm:vm-100-disk-0,iothread=1,size=32G', parse: (t) => parsePropertyString(t, 'file') },
  { name: 'storage.cfg', sample: fixture('proxmox/storage-cfg2cmd-harness.cfg'), parse: (t) => parseStorageCfg(t) },
  { name: 'lscpu -p', sample: fixture('proxmox/util-linux_lscpu-p_x86_64-epyc_7451.txt'), parse: (t) => parseLscpuParsable(t) },
  { name: 'NUMA meminfo', sample: body(pveDiscover, 'pve-discover-1', 'numa-meminfo'), parse: (t) => parseNodeMemTotals(t) },
  { name: 'kvm --version', sample: body(pveDiscover, 'pve-discover-1', 'qemu-version'), parse: parseQemuVersion },
  { name: 'Proxmox QEMU processes', sample: body(pveStats, 'pve-stats-1', 'qemu'), parse: (t) => parseQemuProcesses(t) },
]

/** The sample with `text` put in at a line boundary (inside a section of a framed script output). */
function insertAt(sample: string, text: string, where: number): string {
  const lines = sample.split('\n')
  const at = where % (lines.length + 1)
  return [...lines.slice(0, at), text, ...lines.slice(at)].join('\n')
}

/** Pieces host output is made of, and pieces that break it: markers, entities, quotes, separators. */
const token = fc.constantFrom(
  ' ', '  ', '\t', '\n', '\r', ':', '=', ',', ';', "'", '"', '<', '>', '/', '&', '&#x110000;', '&#0;', '&#10;', '&amp;', '&bogus;',
  '<![CDATA[', ']]>', '<!--', '<?', '<!DOCTYPE x>', '</', '/>', '@@VP ', 'BEGIN ', 'END ', 'DONE', "Domain: '", 'vm ', '0', '-1', '1e999',
  '18446744073709551616', 'NaN', '__proto__', 'constructor', '{', '}', '[', ']', 'null', '\u2028', '\u0085', '\u202e', '\ud800', 'x',
)
const hostileText = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.array(token, { maxLength: 60 }).map((t) => t.join('')))

/**
 * A long line made to hurt a regex: a start taken from one of the sample's own lines (nothing, its
 * key, its key and separator, or the whole line, so it reaches the pattern meant for that key),
 * one unit repeated, then an ending that makes a pattern fail late.
 */
type LineSpec = { from: number; start: 'none' | 'key' | 'key+separator' | 'line'; unit: string; suffix: string }
const UNITS = [' ', '\t', ' :', ': ', ':', '=', ' =', '0', '0 ', 'a', 'a ', ',', ';', '-', '.', '<', '<a ', "a='", '&#', '"', "'", '[', '{"a":', '\\', '@@VP ']
const SUFFIXES = ['', 'x', ':', '=', '\u00a0', ']', '!', "'", '"']
const hostileLine = fc.record<LineSpec>({
  from: fc.nat(),
  start: fc.constantFrom('none', 'key', 'key+separator', 'line'),
  unit: fc.constantFrom(...UNITS),
  suffix: fc.constantFrom(...SUFFIXES),
})
/** Runs of blanks, digits and letters that end badly, from each kind of start: what backtracking regexes choke on. */
const ATTACKS: [LineSpec, number][] = (['none', 'key', 'key+separator', 'line'] as const).flatMap((start) =>
  [' ', '\t', '0', 'a', ' :'].flatMap((unit) => [0, 1].map((from): [LineSpec, number] => [{ from, start, unit, suffix: 'x' }, 1])),
)

function lineOf(sample: string, spec: LineSpec, bytes: number): string {
  const lines = sample.split('\n')
  const line = lines[spec.from % lines.length]!
  const key = /^\s*[^\s:=]*/.exec(line)![0]
  const separator = /^[^:=]{0,40}[:=]?/.exec(line)![0]
  const start = spec.start === 'none' ? '' : spec.start === 'key' ? key : spec.start === 'line' ? line.slice(0, 80) : separator
  return start + spec.unit.repeat(Math.ceil(bytes / spec.unit.length)) + spec.suffix
}

describe('host output parsers on hostile output', { timeout: 60_000 }, () => {
  it.each(parsers)('$name: returns a value or a problem on any output, never throws (fast-check)', ({ sample, parse }) => {
    fc.assert(
      fc.property(hostileText, fc.nat(), (text, where) => {
        parse(text)
        parse(insertAt(sample, text, where))
      }),
      { numRuns: 150 },
    )
  })

  it.each(parsers)('$name: costs a bounded multiple of one linear pass on long hostile lines (32 KiB each, the worst at 1 MiB)', { timeout: 120_000 }, ({ sample, parse }) => {
    let worst: { ratio: number; spec: LineSpec; where: number } | undefined
    const variant = (spec: LineSpec, where: number, bytes: number) => insertAt(sample, lineOf(sample, spec, bytes), where)
    const describeCost = (spec: LineSpec, c: { parseMs: number; baselineMs: number }) => `${JSON.stringify(spec)}: ${c.parseMs.toFixed(3)} ms, baseline ${c.baselineMs.toFixed(3)} ms`
    fc.assert(
      fc.property(hostileLine, fc.nat(), (spec, where) => {
        const c = costAgainstBaseline(parse, variant(spec, where, 32 * 1024))
        if (!worst || c.ratio > worst.ratio) worst = { ratio: c.ratio, spec, where }
        expect(c.ratio, describeCost(spec, c)).toBeLessThan(MAX_COST_RATIO)
      }),
      { numRuns: ATTACKS.length + 10, examples: ATTACKS },
    )
    const { spec, where } = worst!
    const c = costAgainstBaseline(parse, variant(spec, where, 1024 * 1024), 2)
    expect(c.ratio, describeCost(spec, c)).toBeLessThan(MAX_COST_RATIO)
  })
})

describe('names reported by a host are data', () => {
  it('a domain named with an encoded line break keeps its name, escaped, and says so', () => {
    const xml = domainXml.replace(/<name>[^<]*<\/name>/, '<name>web01&#10;touch /tmp/pwned #&#x2028;&#x85;</name>')
    const r = ok(parseDomainXml(xml))
    expect(r.name).toBe('web01\\u{a}touch /tmp/pwned #\\u{2028}\\u{85}')
    expect(r.name).not.toMatch(/[\n\r\u0085\u2028]/)
  })

  it('a character reference outside Unicode or to NUL is a problem of that host, not an exception', () => {
    expect(parseXml('<a>&#x110000;</a>', 'x')).toMatchObject({ ok: false, error: { message: 'bad character reference in text' } })
    expect(parseXml('<a b="&#0;"/>', 'x')).toMatchObject({ ok: false, error: { message: 'bad character reference in attribute' } })
    expect(ok(parseXml('<a>&#x1F600;&#9;</a>', 'x')).text).toBe('😀\t')
  })

  it('discovery and polls name a domain the same way, so its stats still match it', () => {
    const odd = "web01\u0085 'x'"
    const domstats = ok(parseDomstats(`Domain: '${odd}'\n  state.state=1\n`))
    const delay = ok(parseVcpuDelay(`vm 12 1 100 200 0 ${odd}\n`))
    expect(domstats[0]!.name).toBe("web01\\u{85} 'x'")
    expect(delay.vms[0]!.name).toBe(domstats[0]!.name)
  })
})
