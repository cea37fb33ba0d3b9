import { describe, expect, it } from 'vitest'
import { formatMessage } from '../../../../shared/i18n'
import type { MessageRef } from '../../../../shared/model'
import { englishRuns } from '../../../support/english-runs'
import { deriveSamples } from '../../../../src-main/collect/rates'
import { adapterForHost, DETECT_SCRIPT, kindFromProbe } from '../../../../src-main/hosts/detect'
import { DISCOVER_SCRIPT } from '../../../../src-main/hosts/libvirt/discover-script'
import { LibvirtAdapter } from '../../../../src-main/hosts/libvirt/adapter'
import { ProxmoxAdapter } from '../../../../src-main/hosts/proxmox/adapter'
import { PVE_DISCOVER_SCRIPT } from '../../../../src-main/hosts/proxmox/discover-script'
import { PVE_STATS_SCRIPT } from '../../../../src-main/hosts/proxmox/stats-script'
import { FakeConnection } from '../fake-connection'
import { fixture } from '../libvirt/fixture'
import { FAKE_PVEVERSION } from './fake-node'

// There is no Proxmox VE host here: the outputs are the assembled fixtures (real script runs on
// this machine with a FAKE pvesh; see test/fixtures/outputs/README.md).
const discoverOut = fixture('proxmox/discover-assembled.txt')
const stats = [fixture('proxmox/stats-assembled-sample1.txt'), fixture('proxmox/stats-assembled-sample2.txt')]

function proxmoxNode(label = 'root@pve-a', statsOut: (call: number) => string = (call) => stats[call % 2]!) {
  return new FakeConnection(label, (script, call) => {
    if (script === DETECT_SCRIPT) return `pve-tools: yes\n${FAKE_PVEVERSION}\n`
    if (script === PVE_DISCOVER_SCRIPT) return discoverOut
    if (script === PVE_STATS_SCRIPT) return statsOut(call)
    return new Error(`unexpected script ${script.slice(0, 40)}`)
  })
}

describe('ProxmoxAdapter over a fake SSH connection', () => {
  it('discovers, then reads one request per poll on one session; two polls give rates; facts follow discovery', async () => {
    const conn = proxmoxNode()
    const adapter = new ProxmoxAdapter(conn, 'pve-a', 'Rack 2 node')
    expect(adapter.facts()).toBeUndefined()
    const inv = await adapter.discover()
    expect(inv.hosts[0]).toMatchObject({ id: 'pve-a', name: 'Rack 2 node', source: 'proxmox' })
    expect(conn.execs).toEqual([PVE_DISCOVER_SCRIPT])
    const a = await adapter.readStats(1_000_000)
    const b = await adapter.readStats(1_005_000)
    expect(conn.execs).toEqual([PVE_DISCOVER_SCRIPT])
    expect(conn.requests).toEqual([PVE_STATS_SCRIPT, PVE_STATS_SCRIPT])
    // discovery, opening the session, two requests
    expect(conn.roundTrips).toBe(4)
    expect(a.vms.map((v) => v.vmId)).toEqual(['pve-113'])
    const { vmSamples } = deriveSamples(a, b, new Map([['pve-a', 2]]))
    expect(vmSamples[0]!.cpuPct).toBeGreaterThan(0)
    expect(vmSamples[0]!.diskReadBps).toBe(52428800 / 5)
    expect(adapter.inventoryStale()).toBe(false)
    expect(Object.keys(adapter.facts()!.vms)).toEqual(['pve-100', 'pve-101', 'pve-113'])
    expect(adapter.lastReading?.vms[0]?.vmid).toBe(113)
    await adapter.close()
    expect(conn.closed).toBe(true)
  })

  it('asks for a new discovery when a guest appears that discovery did not list', async () => {
    const grown = stats[0]!.replace('[{"diskread":0', '[{"type":"qemu","vmid":120,"node":"vm","status":"stopped","name":"new"},{"diskread":0')
    const adapter = new ProxmoxAdapter(proxmoxNode('root@pve-a', () => grown), 'pve-a')
    await adapter.discover()
    await adapter.readStats(1)
    expect(adapter.lastReading?.unknownVmids).toEqual([120])
    expect(adapter.inventoryStale()).toBe(true)
    await adapter.discover()
    expect(adapter.inventoryStale()).toBe(false)
  })

  it('asks for a new discovery when a guest starts or stops, once', async () => {
    const started = stats[0]!.replace('"status":"stopped"', '"status":"running"')
    expect(started).not.toBe(stats[0])
    const adapter = new ProxmoxAdapter(proxmoxNode('root@pve-a', (call) => (call <= 2 ? stats[0]! : started)), 'pve-a')
    await adapter.discover()
    await adapter.readStats(1)
    expect(adapter.inventoryStale()).toBe(false)
    await adapter.readStats(2)
    expect(adapter.inventoryStale()).toBe(true)
    await adapter.discover()
    await adapter.readStats(3)
    expect(adapter.inventoryStale()).toBe(false)
  })

  it('every failure names the host and says what was wrong; nothing else escapes', async () => {
    const garbage = new ProxmoxAdapter(new FakeConnection('root@pve-b', () => 'Welcome to Proxmox VE\n'), 'pve-b')
    await expect(garbage.discover()).rejects.toMatchObject({ name: 'HostOutputError', message: 'root@pve-b: Proxmox discovery failed: script line 1: no VirtPilot START line: the host printed "Welcome to Proxmox VE\\n" instead.' })
    await expect(garbage.readStats(1)).rejects.toThrow('root@pve-b: the statistics session answered "Welcome to Proxmox VE\\n" instead of a START line')
    // The same in Chinese: VirtPilot's words around what the host printed, which is kept as it was.
    const said = (await garbage.readStats(2).catch((e: unknown) => e)) as { messageRef: MessageRef }
    const chinese = formatMessage(said.messageRef, 'zh-CN')
    expect(chinese).toBe('root@pve-b：统计会话应答的是 "Welcome to Proxmox VE\\n"（原文），而不是 START 行')
    expect(englishRuns(chinese.replace('"Welcome to Proxmox VE\\n"', ''), { names: ['root@pve-b'] })).toEqual([])
    // framed, but without the host's /proc/stat: the answer is refused and the session replaced
    const noStat = new FakeConnection('root@pve-b', (script) => (script === PVE_STATS_SCRIPT ? stats[0]!.replace(/BEGIN stat\n[^@]*@@VP (\S+) END stat 0/, 'BEGIN stat\n\n@@VP $1 END stat 1') : discoverOut))
    const broken = new ProxmoxAdapter(noStat, 'pve-b')
    await expect(broken.readStats(1)).rejects.toThrow(/^root@pve-b: unexpected Proxmox statistics output: stat: exit 1$/)
    const unparsed = (await broken.readStats(2).catch((e: unknown) => e)) as Error & { messageRef: MessageRef }
    expect(unparsed.message).toMatch(/^root@pve-b: unexpected Proxmox statistics output: stat: exit 1$/)
    expect(formatMessage(unparsed.messageRef, 'zh-CN')).toBe('root@pve-b：Proxmox VE 统计输出不符合预期：stat：退出码 1')
    expect(noStat.roundTrips).toBe(4)
    const silent = new ProxmoxAdapter(new FakeConnection('admin@pve-c', () => ''), 'pve-c')
    await expect(silent.discover()).rejects.toThrow('admin@pve-c: the Proxmox discovery script printed nothing (exit 1): sh: 1: pvesh: Permission denied')
    const notRoot = discoverOut.replace(/(BEGIN cluster-resources\n)[^\n]*\n+(@@VP \S+ END cluster-resources) 0/, '$1\n$2 255')
    const denied = new ProxmoxAdapter(new FakeConnection('admin@pve-c', () => notRoot), 'pve-c')
    await expect(denied.discover()).rejects.toThrow(/^admin@pve-c: Proxmox discovery failed: cluster-resources: .*only as root\)\. Connect to the Proxmox node as root, not admin\.$/)
  })
})

describe('host type detection', () => {
  it('reads the probe: no Proxmox tools is libvirt; the tools with a pveversion line is Proxmox', () => {
    expect(kindFromProbe('pve-tools: no\n')).toEqual({ kind: 'libvirt' })
    expect(kindFromProbe(`pve-tools: yes\n${FAKE_PVEVERSION}\n`)).toEqual({ kind: 'proxmox', version: { manager: '8.1.4', runningKernel: '6.5.11-8-pve' } })
    expect(kindFromProbe('pve-tools: yes\nCan\'t locate PVE/API2.pm in @INC\n')).toMatchObject({ error: 'pvesh is installed but pveversion printed "Can\'t locate PVE/API2.pm in @INC"' })
    expect(kindFromProbe('This account is currently not available.\n')).toMatchObject({ error: 'the host type probe printed "This account is currently not available."' })
  })

  it('routes a Proxmox node to the Proxmox adapter after one probe', async () => {
    const conn = proxmoxNode()
    const adapter = adapterForHost(conn.asConnection, 'pve-a')
    expect(adapter.kind).toBeUndefined()
    expect(adapter.facts()).toBeUndefined()
    const [inv] = await Promise.all([adapter.discover(), adapter.discover()])
    expect(inv.hosts[0]!.source).toBe('proxmox')
    expect(adapter.kind).toBe('proxmox')
    expect(adapter.proxmoxVersion).toEqual({ manager: '8.1.4', runningKernel: '6.5.11-8-pve' })
    expect(adapter.adapter).toBeInstanceOf(ProxmoxAdapter)
    await adapter.readStats(1)
    expect(conn.execs.filter((s) => s === DETECT_SCRIPT)).toHaveLength(1)
    expect(adapter.facts()?.hosts['pve-a']).toBeDefined()
  })

  it('routes any other host to the libvirt adapter (real lab discovery output)', async () => {
    const conn = new FakeConnection('virtpilot@h1', (script) => (script === DETECT_SCRIPT ? 'pve-tools: no\n' : script === DISCOVER_SCRIPT ? fixture('virtpilot-lab/discover-h1.txt') : new Error('unexpected')))
    const adapter = adapterForHost(conn.asConnection, 'h1')
    const inv = await adapter.discover()
    expect(adapter.kind).toBe('libvirt')
    expect(adapter.adapter).toBeInstanceOf(LibvirtAdapter)
    expect(inv.hosts[0]!.source).toBe('libvirt')
    expect(inv.vms).toHaveLength(2)
    expect(adapter.inventoryStale()).toBe(false)
  })

  it('probes again after a failed probe, and names the host when the probe makes no sense', async () => {
    let down = true
    const conn = new FakeConnection('root@pve-a', (script) => (down ? new Error('root@pve-a is unreachable: connect ECONNREFUSED') : script === DETECT_SCRIPT ? `pve-tools: yes\n${FAKE_PVEVERSION}\n` : discoverOut))
    const adapter = adapterForHost(conn.asConnection, 'pve-a')
    await expect(adapter.readStats(1)).rejects.toThrow('unreachable')
    expect(adapter.kind).toBeUndefined()
    down = false
    expect((await adapter.discover()).hosts[0]!.source).toBe('proxmox')

    const odd = adapterForHost(new FakeConnection('root@odd', () => 'PANIC\n').asConnection, 'odd')
    await expect(odd.discover()).rejects.toMatchObject({ name: 'HostOutputError', message: 'root@odd: cannot tell whether this is a libvirt or a Proxmox VE host: the host type probe printed "PANIC" (exit 0)' })
    const closed = new FakeConnection('root@never', () => 'pve-tools: no\n')
    await adapterForHost(closed.asConnection, 'never').close()
    expect(closed.closed).toBe(true)
  })
})
