import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { counterDelta, deriveSamples, guestPagingRates } from '../../../src-main/collect/rates'
import type { RawStats } from '../../../src-main/hosts/adapter'

describe('counterDelta', () => {
  it('is the plain difference while a counter grows', () => {
    expect(counterDelta(100, 250)).toBe(150)
  })
  it('unwraps a 32-bit counter that wrapped', () => {
    expect(counterDelta(2 ** 32 - 10, 5)).toBe(15)
  })
  it('treats any other decrease as a restart from zero', () => {
    expect(counterDelta(5_000_000_000_000, 1234)).toBe(1234)
    expect(counterDelta(1000, 10)).toBe(10)
  })
  it('never returns a negative increase', () => {
    fc.assert(fc.property(fc.nat(), fc.nat(), (a, b) => counterDelta(a, b) >= 0))
  })
})

const ticks = (busy: number, idle: number) => ({ user: busy, nice: 0, system: 0, idle, iowait: 0, irq: 0, softirq: 0, steal: 0 })

function raw(t: number, cpuNs: number, hostBusy: number, hostIdle: number, vmHost = 'h1'): RawStats {
  return {
    t,
    hosts: [{ hostId: 'h1', cpuTicks: ticks(hostBusy, hostIdle), memTotalKiB: 8 * 1024 * 1024, memAvailableKiB: 6 * 1024 * 1024, diskReadBytes: t, diskWriteBytes: 0, netRxBytes: 0, netTxBytes: 0 }],
    vms: [
      { vmId: 'v1', hostId: vmHost, vcpus: 2, cpuTimeNs: cpuNs, runDelayNs: cpuNs / 4, memUsedKiB: 1024 * 1024, diskReadBytes: 0, diskWriteBytes: 4096 * (t / 1000), diskReadReqs: 0, diskWriteReqs: t / 1000, netRxBytes: 0, netTxBytes: 0 },
    ],
  }
}

describe('deriveSamples', () => {
  const threads = new Map([['h1', 4]])

  it('computes host and VM utilisation from two reads, as top and virt-top would', () => {
    // 10 s apart; host: 1000 busy + 3000 idle ticks -> 25 % of 4 CPUs = 1 core.
    // VM: 15 s of CPU in 10 s = 1.5 cores of its 2 vCPUs = 75 %; run delay 3.75 s -> 18.75 %.
    const { hostSamples, vmSamples } = deriveSamples(raw(0, 0, 0, 0), raw(10_000, 15e9, 1000, 3000), threads)
    expect(hostSamples[0]).toMatchObject({ hostId: 'h1', cpuPct: 25, cpuUsedCores: 1, memUsedMiB: 2048, memTotalMiB: 8192, diskReadBps: 1000 })
    expect(vmSamples[0]!.cpuUsedCores).toBeCloseTo(1.5)
    expect(vmSamples[0]!.cpuPct).toBeCloseTo(75)
    expect(vmSamples[0]!.cpuReadyPct).toBeCloseTo(18.75)
    expect(vmSamples[0]!.diskWriteBps).toBeCloseTo(4096)
    expect(vmSamples[0]!.diskWriteIops).toBeCloseTo(1)
    expect(vmSamples[0]!.memUsedMiB).toBe(1024)
  })

  it('gives no VM sample across a move between hosts rather than a bogus rate', () => {
    const { vmSamples } = deriveSamples(raw(0, 0, 0, 0, 'h0'), raw(10_000, 15e9, 1000, 3000), threads)
    expect(vmSamples).toEqual([])
  })

  it('gives nothing for reads that are not strictly later', () => {
    expect(deriveSamples(raw(10, 0, 0, 0), raw(10, 5, 1, 1), threads)).toEqual({ hostSamples: [], vmSamples: [], diskSamples: [] })
  })

  it('caps a VM at its vCPUs even when counters jump (a restart mid-interval)', () => {
    const { vmSamples } = deriveSamples(raw(0, 1e15, 0, 0), raw(10_000, 9e10, 1, 1), threads)
    expect(vmSamples[0]!.cpuUsedCores).toBe(2)
    expect(vmSamples[0]!.cpuPct).toBe(100)
  })
})

describe('host contention figures', () => {
  const host = (t: number, cpuUs: number, swapIn: number, load1?: number): RawStats => ({
    t,
    hosts: [{ hostId: 'h', cpuTicks: { user: t / 10, nice: 0, system: 0, idle: t / 10, iowait: 0, irq: 0, softirq: 0, steal: 0 }, memTotalKiB: 1024, memAvailableKiB: 512, diskReadBytes: 0, diskWriteBytes: 0, netRxBytes: 0, netTxBytes: 0, pressureUs: { cpu: cpuUs }, swapInPages: swapIn, swapOutPages: 0, ...(load1 !== undefined ? { load1 } : {}) }],
    vms: [],
  })

  it('turns stall time into the share of the interval, swapped pages into bytes per second', () => {
    // 10 s apart: 2.5 s of CPU stall is 25 %, 250 pages in is 100 KiB/s.
    const [s] = deriveSamples(host(0, 1_000_000, 100), host(10_000, 3_500_000, 350, 1.5), new Map([['h', 2]])).hostSamples
    expect(s).toMatchObject({ cpuPressurePct: 25, swapInBps: 102_400, swapOutBps: 0, load1: 1.5 })
    expect(s!.memPressurePct).toBeUndefined()
  })

  it('leaves them out where a host does not report them', () => {
    const plain = (t: number): RawStats => ({ ...host(t, 0, 0), hosts: [{ ...host(t, 0, 0).hosts[0]!, pressureUs: undefined, swapInPages: undefined, swapOutPages: undefined }] })
    const [s] = deriveSamples(plain(0), plain(10_000), new Map([['h', 2]])).hostSamples
    expect(Object.keys(s!).filter((k) => /Pressure|swap|load/.test(k))).toEqual([])
  })
})

describe('guestPagingRates', () => {
  it('turns the balloon counters (KiB, faults) into bytes and faults per second', () => {
    expect(guestPagingRates({ swapInKiB: 100, swapOutKiB: 0, majorFaults: 10 }, { swapInKiB: 1100, swapOutKiB: 512, majorFaults: 260 }, 10)).toEqual({
      guestSwapInBps: 102_400,
      guestSwapOutBps: 52_428.8,
      guestMajorFaultsPs: 25,
    })
  })

  it('gives nothing for an interval in which the guest rebooted (its counters restarted)', () => {
    expect(guestPagingRates({ swapInKiB: 5000, swapOutKiB: 300, majorFaults: 900 }, { swapInKiB: 20, swapOutKiB: 0, majorFaults: 4 }, 10)).toEqual({})
  })

  it('keeps only what the guest reported both times', () => {
    expect(guestPagingRates({ swapInKiB: 0 }, { swapInKiB: 10, majorFaults: 3 }, 10)).toEqual({ guestSwapInBps: 1024 })
    expect(guestPagingRates(undefined, { swapInKiB: 10 }, 10)).toEqual({})
  })
})
