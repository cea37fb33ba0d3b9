import type { ScenarioOutline, ScenarioQueue } from '../../shared/api/whatif'
import type { Arrival, ArrivalStream, ScenarioEdit } from '../../shared/model/scenario'

/**
 * What-if edits and queue as the view edits them: in the admin's units (hours, GiB), one row
 * per change or request, turned into the scenario's edits and queue (minutes, MiB) for a run or
 * a save. Pure, so it is tested in Node.
 */

export const EDIT_KINDS = ['hostFailure', 'maintenance', 'addHost', 'removeHost', 'addVm', 'removeVm', 'resizeVm', 'growth'] as const
export type EditKind = (typeof EDIT_KINDS)[number]

export interface EditRow {
  key: number
  kind: EditKind
  /** The host it is about (failure, maintenance, removal) or the new VM's host. */
  hostId: string | null
  /** The VM it is about (removal, resize) or whose demand a new VM copies. */
  vmId: string | null
  /** Id of a new host or VM. */
  name: string
  /** When it happens (failure, removal, added host, maintenance start), hours from the start. */
  atHour: number
  /** How long: a failure (0 = to the end) or a maintenance window, hours. */
  forHours: number
  /** Logical CPUs of a new host, vCPUs of a new or resized VM. */
  cpus: number
  memoryGiB: number
  /** Constant CPU demand of a new VM, cores (when it copies no VM). */
  cores: number
  /** Demand growth, % per month. */
  percent: number
}

export interface RequestRow {
  key: number
  id: string
  atHour: number
  vcpus: number
  memoryGiB: number
  /** 0: a VM that stays to the end; else a batch job of this many minutes. */
  durationMinutes: number
  priority: number
  /** What the row does not show but the request carries (its use, its disk): kept as it came. */
  kept?: Pick<Arrival, 'cpuCores' | 'memMiB' | 'diskGiB' | 'diskUsedGiB'>
}

export interface StreamRow {
  key: number
  name: string
  fromHour: number
  toHour: number
  perHour: number
  vcpus: [number, number]
  memoryGiB: [number, number]
  durationMinutes: [number, number]
  priority: [number, number]
  /** Share of its vCPUs a job keeps busy, %. */
  cpuUsePct: number
}

let nextKey = 1
export const newKey = (): number => nextKey++

const MIB_PER_GIB = 1024
const round = (x: number) => Math.round(x * 1000) / 1000

export function blankEdit(kind: EditKind, outline: Pick<ScenarioOutline, 'hostList' | 'vmList' | 'steps' | 'stepSeconds'>): EditRow {
  const hours = (outline.steps * outline.stepSeconds) / 3600
  const host = outline.hostList[0]
  const vm = outline.vmList[0]
  return {
    key: newKey(),
    kind,
    hostId: host?.id ?? null,
    vmId: vm?.id ?? null,
    name: kind === 'addHost' ? `new-host-${nextKey}` : kind === 'addVm' ? `new-vm-${nextKey}` : '',
    atHour: round(Math.min(12, hours / 4)),
    forHours: kind === 'maintenance' ? 4 : 2,
    cpus: kind === 'addHost' ? (host?.cpuCores ?? 16) : (vm?.vcpus ?? 2),
    memoryGiB: kind === 'addHost' ? round((host?.memoryMiB ?? 65536) / MIB_PER_GIB) : round((vm?.memoryMiB ?? 4096) / MIB_PER_GIB),
    cores: 1,
    percent: 10,
  }
}

/** The scenario edit a row stands for; null while it is incomplete (no host or VM chosen). */
export function toScenarioEdit(row: EditRow): ScenarioEdit | null {
  const at = Math.max(0, row.atHour) * 60
  switch (row.kind) {
    case 'growth':
      return row.percent === 0 ? null : { kind: 'growth', percentPerMonth: row.percent }
    case 'hostFailure':
      return row.hostId ? { kind: 'hostFailure', hostId: row.hostId, atMinute: at, ...(row.forHours > 0 ? { durationMinutes: row.forHours * 60 } : {}) } : null
    case 'maintenance':
      return row.hostId && row.forHours > 0 ? { kind: 'maintenance', hostId: row.hostId, fromMinute: at, toMinute: at + row.forHours * 60 } : null
    case 'removeHost':
      return row.hostId ? { kind: 'removeHost', hostId: row.hostId, atMinute: at } : null
    case 'addHost':
      return row.name.trim() ? { kind: 'addHost', host: { id: row.name.trim(), cpuCores: row.cpus, memoryMiB: row.memoryGiB * MIB_PER_GIB }, atMinute: at } : null
    case 'addVm':
      if (!row.name.trim() || !row.hostId) return null
      return {
        kind: 'addVm',
        vm: { id: row.name.trim(), hostId: row.hostId, vcpus: Math.max(1, Math.round(row.cpus)), memoryMiB: row.memoryGiB * MIB_PER_GIB },
        ...(row.vmId ? { copyWorkloadOf: row.vmId } : { cpuCores: row.cores, memMiB: row.memoryGiB * MIB_PER_GIB * 0.5 }),
      }
    case 'removeVm':
      return row.vmId ? { kind: 'removeVm', vmId: row.vmId } : null
    case 'resizeVm':
      return row.vmId ? { kind: 'resizeVm', vmId: row.vmId, vcpus: Math.max(1, Math.round(row.cpus)), memoryMiB: row.memoryGiB * MIB_PER_GIB } : null
  }
}

/** Rows for a saved scenario's edits. */
export function editRows(edits: readonly ScenarioEdit[], outline: Pick<ScenarioOutline, 'hostList' | 'vmList' | 'steps' | 'stepSeconds'>): EditRow[] {
  return edits.map((e) => {
    const row = blankEdit(e.kind, outline)
    switch (e.kind) {
      case 'growth':
        return { ...row, percent: e.percentPerMonth }
      case 'hostFailure':
        return { ...row, hostId: e.hostId, atHour: e.atMinute / 60, forHours: (e.durationMinutes ?? 0) / 60 }
      case 'maintenance':
        return { ...row, hostId: e.hostId, atHour: e.fromMinute / 60, forHours: (e.toMinute - e.fromMinute) / 60 }
      case 'removeHost':
        return { ...row, hostId: e.hostId, atHour: e.atMinute / 60 }
      case 'addHost':
        return { ...row, name: e.host.id, atHour: e.atMinute / 60, cpus: e.host.cpuCores, memoryGiB: e.host.memoryMiB / MIB_PER_GIB }
      case 'addVm':
        return { ...row, name: e.vm.id, hostId: e.vm.hostId, vmId: e.copyWorkloadOf ?? null, cpus: e.vm.vcpus, memoryGiB: e.vm.memoryMiB / MIB_PER_GIB, cores: e.cpuCores ?? 1 }
      case 'removeVm':
        return { ...row, vmId: e.vmId }
      case 'resizeVm':
        return { ...row, vmId: e.vmId, cpus: e.vcpus ?? row.cpus, memoryGiB: e.memoryMiB !== undefined ? e.memoryMiB / MIB_PER_GIB : row.memoryGiB }
    }
  })
}

export function blankRequest(index: number): RequestRow {
  return { key: newKey(), id: `request-${index}`, atHour: 1, vcpus: 4, memoryGiB: 8, durationMinutes: 120, priority: 0 }
}

/**
 * A Poisson stream that keeps the demo cluster's queue busy without swamping it (its memory is
 * ~73 % allocated): 4 requests an hour of 1-8 vCPUs, 2-16 GiB, 20-240 minutes, priorities 0-9.
 * With it FCFS, SJF, priority and EASY order the queue differently, and their waits differ.
 */
export function blankStream(index: number, hours: number): StreamRow {
  return {
    key: newKey(),
    name: `stream-${index}`,
    fromHour: 0,
    toHour: round(hours),
    perHour: 4,
    vcpus: [1, 8],
    memoryGiB: [2, 16],
    durationMinutes: [20, 240],
    priority: [0, 9],
    cpuUsePct: 50,
  }
}

export function requestRows(arrivals: readonly Arrival[]): RequestRow[] {
  return arrivals.map((a) => {
    const kept = Object.fromEntries((['cpuCores', 'memMiB', 'diskGiB', 'diskUsedGiB'] as const).flatMap((k) => (a[k] === undefined ? [] : [[k, a[k]]])))
    return { key: newKey(), id: a.id, atHour: a.atMinute / 60, vcpus: a.vcpus, memoryGiB: a.memoryMiB / MIB_PER_GIB, durationMinutes: a.durationMinutes ?? 0, priority: a.priority, ...(Object.keys(kept).length > 0 ? { kept } : {}) }
  })
}

export function streamRows(streams: readonly ArrivalStream[]): StreamRow[] {
  return streams.map((s) => ({
    key: newKey(),
    name: s.name,
    fromHour: s.fromMinute / 60,
    toHour: s.toMinute / 60,
    perHour: s.perHour,
    vcpus: [...s.vcpus],
    memoryGiB: [s.memoryMiB[0] / MIB_PER_GIB, s.memoryMiB[1] / MIB_PER_GIB],
    durationMinutes: [...s.durationMinutes],
    priority: [...s.priority],
    cpuUsePct: s.cpuUse * 100,
  }))
}

const ordered = (pair: [number, number]): [number, number] => (pair[0] <= pair[1] ? pair : [pair[1], pair[0]])

/** The queue of a run or a save, in the scenario's units. */
export function toQueue(requests: readonly RequestRow[], streams: readonly StreamRow[]): ScenarioQueue {
  return {
    arrivals: requests.map((r) => ({
      id: r.id.trim() || `request-${r.key}`,
      atMinute: Math.max(0, r.atHour) * 60,
      vcpus: Math.max(1, Math.round(r.vcpus)),
      memoryMiB: Math.max(1, r.memoryGiB * MIB_PER_GIB),
      ...(r.durationMinutes > 0 ? { durationMinutes: r.durationMinutes } : {}),
      priority: Math.max(0, Math.round(r.priority)),
      ...r.kept,
    })),
    arrivalStreams: streams.map((s) => ({
      name: s.name.trim() || `stream-${s.key}`,
      fromMinute: Math.max(0, s.fromHour) * 60,
      toMinute: Math.max(s.fromHour + 0.25, s.toHour) * 60,
      perHour: s.perHour,
      vcpus: ordered([Math.max(1, Math.round(s.vcpus[0])), Math.max(1, Math.round(s.vcpus[1]))]),
      memoryMiB: ordered([s.memoryGiB[0] * MIB_PER_GIB, s.memoryGiB[1] * MIB_PER_GIB]),
      durationMinutes: ordered(s.durationMinutes),
      priority: ordered([Math.round(s.priority[0]), Math.round(s.priority[1])]),
      cpuUse: Math.min(1, Math.max(0, s.cpuUsePct / 100)),
    })),
  }
}
