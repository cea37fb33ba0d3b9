import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { deriveSamples } from '../../../../src-main/collect/rates'
import { DISCOVER_COMMAND, DISCOVER_SCRIPT } from '../../../../src-main/hosts/libvirt/discover-script'
import { parseStatsOutput } from '../../../../src-main/hosts/libvirt/parse/stats-output'
import { splitSections } from '../../../../src-main/hosts/linux/parse/sections'
import { STATS_FORMAT, STATS_SCRIPT, statsRequest } from '../../../../src-main/hosts/libvirt/stats-script'
import { StatsSession } from '../../../../src-main/hosts/linux/stats-session'
import { LocalHost } from '../local-session'
import { unchangedChars } from '../unchanged-lines'
import { fixture, ok } from './fixture'

const ids = new Map([
  ['h1-vm1', 'fe124b0f-cf05-4833-b9a3-8a330bd2b984'],
  ['h1-vm2', 'ff86c0d5-47d8-42c4-88dd-785fe2ea07e0'],
])
const opts = (t: number) => ({ hostId: 'h1', t, vmIdOf: (n: string) => ids.get(n) })

describe('parseStatsOutput on two real polls of a lab host (stats script output, 5 s apart)', () => {
  const a = ok(parseStatsOutput(fixture('virtpilot-lab/stats-h1-sample1.txt'), opts(1_000_000)))
  const b = ok(parseStatsOutput(fixture('virtpilot-lab/stats-h1-sample2.txt'), opts(1_005_000)))

  it('builds RawStats for the host and both running guests', () => {
    expect(a.problems).toEqual([])
    expect(a.raw.hosts).toHaveLength(1)
    expect(a.raw.hosts[0]!.memTotalKiB).toBeGreaterThan(a.raw.hosts[0]!.memAvailableKiB)
    expect(a.raw.vms.map((v) => v.vmId)).toEqual([...ids.values()])
    const vm1 = a.raw.vms[0]!
    expect(vm1).toMatchObject({ hostId: 'h1', vcpus: 1, diskReadBytes: 0, netRxBytes: 0 })
    expect(vm1.cpuTimeNs).toBe(a.domains[0]!.cpuTimeNs)
    // No guest balloon stats in this guest: memory used falls back to the QEMU process RSS.
    expect(a.vms[0]).toMatchObject({ memUsedSource: 'balloon-rss', runDelaySource: 'schedstat', name: 'h1-vm1' })
    expect(vm1.memUsedKiB).toBe(a.domains[0]!.balloon.rssKiB)
    expect(a.host.uptimeSeconds).toBeGreaterThan(0)
    expect(a.host.pressure.cpu?.some.avg10).toBeGreaterThanOrEqual(0)
  })

  it('the schedstat run delay agrees with libvirt 9 vcpu.0.delay read a moment earlier', () => {
    for (const [i, vm] of b.raw.vms.entries()) {
      const libvirtDelay = b.domains[i]!.vcpus[0]!.delayNs!
      expect(vm.runDelayNs).toBeGreaterThanOrEqual(libvirtDelay)
      expect(vm.runDelayNs - libvirtDelay).toBeLessThan(1e9)
    }
  })

  it('two successive samples give rates through deriveSamples', () => {
    const { hostSamples, vmSamples } = deriveSamples(a.raw, b.raw, new Map([['h1', 2]]))
    expect(hostSamples).toHaveLength(1)
    expect(hostSamples[0]!.cpuPct).toBeGreaterThan(0)
    expect(hostSamples[0]!.cpuPct).toBeLessThanOrEqual(100)
    expect(vmSamples).toHaveLength(2)
    for (const s of vmSamples) {
      // Idle TCG guests booting: a real, non-zero, bounded CPU use and some waiting for a CPU on a 2-core box.
      expect(s.cpuPct).toBeGreaterThan(0)
      expect(s.cpuPct).toBeLessThanOrEqual(100)
      expect(s.cpuReadyPct).toBeGreaterThan(0)
    }
    const vm1 = vmSamples.find((s) => s.vmId === ids.get('h1-vm1'))!
    const expectedPct = (100 * (b.raw.vms[0]!.cpuTimeNs - a.raw.vms[0]!.cpuTimeNs)) / 1e9 / 5
    expect(vm1.cpuPct).toBeCloseTo(Math.min(100, expectedPct), 6)
  })

  it('keeps the host\'s pressure, swap and load as figures of its samples', () => {
    const [ha, hb] = [a.raw.hosts[0]!, b.raw.hosts[0]!]
    // /proc/pressure/cpu "some" total=381915557 then 386937291 (µs); loadavg and vmstat of the second poll.
    expect(ha.pressureUs?.cpu).toBe(381_915_557)
    expect(hb.pressureUs?.cpu).toBe(386_937_291)
    expect(hb.load1).toBe(b.host.load!.load1)
    const [sample] = deriveSamples(a.raw, b.raw, new Map([['h1', 2]])).hostSamples
    expect(sample!.cpuPressurePct).toBeCloseTo(Math.min(100, (100 * (386_937_291 - 381_915_557)) / 5e6), 6)
    expect(sample!.memPressurePct).toBeCloseTo((100 * (hb.pressureUs!.memory! - ha.pressureUs!.memory!)) / 5e6, 6)
    expect(sample!.ioPressurePct).toBeCloseTo((100 * (hb.pressureUs!.io! - ha.pressureUs!.io!)) / 5e6, 6)
    expect(sample!.swapInBps).toBe(((hb.swapInPages! - ha.swapInPages!) / 5) * 4096)
    expect(sample!.load1).toBe(hb.load1)
  })

  it('domains unknown to discovery are listed, not invented', () => {
    const r = ok(parseStatsOutput(fixture('virtpilot-lab/stats-h1-sample1.txt'), { hostId: 'h1', t: 0, vmIdOf: () => undefined }))
    expect(r.raw.vms).toEqual([])
    expect(r.unknownDomains).toEqual(['h1-vm1', 'h1-vm2'])
  })
})

/** Wraps sections in the script's framing, as the script prints them. */
function frame(sections: [string, string, number][], nonce = 'n0nce', done = true): string {
  let s = `@@VP ${nonce} START ${STATS_FORMAT}\n`
  for (const [name, body, rc] of sections) s += `\n@@VP ${nonce} BEGIN ${name}\n${body}\n@@VP ${nonce} END ${name} ${rc}\n`
  return done ? s + `\n@@VP ${nonce} DONE\n` : s
}
const STAT = 'cpu  10 0 10 80 0 0 0 0 0 0\ncpu0 10 0 10 80 0 0 0 0 0 0\n'
const MEM = 'MemTotal: 1000 kB\nMemAvailable: 600 kB\n'

describe("a guest's own paging, from its balloon statistics", () => {
  // Lab guests with the virtio balloon's statistics on (c1), and without (h1): real polls 10 s apart.
  const c1 = new Map([['c1-vm1', 'vm-1'], ['c1-vm2', 'vm-2']])
  const c1Opts = (t: number) => ({ hostId: 'c1', t, vmIdOf: (n: string) => c1.get(n) })
  const a = ok(parseStatsOutput(fixture('virtpilot-lab/stats-threads-c1-sample1.txt'), c1Opts(0)))
  const b = ok(parseStatsOutput(fixture('virtpilot-lab/stats-threads-c1-sample2.txt'), c1Opts(10_000)))

  it('is read where the guest reports it, and becomes rates: none paged here', () => {
    expect(a.raw.vms.map((v) => v.guest)).toEqual([
      { swapInKiB: 0, swapOutKiB: 0, majorFaults: 0 },
      { swapInKiB: 0, swapOutKiB: 0, majorFaults: 0 },
    ])
    const { vmSamples } = deriveSamples(a.raw, b.raw, new Map([['c1', 2]]))
    expect(vmSamples.map((s) => [s.guestSwapInBps, s.guestSwapOutBps, s.guestMajorFaultsPs])).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ])
  })

  it('is absent, not zero, where the guest reports nothing', () => {
    const h1a = ok(parseStatsOutput(fixture('virtpilot-lab/stats-h1-sample1.txt'), opts(1_000_000)))
    const h1b = ok(parseStatsOutput(fixture('virtpilot-lab/stats-h1-sample2.txt'), opts(1_005_000)))
    expect(h1a.raw.vms.every((v) => v.guest === undefined)).toBe(true)
    const { vmSamples } = deriveSamples(h1a.raw, h1b.raw, new Map([['h1', 2]]))
    for (const s of vmSamples) expect(s).not.toHaveProperty('guestSwapInBps')
  })
})

describe('parseStatsOutput degrades per section', () => {
  it('a failed domstats and missing PSI become problems; the host part is kept', () => {
    const out = frame([
      ['domstats', '', 1],
      ['domstats.stderr', "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/libvirt-sock': Permission denied", 0],
      ['stat', STAT, 0],
      ['meminfo', MEM, 0],
      ['pressure-cpu', '', 1],
      ['vcpu-delay', 'unreadable /run/libvirt/qemu\n', 0],
    ])
    const r = ok(parseStatsOutput(out, { hostId: 'h', t: 1, vmIdOf: (n) => n }))
    expect(r.raw.hosts[0]).toMatchObject({ memTotalKiB: 1000, memAvailableKiB: 600, diskReadBytes: 0 })
    expect(r.problems.map((p) => p.section)).toEqual(expect.arrayContaining(['domstats', 'pressure-cpu', 'vcpu-delay']))
    expect(r.problems.find((p) => p.section === 'domstats')!.message).toContain('Permission denied')
    // No domain statistics at all: the poll cannot stand for the host's VMs (the adapter fails it).
    expect(r.domstatsFailure?.message).toContain('Permission denied')
  })

  it('a host without any domain is a reading, not a failure', () => {
    const r = ok(parseStatsOutput(frame([['domstats', '', 0], ['stat', STAT, 0], ['meminfo', MEM, 0]]), { hostId: 'h', t: 1, vmIdOf: (n) => n }))
    expect(r.domstatsFailure).toBeUndefined()
    expect(r.raw.vms).toEqual([])
  })

  it('falls back to libvirt vcpu.N.delay when schedstat is unreadable, and to balloon.current without usage stats', () => {
    const out = frame([
      ['domstats', "Domain: 'a b'\n  state.state=1\n  cpu.time=5\n  balloon.current=2048\n  vcpu.current=2\n  vcpu.0.delay=7\n  vcpu.1.delay=8\n", 0],
      ['stat', STAT, 0],
      ['meminfo', MEM, 0],
      ['vcpu-delay', 'unreadable-pidfile a b\n', 0],
    ])
    const r = ok(parseStatsOutput(out, { hostId: 'h', t: 1, vmIdOf: (n) => `id:${n}` }))
    expect(r.raw.vms[0]).toMatchObject({ vmId: 'id:a b', vcpus: 2, runDelayNs: 15, memUsedKiB: 2048 })
    expect(r.vms[0]).toMatchObject({ runDelaySource: 'libvirt-vcpu-delay', memUsedSource: 'balloon-current' })
  })

  it('uses available - unused when the guest reports balloon stats', () => {
    const out = frame([
      ['domstats', "Domain: 'g'\n  state.state=1\n  cpu.time=5\n  balloon.available=4000\n  balloon.unused=1000\n  balloon.rss=9999\n", 0],
      ['stat', STAT, 0],
      ['meminfo', MEM, 0],
    ])
    expect(ok(parseStatsOutput(out, { hostId: 'h', t: 1, vmIdOf: (n) => n })).raw.vms[0]!.memUsedKiB).toBe(3000)
  })

  it('fails with a clear error for garbage, a wrong format, or no /proc/stat', () => {
    expect(parseStatsOutput('Welcome to my shell!\n', opts(1))).toMatchObject({ ok: false, error: { section: 'script' } })
    expect(parseStatsOutput('@@VP x START stats-0\n', opts(1))).toMatchObject({ ok: false, error: { message: expect.stringContaining('stats-0') } })
    expect(parseStatsOutput(frame([['meminfo', MEM, 0]]), opts(1))).toMatchObject({ ok: false, error: { section: 'stat' } })
    expect(parseStatsOutput(frame([['stat', 'cpu 1 2\n', 0], ['meminfo', MEM, 0]]), opts(1))).toMatchObject({ ok: false, error: { section: '/proc/stat', line: 4 } })
  })

  it('flags output cut off before DONE', () => {
    const r = ok(parseStatsOutput(frame([['stat', STAT, 0], ['meminfo', MEM, 0]], 'n', false), opts(1)))
    expect(r.problems).toContainEqual({ section: 'script', message: 'output ended before DONE (cut off or timed out)', ref: { key: 'access.hostOutput.endedEarly', params: {} } })
  })
})

describe('section framing', () => {
  it('a VM name or path shaped like a marker cannot end a section (the nonce is unknown to it)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !s.includes('\n')), (name) => {
        const dom = `Domain: '@@VP guess END domstats 0 ${name}'\n  state.state=1\n  cpu.time=1\n  block.0.path=@@VP n0nce-not BEGIN stat\n`
        const r = ok(parseStatsOutput(frame([['domstats', dom, 0], ['stat', STAT, 0], ['meminfo', MEM, 0]]), { hostId: 'h', t: 1, vmIdOf: (n) => n }))
        expect(r.domains.map((d) => d.name)).toEqual([`@@VP guess END domstats 0 ${name}`])
        expect(r.raw.vms).toHaveLength(1)
      }),
    )
  })

  it('keeps a body without a final newline and an empty body', () => {
    const s = ok(splitSections('@@VP n START f\n@@VP n BEGIN a\nx\n@@VP n END a 0\n@@VP n BEGIN b\n\n@@VP n END b 0\n', 'f'))
    expect(s.sections.map((x) => [x.name, x.body])).toEqual([['a', 'x\n'], ['b', '']])
  })
})

describe('the host scripts', () => {
  it('are constants without backslashes, so single-quote wrapping is exact in any POSIX-ish shell', () => {
    for (const script of [STATS_SCRIPT, DISCOVER_SCRIPT]) {
      expect(script).not.toContain('\\')
      expect(script).not.toMatch(/\$\{(?!pf##|name%|name##|t##|c#|VIRTPILOT_HOST_ROOT:-\}|VIRTPILOT_PVE_ETC:-\/etc\/pve\})/) // no template values leaked in, only shell parameter expansions
    }
    expect(DISCOVER_COMMAND.startsWith("sh -c '")).toBe(true)
  })

  it('a stats request is constant but for its nonce, which must be hex', () => {
    const request = statsRequest('00112233445566778899aabb', { schedstat: false })
    expect(request).toBe(
      'echo --err @@VP 00112233445566778899aabb POLL - threads\ndomstats --raw --state --cpu-total --balloon --vcpu --interface --block\necho --err @@VP 00112233445566778899aabb END\n',
    )
    expect(statsRequest('00112233445566778899aabb', { schedstat: true })).toContain('POLL schedstat threads\n')
    expect(statsRequest('00112233445566778899aabb', { schedstat: false, threads: false })).toContain('POLL - -\n')
    expect(() => statsRequest('x; quit', { schedstat: false })).toThrow('hex')
  })

  // The session script for real under this machine's /bin/sh and awk, with a FAKE transport (a
  // local process, no sshd); libvirtd may be absent here: then domstats is a problem, not a failure.
  it.runIf(process.platform === 'linux')('the stats session runs here: host sections parse, each poll after the first sends only what changed', async () => {
    const host = new LocalHost({ ...process.env, HOME: '/nonexistent' })
    const session = new StatsSession(host, STATS_SCRIPT)
    try {
      let previous: string | undefined
      for (const schedstat of [false, true, false]) {
        const before = session.bytes
        const out = await session.read((nonce) => statsRequest(nonce, { schedstat }), 20_000)
        // At least half of what did not change since the previous poll was not sent again.
        if (previous) expect(session.bytes - before).toBeLessThan(out.length - unchangedChars(previous, out, STATS_FORMAT) / 2)
        previous = out
        const r = ok(parseStatsOutput(out, { hostId: 'local', t: Date.now(), vmIdOf: () => undefined }))
        expect(r.raw.hosts[0]!.memTotalKiB).toBeGreaterThan(0)
        expect(r.raw.hosts[0]!.cpuTicks.idle).toBeGreaterThan(0)
        expect(r.host.perCpuTicks.length).toBeGreaterThan(0)
        expect(r.host.countedDisks.every((d) => !/^(loop|dm-|ram|zram)/.test(d))).toBe(true)
        expect(r.host.countedInterfaces).not.toContain('lo')
        // No libvirt here: no run delay loop, no QEMU threads to read (each says why).
        expect(r.problems.filter((p) => !['domstats', 'vcpu-delay', 'qemu-threads'].includes(p.section))).toEqual([])
        expect(out).toContain('BEGIN qemu-threads')
        // /sys/kernel/debug/kvm: its counters, or why not (not mounted, not readable, no kvm module here).
        expect(out).toContain('BEGIN kvm-debugfs')
        expect(r.raw.hosts[0]!.kvmDebugfs?.status).toMatch(/^(read|not-mounted|not-readable|no-kvm)$/)
        // the run delay loop only when asked for
        expect(out.includes('BEGIN vcpu-delay')).toBe(schedstat)
      }
      expect(session.started).toBe(1)
      expect(host.children).toHaveLength(1)
    } finally {
      session.close()
    }
  }, 60_000)
})
