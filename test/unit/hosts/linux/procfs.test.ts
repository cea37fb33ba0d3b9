import { describe, expect, it } from 'vitest'
import { counterDelta, diskRates } from '../../../../src-main/collect/rates'
import {
  isPhysicalInterface,
  isWholePhysicalDisk,
  parseDiskstats,
  parseLoadavg,
  parseMeminfo,
  parseNetDev,
  parsePressure,
  parseProcStat,
  parseTaskSchedstat,
  parseUptime,
  parseVcpuDelay,
} from '../../../../src-main/hosts/linux/parse/procfs'
import { fixture, ok } from '../libvirt/fixture'

describe('/proc/stat', () => {
  it('reads total and per-CPU ticks (prometheus procfs fixture, 8 CPUs)', () => {
    const s = ok(parseProcStat(fixture('proc/procfs_stat')))
    expect(s.total).toEqual({ user: 301854, nice: 612, system: 111922, idle: 8979004, iowait: 3552, irq: 2, softirq: 3944, steal: 0, guest: 0, guestNice: 0 })
    expect(s.perCpu.map((c) => c.cpu)).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect(s.perCpu[0]!.ticks.softirq).toBe(3410)
    expect(s).toMatchObject({ contextSwitches: 38014093, bootTime: 1418183276, procsRunning: 2, procsBlocked: 1 })
  })

  it("matches libvirt's own per-CPU figures for a real 24-CPU host (virsh nodecpustats test data)", () => {
    const s = ok(parseProcStat(fixture('virsh_nodecpustats/libvirt_linux-cpustat-24cpu.stat')))
    const expected = new Map<string, Record<string, number>>()
    let cur = ''
    for (const line of fixture('virsh_nodecpustats/libvirt_linux-cpustat-24cpu.out').split('\n')) {
      const head = /^(cpu\d*):$/.exec(line)
      if (head) expected.set((cur = head[1]!), {})
      const kv = /^(\w+): (\d+)$/.exec(line)
      if (kv) expected.get(cur)![kv[1]!] = Number(kv[2])
    }
    expect(expected.size).toBe(25)
    const all = [{ key: 'cpu', t: s.total }, ...s.perCpu.map((c) => ({ key: `cpu${c.cpu}`, t: c.ticks }))]
    expect(all).toHaveLength(25)
    for (const { key, t } of all) {
      // libvirt: kernel = system + irq + softirq, user = user + nice, guest = guest + guest_nice.
      expect({ kernel: t.system + t.irq + t.softirq, user: t.user + t.nice, idle: t.idle, iowait: t.iowait, guest: t.guest + t.guestNice }).toEqual(expected.get(key))
    }
  })

  it('reads the 4-column /proc/stat of old kernels (kerub fixture) and the sysstat snapshots', () => {
    expect(ok(parseProcStat(fixture('proc/kerub_procfs-stat-linux.txt'))).total.user).toBeGreaterThan(0)
    expect(ok(parseProcStat(fixture('sysstat/root1_proc/stat'))).perCpu).toHaveLength(9)
  })

  it('says which line and field is wrong', () => {
    expect(parseProcStat('cpu  1 2 3 x\n')).toMatchObject({ ok: false, error: { line: 1, field: 'cpu.idle' } })
    expect(parseProcStat('intr 1 2\n')).toMatchObject({ ok: false, error: { message: 'no aggregate "cpu" line' } })
  })
})

describe('/proc/meminfo', () => {
  it('reads MemTotal/MemAvailable and hugepage counts', () => {
    const m = ok(parseMeminfo(fixture('sysstat/root1_proc/meminfo')))
    expect(m.memTotalKiB).toBeGreaterThan(0)
    expect(m.memAvailableEstimated).toBe(m.fields.get('MemAvailable') === undefined)
    const p = ok(parseMeminfo(fixture('proc/procfs_meminfo')))
    expect(p.memTotalKiB).toBe(15666184)
    expect(p.memAvailableKiB).toBe(440324 + 1020128 + 12007640) // this kernel predates MemAvailable
    expect(p.memAvailableEstimated).toBe(true)
    expect(p.hugePagesTotal).toBe(0)
    expect(ok(parseMeminfo(fixture('proc/kerub_linux-meminfo.txt'))).memTotalKiB).toBeGreaterThan(0)
  })
  it('rejects a line that is not Key: value', () => {
    expect(parseMeminfo('MemTotal: 1 kB\nbroken\n')).toMatchObject({ ok: false, error: { line: 2 } })
  })
})

describe('/proc/pressure, loadavg, uptime, net/dev, schedstat', () => {
  it('reads PSI some/full', () => {
    expect(ok(parsePressure(fixture('proc/procfs_pressure_cpu')))).toEqual({ some: { avg10: 0.1, avg60: 2, avg300: 3.85, totalUs: 15 } })
    expect(ok(parsePressure(fixture('proc/procfs_pressure_io'))).full).toEqual({ avg10: 0.2, avg60: 3, avg300: 4.95, totalUs: 25 })
    expect(parsePressure('some avg10=x\n').ok).toBe(false)
  })
  it('reads loadavg and uptime', () => {
    expect(ok(parseLoadavg(fixture('proc/procfs_loadavg')))).toEqual({ load1: 0.02, load5: 0.04, load15: 0.05, runnable: 1, threads: 497 })
    expect(ok(parseUptime(fixture('sysstat/root1_proc/uptime')))).toEqual({ uptimeSeconds: 7192.55, idleSeconds: 29212.05 })
  })
  it('reads /proc/net/dev and tells physical NICs from bridges, taps and loopback', () => {
    const n = ok(parseNetDev(fixture('proc/procfs_net_dev')))
    expect(n.map((x) => x.iface)).toEqual(['vethf345468', 'lo', 'docker0', 'eth0'])
    expect(n[3]).toMatchObject({ rxBytes: 874354587, rxPackets: 1036395, txBytes: 563352563, txPackets: 732147 })
    expect(n.filter((x) => isPhysicalInterface(x.iface)).map((x) => x.iface)).toEqual(['eth0'])
    expect(isPhysicalInterface('eth0', new Set(['lo', 'virbr0']))).toBe(true)
    expect(isPhysicalInterface('virbr0', new Set(['lo', 'virbr0']))).toBe(false)
  })
  it('reads a task schedstat and the stats script vcpu-delay lines (names with spaces)', () => {
    expect(ok(parseTaskSchedstat('2033551481 9437682321 1234\n'))).toEqual({ runtimeNs: 2033551481, runDelayNs: 9437682321, timeslices: 1234 })
    const r = ok(parseVcpuDelay('vm 12 2 100 200 0 my vm; $(x)\nunreadable-pidfile secret vm\n'))
    expect(r.vms).toEqual([{ pid: 12, vcpuThreads: 2, runtimeNs: 100, runDelayNs: 200, unreadableThreads: 0, name: 'my vm; $(x)' }])
    expect(r.notes).toEqual(['unreadable-pidfile secret vm'])
    expect(parseVcpuDelay('rm -rf /\n').ok).toBe(false)
  })
})

describe('/proc/diskstats', () => {
  it('reads kernel 4.18+ lines with discard fields and old 11-field lines', () => {
    const d = ok(parseDiskstats(fixture('sysstat/root1_proc/diskstats')))
    expect(d.find((x) => x.name === 'sdq')).toMatchObject({ readsCompleted: 49401, sectorsRead: 3195008, discardsCompleted: 8638, sectorsDiscarded: 362610, msDiscarding: 123000 })
    expect(d.find((x) => x.name === 'sds')!.discardsCompleted).toBe(0)
    expect(d.find((x) => x.name === 'sds')!.msDiscarding).toBeUndefined()
    const p = ok(parseDiskstats(fixture('proc/procfs_diskstats')))
    expect(p.find((x) => x.name === 'vda')).toMatchObject({ sectorsRead: 32670882, sectorsWritten: 213637440 })
    expect(p.find((x) => x.name === 'vda')!.discardsCompleted).toBeUndefined()
  })

  it('counts whole physical disks only: not partitions, dm, md, loop or ram', () => {
    const names = ok(parseDiskstats(fixture('proc/procfs_diskstats'))).map((x) => x.name)
    expect(names.filter((n) => isWholePhysicalDisk(n))).toEqual(['sda', 'mmcblk0', 'vda', 'nvme0n1', 'sdb', 'sdc'])
    expect(isWholePhysicalDisk('nvme0n1')).toBe(true)
    expect(isWholePhysicalDisk('nvme0n1p2')).toBe(false)
    expect(isWholePhysicalDisk('sda', new Set(['sda', 'dm-0']), new Set(['dm-0']))).toBe(true)
    expect(isWholePhysicalDisk('dm-0', new Set(['sda', 'dm-0']), new Set(['dm-0']))).toBe(false)
    expect(isWholePhysicalDisk('sda1', new Set(['sda', 'dm-0']), new Set(['dm-0']))).toBe(false)
  })

  it('rejects a short or non-numeric line with its line number', () => {
    expect(parseDiskstats('8 0 sda 1 2 3\n')).toMatchObject({ ok: false, error: { line: 1, field: 'sda' } })
    expect(parseDiskstats('8 0 sda 1 2 3 4 5 6 7 8 9 10 x\n')).toMatchObject({ ok: false, error: { line: 1 } })
  })
})

/** iostat prints two decimals; ours must round to the same figure (or differ by its last digit from binary rounding). */
function iostatTable(text: string, report: number): Map<string, Record<string, number>> {
  const blocks = text.split(/\n(?=Device)/).slice(1)
  const block = blocks[report]!
  const [header, ...rows] = block.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('avg-cpu') && !/^\s+[\d.]+\s+[\d.]+/.test(l))
  const cols = header!.trim().split(/\s+/)
  const out = new Map<string, Record<string, number>>()
  for (const r of rows) {
    const v = r.trim().split(/\s+/)
    if (v.length !== cols.length) continue
    out.set(v[0]!, Object.fromEntries(cols.slice(1).map((c, i) => [c, Number(v[i + 1])])))
  }
  return out
}

describe("diskstats rates match sysstat's iostat on its own two /proc snapshots", () => {
  const before = ok(parseDiskstats(fixture('sysstat/root1_proc/diskstats')))
  const after = ok(parseDiskstats(fixture('sysstat/root2_proc/diskstats')))
  const up1 = ok(parseUptime(fixture('sysstat/root1_proc/uptime'))).uptimeSeconds
  const up2 = ok(parseUptime(fixture('sysstat/root2_proc/uptime'))).uptimeSeconds

  it('the interval is the /proc/uptime difference, 31.17 s', () => {
    expect(up2 - up1).toBeCloseTo(31.17, 6)
  })

  it('second report of `iostat -x 1 2`: r/s, w/s, rkB/s, wkB/s, d/s, dkB/s per device', () => {
    const expected = iostatTable(fixture('sysstat/expected.iostat-x'), 1)
    expect([...expected.keys()]).toEqual(['sda', 'sdb', 'sdq', 'sdr', 'sds'])
    const ours = new Map(diskRates(before, after, up2 - up1, counterDelta).map((r) => [r.name, r]))
    for (const [dev, e] of expected) {
      const r = ours.get(dev)!
      expect([r.readsPerSec, r.writesPerSec, r.readKBPerSec, r.writeKBPerSec, r.discardsPerSec, r.discardKBPerSec].map((x) => Number(x.toFixed(2))), dev).toEqual([
        e['r/s'], e['w/s'], e['rkB/s'], e['wkB/s'], e['d/s'], e['dkB/s'],
      ])
    }
    expect(ours.get('sdq')!.readsPerSec).toBeCloseTo(200 / 31.17, 10)
  })

  it('second report of `iostat -x 1 2`: r_await, w_await, aqu-sz and %util per device', () => {
    const expected = iostatTable(fixture('sysstat/expected.iostat-x'), 1)
    const ours = new Map(diskRates(before, after, up2 - up1, counterDelta).map((r) => [r.name, r]))
    for (const [dev, e] of expected) {
      const r = ours.get(dev)!
      expect([r.readAwaitMs ?? 0, r.writeAwaitMs ?? 0, r.queueSize, r.utilPct].map((x) => Number(x.toFixed(2))), dev).toEqual([e['r_await'], e['w_await'], e['aqu-sz'], e['%util']])
    }
    // sdr: busy part of the time with reads and writes queued, not saturated
    expect(ours.get('sdr')!.writeAwaitMs).toBeCloseTo(40, 6)
    expect(ours.get('sda')!.readAwaitMs).toBeUndefined()
  })

  it('first report (since boot): counters divided by uptime, as iostat does', () => {
    const expected = iostatTable(fixture('sysstat/expected.iostat-x'), 0)
    const zero = before.map((d) => ({ ...d, readsCompleted: 0, writesCompleted: 0, sectorsRead: 0, sectorsWritten: 0, discardsCompleted: 0, sectorsDiscarded: 0 }))
    const ours = new Map(diskRates(zero, before, up1, counterDelta).map((r) => [r.name, r]))
    for (const [dev, e] of expected) {
      const r = ours.get(dev)!
      expect([r.readsPerSec, r.writesPerSec, r.readKBPerSec, r.writeKBPerSec].map((x) => Number(x.toFixed(2))), dev).toEqual([e['r/s'], e['w/s'], e['rkB/s'], e['wkB/s']])
    }
  })

  it('plain `iostat` second report: kB_read/s, kB_wrtn/s and kB_read/kB_wrtn totals', () => {
    const expected = iostatTable(fixture('sysstat/expected.iostat'), 1)
    const ours = new Map(diskRates(before, after, up2 - up1, counterDelta).map((r) => [r.name, r]))
    const b = new Map(before.map((d) => [d.name, d]))
    for (const [dev, e] of expected) {
      const r = ours.get(dev)!
      expect([Number(r.readKBPerSec.toFixed(2)), Number(r.writeKBPerSec.toFixed(2))], dev).toEqual([e['kB_read/s'], e['kB_wrtn/s']])
      const a = after.find((d) => d.name === dev)!
      expect((a.sectorsRead - b.get(dev)!.sectorsRead) / 2, dev).toBe(e['kB_read'])
      expect((a.sectorsWritten - b.get(dev)!.sectorsWritten) / 2, dev).toBe(e['kB_wrtn'])
    }
  })
})
