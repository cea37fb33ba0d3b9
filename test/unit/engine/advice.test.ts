import { describe, expect, it } from 'vitest'
import type { ClusterFacts } from '../../../shared/model/facts'
import type { VmUsageSeries } from '../../../shared/engine/history'
import { host, snapshot, T0, usage, vm } from './support/cluster'
import { migrations, recommendChecked } from './support/plan'

const GiB = 1024
const hour = 3_600_000
const day = 24 * hour
const ready = (v: ReturnType<typeof vm>, used: number, readyPct: number) => ({ ...usage(v, used, 1000), cpuReadyPct: readyPct })

describe('advice from contention (CPU ready)', () => {
  it('a guest held to 0.3 of its vCPU with 70 % CPU ready on a saturated host gets advice, with the evidence', () => {
    // One 4-thread host: the victim and four busy 2-vCPU guests all wait; nowhere to move them.
    const vms = [vm('victim', 'h1', { vcpus: 1 }), ...[1, 2, 3, 4].map((i) => vm(`busy${i}`, 'h1', { vcpus: 2 }))]
    const samples = [ready(vms[0]!, 0.3, 70), ...vms.slice(1).map((v) => ready(v, 0.9, 40))]
    const out = recommendChecked({ snapshot: snapshot([host('h1', { threads: 4 })], vms, samples), history: { vms: {} }, now: T0, seed: 1 })
    const advice = out.tuning.find((a) => a.rule === 'contention' && a.target.id === 'victim')!
    expect(advice.title).toMatch(/h1 is saturated: lower its CPU overcommit/)
    expect(advice.priority).toBe(2)
    expect(advice.evidence).toContainEqual({ fact: 'victim CPU ready', value: 70, unit: '%' })
    expect(advice.evidence).toContainEqual({ fact: 'victim CPU used', value: 0.3, unit: 'cores' })
    expect(advice.rationale).toMatch(/got 0\.30 of the 1\.00 cores it wanted/)
    expect(out.recommendations.some((r) => r.kind === 'tuning' && r.title === advice.title)).toBe(true)
  })

  it('where another host has room the balancing plan moves load off, and the advice says so', () => {
    const vms = [vm('victim', 'h1', { vcpus: 1 }), ...[1, 2, 3, 4].map((i) => vm(`busy${i}`, 'h1', { vcpus: 2 }))]
    const samples = [ready(vms[0]!, 0.3, 70), ...vms.slice(1).map((v) => ready(v, 0.9, 40))]
    const out = recommendChecked({ snapshot: snapshot([host('h1', { threads: 4 }), host('h2', { threads: 4 })], vms, samples), history: { vms: {} }, now: T0, seed: 1 })
    expect(migrations(out).length).toBeGreaterThan(0)
    const advice = out.tuning.find((a) => a.rule === 'contention' && a.target.id === 'victim')!
    expect(advice.title).toMatch(/the balancing plan (moves it to h2|moves \d VMs? off h1)/)
  })

  it('a VM that keeps all its vCPUs busy and waits, on a host with room, gets one more vCPU (within the host\'s ratio)', () => {
    const v = vm('cruncher', 'h1', { vcpus: 2, maxVcpus: 4 })
    const out = recommendChecked({ snapshot: snapshot([host('h1', { threads: 16 })], [v], [ready(v, 1.9, 20)]), history: { vms: {} }, now: T0, seed: 1 })
    const advice = out.recommendations.find((r) => r.kind === 'tuning' && r.target.id === 'cruncher')!
    expect(advice.title).toBe('Add vCPUs on cruncher: 2 → 3 (it waits for CPU with all its vCPUs busy)')
    expect(advice.actions.map((a) => a.action)).toEqual([{ kind: 'setVcpus', vm: 'cruncher', host: 'h1', count: 3, live: true }])
  })

  it('no advice below the threshold', () => {
    const v = vm('calm', 'h1', { vcpus: 2 })
    const out = recommendChecked({ snapshot: snapshot([host('h1')], [v], [ready(v, 1, 3)]), history: { vms: {} }, now: T0, seed: 1 })
    expect(out.tuning.filter((a) => a.rule === 'contention')).toEqual([])
  })
})

describe('migrations that need more than a live migration', () => {
  it('a guest whose disk the host caches is known to need --unsafe, and its recommendation says so', () => {
    const vms = [vm('a', 'h1', { vcpus: 4 }), vm('b', 'h1', { vcpus: 4 }), vm('c', 'h1', { vcpus: 4 })]
    const snap = snapshot([host('h1', { threads: 8 }), host('h2', { threads: 8 })], vms, vms.map((v) => usage(v, 3, 2000)))
    const disk = (cache: string | undefined) => ({ target: 'vda', device: 'disk', bus: 'virtio', sourceType: 'file', format: 'qcow2', cache, readonly: false })
    const facts = (cache: string | undefined): ClusterFacts => ({
      hosts: {},
      vms: Object.fromEntries(vms.map((v) => [v.id, { vmId: v.id, name: v.id, hostId: 'h1', running: true, accelerator: 'kvm', vcpus: 4, memoryMiB: 4096, maxMemoryMiB: 4096, disks: [disk(cache)], nics: [], balloon: 'virtio', hugepagesBacking: false, noSharePages: false, vcpuPins: [] }])),
    })
    const out = recommendChecked({ snapshot: snap, history: { vms: {} }, now: T0, seed: 1, facts: facts(undefined) })
    const rec = out.recommendations.find((r) => r.kind === 'migrate')!
    expect(rec.risk).toBe('high')
    expect(rec.riskNote).toMatch(/Needs --unsafe: libvirt refuses to live-migrate host-cached disks \(vda \(cache=default\)\)/)
    expect(rec.riskNote).toMatch(/the destination must see the same path/)
    expect(rec.actions[0]!.action).toMatchObject({ kind: 'migrate', unsafe: true })
    const safe = recommendChecked({ snapshot: snap, history: { vms: {} }, now: T0, seed: 1, facts: facts('none') }).recommendations.find((r) => r.kind === 'migrate')!
    expect(safe.riskNote).not.toMatch(/--unsafe/)
    expect(safe.actions[0]!.action).not.toHaveProperty('unsafe')
  })
})

describe('each move names the demand it relied on', () => {
  /** 5-minute samples over three weeks up to `now`. */
  const weeks = (now: number, cpu: (t: number) => number): VmUsageSeries => {
    const s: VmUsageSeries = { t: [], cpuUsedCores: [], memUsedMiB: [] }
    for (let t = now - 21 * day; t < now; t += 5 * 60_000) { s.t.push(t); s.cpuUsedCores.push(cpu(t)); s.memUsedMiB.push(1000) }
    return s
  }

  it('the forecast and its band, and a move that is good only under the forecast says so', () => {
    // Monday 08:00. x runs a weekly job Monday 09-17 (6 cores), 1 core otherwise; a runs 3 cores.
    // y has run 0.5 core for weeks and ramped to 4 in the last 30 minutes. Over the next 24 h h1
    // is busier (x's job); right now h2 is (y): moving x to h2 is good only under the forecast.
    const now = Date.UTC(2024, 0, 8, 8)
    const vms = [vm('x', 'h1', { vcpus: 8, memoryMiB: 4 * GiB }), vm('a', 'h1', { vcpus: 4, memoryMiB: 4 * GiB }), vm('y', 'h2', { vcpus: 8, memoryMiB: 4 * GiB })]
    const job = (t: number) => (new Date(t).getUTCDay() === 1 && new Date(t).getUTCHours() >= 9 && new Date(t).getUTCHours() < 17 ? 6 : 1)
    const history = { vms: { x: weeks(now, job), a: weeks(now, () => 3), y: weeks(now, (t) => (t >= now - 30 * 60_000 ? 4 : 0.5)) } }
    const snap = snapshot([host('h1', { threads: 10, memoryMiB: 32 * GiB }), host('h2', { threads: 10, memoryMiB: 32 * GiB })], vms, [usage(vms[0]!, 1, 1000, now), usage(vms[1]!, 3, 1000, now), usage(vms[2]!, 4, 1000, now)], now)
    const out = recommendChecked({ snapshot: snap, history, now, seed: 1 })
    // One optional move: a "Rebalance: 1 move" set whose move carries its own words.
    const sets = out.recommendations.filter((r) => r.kind === 'migrate')
    expect(sets.flatMap((r) => r.rebalance?.moves.map((m) => m.vmId) ?? [])).toEqual(['x'])
    const why = sets[0]!.rebalance!.moves[0]!.notes ?? ''
    expect(why).toMatch(/Demand planned for x: forecast for the next 24 h: 2\.67 cores on average \(band [\d.]+-[\d.]+ cores\), up to 6\.00 in its busiest hour; the mean of the same hour of the week over the last 3 weeks\./)
    expect(why).toMatch(/Good only under the forecast: with the last 30 minutes' demand this move would make balance worse/)
    expect(out.demand.y).toMatchObject({ source: 'forecast', basis: 'weekly', periods: 3, departed: 'up', recentCpuCores: 4 })
  })
})

describe('consolidation plans for VMs that just ramped up', () => {
  it('does not pack two VMs that ramped to their full vCPUs onto one host, which the last 24 h would have allowed', () => {
    // Monday 18:00. r1 and r2 (6 vCPUs) idled at 0.1 core for three weeks and have run 4.5 cores
    // for the last 30 minutes; f runs 3 cores. The p80 of the last 24 h says 0.1 each: all three
    // fit on one 8-CPU host, which would then run 12 cores. Planned for the forecast, no host is
    // planned above its CPUs at the ramped level.
    const now = Date.UTC(2024, 0, 8, 18)
    const weeks = (cpu: (t: number) => number): VmUsageSeries => {
      const s: VmUsageSeries = { t: [], cpuUsedCores: [], memUsedMiB: [] }
      for (let t = now - 21 * day; t < now; t += 5 * 60_000) { s.t.push(t); s.cpuUsedCores.push(cpu(t)); s.memUsedMiB.push(1000) }
      return s
    }
    const ramped = (t: number) => (t >= now - 30 * 60_000 ? 4.5 : 0.1)
    const vms = [vm('r1', 'h1', { vcpus: 6, memoryMiB: 4 * GiB }), vm('r2', 'h2', { vcpus: 6, memoryMiB: 4 * GiB }), vm('f', 'h3', { vcpus: 4, memoryMiB: 4 * GiB })]
    const hosts = ['h1', 'h2', 'h3'].map((id) => host(id, { threads: 8, memoryMiB: 32 * GiB }))
    const snap = snapshot(hosts, vms, [usage(vms[0]!, 4.5, 1000, now), usage(vms[1]!, 4.5, 1000, now), usage(vms[2]!, 3, 1000, now)], now)
    const out = recommendChecked({ snapshot: snap, history: { vms: { r1: weeks(ramped), r2: weeks(ramped), f: weeks(() => 3) } }, now, seed: 1 })
    const where = new Map(vms.map((v) => [v.id, v.hostId]))
    for (const m of out.consolidation.moves) where.set(m.vmId, m.to)
    // Each host's CPU at what the VMs run now: none above its 8 CPUs.
    const running: Record<string, number> = { r1: 4.5, r2: 4.5, f: 3 }
    for (const h of hosts) expect([...where].filter(([, to]) => to === h.id).reduce((a, [id]) => a + running[id]!, 0)).toBeLessThanOrEqual(8)
    expect(out.consolidation.moves.length).toBeGreaterThan(0)
    expect(where.get('r1')).not.toBe(where.get('r2'))
    expect(out.demand.r1).toMatchObject({ departed: 'up', recentCpuCores: 4.5 })
  })
})
