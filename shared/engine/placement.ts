import type { Host } from '../model/host'
import type { MessageRef } from '../model/message'
import type { Snapshot } from '../model/snapshot'
import type { VmDemand } from './demand'
import type { History } from './history'
import type { EngineOptions } from './options'
import { externallyManaged } from './managers'
import type { RuleNames } from './placement-rules'

/**
 * The numeric model balancing, the exact solver, consolidation and the baselines share:
 * hosts with capacities and limits, VMs with their claims, and the rules as index lists.
 */
export interface PlacementHost {
  id: string
  cpuCores: number
  memMiB: number
  /** vCPUs it may carry: threads x CPU overcommit ratio. */
  vcpuLimit: number
  /** Allocated memory it may carry: memory x memory overcommit ratio. */
  memAllocLimitMiB: number
  maintenance: boolean
}

export interface PlacementVm {
  id: string
  hostId: string
  /** What the strategy says it claims (cores / MiB): allocation for static, demand otherwise. */
  cpuClaim: number
  memClaim: number
  vcpus: number
  memoryMiB: number
  memUsedMiB: number
  memDirtyMiBps: number
  /**
   * Per bucket of the forecast horizon, the top of its CPU band in cores: no move may plan a host
   * above its capacity in any bucket. Absent: no such check (the what-if's claims).
   */
  cpuHigh?: ArrayLike<number>
  /**
   * Its CPU (cores, the horizon's mean) on each of the plausible days a plan is also judged on
   * (the same hours of the last days, its recent level; NaN: no data): balance/hold-back.ts. Absent: none.
   */
  cpuScenarios?: readonly number[]
  /** False when another balancer manages it. */
  movable: boolean
  /** Hosts it is pinned to; null = any. */
  allowedHosts: string[] | null
  /** Hosts it should run on (a soft rule); absent: no preference. */
  preferredHosts?: string[]
  /** Left out of balancing: only a hard rule or maintenance moves it. */
  excluded?: boolean
  /** Hosts it left within the cooldown: not moved back there. */
  cooldownHosts: string[]
  /** What copying its local disks to each host costs (storage/placement.ts); absent: nothing to copy. */
  copies?: DiskCopies
  /** Hosts storage rules it out of, with the reason as a message (no pool to receive a disk, no room). */
  storageRefusals?: Record<string, MessageRef>
  /** The host its disks are on (where it is at the start): a move elsewhere copies them. */
  storageHome?: string
}

/** Room a disk copy takes in one destination pool (a host/pool key of PlacementProblem.poolFree). */
export interface CopyNeed { pool: string; bytes: number }

/**
 * A VM's disk copies, asked per destination host: placement weighs every (VM, host) pair, and a
 * record per pair (a million at 200 hosts x 5,000 VMs) was most of the engine's memory and time.
 */
export interface DiskCopies {
  /** Seconds copying the disks to host id takes; 0 where that host reaches them (shared storage) or holds them. */
  seconds(hostId: string): number
  /** The destination pools a copy to host id fills, and by how much; empty when nothing is copied. */
  needs(hostId: string): readonly CopyNeed[]
}

export interface PlacementProblem {
  hosts: PlacementHost[]
  vms: PlacementVm[]
  affinity: string[][]
  antiAffinity: string[][]
  cpuWeight: number
  memWeight: number
  /** Free bytes of each pool copies may land in (host/pool keys); copies into one pool add up. */
  poolFree?: Record<string, number>
  /** The admin's names of the rules, for the words of a fix. */
  ruleNames?: RuleNames
}

export function buildPlacement(
  snapshot: Snapshot,
  demand: Map<string, VmDemand>,
  history: History,
  now: number,
  options: EngineOptions,
): PlacementProblem {
  const { balance, rules, strategy, controls } = options
  const managedElsewhere = externallyManaged(snapshot, rules)
  const excluded = new Set(rules.excluded ?? [])
  const hosts = snapshot.hosts.map((h) => {
    const ratio = allocationRatioOf(h, balance)
    return {
      id: h.id,
      cpuCores: h.cpu.threads,
      memMiB: h.memoryMiB,
      vcpuLimit: h.cpu.threads * ratio.cpu,
      memAllocLimitMiB: h.memoryMiB * ratio.memory,
      maintenance: h.state === 'maintenance',
    }
  })
  const clusterHosts = hostsByCluster(snapshot.hosts)
  const recent = (history.recentMigrations ?? []).filter((m) => now - m.t < balance.cooldownMs && m.t <= now)
  const vms = snapshot.vms
    .filter((v) => v.state === 'running' || v.state === 'paused')
    .map((v) => {
      const d = demand.get(v.id)
      const limitCpu = controls[v.id]?.cpuLimitCores ?? Infinity
      const limitMem = controls[v.id]?.memLimitMiB ?? Infinity
      const cpuClaim =
        strategy === 'static' ? v.allocation.vcpus : Math.min(d?.cpuCores ?? 0, v.allocation.vcpus, limitCpu)
      const memClaim =
        strategy === 'static' ? v.allocation.memoryMiB : Math.min(d?.memMiB ?? 0, v.allocation.memoryMiB, limitMem)
      return {
        id: v.id,
        hostId: v.hostId,
        cpuClaim,
        memClaim,
        vcpus: v.allocation.vcpus,
        memoryMiB: v.allocation.memoryMiB,
        memUsedMiB: d?.memMiB ?? v.allocation.memoryMiB,
        memDirtyMiBps: d?.memDirtyMiBps ?? 0,
        ...(d ? { cpuHigh: limitCpu < Infinity ? d.cpuHigh.map((c) => Math.min(c, limitCpu)) : d.cpuHigh } : {}),
        ...(d?.forecast && strategy !== 'static' ? { cpuScenarios: d.forecast.cpuScenarios.map((c) => Math.min(c, v.allocation.vcpus, limitCpu)) } : {}),
        movable: !managedElsewhere.has(v.id),
        allowedHosts: withinCluster(rules.pinned[v.id] ?? null, clusterHosts?.get(v.hostId)),
        ...(rules.preferred?.[v.id] ? { preferredHosts: rules.preferred[v.id] } : {}),
        ...(excluded.has(v.id) ? { excluded: true } : {}),
        cooldownHosts: recent.filter((m) => m.vmId === v.id).map((m) => m.from),
      }
    })
  // Memory use only matters where a host may overcommit memory: at 1:1 every VM's memory is backed.
  const memMayContend = snapshot.hosts.some((h) => h.state !== 'maintenance' && allocationRatioOf(h, balance).memory > 1)
  return {
    hosts,
    vms,
    affinity: rules.affinity,
    antiAffinity: rules.antiAffinity,
    cpuWeight: balance.cpuWeight,
    memWeight: memMayContend || balance.cpuWeight <= 0 ? balance.memWeight : 0,
    ...(rules.names ? { ruleNames: rules.names } : {}),
  }
}

/**
 * Host id -> the hosts of its cluster (Host.cluster; hosts without one are one cluster), or
 * undefined when every host is in one cluster: a VM never moves into another cluster.
 */
export function hostsByCluster(hosts: readonly Host[]): Map<string, string[]> | undefined {
  const members = new Map<string, string[]>()
  for (const h of hosts) {
    const key = h.cluster?.id ?? ''
    members.set(key, [...(members.get(key) ?? []), h.id])
  }
  if (members.size < 2) return undefined
  return new Map(hosts.map((h) => [h.id, members.get(h.cluster?.id ?? '')!]))
}

function withinCluster(pinned: string[] | null, cluster: string[] | undefined): string[] | null {
  if (!cluster) return pinned
  return pinned ? pinned.filter((h) => cluster.includes(h)) : cluster
}

/** The allocation ratios that apply to a host: its own (Settings), else the cluster-wide defaults. */
export function allocationRatioOf(host: Host, balance: Pick<EngineOptions['balance'], 'cpuOvercommit' | 'memOvercommit'>): { cpu: number; memory: number } {
  return { cpu: host.allocationRatio?.cpu ?? balance.cpuOvercommit, memory: host.allocationRatio?.memory ?? balance.memOvercommit }
}

/** Per-host CPU and memory load (claims / capacity) for an assignment vmId -> hostId. */
export function placementLoads(problem: PlacementProblem, hostOf: (vm: PlacementVm) => string) {
  const index = new Map(problem.hosts.map((h, i) => [h.id, i]))
  const cpu = problem.hosts.map(() => 0)
  const mem = problem.hosts.map(() => 0)
  for (const vm of problem.vms) {
    const i = index.get(hostOf(vm))
    if (i === undefined) continue
    cpu[i] = cpu[i]! + vm.cpuClaim / problem.hosts[i]!.cpuCores
    mem[i] = mem[i]! + vm.memClaim / problem.hosts[i]!.memMiB
  }
  return { cpu, mem }
}

function stdDev(values: readonly number[]): number {
  if (values.length === 0) return 0
  const mean = values.reduce((a, b) => a + b, 0) / values.length
  return Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length)
}

export interface LoadSummary {
  cpuLoads: number[]
  memLoads: number[]
  /** DRS-style: weighted standard deviation of host loads. */
  imbalance: number
  maxCpuLoad: number
  maxMemLoad: number
  /** cpuWeight x max CPU load + memWeight x max memory load: what the exact model minimises. */
  peakLoad: number
}

export function summarizeLoads(problem: PlacementProblem, hostOf: (vm: PlacementVm) => string): LoadSummary {
  // Hosts in maintenance are being emptied: they do not count in the spread.
  const { cpu, mem } = placementLoads(problem, hostOf)
  const active = problem.hosts.map((h, i) => i).filter((i) => !problem.hosts[i]!.maintenance)
  const c = active.map((i) => cpu[i]!)
  const m = active.map((i) => mem[i]!)
  const maxCpuLoad = Math.max(0, ...c)
  const maxMemLoad = Math.max(0, ...m)
  const w = problem.cpuWeight + problem.memWeight
  return {
    cpuLoads: cpu,
    memLoads: mem,
    imbalance: Math.sqrt((problem.cpuWeight * stdDev(c) ** 2 + problem.memWeight * stdDev(m) ** 2) / w),
    maxCpuLoad,
    maxMemLoad,
    peakLoad: (problem.cpuWeight * maxCpuLoad + problem.memWeight * maxMemLoad) / w,
  }
}

/** Union-find over affinity groups: each resulting set moves as one unit. */
export function affinityUnits(n: number, groups: number[][]): number[][] {
  const parent = Array.from({ length: n }, (_, i) => i)
  const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x]!)))
  for (const g of groups) for (let i = 1; i < g.length; i++) parent[find(g[i]!)] = find(g[0]!)
  const byRoot = new Map<number, number[]>()
  for (let i = 0; i < n; i++) {
    const r = find(i)
    byRoot.set(r, [...(byRoot.get(r) ?? []), i])
  }
  return [...byRoot.values()]
}
