import { replaceSection } from './fake-node'
import { describe, expect, it } from 'vitest'
import { deriveSamples } from '../../../../src-main/collect/rates'
import { parseProxmoxStatsOutput, parseQemuProcesses } from '../../../../src-main/hosts/proxmox/stats-output'
import { PVE_STATS_FORMAT } from '../../../../src-main/hosts/proxmox/stats-script'
import { STATS_FORMAT } from '../../../../src-main/hosts/libvirt/stats-script'
import { SAMPLE2_DISK_READ_DELTA, SAMPLE2_DISK_WRITE_DELTA } from '../../../fixtures/outputs/proxmox/assemble-outputs'
import { fixture, ok } from '../libvirt/fixture'

// No Proxmox VE host here: the samples are the real stats script run twice on this machine with a
// FAKE pvesh printing real fixture JSON and a real busy process as guest 113's QEMU (see
// test/fixtures/outputs/README.md). Sections marked SYNTHETIC below are written by hand.
const sample1 = fixture('proxmox/stats-assembled-sample1.txt')
const sample2 = fixture('proxmox/stats-assembled-sample2.txt')
const known = new Map([[100, 'pve-100'], [101, 'pve-101'], [113, 'pve-113']])
const opts = (t: number) => ({ hostId: 'pve-a', t, vmIdOf: (vmid: number) => known.get(vmid), node: 'vm' })

/** The host's own clock (/proc/uptime) of a sample, as epoch-like ms: exact intervals between the two runs. */
function uptimeMs(text: string): number {
  return Number(/BEGIN uptime\n([\d.]+) /.exec(text)![1]) * 1000
}

describe('parseProxmoxStatsOutput on two assembled polls', () => {
  const a = ok(parseProxmoxStatsOutput(sample1, opts(uptimeMs(sample1))))
  const b = ok(parseProxmoxStatsOutput(sample2, opts(uptimeMs(sample2))))

  it('reads the host like a libvirt host, and the running guest from its QEMU process', () => {
    expect(a.problems).toEqual([])
    expect(a.node).toBe('vm')
    expect(a.clockTicksPerSecond).toBe(100)
    expect(a.raw.hosts).toHaveLength(1)
    expect(a.raw.hosts[0]!.memTotalKiB).toBe(24684096)
    expect(a.host.uptimeSeconds).toBeGreaterThan(0)
    // 100 and 101 are stopped (no pid file), 102 is a template on another node.
    expect(a.raw.vms.map((v) => v.vmId)).toEqual(['pve-113'])
    expect(a.raw.vms[0]).toMatchObject({
      hostId: 'pve-a',
      vcpus: 4,
      memUsedKiB: 1722451796 / 1024,
      diskReadBytes: 8604417024,
      diskWriteBytes: 2481549824,
      diskReadReqs: 0,
      netRxBytes: 0,
    })
    expect(a.raw.vms[0]!.cpuTimeNs).toBeGreaterThan(0)
    expect(a.vms[0]).toMatchObject({ vmid: 113, vcpuThreads: 4, unreadableThreads: 0, runDelaySource: 'schedstat', tapInterfaces: [] })
  })

  it('two polls give CPU %, run delay and disk bytes/s through deriveSamples', () => {
    const seconds = (b.raw.t - a.raw.t) / 1000
    expect(seconds).toBeGreaterThan(4.5)
    expect(seconds).toBeLessThan(6)
    const { hostSamples, vmSamples } = deriveSamples(a.raw, b.raw, new Map([['pve-a', 2]]))
    expect(hostSamples).toHaveLength(1)
    expect(hostSamples[0]!.cpuPct).toBeGreaterThan(0)
    expect(hostSamples[0]!.cpuPct).toBeLessThanOrEqual(100)
    const vm = vmSamples.find((s) => s.vmId === 'pve-113')!
    const va = a.raw.vms[0]!
    const vb = b.raw.vms[0]!
    // vCPU 0 burnt about half a core on a busy 2-core machine; the four vCPUs are the denominator.
    const cores = (vb.cpuTimeNs - va.cpuTimeNs) / 1e9 / seconds
    expect(cores).toBeGreaterThan(0.05)
    expect(cores).toBeLessThan(1)
    expect(vm.cpuUsedCores).toBeCloseTo(cores, 9)
    expect(vm.cpuPct).toBeCloseTo((100 * cores) / 4, 9)
    expect(vm.cpuReadyPct).toBeCloseTo((100 * (vb.runDelayNs - va.runDelayNs)) / 1e9 / seconds / 4, 9)
    expect(vm.diskReadBps).toBeCloseTo(SAMPLE2_DISK_READ_DELTA / seconds, 6)
    expect(vm.diskWriteBps).toBeCloseTo(SAMPLE2_DISK_WRITE_DELTA / seconds, 6)
    expect(vm).toMatchObject({ diskReadIops: 0, diskWriteIops: 0, netRxBps: 0, netTxBps: 0, memUsedMiB: 1722451796 / 1024 / 1024 })
  })
})

/** Sample 1 with one section's body replaced (SYNTHETIC body), keeping the real host sections. */
function withSection(name: string, body: string, rc = 0, text = sample1): string {
  return replaceSection(text, name, body, rc)
}

const row = (vmid: number, extra: Record<string, unknown> = {}) => ({ type: 'qemu', vmid, node: 'vm', status: 'running', name: `g${vmid}`, maxcpu: 2, mem: 1048576, diskread: 1000, diskwrite: 2000, netin: 0, netout: 0, ...extra })
const vmLine = (vmid: number, pid: number, threads = 2) => `vm ${vmid} ${pid} 150 50 ${threads} 2000000000 30000000 0`

describe('parseProxmoxStatsOutput: guests and their sources (SYNTHETIC Proxmox sections)', () => {
  it('reads guest traffic from its tap devices, as the guest sees it (tap transmit = guest receive)', () => {
    const netdev = [
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
      '    lo:  500 5 0 0 0 0 0 0  500 5 0 0 0 0 0 0',
      '  eno1: 9000 90 0 0 0 0 0 0 8000 80 0 0 0 0 0 0',
      'tap113i0:  800 8 0 0 0 0 0 0 1600 16 0 0 0 0 0 0',
      'tap113i1:  200 2 0 0 0 0 0 0  400 4 0 0 0 0 0 0',
      'tap999i0:  777 7 0 0 0 0 0 0  777 7 0 0 0 0 0 0',
      'fwln113i0: 800 8 0 0 0 0 0 0 1600 16 0 0 0 0 0 0',
    ].join('\n')
    const text = withSection('virtual-net-devices', 'lo\ntap113i0\ntap113i1\ntap999i0\nfwln113i0', 0, withSection('net-dev', netdev))
    const r = ok(parseProxmoxStatsOutput(text, opts(1)))
    expect(r.raw.vms[0]).toMatchObject({ netRxBytes: 2000, netTxBytes: 1000 })
    expect(r.vms[0]!.tapInterfaces).toEqual(['tap113i0', 'tap113i1'])
    // The host counts its physical NIC only, as on a libvirt host.
    expect(r.raw.hosts[0]).toMatchObject({ netRxBytes: 9000, netTxBytes: 8000 })
    expect(r.host.countedInterfaces).toEqual(['eno1'])
  })

  it('a stale pid file is a stopped guest; a bad one, or no pid folder, is a problem', () => {
    const qemu = [vmLine(113, 4242), 'gone 4243 100', 'bad-pidfile 101'].join('\n')
    const r = ok(parseProxmoxStatsOutput(withSection('qemu', qemu), opts(1)))
    expect(r.raw.vms.map((v) => v.vmId)).toEqual(['pve-113'])
    expect(r.problems).toEqual([{ section: 'qemu', message: 'bad-pidfile 101' }])
    const none = ok(parseProxmoxStatsOutput(withSection('qemu', 'missing /var/run/qemu-server'), opts(1)))
    expect(none.raw.vms).toEqual([])
    expect(none.problems).toEqual([{ section: 'qemu', message: 'missing /var/run/qemu-server' }])
  })

  it('scales clock ticks by CLK_TCK and falls back to the configured vCPUs without named vCPU threads', () => {
    const r = ok(parseProxmoxStatsOutput(withSection('clk-tck', '250', 0, withSection('qemu', vmLine(113, 7, 0))), opts(1)))
    expect(r.raw.vms[0]).toMatchObject({ cpuTimeNs: (200 * 1e9) / 250, runDelayNs: 30000000, vcpus: 1 })
    expect(r.vms[0]!.runDelaySource).toBe('unavailable')
    const bad = ok(parseProxmoxStatsOutput(withSection('clk-tck', 'undefined'), opts(1)))
    expect(bad.clockTicksPerSecond).toBe(100)
    expect(bad.problems).toEqual([{ section: 'clk-tck', message: 'not a tick rate: "undefined"; assuming 100' }])
  })

  it('keeps to this node, and flags guests discovery did not see (running or newly created)', () => {
    const rows = [row(113), row(114), row(115, { status: 'stopped' }), row(116, { node: 'pve2' }), row(117, { template: 1, status: 'stopped' })]
    const text = withSection('cluster-resources', JSON.stringify(rows), 0, withSection('qemu', [vmLine(113, 1), vmLine(114, 2), vmLine(116, 3)].join('\n')))
    const r = ok(parseProxmoxStatsOutput(text, { ...opts(1), vmIdOf: (v) => (v === 113 || v === 116 ? `pve-${v}` : undefined) }))
    expect(r.raw.vms.map((v) => v.vmId)).toEqual(['pve-113'])
    expect(r.unknownVmids).toEqual([114, 115])
    // 116 runs here by its pid file, but the cluster places it on pve2: not counted twice.
    expect(r.problems).toEqual([{ section: 'cluster-resources', field: 'vmid 116', message: 'runs here but has no row for this node; left out of this reading' }])
  })

  it('without pvesh or with a garbled qemu section, guests are left out of the reading and the host is kept', () => {
    const noPvesh = withSection('cluster-resources', '', 1)
    const r = ok(parseProxmoxStatsOutput(noPvesh, opts(1)))
    expect(r.raw.vms).toEqual([])
    expect(r.raw.hosts).toHaveLength(1)
    expect(r.problems).toMatchObject([{ section: 'cluster-resources', message: 'exit 1' }])
    const garbled = ok(parseProxmoxStatsOutput(withSection('qemu', 'vm 113 12 x'), opts(1)))
    expect(garbled.raw.vms).toEqual([])
    expect(garbled.problems).toEqual([{ section: 'qemu', line: expect.any(Number), message: 'unexpected line "vm 113 12 x"', ref: expect.objectContaining({ key: 'hostOutput.unexpectedLine' }) }])
    expect(parseQemuProcesses('vm 1 2 3 4 5 6 7 8\nvm 1 2 3 4 5 6 7 -8\n')).toMatchObject({ ok: false, error: { line: 2 } })
  })

  it('fails with a clear error for garbage, another script, or no /proc/stat', () => {
    expect(parseProxmoxStatsOutput('Welcome to Proxmox VE!\n', opts(1))).toMatchObject({ ok: false, error: { section: 'script' } })
    expect(parseProxmoxStatsOutput(sample1.replace(PVE_STATS_FORMAT, STATS_FORMAT), opts(1))).toMatchObject({ ok: false, error: { message: expect.stringContaining(STATS_FORMAT) } })
    expect(parseProxmoxStatsOutput(withSection('stat', '', 1), opts(1))).toMatchObject({ ok: false, error: { section: 'stat' } })
  })
})

describe('a poll of a node with 100 guests (SYNTHETIC guest sections around the real host sections)', () => {
  // What it costs to parse is measured by `npm run bench` (parse.bench.ts), never asserted here.
  it('reads every guest with its own counters', () => {
    const vmids = Array.from({ length: 100 }, (_, i) => 200 + i)
    const resources = JSON.stringify(vmids.map((v) => row(v, { id: `qemu/${v}`, maxmem: 4294967296, maxdisk: 34359738368, cpu: 0.0123, uptime: 123456, disk: 0 })))
    const qemu = vmids.map((v, i) => vmLine(v, 10000 + i, 4)).join('\n')
    const realNetdev = /BEGIN net-dev\n([\s\S]*?)\n\n@@VP/.exec(sample1)![1]!
    const netdev = realNetdev + '\n' + vmids.map((v) => `tap${v}i0: ${v}000 1000 0 0 0 0 0 0 ${v}999 2000 0 0 0 0 0 0`).join('\n')
    const text = withSection('net-dev', netdev, 0, withSection('qemu', qemu, 0, withSection('cluster-resources', resources)))
    const ids = new Map(vmids.map((v) => [v, `pve-${v}`]))
    const parsed = ok(parseProxmoxStatsOutput(text, { hostId: 'h', t: 1, vmIdOf: (v) => ids.get(v) }))
    expect(parsed.raw.vms.map((v) => v.vmId)).toEqual(vmids.map((v) => `pve-${v}`))
    expect(parsed.raw.vms.every((v) => v.vcpus === 4)).toBe(true)
    // What the host's tap receives is what the guest sends.
    expect(parsed.raw.vms.find((v) => v.vmId === 'pve-250')).toMatchObject({ netRxBytes: 250999, netTxBytes: 250000 })
  })
})
