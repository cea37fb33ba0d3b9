import { describe, expect, it } from 'vitest'
import { english, formatMessage, messageText } from '../../../shared/i18n'
import type { MessageRef } from '../../../shared/model'
import { demoStorage } from '../../../src-main/hosts/demo/storage'
import { adapterForHost, DETECT_SCRIPT } from '../../../src-main/hosts/detect'
import { LibvirtAdapter } from '../../../src-main/hosts/libvirt/adapter'
import { DISCOVER_SCRIPT } from '../../../src-main/hosts/libvirt/discover-script'
import { describeProblem, problemRef, type ParseProblem } from '../../../src-main/hosts/linux/parse/result'
import { ProxmoxAdapter } from '../../../src-main/hosts/proxmox/adapter'
import { PVE_DISCOVER_SCRIPT } from '../../../src-main/hosts/proxmox/discover-script'
import { poolSharing } from '../../../src-main/hosts/libvirt/storage'
import { proxmoxStorage } from '../../../src-main/hosts/proxmox/storage-status'
import { EngineError } from '../../../src-main/services/engine'
import { englishRuns } from '../../support/english-runs'
import { placeholders } from './support'
import { FakeConnection } from '../hosts/fake-connection'
import { fixture } from '../hosts/libvirt/fixture'

/** A message says itself in both languages (every key and placeholder there, nested ones too), and zh-CN holds no English run. */
function expectSaid(ref: MessageRef | undefined, englishText: string, names: string[] = []): string {
  expect(ref, englishText).toBeDefined()
  const missing: string[] = []
  const walk = (r: MessageRef) => {
    for (const language of ['en', 'zh-CN'] as const) {
      const text = messageText(r.key, language)
      if (text === undefined) missing.push(`${r.key}: no ${language} text`)
      else for (const p of placeholders(text)) if (r.params[p] === undefined) missing.push(`${r.key}: {${p}} has no value`)
    }
    for (const v of Object.values(r.params)) for (const nested of Array.isArray(v) ? v : typeof v === 'object' ? [v] : []) walk(nested)
  }
  walk(ref!)
  expect(missing).toEqual([])
  expect(english(ref!)).toBe(englishText)
  const chinese = formatMessage(ref!, 'zh-CN')
  // Judged as the zh-CN e2e walk judges a page.
  expect(englishRuns(chinese, { names }), chinese).toEqual([])
  return chinese
}

describe('why a storage pool counts as shared or local, in the admin’s language (Host detail › Storage)', () => {
  it('libvirt: every shared pool type, a folder on a network or a local filesystem, a pool of this host only', () => {
    const cases: [string, { type: string } | undefined][] = [
      ...['netfs', 'iscsi', 'iscsi-direct', 'rbd', 'gluster', 'sheepdog', 'vstorage', 'mpath'].map((type) => [type, undefined] as [string, undefined]),
      ['dir', { type: 'nfs4' }],
      ['dir', { type: 'ext4' }],
      ['logical', undefined],
      ['zfs', undefined],
    ]
    const said = cases.map(([type, fs]) => {
      const { reason, reasonRef } = poolSharing(type, fs)
      return expectSaid(reasonRef, reason)
    })
    expect(said[0]).toBe('存储池类型 netfs（网络文件系统）')
    expect(said[8]).toBe('其目录位于 nfs4 文件系统上')
    expect(said[9]).toBe('存储池类型 dir，位于本地 ext4 文件系统上')
    // An unknown type is a pool of this host, never a key nobody wrote ('constructor' included).
    expect(poolSharing('constructor', undefined)).toMatchObject({ sharing: 'local', reason: 'pool type constructor (storage of this host)' })
  })

  it('the demo cluster: each pool of each host', () => {
    const pools = demoStorage(Date.UTC(2026, 0, 15)).flatMap((s) => s.pools)
    expect(pools.length).toBeGreaterThan(0)
    for (const pool of pools) expectSaid(pool.sharingReasonRef, pool.sharingReason, [pool.name])
  })

  it('Proxmox VE: a storage it marks shared, and one local to the node', () => {
    const storage = proxmoxStorage({
      hostId: 'pve-a',
      t: 0,
      node: [
        { storage: 'local-lvm', type: 'lvmthin', shared: false, active: true, total: 100, used: 10, avail: 90 },
        { storage: 'nfs-vms', type: 'nfs', shared: true, active: true, total: 100, used: 10, avail: 90 },
      ],
      contents: new Map(),
      cfg: new Map(),
      mounts: [],
      guests: [],
    })
    const [local, shared] = storage.pools
    expect(expectSaid(local!.sharingReasonRef, 'Proxmox marks storage local-lvm (lvmthin) local to this node', ['local-lvm'])).toBe('Proxmox VE 将存储 local-lvm（lvmthin）标记为本节点的本地存储')
    expectSaid(shared!.sharingReasonRef, 'Proxmox marks storage nfs-vms (nfs) shared', ['nfs-vms'])
  })
})

describe('the engine’s own failure, in the admin’s language (Recommendations page)', () => {
  it('a proposal the plan validator refuses: the first five reasons, and how many more', () => {
    const violation = (host: string) => ({ code: 'unknown-host' as const, message: `no host ${host}`, messageRef: { key: 'engine.violation.noHost', params: { host } } })
    const hosts = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7']
    const error = new EngineError(hosts.map(violation))
    expect(error.message).toBe(
      "The engine's proposal failed the plan validator, so nothing was recommended (please report this): unknown-host: no host h1; unknown-host: no host h2; unknown-host: no host h3; unknown-host: no host h4; unknown-host: no host h5; and 2 more",
    )
    const chinese = expectSaid(error.messageRef, error.message, hosts)
    expect(chinese).toContain('另有 2 项')
  })
})

/** What a failed discovery throws: its English and its message, said in Chinese with the host's own words (`verbatim`) left as they are. */
async function failure(run: Promise<unknown>, verbatim: string[], names: string[]): Promise<{ english: string; chinese: string }> {
  const error = (await run.then(() => undefined, (e: unknown) => e)) as Error & { messageRef?: MessageRef }
  expect(error?.name).toBe('HostOutputError')
  expect(error.messageRef, error.message).toBeDefined()
  expect(english(error.messageRef!)).toBe(error.message)
  const chinese = formatMessage(error.messageRef!, 'zh-CN')
  for (const v of verbatim) expect(chinese).toContain(v)
  const judged = verbatim.reduce((text, v) => text.split(v).join(' '), chinese)
  expect(englishRuns(judged, { names }), chinese).toEqual([])
  return { english: error.message, chinese }
}

describe('a discovery that fails, in the admin’s language (Hosts page, Host detail)', () => {
  const lab = fixture('virtpilot-lab/discover-h1.txt')
  const nonce = /^@@VP (\S+) START/m.exec(lab)![1]!

  it('libvirtd down: virsh’s own words kept, VirtPilot’s around them, with the hint', async () => {
    const stderr = 'error: failed to connect to the hypervisor'
    const down = lab.replace(new RegExp(`(@@VP ${nonce} BEGIN capabilities\\n)[\\s\\S]*?@@VP ${nonce} END capabilities 0`), `$1\n@@VP ${nonce} END capabilities 1\n@@VP ${nonce} BEGIN capabilities.stderr\n${stderr}\n\n@@VP ${nonce} END capabilities.stderr 0`)
    const adapter = new LibvirtAdapter(new FakeConnection('admin@h1', (script) => (script === DISCOVER_SCRIPT ? down : new Error('unexpected'))).asConnection, 'h1')
    const said = await failure(adapter.discover(), [stderr], ['admin@h1', 'admin', 'capabilities'])
    expect(said.english).toBe(`admin@h1: discovery failed: capabilities: exit 1: ${stderr}. Is libvirtd running on the host, and is admin in the libvirt group?`)
    expect(said.chinese).toBe(`admin@h1：发现失败：capabilities：退出码 1，宿主机原文：${stderr}。宿主机上的 libvirtd 是否在运行？admin 是否在 libvirt 组中？`)
  })

  it('a login banner instead of the script’s output, a script that printed nothing, a probe that makes no sense', async () => {
    const banner = new LibvirtAdapter(new FakeConnection('root@h2', () => 'Welcome to the lab\n').asConnection, 'h2')
    await failure(banner.discover(), ['"Welcome to the lab\\n"'], ['root@h2', 'script'])
    const silent = new ProxmoxAdapter(new FakeConnection('admin@pve-c', () => ''), 'pve-c')
    const nothing = await failure(silent.discover(), ['sh: 1: pvesh: Permission denied'], ['admin@pve-c'])
    expect(nothing.chinese).toBe('admin@pve-c：Proxmox VE 发现脚本没有任何输出（退出码 1），宿主机原文：sh: 1: pvesh: Permission denied')
    const odd = adapterForHost(new FakeConnection('root@odd', (script) => (script === DETECT_SCRIPT ? 'PANIC\n' : new Error('unexpected'))).asConnection, 'odd')
    await failure(odd.discover(), ['"PANIC"'], ['root@odd'])
  })

  it('Proxmox VE read by a user other than root: why, and what to do', async () => {
    const out = fixture('proxmox/discover-assembled.txt')
    const notRoot = out.replace(/(BEGIN cluster-resources\n)[^\n]*\n+(@@VP \S+ END cluster-resources) 0/, '$1\n$2 255')
    const denied = new ProxmoxAdapter(new FakeConnection('admin@pve-c', (script) => (script === PVE_DISCOVER_SCRIPT ? notRoot : new Error('unexpected'))), 'pve-c')
    const said = await failure(denied.discover(), [], ['admin@pve-c', 'admin', 'cluster-resources', 'pvesh', 'root'])
    expect(said.chinese).toContain('请以 root 身份连接 Proxmox VE 节点，而不是 admin。')
  })

  it('output that does not parse: where it went wrong and what, in Chinese, the host’s words kept', async () => {
    // libvirt: a capabilities document whose <topology> lacks its counts.
    const badTopology = lab.replace(/<topology sockets='1'[^>]*\/>/, "<topology sockets='1'/>")
    expect(badTopology).not.toBe(lab)
    const libvirt = new LibvirtAdapter(new FakeConnection('admin@h1', (script) => (script === DISCOVER_SCRIPT ? badTopology : new Error('unexpected'))).asConnection, 'h1')
    const topology = await failure(libvirt.discover(), [], ['admin@h1', 'capabilities', 'topology', 'sockets/cores/threads'])
    expect(topology.english).toMatch(/^admin@h1: discovery failed: capabilities line \d+ \(topology\): <topology> without sockets\/cores\/threads\.$/)
    expect(topology.chinese).toMatch(/^admin@h1：发现失败：capabilities 第 \d+ 行（topology）：<topology> 缺少 sockets\/cores\/threads。$/)

    // Proxmox VE: lscpu printed something that is not its parsable format.
    const out = fixture('proxmox/discover-assembled.txt')
    const badLscpu = out.replace(/(BEGIN lscpu\n)[\s\S]*?(\n@@VP \S+ END lscpu 0)/, '$1CPU(s): 4$2')
    expect(badLscpu).not.toBe(out)
    const proxmox = new ProxmoxAdapter(new FakeConnection('root@pve-a', (script) => (script === PVE_DISCOVER_SCRIPT ? badLscpu : new Error('unexpected'))), 'pve-a')
    const lscpu = await failure(proxmox.discover(), ['"CPU(s): 4"', 'cpu,core,socket,node'], ['root@pve-a', 'lscpu'])
    expect(lscpu.english).toMatch(/^root@pve-a: Proxmox discovery failed: lscpu line \d+: expected "cpu,core,socket,node", got "CPU\(s\): 4"\.$/)
    expect(lscpu.chinese).toMatch(/^root@pve-a：Proxmox VE 发现失败：lscpu 第 \d+ 行：应为 "cpu,core,socket,node" 格式，实际为 "CPU\(s\): 4"。$/)
  })

  it('a problem said as a message reads as describeProblem reads it in English, where, line and field included', () => {
    const problems: ParseProblem[] = [
      { section: 'script', line: 1, message: 'malformed START line', ref: { key: 'access.hostOutput.badStart', params: {} } },
      { section: '/proc/meminfo', field: 'MemTotal', message: 'no MemTotal line', ref: { key: 'access.hostOutput.noMemTotal', params: {} } },
      { section: 'capabilities', line: 3, field: 'host/cpu/arch', message: 'no <host><cpu><arch>', ref: { key: 'access.hostOutput.noCapabilities', params: {} } },
      // A parser text with no message yet passes on as it is.
      { section: 'domstats', line: 12, field: 'cpu.time', message: 'not a counter: "x"' },
    ]
    for (const p of problems) expect(english(problemRef(p))).toBe(describeProblem(p))
    expect(formatMessage(problemRef(problems[2]!), 'zh-CN')).toBe('capabilities 第 3 行（host/cpu/arch）：没有 <host><cpu><arch>')
  })
})
