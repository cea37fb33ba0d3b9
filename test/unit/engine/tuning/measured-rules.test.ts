import { describe, expect, it } from 'vitest'
import { measuredWindow, tuningAdvice, tuningRecommendation, tuningRules, type TuningAdvice, type TuningUsage } from '../../../../shared/engine/tuning'
import { formatMessage, messageText } from '../../../../shared/i18n'
import type { LayerMetric, VmUsageSeries } from '../../../../shared/model/history'
import type { ClusterFacts } from '../../../../shared/model/facts'
import type { MessageRef } from '../../../../shared/model/recommendation'
import { RecommendationSchema } from '../../../../shared/model/recommendation'
import { qemuCores } from '../../../../src-main/collect/rates'
import { parseDomstats } from '../../../../src-main/hosts/libvirt/parse/domstats'
import { kvmCountersOf } from '../../../../src-main/hosts/libvirt/parse/kvm-stats'
import { parseStatsOutput } from '../../../../src-main/hosts/libvirt/parse/stats-output'
import { englishRuns } from '../../i18n/english-runs'
import { placeholders } from '../../i18n/support'
import { fixture, ok } from '../../hosts/libvirt/fixture'
import { evidenceInChinese } from './evidence-words'
import { cluster, hostFacts, vmFacts } from './facts'

// Measured figures built from real outputs (test/fixtures/outputs/README.md):
// - KVM halt polling of a real KVM guest: glances' `virsh domstats win11` (libvirt 10, QEMU 8.2).
//   It is one reading of counters since the guest started; its vCPU's lifetime is what the vCPU
//   ran, waited halted and waited for a host CPU (vcpu.0.time + halt_wait_ns + vcpu.0.delay), so
//   each counter over that lifetime is the guest's mean rate.
// - QEMU's thread split of a real guest: two answers of the lab's stats session, 10 s apart
//   (c1-vm1, a busy loop under TCG: its main loop's time).
const win11 = fixture('virsh_domstats/glances-win11-kvm-binary-stats.txt').replace(/^ {2}(vcpu|block)\.1\.\.\.\n/gm, '')
const domain = ok(parseDomstats(win11))[0]!
const counters = kvmCountersOf(domain)!
const lifetimeS = (Number(domain.fields.get('vcpu.0.time')) + counters.haltWaitNs! + Number(domain.fields.get('vcpu.0.delay'))) / 1e9
const win11Rates = {
  kvmHaltExitsPs: counters.haltExits! / lifetimeS,
  kvmHaltPollSuccessCores: counters.haltPollSuccessNs! / 1e9 / lifetimeS,
  kvmHaltPollFailCores: counters.haltPollFailNs! / 1e9 / lifetimeS,
  kvmHaltWaitCores: counters.haltWaitNs! / 1e9 / lifetimeS,
}

const ids = new Map([['c1-vm1', 'vm1']])
const a = ok(parseStatsOutput(fixture('virtpilot-lab/stats-threads-c1-sample1.txt'), { hostId: 'c1', t: 0, vmIdOf: (n) => ids.get(n) }))
const b = ok(parseStatsOutput(fixture('virtpilot-lab/stats-threads-c1-sample2.txt'), { hostId: 'c1', t: 10_000, vmIdOf: (n) => ids.get(n) }))
const labSplit = qemuCores(a.raw.vms.find((v) => v.vmId === 'vm1')!.qemu, b.raw.vms.find((v) => v.vmId === 'vm1')!.qemu, 10)

const NOW = Date.UTC(2026, 0, 5, 12)
const HOUR = 3_600_000

/** A VM's history of `buckets` 5-minute means ending now, every bucket with the same figures. */
function history(figures: Partial<Record<LayerMetric, number>>, o: { buckets?: number; cpuUsedCores?: number; cpuReadyPct?: number } = {}): VmUsageSeries {
  const n = o.buckets ?? 12
  const t = Array.from({ length: n }, (_, i) => NOW - (n - i) * 300_000)
  return {
    t,
    cpuUsedCores: t.map(() => o.cpuUsedCores ?? 1),
    memUsedMiB: t.map(() => 1024),
    cpuReadyPct: t.map(() => o.cpuReadyPct ?? 0),
    layer: { t, ...Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, t.map(() => v)])) },
  }
}

function usage(load: number, vms: Record<string, VmUsageSeries | undefined>, extra: TuningUsage['vms'] = {}): TuningUsage {
  return {
    hosts: { h1: { cpuLoad: load } },
    vms: { ...Object.fromEntries(Object.entries(vms).map(([id, s]) => [id, { measured: measuredWindow(s, NOW, HOUR) }])), ...extra },
  }
}

const run = (facts: ClusterFacts, rule: string, u: TuningUsage) => tuningAdvice({ facts, usage: u }, tuningRules.filter((r) => r.id === rule))

/** Every text of an advice resolves in en and zh-CN with its values, and the Chinese holds no run of English words. */
function speaksBoth(advice: TuningAdvice): void {
  const r = tuningRecommendation(advice, 't-1')
  RecommendationSchema.parse(r)
  const check = (ref: MessageRef) => {
    for (const language of ['en', 'zh-CN'] as const) {
      const text = messageText(ref.key, language)
      expect(text, `${ref.key} in ${language}`).toBeDefined()
      for (const p of placeholders(text!)) expect(ref.params[p], `${ref.key} {${p}}`).toBeDefined()
    }
    for (const value of Object.values(ref.params)) for (const nested of Array.isArray(value) ? value : typeof value === 'object' ? [value] : []) check(nested)
  }
  for (const ref of [r.titleRef!, r.rationaleRef!, r.riskNoteRef!]) {
    check(ref)
    expect(englishRuns(formatMessage(ref, 'zh-CN'), ['h1', 'db', 'web', 'big', '52:54:00:aa:bb:cc'])).toEqual([])
  }
  evidenceInChinese(advice, ['h1', 'db', 'web', 'big', 'vda', 'vdb'])
}

describe('the measured figures come from real outputs', () => {
  it('the win11 guest polled about 12 ms/s and halted about 640 times a second over its 30 min', () => {
    expect(lifetimeS).toBeGreaterThan(1800)
    expect(lifetimeS).toBeLessThan(1900)
    expect(win11Rates.kvmHaltExitsPs).toBeCloseTo(642, 0)
    expect(win11Rates.kvmHaltPollSuccessCores + win11Rates.kvmHaltPollFailCores).toBeCloseTo(0.012, 3)
  })

  it('a window of history gives means, its length, and nothing for a VM with no bucket in it', () => {
    const w = measuredWindow(history(win11Rates, { buckets: 6 }), NOW, HOUR)!
    expect(w.minutes).toBe(30)
    expect(w.buckets).toBe(6)
    expect(w.mean.kvmHaltPollFailCores).toBeCloseTo(win11Rates.kvmHaltPollFailCores, 12)
    expect(measuredWindow(history(win11Rates, { buckets: 24 }), NOW, HOUR)!.minutes).toBe(60)
    expect(measuredWindow(undefined, NOW, HOUR)).toBeUndefined()
    expect(measuredWindow(history(win11Rates), NOW - 3 * HOUR, HOUR)).toBeUndefined()
    // A bucket the host did not measure (null) is left out of the mean, not counted as 0.
    const gaps = history({ qemuEmulatorCores: 0.2 })
    gaps.layer!.qemuEmulatorCores![0] = null
    expect(measuredWindow(gaps, NOW, HOUR)!.mean.qemuEmulatorCores).toBeCloseTo(0.2, 12)
  })
})

describe('halt-poll from KVM counters', () => {
  const kvmHost = (ns: number, guests: number) =>
    cluster([hostFacts('h1', { haltPollNs: ns, logicalCpus: 16 })], Array.from({ length: guests }, (_, i) => vmFacts(`g${i}`, 'h1', { vcpus: 1 })))
  const measuredOn = (guests: number) => Object.fromEntries(Array.from({ length: guests }, (_, i) => [`g${i}`, history(win11Rates)]))

  it('lowering: eight win11-like guests waste about 0.037 cores polling in vain; the effect is half to all of it beyond the default', () => {
    const [advice] = run(kvmHost(1_000_000, 8), 'halt-poll', usage(0.92, measuredOn(8)))
    speaksBoth(advice!)
    const fail = 8 * win11Rates.kvmHaltPollFailCores
    expect(advice!.rationale).toContain(`Measured over the last 60 min on 8 KVM guests: polling that found no work used ${fail.toFixed(3)} cores`)
    const high = fail * (1 - 200_000 / 1_000_000)
    expect(advice!.effect).toContain(`${(high / 2).toFixed(3)} to ${high.toFixed(3)} cores less spent spinning`)
    expect(advice!.evidence).toContainEqual(expect.objectContaining({ fact: 'failed halt polling (mean, last 60 min)', value: +fail.toFixed(3), unit: 'cores' }))
  })

  it('lowering: one such guest wastes too little to be worth advice; without counters the configuration decides, and says so', () => {
    expect(run(kvmHost(1_000_000, 1), 'halt-poll', usage(0.92, measuredOn(1)))).toEqual([])
    const [advice] = run(kvmHost(1_000_000, 1), 'halt-poll', usage(0.92, {}))
    speaksBoth(advice!)
    expect(advice!.rationale).toContain('No measurement: from configuration.')
    expect(advice!.effect).toBe('Halted vCPUs poll at most 200 µs instead of 1000 µs before yielding: less CPU spent spinning on a busy host.')
    expect(advice!.evidence).toContainEqual(expect.objectContaining({ fact: 'measurement', value: 'none: from configuration' }))
  })

  it('turning on: the measured halts bound what polling would cost (halts/s x 200 µs)', () => {
    // With polling off the guest still halts; its poll counters stay 0.
    const off = { ...win11Rates, kvmHaltPollSuccessCores: 0, kvmHaltPollFailCores: 0 }
    const [advice] = run(kvmHost(0, 1), 'halt-poll', usage(0.2, { g0: history(off) }))
    speaksBoth(advice!)
    expect(advice!.effect).toContain(`for 0 to ${((win11Rates.kvmHaltExitsPs * 200e-6)).toFixed(2)} cores of polling CPU (642 halts/s, each polling at most 200 µs)`)
    const [plain] = run(kvmHost(0, 1), 'halt-poll', usage(0.2, {}))
    expect(plain!.rationale).toContain('No measurement: from configuration.')
  })

  it('a TCG host has a thread split but no KVM counters: the halt figures are absent, not zero', () => {
    const tcg = history({ qemuEmulatorCores: labSplit.qemuEmulatorCores!, qemuVcpuCores: labSplit.qemuVcpuCores! })
    const [advice] = run(kvmHost(1_000_000, 1), 'halt-poll', usage(0.92, { g0: tcg }))
    expect(advice!.rationale).toContain('No measurement: from configuration.')
  })
})

describe('iothreads from the main loop under disk load', () => {
  const db = vmFacts('db', 'h1', { vcpus: 4 })
  const facts = cluster([hostFacts('h1')], [db])

  it('with the thread split measured: the window mean of disk operations, and the main loop time as the effect', () => {
    const [advice] = run(facts, 'iothreads', usage(0.5, { db: history({ qemuEmulatorCores: 0.3, diskReadIops: 700, diskWriteIops: 300 }) }, {}))
    speaksBoth(advice!)
    expect(advice!.rationale).toBe('db did 1000 disk operations/s over the last 60 min with 4 vCPUs, and its virtio disk vda is served by the main loop of QEMU (no iothread), which ran 0.30 cores.')
    expect(advice!.effect).toContain('0.15 to 0.30 cores of disk work leave the main loop')
    expect(advice!.priority).toBe(4)
  })

  it('a main loop that measurably idles (the lab guest: 0.013 cores) makes it a low priority; a quiet window gives none', () => {
    const idleLoop = history({ qemuEmulatorCores: labSplit.qemuEmulatorCores!, diskReadIops: 900, diskWriteIops: 100 })
    expect(labSplit.qemuEmulatorCores!).toBeLessThan(0.02)
    const [advice] = run(facts, 'iothreads', usage(0.5, { db: idleLoop }))
    expect(advice!.priority).toBe(5)
    // The latest poll was busy, but the hour's mean is not: no advice.
    expect(run(facts, 'iothreads', usage(0.5, { db: history({ qemuEmulatorCores: 0.3, diskReadIops: 50 }) }, {}))).toEqual([])
  })

  it('without the thread split it falls back to the latest poll and says so', () => {
    const [advice] = run(facts, 'iothreads', { hosts: {}, vms: { db: { diskIops: 1500 } } })
    speaksBoth(advice!)
    expect(advice!.rationale).toContain('No measurement: from configuration.')
    expect(advice!.evidence[0]).toMatchObject({ fact: 'disk operations (sustained)', value: 1500, unit: 'IOPS' })
  })
})

describe('vhost-net from the main loop under network load', () => {
  const nics = [{ type: 'bridge', model: 'virtio', driver: 'qemu', mac: '52:54:00:aa:bb:cc' }]
  const facts = cluster([hostFacts('h1')], [vmFacts('web', 'h1', { nics })])

  it('with no vhost thread running, the main loop time under the measured traffic sizes the effect', () => {
    const [advice] = run(facts, 'vhost-net', usage(0.5, { web: history({ qemuEmulatorCores: 0.4, qemuVhostCores: 0, netRxBps: 50e6, netTxBps: 25e6 }) }))
    speaksBoth(advice!)
    expect(advice!.rationale).toContain('Measured over the last 60 min: 600.0 Mbit/s through its network cards, the main loop of QEMU ran 0.40 cores and no vhost thread ran.')
    expect(advice!.effect).toContain('0.20 to 0.40 cores of packet work leave the main loop')
    expect(advice!.priority).toBe(4)
  })

  it('an idle NIC is a low priority; without the split the configuration decides, and says so', () => {
    const [idle] = run(facts, 'vhost-net', usage(0.5, { web: history({ qemuEmulatorCores: labSplit.qemuEmulatorCores!, netRxBps: 2000, netTxBps: 1000 }) }))
    expect(idle!.priority).toBe(5)
    const [plain] = run(facts, 'vhost-net', usage(0.5, {}))
    speaksBoth(plain!)
    expect(plain!.rationale).toContain('No measurement: from configuration.')
    expect(plain!.effect).toBe('Packets are handled by a host kernel thread instead of QEMU: higher throughput and lower latency.')
  })
})

describe('transparent hugepages from the large guests\' vCPU time', () => {
  const facts = cluster([hostFacts('h1', { transparentHugepages: 'never' })], [vmFacts('big', 'h1', { memoryMiB: 32768, maxMemoryMiB: 32768 })])

  it('says the 3-10 % gain in cores of what their vCPU threads ran', () => {
    const [advice] = run(facts, 'hugepages', usage(0.5, { big: history({ qemuVcpuCores: 2 }) }))
    speaksBoth(advice!)
    expect(advice!.effect).toContain('0.060 to 0.20 cores of the 2.00 cores their vCPUs ran')
    const [plain] = run(facts, 'hugepages', usage(0.5, {}))
    expect(plain!.rationale).toContain('No measurement: from configuration.')
  })
})

describe('NUMA pinning and the measured run delay', () => {
  const host = hostFacts('h1', {
    logicalCpus: 16,
    numaNodes: [
      { id: 0, cpus: [0, 1, 2, 3, 4, 5, 6, 7], memoryMiB: 32768 },
      { id: 1, cpus: [8, 9, 10, 11, 12, 13, 14, 15], memoryMiB: 32768 },
    ],
  })
  const facts = cluster([host], [vmFacts('db', 'h1', { vcpus: 4 })])

  it('a VM that already waits for host CPUs is warned that one node may make it wait more (high risk)', () => {
    const [waiting] = run(facts, 'numa-pinning', usage(0.5, { db: history({ qemuVcpuCores: 3.1 }, { cpuReadyPct: 14 }) }))
    speaksBoth(waiting!)
    expect(waiting!.rationale).toContain('Measured over the last 60 min: its vCPUs ran 3.10 cores and waited 14.0 % of the time for a host CPU (CPU ready).')
    expect(waiting!.risk).toBe('high')
    expect(waiting!.riskNote).toContain('confined to the 8 CPUs of node 0 they may wait more')
  })

  it('one that does not keeps the usual risk; without measurements it says so', () => {
    const [calm] = run(facts, 'numa-pinning', usage(0.5, { db: history({ qemuVcpuCores: 1 }, { cpuReadyPct: 1 }) }))
    expect(calm!.risk).toBe('medium')
    const [plain] = run(facts, 'numa-pinning', usage(0.5, {}))
    expect(plain!.rationale).toContain('No measurement: from configuration.')
  })
})

describe('governor and the CPU clock discovery read', () => {
  const facts = (clock?: { currentMHz: number; maxMHz: number }) => cluster([hostFacts('h1', { cpuGovernors: { powersave: 16 }, cpuClock: clock })], [vmFacts('a', 'h1')])

  it('the gap between the clock read and the maximum bounds the gain', () => {
    const [advice] = run(facts({ currentMHz: 1200, maxMHz: 3000 }), 'governor', usage(0.5, {}))
    speaksBoth(advice!)
    expect(advice!.rationale).toContain('When discovery read them, its CPUs ran at 1200 MHz on average of 3000 MHz.')
    expect(advice!.effect).toContain('up to 150 % faster')
    expect(advice!.priority).toBe(4)
  })

  it('clocks at their maximum leave only the ramp-up: a low priority; no clock read: from configuration', () => {
    expect(run(facts({ currentMHz: 2990, maxMHz: 3000 }), 'governor', usage(0.5, {}))[0]!.priority).toBe(5)
    const [plain] = run(facts(), 'governor', usage(0.5, {}))
    expect(plain!.rationale).toContain('No measurement: from configuration.')
  })
})
