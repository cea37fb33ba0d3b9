import { z } from 'zod'
import { hasUnsafeCharacters } from '../text/control'
import { words } from './issue-words'
import { MessageRefSchema, type MessageRef } from './message'

/**
 * A what-if scenario: hosts, VMs, their demand over time, a queue of placement requests and
 * edits, replayed offline under policy sets. Times inside a scenario are minutes from `start`.
 * The file format is this schema as JSON; `version` changes when a field changes meaning.
 */
export const SCENARIO_VERSION = 1

/**
 * Realistic bounds: a scenario is a lab's plan, not a proof that floating point overflows. Values
 * past these make replays produce Infinity and NaN (and are refused, naming the field).
 */
export const SCENARIO_LIMITS = {
  /** CPU cores of one host or VM. */
  cores: 1_000_000,
  /** MiB of one host or VM (about 1 EiB). */
  mib: 1_000_000_000,
  /** GiB of disk of one host or VM (about 1 ZiB). */
  gib: 1_000_000_000,
  /** Minutes from the scenario's start (about 190 years). */
  minutes: 100_000_000,
  /** Steps of a scenario (a year of minutes is 525,600). */
  steps: 1_000_000,
  /** Placement requests: listed ones plus what the arrival streams generate over the scenario. */
  arrivals: 1_000_000,
  /** Epoch ms of step 0: before the year 3000. */
  start: Date.UTC(3000, 0, 1),
} as const

// A text field a host or a file filled in: no control, line-break or bidi characters.
const id = z.string().trim().min(1).max(200).refine((s) => !hasUnsafeCharacters(s), { message: 'contains a control, line-break or bidirectional character', params: words('input.issue.unsafeText') })
const minute = z.number().nonnegative().max(SCENARIO_LIMITS.minutes)
const cores = z.number().nonnegative().max(SCENARIO_LIMITS.cores)
const mib = z.number().nonnegative().max(SCENARIO_LIMITS.mib)
const positiveCores = z.number().positive().max(SCENARIO_LIMITS.cores)
const positiveMib = z.number().positive().max(SCENARIO_LIMITS.mib)
const vcpus = z.number().int().positive().max(SCENARIO_LIMITS.cores)
const duration = z.number().positive().max(SCENARIO_LIMITS.minutes)
const gib = z.number().nonnegative().max(SCENARIO_LIMITS.gib)

export const ScenarioHostSchema = z
  .object({
    id,
    name: z.string().max(200).optional(),
    /** Logical CPUs the scheduler can use. */
    cpuCores: positiveCores,
    memoryMiB: positiveMib,
    /** GiB its storage holds for VM disks (its local pool); absent: disk is not part of the scenario for this host. */
    diskGiB: gib.optional(),
  })
  .strict()

export const ScenarioVmSchema = z
  .object({
    id,
    name: z.string().max(200).optional(),
    hostId: id,
    vcpus,
    memoryMiB: positiveMib,
    /** cgroup cpu.shares; 1024 by default. Used by the hybrid strategy. */
    cpuShares: z.number().int().positive().optional(),
    cpuReservationCores: cores.optional(),
    cpuLimitCores: cores.optional(),
    memReservationMiB: mib.optional(),
    memLimitMiB: mib.optional(),
    /** Higher restarts first after a host failure. */
    priority: z.number().int().min(0).max(1000).optional(),
    /** Hosts it may run on; absent = any. */
    pinnedHosts: z.array(id).optional(),
    /** Size of its disks (what the guest sees), GiB, and what it has written of that (thin provisioning holds only this). */
    diskGiB: gib.optional(),
    diskUsedGiB: gib.optional(),
  })
  .strict()
  .refine((vm) => vm.diskUsedGiB === undefined || (vm.diskGiB !== undefined && vm.diskUsedGiB <= vm.diskGiB), { message: '`diskUsedGiB` needs `diskGiB` and cannot exceed it', path: ['diskUsedGiB'], params: words('input.issue.diskUsed') })

/** One VM's demand, one value per step: CPU in cores' worth, memory in MiB. */
export const WorkloadSeriesSchema = z
  .object({
    vm: id,
    cpuCores: z.array(cores),
    memMiB: z.array(mib),
  })
  .strict()

/** A placement request: a VM that stays (no duration) or a batch job that ends. */
export const ArrivalSchema = z
  .object({
    id,
    atMinute: minute,
    vcpus,
    memoryMiB: positiveMib,
    /** Absent: a VM that runs until the end of the scenario. */
    durationMinutes: duration.optional(),
    /** Higher is more important (priority scheduling). */
    priority: z.number().int().min(0).max(1000).default(0),
    /** CPU it uses while running (cores); defaults to its vCPUs. */
    cpuCores: cores.optional(),
    /** Memory it uses while running (MiB); defaults to its allocation. */
    memMiB: mib.optional(),
    /** Disk it needs where it runs (GiB) and what it writes of that (thin provisioning). */
    diskGiB: gib.optional(),
    diskUsedGiB: gib.optional(),
  })
  .strict()
  .refine((a) => a.diskUsedGiB === undefined || (a.diskGiB !== undefined && a.diskUsedGiB <= a.diskGiB), { message: '`diskUsedGiB` needs `diskGiB` and cannot exceed it', path: ['diskUsedGiB'], params: words('input.issue.diskUsed') })

const range = (schema: z.ZodNumber) =>
  z.tuple([schema, schema]).refine(([lo, hi]) => lo <= hi, { message: 'the first value must not exceed the second', params: words('input.issue.rangeOrder') })

/** Requests generated with the run's seed: Poisson arrivals, uniform sizes, durations and priorities. */
export const ArrivalStreamSchema = z
  .object({
    name: id,
    fromMinute: minute,
    toMinute: minute,
    perHour: z.number().positive().max(10_000),
    vcpus: range(vcpus),
    memoryMiB: range(positiveMib),
    durationMinutes: range(duration),
    priority: range(z.number().int().min(0).max(1000)).default([0, 0]),
    /** Share of its vCPUs a generated job keeps busy, 0-1. */
    cpuUse: z.number().min(0).max(1).default(1),
  })
  .strict()
  .refine((s) => s.toMinute > s.fromMinute, { message: '`toMinute` must be after `fromMinute`', path: ['toMinute'], params: words('input.issue.toAfterFrom') })

export const ScenarioEditSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('addHost'), host: ScenarioHostSchema, atMinute: minute.default(0) }).strict(),
  /** Planned decommission: its VMs are live-migrated away; those that fit nowhere go down. */
  z.object({ kind: z.literal('removeHost'), hostId: id, atMinute: minute.default(0) }).strict(),
  /** A new VM from the start, with constant demand or the demand of an existing VM. */
  z
    .object({
      kind: z.literal('addVm'),
      vm: ScenarioVmSchema,
      cpuCores: cores.optional(),
      memMiB: mib.optional(),
      copyWorkloadOf: id.optional(),
    })
    .strict(),
  z.object({ kind: z.literal('removeVm'), vmId: id }).strict(),
  z
    .object({ kind: z.literal('resizeVm'), vmId: id, vcpus: vcpus.optional(), memoryMiB: positiveMib.optional() })
    .strict(),
  /** Demand grows by this percent per 30 days, compounding (negative shrinks). */
  z.object({ kind: z.literal('growth'), percentPerMonth: z.number().gt(-100).max(1000), vmIds: z.array(id).optional() }).strict(),
  /** Unplanned: the host stops at `atMinute`; its VMs restart elsewhere (HA) where they fit. */
  z.object({ kind: z.literal('hostFailure'), hostId: id, atMinute: minute, durationMinutes: duration.optional() }).strict(),
  /** Planned: VMs are live-migrated off before the window; the host takes no load during it. */
  z
    .object({ kind: z.literal('maintenance'), hostId: id, fromMinute: minute, toMinute: minute })
    .strict()
    .refine((m) => m.toMinute > m.fromMinute, { message: '`toMinute` must be after `fromMinute`', path: ['toMinute'], params: words('input.issue.toAfterFrom') }),
])

export const ScenarioSourceSchema = z
  .object({
    kind: z.enum(['file', 'demo', 'live', 'bitbrains', 'generic-csv', 'example']),
    detail: z.string().max(500).optional(),
  })
  .strict()

const ScenarioBaseSchema = z
  .object({
    version: z.literal(SCENARIO_VERSION),
    name: z.string().trim().min(1).max(120),
    /** The name VirtPilot gave it, in the admin's language ("Demo cluster (...)"); absent once the admin names it. */
    nameRef: MessageRefSchema.optional(),
    description: z.string().max(2000).optional(),
    source: ScenarioSourceSchema.optional(),
    /** Epoch ms of step 0. */
    start: z.number().int().nonnegative().max(SCENARIO_LIMITS.start),
    stepSeconds: z.number().int().min(60).max(86_400),
    /** Number of steps; every workload series has exactly this many values. */
    steps: z.number().int().positive().max(SCENARIO_LIMITS.steps),
    hosts: z.array(ScenarioHostSchema).min(1),
    vms: z.array(ScenarioVmSchema),
    workload: z.array(WorkloadSeriesSchema),
    arrivals: z.array(ArrivalSchema).default([]),
    arrivalStreams: z.array(ArrivalStreamSchema).default([]),
    rules: z
      .object({ affinity: z.array(z.array(id)).default([]), antiAffinity: z.array(z.array(id)).default([]) })
      .strict()
      .default({ affinity: [], antiAffinity: [] }),
    edits: z.array(ScenarioEditSchema).default([]),
  })
  .strict()

type ScenarioBase = z.output<typeof ScenarioBaseSchema>

/** References between parts: ids exist, are unique, series have `steps` values. */
function checkReferences(s: ScenarioBase, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string, said: { ref: MessageRef }) => ctx.addIssue({ code: 'custom', path, message, params: said })
  const hostIds = new Set<string>()
  s.hosts.forEach((h, i) => {
    if (hostIds.has(h.id)) issue(['hosts', i, 'id'], `duplicate host id "${h.id}"`, words('input.issue.duplicateHost', { id: h.id }))
    hostIds.add(h.id)
  })
  const vmIds = new Set<string>()
  s.vms.forEach((vm, i) => {
    if (vmIds.has(vm.id)) issue(['vms', i, 'id'], `duplicate VM id "${vm.id}"`, words('input.issue.duplicateVm', { id: vm.id }))
    vmIds.add(vm.id)
    if (!hostIds.has(vm.hostId)) issue(['vms', i, 'hostId'], `no host "${vm.hostId}" in hosts`, words('input.issue.noHostInHosts', { id: vm.hostId }))
    vm.pinnedHosts?.forEach((p, j) => {
      if (!hostIds.has(p) && !s.edits.some((e) => e.kind === 'addHost' && e.host.id === p)) issue(['vms', i, 'pinnedHosts', j], `no host "${p}"`, words('input.issue.noHost', { id: p }))
    })
  })
  const seriesFor = new Set<string>()
  s.workload.forEach((w, i) => {
    if (!vmIds.has(w.vm)) issue(['workload', i, 'vm'], `no VM "${w.vm}" in vms`, words('input.issue.noVmInVms', { id: w.vm }))
    if (seriesFor.has(w.vm)) issue(['workload', i, 'vm'], `second series for VM "${w.vm}"`, words('input.issue.secondSeries', { id: w.vm }))
    seriesFor.add(w.vm)
    if (w.cpuCores.length !== s.steps) issue(['workload', i, 'cpuCores'], `has ${w.cpuCores.length} values, expected steps = ${s.steps}`, words('input.issue.seriesLength', { count: w.cpuCores.length, steps: s.steps }))
    if (w.memMiB.length !== s.steps) issue(['workload', i, 'memMiB'], `has ${w.memMiB.length} values, expected steps = ${s.steps}`, words('input.issue.seriesLength', { count: w.memMiB.length, steps: s.steps }))
  })
  // Streams generate requests only while the scenario runs; all of them together are bounded.
  const endMinute = (s.steps * s.stepSeconds) / 60
  const expected = s.arrivals.length + s.arrivalStreams.reduce((sum, a) => sum + (a.perHour * Math.max(0, Math.min(a.toMinute, endMinute) - a.fromMinute)) / 60, 0)
  if (expected > SCENARIO_LIMITS.arrivals) {
    const about = Math.round(expected).toLocaleString('en')
    const limit = SCENARIO_LIMITS.arrivals.toLocaleString('en')
    issue(['arrivalStreams'], `would make about ${about} placement requests; the limit is ${limit} (fewer per hour, or a shorter window)`, words('input.issue.tooManyRequests', { expected: about, limit }))
  }
  const arrivalIds = new Set<string>()
  s.arrivals.forEach((a, i) => {
    if (arrivalIds.has(a.id) || vmIds.has(a.id)) issue(['arrivals', i, 'id'], `id "${a.id}" is already used`, words('input.issue.idUsed', { id: a.id }))
    arrivalIds.add(a.id)
  })
  const knownHosts = new Set(hostIds)
  const knownVms = new Set(vmIds)
  s.edits.forEach((e, i) => {
    const needHost = (hostId: string) => knownHosts.has(hostId) || issue(['edits', i, 'hostId'], `no host "${hostId}"`, words('input.issue.noHost', { id: hostId }))
    const needVm = (vmId: string, field = 'vmId') => knownVms.has(vmId) || issue(['edits', i, field], `no VM "${vmId}"`, words('input.issue.noVm', { id: vmId }))
    switch (e.kind) {
      case 'addHost':
        if (knownHosts.has(e.host.id)) issue(['edits', i, 'host', 'id'], `host "${e.host.id}" already exists`, words('input.issue.hostExists', { id: e.host.id }))
        knownHosts.add(e.host.id)
        break
      case 'addVm':
        if (knownVms.has(e.vm.id)) issue(['edits', i, 'vm', 'id'], `VM "${e.vm.id}" already exists`, words('input.issue.vmExists', { id: e.vm.id }))
        if (!knownHosts.has(e.vm.hostId)) issue(['edits', i, 'vm', 'hostId'], `no host "${e.vm.hostId}"`, words('input.issue.noHost', { id: e.vm.hostId }))
        if (e.copyWorkloadOf !== undefined) needVm(e.copyWorkloadOf, 'copyWorkloadOf')
        knownVms.add(e.vm.id)
        break
      case 'removeVm':
      case 'resizeVm':
        needVm(e.vmId)
        break
      case 'growth':
        e.vmIds?.forEach((v, j) => knownVms.has(v) || issue(['edits', i, 'vmIds', j], `no VM "${v}"`, words('input.issue.noVm', { id: v })))
        break
      case 'removeHost':
      case 'hostFailure':
      case 'maintenance':
        needHost(e.hostId)
        break
    }
  })
  const checkGroups = (groups: string[][], name: 'affinity' | 'antiAffinity') =>
    groups.forEach((g, i) => g.forEach((v, j) => knownVms.has(v) || issue(['rules', name, i, j], `no VM "${v}"`, words('input.issue.noVm', { id: v }))))
  checkGroups(s.rules.affinity, 'affinity')
  checkGroups(s.rules.antiAffinity, 'antiAffinity')
}

export const ScenarioSchema = ScenarioBaseSchema.superRefine(checkReferences)

/** How one policy set allocates, schedules, balances and consolidates. */
export const PolicySetSchema = z
  .object({
    name: z.string().trim().min(1).max(60).optional(),
    allocation: z.enum(['static', 'dynamic', 'hybrid']).default('dynamic'),
    scheduling: z.enum(['fcfs', 'sjf', 'priority', 'easy']).default('fcfs'),
    /** Priority points a waiting request gains per hour (priority scheduling), so nothing starves. */
    agingPerHour: z.number().nonnegative().max(1000).default(1),
    /** A request still waiting after this long is rejected; absent = waits until the end. */
    maxWaitMinutes: z.number().positive().optional(),
    /** vCPUs a host may carry per logical CPU (admission and balancing). */
    cpuOvercommit: z.number().positive().max(64).default(4),
    /** Allocated memory a host may carry per MiB of RAM. */
    memOvercommit: z.number().positive().max(4).default(1),
    /** Hybrid allocation's cap on thin disks: their sizes together may reach this times a host's storage (absent: 1.5). */
    diskOvercommit: z.number().positive().max(100).optional(),
    balance: z
      .object({
        enabled: z.boolean().default(false),
        intervalMinutes: z.number().positive().default(60),
        /** Balance only when some host's sustained load (CPU or memory, 0-1) is above this. */
        thresholdLoad: z.number().min(0).max(1).default(0.7),
        /** Imbalance (std dev of host load) a move must remove. */
        minGain: z.number().nonnegative().default(0.005),
        maxMigrations: z.number().int().nonnegative().default(8),
        /** Percentile of the last interval's demand that balancing sizes for, 0-1. */
        demandPercentile: z.number().min(0).max(1).default(0.8),
      })
      .strict()
      .default({ enabled: false, intervalMinutes: 60, thresholdLoad: 0.7, minGain: 0.005, maxMigrations: 8, demandPercentile: 0.8 }),
    consolidation: z
      .object({
        enabled: z.boolean().default(false),
        intervalMinutes: z.number().positive().default(240),
        /** Share of each kept host left free. */
        headroom: z.number().min(0).max(0.9).default(0.2),
      })
      .strict()
      .default({ enabled: false, intervalMinutes: 240, headroom: 0.2 }),
  })
  .strict()

export type ScenarioHost = z.infer<typeof ScenarioHostSchema>
export type ScenarioVm = z.infer<typeof ScenarioVmSchema>
export type WorkloadSeries = z.infer<typeof WorkloadSeriesSchema>
export type Arrival = z.output<typeof ArrivalSchema>
export type ArrivalStream = z.output<typeof ArrivalStreamSchema>
export type ScenarioEdit = z.output<typeof ScenarioEditSchema>
export type ScenarioSource = z.infer<typeof ScenarioSourceSchema>
export type Scenario = z.output<typeof ScenarioSchema>
/** A scenario as written in a file (defaults may be left out). */
export type ScenarioInput = z.input<typeof ScenarioSchema>
export type PolicySet = z.output<typeof PolicySetSchema>
export type PolicySetInput = z.input<typeof PolicySetSchema>
