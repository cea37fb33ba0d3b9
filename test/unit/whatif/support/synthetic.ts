import type { Scenario } from '../../../../shared/model/scenario'
import { SCENARIO_VERSION } from '../../../../shared/model/scenario'
import { loadBitbrainsVm, loadPlacement500 } from '../../engine/support/bitbrains'

const TRACES = ['124', '27', '421', '407', '186', '232', '20', '287']

/**
 * A large scenario from real data: the 500 Bitbrains VMs' sizes (placement-500vms.csv), each
 * given the 5-minute demand shape of the fixture trace whose CPU level is closest to its own,
 * shifted in time so VMs do not peak together; hosts as in the engine bench, filled to 90 %.
 */
export function bitbrains500(days: number, nHosts = 16): Scenario {
  const rows = loadPlacement500()
  const stepSeconds = 300
  const steps = Math.round((days * 86_400) / stepSeconds)
  const shapes = TRACES.map((name) => {
    const vm = loadBitbrainsVm(name)
    const util = vm.series.cpuUsedCores.map((c) => c / vm.cores)
    const mem = vm.series.memUsedMiB
    const sortedUtil = [...util].sort((a, b) => a - b)
    const sortedMem = [...mem].sort((a, b) => a - b)
    return { util, mem, utilP80: sortedUtil[Math.floor(0.8 * (util.length - 1))]!, memP80: Math.max(1, sortedMem[Math.floor(0.8 * (mem.length - 1))]!) }
  })
  const totalMem = rows.reduce((a, r) => a + r.memProvMiB, 0)
  const totalVcpus = rows.reduce((a, r) => a + r.vcpus, 0)
  const memMiB = Math.ceil((totalMem * 1.3) / nHosts)
  const threads = Math.ceil(totalVcpus / nHosts / 2)
  const hosts = Array.from({ length: nHosts }, (_, i) => ({ id: `h${i}`, cpuCores: threads, memoryMiB: memMiB }))
  let h = 0
  let used = 0
  let vcpus = 0
  const vms = rows.map((r) => {
    if ((used + r.memProvMiB > memMiB * 0.9 || vcpus + r.vcpus > threads * 4) && h < nHosts - 1) {
      h++
      used = 0
      vcpus = 0
    }
    used += r.memProvMiB
    vcpus += r.vcpus
    return { id: `vm${r.vm}`, hostId: `h${h}`, vcpus: r.vcpus, memoryMiB: r.memProvMiB }
  })
  const workload = rows.map((r, i) => {
    const level = r.cpuP80Cores / r.vcpus
    let best = 0
    shapes.forEach((s, k) => (Math.abs(s.utilP80 - level) < Math.abs(shapes[best]!.utilP80 - level) ? (best = k) : 0))
    const shape = shapes[best]!
    const shift = (i * 97) % shape.util.length
    const cpu = new Array<number>(steps)
    const mem = new Array<number>(steps)
    for (let s = 0; s < steps; s++) {
      const k = (s + shift) % shape.util.length
      cpu[s] = shape.util[k]! * r.vcpus
      mem[s] = Math.min(r.memProvMiB, (shape.mem[k]! / shape.memP80) * r.memP80MiB)
    }
    return { vm: `vm${r.vm}`, cpuCores: cpu, memMiB: mem }
  })
  return {
    version: SCENARIO_VERSION,
    name: `500 Bitbrains VMs x ${days} days`,
    start: Date.UTC(2013, 6, 1),
    stepSeconds,
    steps,
    hosts,
    vms,
    workload,
    arrivals: [],
    arrivalStreams: [
      { name: 'batch', fromMinute: 0, toMinute: days * 1440, perHour: 4, vcpus: [1, 16], memoryMiB: [1024, 65536], durationMinutes: [30, 720], priority: [0, 9], cpuUse: 0.9 },
    ],
    rules: { affinity: [], antiAffinity: [] },
    edits: [{ kind: 'hostFailure', hostId: 'h3', atMinute: 10 * 1440, durationMinutes: 240 }],
  }
}
