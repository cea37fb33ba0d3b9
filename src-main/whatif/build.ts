import type { History } from '../../shared/engine/history'
import { SCENARIO_VERSION, ScenarioSchema, type Scenario } from '../../shared/model/scenario'
import type { Snapshot } from '../../shared/model/snapshot'
import { english, msg } from '../../shared/i18n'
import type { MessageRef } from '../../shared/model'
import traces from '../hosts/demo/data/demo-traces.json'
import { demoHosts } from '../hosts/demo/hosts'
import { issueProblems, ScenarioInputError } from './scenario-file'

/** The store's rollup step: live scenarios use its resolution. */
export const LIVE_STEP_SECONDS = 300

interface DemoTraceFile {
  stepSeconds: number
  rows: number
  vms: { name: string; host: string; vcpus: number; mhzPerCore: number; memoryMiB: number; firstTimestamp: number; cpuMhz: number[]; memUsedMiB: number[] }[]
}

function validated(candidate: unknown, what: MessageRef): Scenario {
  const parsed = ScenarioSchema.safeParse(candidate)
  if (!parsed.success) throw new ScenarioInputError(msg('input.build.failed', { what }), issueProblems(parsed.error))
  return parsed.data
}

/** The admin's name for a scenario, else the one VirtPilot gives it: in English, and as a message. */
export function named(name: string | undefined, given: MessageRef): { name: string; nameRef?: MessageRef } {
  return name !== undefined ? { name } : { name: english(given), nameRef: given }
}

/**
 * The embedded demo cluster as a scenario: its three hosts and 24 VMs with their real
 * Bitbrains demand at the trace's own 5-minute steps (two days), not time-compressed.
 */
export function scenarioFromDemo(name?: string): Scenario {
  const data = traces as DemoTraceFile
  return validated(
    {
      version: SCENARIO_VERSION,
      ...named(name, msg('input.name.demo')),
      source: { kind: 'demo', detail: 'embedded demo cluster, Bitbrains GWA-T-12 traces' },
      start: Math.min(...data.vms.map((v) => v.firstTimestamp)) * 1000,
      stepSeconds: data.stepSeconds,
      steps: data.rows,
      hosts: demoHosts.map((h) => ({ id: h.id, name: h.name, cpuCores: h.cpu.threads, memoryMiB: h.memoryMiB })),
      vms: data.vms.map((v) => ({ id: `demo:${v.name}`, name: v.name, hostId: v.host, vcpus: v.vcpus, memoryMiB: v.memoryMiB, cpuShares: 1024 })),
      workload: data.vms.map((v) => ({
        vm: `demo:${v.name}`,
        cpuCores: v.cpuMhz.map((mhz) => mhz / v.mhzPerCore),
        memMiB: v.memUsedMiB,
      })),
    },
    msg('input.build.demo'),
  )
}

/**
 * The current inventory plus a window of stored history (5-minute rollups). A step without a
 * rollup repeats the VM's previous value (the first known one at the start); a VM with no
 * history at all keeps its latest sample, or zero when it has none.
 */
export function scenarioFromLive(snapshot: Snapshot, history: History, window: { from: number; to: number }, name?: string): Scenario {
  if (snapshot.hosts.length === 0) throw new ScenarioInputError(msg('input.build.noHosts'))
  const stepMs = LIVE_STEP_SECONDS * 1000
  const from = Math.floor(window.from / stepMs) * stepMs
  const steps = Math.max(1, Math.ceil((window.to - from) / stepMs))
  const latest = new Map(snapshot.vmSamples.map((s) => [s.vmId, s]))
  const vms = snapshot.vms.filter((v) => v.state === 'running' || v.state === 'paused')
  const workload = vms.map((vm) => {
    const series = history.vms[vm.id]
    const cpu = new Array<number>(steps).fill(Number.NaN)
    const mem = new Array<number>(steps).fill(Number.NaN)
    if (series) {
      for (let i = 0; i < series.t.length; i++) {
        const b = Math.floor((series.t[i]! - from) / stepMs)
        if (b < 0 || b >= steps) continue
        cpu[b] = series.cpuUsedCores[i]!
        mem[b] = series.memUsedMiB[i]!
      }
    }
    const sample = latest.get(vm.id)
    fillGaps(cpu, sample?.cpuUsedCores ?? 0)
    fillGaps(mem, sample?.memUsedMiB ?? 0)
    return { vm: vm.id, cpuCores: cpu, memMiB: mem }
  })
  return validated(
    {
      version: SCENARIO_VERSION,
      ...named(name, msg('input.name.live', { hosts: snapshot.hosts.length, vms: vms.length })),
      source: { kind: 'live', detail: `history ${new Date(from).toISOString()} .. ${new Date(window.to).toISOString()}` },
      start: from,
      stepSeconds: LIVE_STEP_SECONDS,
      steps,
      hosts: snapshot.hosts.map((h) => ({ id: h.id, name: h.name, cpuCores: h.cpu.threads, memoryMiB: h.memoryMiB })),
      vms: vms.map((v) => ({
        id: v.id,
        name: v.name,
        hostId: v.hostId,
        vcpus: v.allocation.vcpus,
        memoryMiB: v.allocation.memoryMiB,
        ...(v.allocation.cpuShares ? { cpuShares: v.allocation.cpuShares } : {}),
      })),
      workload,
      // A host the admin put in maintenance stays in maintenance for the whole window.
      edits: snapshot.hosts
        .filter((h) => h.state === 'maintenance')
        .map((h) => ({ kind: 'maintenance' as const, hostId: h.id, fromMinute: 0, toMinute: (steps * LIVE_STEP_SECONDS) / 60 })),
    },
    msg('input.build.live'),
  )
}

/** NaN gaps take the previous value; leading gaps the first known one; all-NaN the fallback. */
function fillGaps(values: number[], fallback: number): void {
  const first = values.find((v) => !Number.isNaN(v))
  let last = first ?? fallback
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i]!)) values[i] = last
    else last = values[i]!
  }
}
