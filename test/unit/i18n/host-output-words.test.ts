import { describe, expect, it } from 'vitest'
import { english, formatMessage, sharedMessages } from '../../../shared/i18n'
import type { MessageRef } from '../../../shared/model'
import { parseCapabilities } from '../../../src-main/hosts/libvirt/parse/capabilities'
import { parseDomainXml } from '../../../src-main/hosts/libvirt/parse/domain-xml'
import { parseDomInfo } from '../../../src-main/hosts/libvirt/parse/dominfo'
import { parseDomstats } from '../../../src-main/hosts/libvirt/parse/domstats'
import { parsePoolXml } from '../../../src-main/hosts/libvirt/parse/storage'
import { parseVirshVersion } from '../../../src-main/hosts/libvirt/parse/virsh-version'
import { parseXml } from '../../../src-main/hosts/libvirt/parse/xml'
import { parseFileValues } from '../../../src-main/hosts/linux/parse/host-tuning'
import { parseKvmDebugfs } from '../../../src-main/hosts/linux/parse/kvm-debugfs'
import { parseMountinfo } from '../../../src-main/hosts/linux/parse/mounts'
import { parsePerfKvmReport, parsePerfKvmRun } from '../../../src-main/hosts/linux/parse/perf-kvm'
import { parseDiskstats, parseLoadavg, parseMeminfo, parseNetDev, parsePressure, parseProcStat, parseTaskSchedstat, parseUptime, parseVcpuDelay } from '../../../src-main/hosts/linux/parse/procfs'
import { parseQemuThreads } from '../../../src-main/hosts/linux/parse/qemu-threads'
import type { Parsed } from '../../../src-main/hosts/linux/parse/result'
import { splitSections, successfulBody } from '../../../src-main/hosts/linux/parse/sections'
import { parseLscpuParsable, parseNodeMemTotals } from '../../../src-main/hosts/proxmox/host-topology'
import { parseClusterResources, parseQemuConfFile, parseQemuConfig, parseQemuStatus } from '../../../src-main/hosts/proxmox/parse'
import { parseNodeStorage } from '../../../src-main/hosts/proxmox/storage-status'
import { englishRuns } from '../../support/english-runs'
import { flatten, placeholders } from './support'

/** Commands, files and fields a Linux admin reads as they are, in Chinese text too. */
const COMMANDS = ['perf', 'kvm', 'stat', 'record', 'pvesh', 'mountinfo', 'dominfo', 'vcpupin', 'cpuset', 'current', 'sockets', 'cores', 'siblings', 'capacity', 'allocation', 'available', 'name', 'uuid', 'type', 'State', 'VM-EXIT', 'DOCTYPE', 'CDATA', 'Host', 'linux-perf', 'linux-tools', 'RHEL', 'sudo', 'root']

/** The plain values of a message and the messages in it: what the host printed, formats, field names. */
function values(ref: MessageRef): string[] {
  return Object.values(ref.params).flatMap((v) => (typeof v === 'string' ? [v] : typeof v === 'number' ? [] : (Array.isArray(v) ? v : [v]).flatMap(values)))
}

/** A parser's failure in both languages: the English is the parser's message as it was, the Chinese has no English of ours. */
function saidInChinese(result: Parsed<unknown>, englishBefore: string): string {
  expect(result.ok, englishBefore).toBe(false)
  const error = (result as Extract<Parsed<unknown>, { ok: false }>).error
  expect(error.message).toBe(englishBefore)
  expect(error.ref, englishBefore).toBeDefined()
  expect(english(error.ref!)).toBe(englishBefore)
  const chinese = formatMessage(error.ref!, 'zh-CN')
  const judged = values(error.ref!).reduce((text, v) => text.split(v).join(' '), chinese)
  expect(englishRuns(judged, { names: COMMANDS }), chinese).toEqual([])
  return chinese
}

const xml = (text: string) => parseXml(text, 'dumpxml')
const deep = '['.repeat(40) + ']'.repeat(40)

/** Bad output in, and the parser's English from before these had messages (the CLI and logs print it). */
const CASES: [string, () => Parsed<unknown>, string][] = [
  ['xml: bad reference in text', () => xml('<a>&bogus;</a>'), 'bad character reference in text'],
  ['xml: text outside the root', () => xml('hello <a/>'), 'text outside the root element'],
  ['xml: unterminated comment', () => xml('<a><!-- no end'), 'unterminated comment'],
  ['xml: unterminated CDATA', () => xml('<a><![CDATA[ no end'), 'unterminated CDATA'],
  ['xml: CDATA outside the root', () => xml('<![CDATA[x]]>'), 'CDATA outside the root element'],
  ['xml: unterminated processing instruction', () => xml('<?xml version="1.0"'), 'unterminated processing instruction'],
  ['xml: DOCTYPE', () => xml('<!DOCTYPE a><a/>'), 'DOCTYPE and declarations are not accepted'],
  ['xml: malformed closing tag', () => xml('<a></ a>'), 'malformed closing tag'],
  ['xml: mismatched closing tag', () => xml('<a></b>'), 'closing tag </b> does not match <a>'],
  ['xml: closing tag of nothing', () => xml('</b>'), 'closing tag </b> does not match <(none)>'],
  ['xml: malformed opening tag', () => xml('<1a/>'), 'malformed opening tag'],
  ['xml: bad reference in an attribute', () => xml('<a b="&bogus;"/>'), 'bad character reference in attribute'],
  ['xml: duplicate attribute', () => xml('<a b="1" b="2"/>'), 'duplicate attribute'],
  ['xml: malformed tag', () => xml('<a b=1/>'), 'malformed tag <a>'],
  ['xml: two roots', () => xml('<a/><b/>'), 'more than one root element'],
  ['xml: cut off', () => xml('<domain><name>web'), 'document ends inside <name>'],
  ['xml: empty', () => xml(''), 'no XML element found (empty output?)'],
  ['domain XML: another root', () => parseDomainXml('<pool/>'), 'root element is <pool>, expected <domain>'],
  ['domain XML: no name', () => parseDomainXml('<domain><uuid>u</uuid></domain>'), 'no <name>'],
  ['domain XML: no uuid', () => parseDomainXml('<domain><name>web1</name></domain>'), 'domain "web1" has no <uuid>'],
  ['domain XML: no vcpu', () => parseDomainXml('<domain><name>web1</name><uuid>u</uuid></domain>'), 'no usable <vcpu> count'],
  ['domain XML: bad current', () => parseDomainXml('<domain><name>web1</name><uuid>u</uuid><vcpu current="x">2</vcpu></domain>'), 'bad current="x"'],
  ['domain XML: no memory', () => parseDomainXml('<domain><name>web1</name><uuid>u</uuid><vcpu>2</vcpu></domain>'), 'no usable <memory>'],
  [
    'domain XML: bad vcpupin',
    () => parseDomainXml('<domain><name>web1</name><uuid>u</uuid><vcpu>2</vcpu><memory>1024</memory><cputune><vcpupin vcpu="0" cpuset="x"/></cputune></domain>'),
    'bad vcpupin vcpu=0 cpuset=x',
  ],
  ['capabilities: topology without cores', () => parseCapabilities('<capabilities><host><cpu><arch>x86_64</arch><topology sockets="1"/></cpu></host></capabilities>'), '<topology> without sockets/cores/threads'],
  ['capabilities: cell without id', () => parseCapabilities('<capabilities><host><cpu><arch>x86_64</arch></cpu><topology><cells><cell/></cells></topology></host></capabilities>'), '<cell> without id'],
  ['capabilities: cpu without id', () => parseCapabilities('<capabilities><host><cpu><arch>x86_64</arch></cpu><topology><cells><cell id="0"><cpus><cpu/></cpus></cell></cells></topology></host></capabilities>'), '<cpu> without id'],
  ['capabilities: bad siblings', () => parseCapabilities('<capabilities><host><cpu><arch>x86_64</arch></cpu><topology><cells><cell id="0"><cpus><cpu id="0" siblings="a-"/></cpus></cell></cells></topology></host></capabilities>'), 'bad siblings list "a-"'],
  ['domstats: header without its quote', () => parseDomstats("Domain: 'web1\n"), 'domain header without a closing quote: "Domain: \'web1"'],
  ['domstats: a domain twice', () => parseDomstats("Domain: 'web1'\nDomain: 'web1'\n"), 'domain "web1" printed twice'],
  ['domstats: neither header nor field', () => parseDomstats('garbage\n'), 'expected "Domain: \'<name>\'" or "  key=value", got "garbage"'],
  ['domstats: a field first', () => parseDomstats('  state.state=1\n'), 'a field before any "Domain:" header'],
  ['domstats: a counter that is not one', () => parseDomstats("Domain: 'web1'\n  cpu.time=lots\n"), 'not a counter: "lots"'],
  ['pool XML: another root', () => parsePoolXml('<domain/>'), 'root element is <domain>, expected <pool>'],
  ['pool XML: no uuid', () => parsePoolXml('<pool type="dir"><name>default</name></pool>'), 'pool without name, uuid or type'],
  ['pool XML: a size that is not one', () => parsePoolXml('<pool type="dir"><name>default</name><uuid>u</uuid><capacity unit="parsecs">1</capacity></pool>'), 'pool "default": capacity, allocation or available is not a size'],
  ['dominfo: not dominfo', () => parseDomInfo('error: failed to get domain\n'), 'no UUID or State line: not virsh dominfo output'],
  ['dominfo: CPU(s)', () => parseDomInfo('UUID: u\nState: running\nCPU(s): many\n'), 'CPU(s) is not a number: "many"'],
  ['dominfo: memory', () => parseDomInfo('UUID: u\nState: running\nCPU(s): 2\nMax memory: 2 GiB\n'), 'Max memory or Used memory is not "N KiB"'],
  ['virsh version', () => parseVirshVersion('Compiled against library: libvirt 9.0.0\n'), 'no "Using library: libvirt X" line'],
  ['/proc/stat: too few columns', () => parseProcStat('cpu 1 2\n'), 'cpu has 2 columns, expected at least 4'],
  ['/proc/stat: not a counter', () => parseProcStat('cpu 1 2 x 4\n'), 'not a counter: "x"'],
  ['/proc/meminfo', () => parseMeminfo('MemTotal 1024\n'), 'expected "Key: value [kB]", got "MemTotal 1024"'],
  ['/proc/pressure: a line', () => parsePressure('some avg10=x\n'), 'expected "some|full avg10=.. avg60=.. avg300=.. total=..", got "some avg10=x"'],
  ['/proc/pressure: no some', () => parsePressure('full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n'), 'no "some" line'],
  ['/proc/diskstats: not a counter', () => parseDiskstats('8 0 sda 1 x 3 4 5 6 7 8 9 10 11\n'), 'not a counter: "x"'],
  ['/proc/diskstats: columns', () => parseDiskstats('8 0 sda 1 2 3 4 5 6 7 8\n'), '11 columns, expected 7 or at least 14'],
  ['/proc/net/dev: no colon', () => parseNetDev('eth0 1 2 3\n'), 'expected "iface: counters", got "eth0 1 2 3"'],
  ['/proc/net/dev: counters', () => parseNetDev('eth0: 1 2 3\n'), 'expected 16 counters'],
  ['/proc/loadavg', () => parseLoadavg('busy\n'), 'expected "l1 l5 l15 running/total lastpid", got "busy\\n"'],
  ['/proc/uptime', () => parseUptime('forever\n'), 'expected "uptime idle", got "forever\\n"'],
  ['schedstat', () => parseTaskSchedstat('1 2\n'), 'expected "runtime rundelay timeslices", got "1 2\\n"'],
  ['vcpu-delay', () => parseVcpuDelay('what is this\n'), 'unexpected line "what is this"'],
  ['files', () => parseFileValues('ksm=1\n', 'files'), 'expected "/path=value", got "ksm=1"'],
  ['mountinfo', () => parseMountinfo('not a mount line\n'), 'no mount found in mountinfo'],
  ['qemu-threads: a line', () => parseQemuThreads('what is this\n'), 'unexpected line "what is this"'],
  ['qemu-threads: a process under another', () => parseQemuThreads('vm 100 web1\np 200 1 1 0 qemu\n'), 'process line of 200 under guest process 100'],
  ['kvm-debugfs', () => parseKvmDebugfs('exits many\n'), 'unexpected line "exits many"'],
  ['lscpu', () => parseLscpuParsable('0,x,0,0\n'), 'expected "cpu,core,socket,node", got "0,x,0,0"'],
  ['lscpu: empty', () => parseLscpuParsable('# comment only\n'), 'no CPU lines'],
  ['numa-meminfo', () => parseNodeMemTotals('Node 0 MemFree: 1 kB\n'), 'expected "Node N MemTotal: X kB", got "Node 0 MemFree: 1 kB"'],
  ['pvesh: nested too deep', () => parseClusterResources(deep), 'not pvesh output: JSON nested deeper than 32 levels'],
  ['pvesh: not JSON', () => parseClusterResources('{'), `not JSON: ${jsonError('{')}`],
  ['pvesh: not a list', () => parseClusterResources('{"data": {}}'), 'expected a JSON array'],
  ['pvesh: config not an object', () => parseQemuConfig('[]'), 'expected a JSON object'],
  ['qemu-server .conf: no cores', () => parseQemuConfFile('cores: 0\n'), 'cores and sockets must be at least 1'],
  ['node storage: not a list', () => parseNodeStorage('{}'), 'expected a JSON array'],
  ['perf kvm stat: no table', () => parsePerfKvmReport('Analyze events for all VMs, all VCPUs:\n'), 'no VM-EXIT table: perf printed no report (see its messages)'],
]

function jsonError(text: string): string {
  try {
    JSON.parse(text)
    return ''
  } catch (e) {
    return (e as Error).message
  }
}

describe('why host output did not parse, in the admin’s language (Hosts page, Host detail, the CLI)', () => {
  for (const [name, run, before] of CASES) {
    it(name, () => {
      saidInChinese(run(), before)
    })
  }

  it('says it as a Linux admin reads it: the host’s words, commands and formats kept, the rest Chinese', () => {
    expect(saidInChinese(xml('<a></b>'), 'closing tag </b> does not match <a>')).toBe('结束标签 </b> 与 <a> 不匹配')
    expect(saidInChinese(parseDomInfo('UUID: u\nState: running\nCPU(s): 2\nMax memory: 2 GiB\n'), 'Max memory or Used memory is not "N KiB"')).toBe('Max memory 或 Used memory 不是 "N KiB" 格式')
    expect(saidInChinese(parseMeminfo('MemTotal 1024\n'), 'expected "Key: value [kB]", got "MemTotal 1024"')).toBe('应为 "Key: value [kB]" 格式，实际为 "MemTotal 1024"')
    expect(saidInChinese(parseProcStat('cpu 1 2\n'), 'cpu has 2 columns, expected at least 4')).toBe('cpu 有 2 列，应至少有 4 列')
  })

  it('pvesh: a guest whose fields do not fit, the validator’s words kept', () => {
    const result = parseQemuStatus('[{"vmid": "x"}]')
    const message = (result as { error: { message: string } }).error.message
    expect(message).toMatch(/^vmid: /)
    expect(saidInChinese(result, message)).toMatch(/^pvesh 输出的字段不符合预期，校验器原文：vmid: /)
  })

  it('a section whose command failed says its name once, with its exit status and stderr', () => {
    const split = splitSections('@@VP n1 START f1\n@@VP n1 BEGIN capabilities\n\n@@VP n1 END capabilities 1\n@@VP n1 BEGIN capabilities.stderr\nerror: no\n\n@@VP n1 END capabilities.stderr 0\n@@VP n1 DONE\n', 'f1')
    expect(split.ok).toBe(true)
    const out = (split as { value: Parameters<typeof successfulBody>[0] }).value
    const failedCommand = successfulBody(out, 'capabilities') as { reason: string; ref: MessageRef }
    expect(failedCommand.reason).toBe('exit 1: error: no')
    expect(formatMessage(failedCommand.ref, 'zh-CN')).toBe('退出码 1，宿主机原文：error: no')
    expect((successfulBody(out, 'meminfo') as { reason: string }).reason).toBe('not in the output')
  })
})

describe('perf kvm stat: how a run ended, in the admin’s language (VM detail › VM exits)', () => {
  it('each ending that is not a report is a message, perf’s own words kept as perf printed them', () => {
    const endings = [
      ['VP-PERF missing\n', 'perf is not installed on the host (Debian/Ubuntu: linux-perf or linux-tools; RHEL: perf)'],
      ['VP-PERF needs-root\n', 'perf kvm stat needs root: log in as root, or allow the SSH user to run perf with sudo without a password'],
      ['VP-PERF no-process\n', 'the VM’s QEMU process is gone (stopped or restarted since the last poll): try again after the next poll'],
      ['VP-PERF record-failed\n', 'perf kvm stat record failed'],
      ['VP-PERF record-failed\nfailed to open perf.data\n', 'failed to open perf.data'],
      ['', 'the host printed no result: (nothing)'],
      ['sh: 1: cannot create /tmp/x\n', 'the host printed no result: sh: 1: cannot create /tmp/x'],
      ['VP-PERF report\nAnalyze events for all VMs, all VCPUs:\n', 'no VM-EXIT table: perf printed no report (see its messages): Analyze events for all VMs, all VCPUs:'],
    ] as const
    const chinese = endings.map(([output, before]) => {
      const outcome = parsePerfKvmRun(output)
      expect(outcome.status).not.toBe('done')
      const { message, messageRef } = outcome as Extract<typeof outcome, { messageRef: MessageRef }>
      expect(message).toBe(before)
      expect(english(messageRef)).toBe(before)
      const said = formatMessage(messageRef, 'zh-CN')
      const judged = values(messageRef).reduce((text, v) => text.split(v).join(' '), said)
      expect(englishRuns(judged, { names: COMMANDS }), said).toEqual([])
      return said
    })
    expect(chinese[4]).toBe('perf kvm stat record 失败，perf 原文：failed to open perf.data')
    expect(chinese[7]).toBe('没有 VM-EXIT 表：perf 没有生成报告（见它输出的信息），perf 原文：Analyze events for all VMs, all VCPUs:')
  })
})

describe('the host-output catalogue', () => {
  it('every Chinese text, its values left out, holds no English run (commands and formats are values)', () => {
    const found: string[] = []
    for (const [key, text] of flatten(sharedMessages['zh-CN'].hostOutput)) {
      const bare = placeholders(text).reduce((t, p) => t.split(`{${p}}`).join(' '), text)
      for (const run of englishRuns(bare, { names: COMMANDS })) found.push(`hostOutput.${key}: ${run}`)
    }
    expect(found).toEqual([])
  })
})
