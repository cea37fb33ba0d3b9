import type { ClusterFacts, HostFacts, VmFacts } from '../../model/facts'
import type { Recommendation } from '../../model/recommendation'

/** One fact a rule read, with its value and unit, shown to the admin as the reason. */
export interface Evidence {
  /** Where it came from, in admin words (`/sys/kernel/mm/ksm/run`, `disk vda bus`, ...). */
  fact: string
  value: string | number
  unit?: string
}

/** A rule's finding: a Recommendation without id/kind, plus the rule and the facts it read. */
export type TuningAdvice = Omit<Recommendation, 'id' | 'kind'> & {
  rule: string
  evidence: Evidence[]
  /** The expected effect, in one sentence with its numbers. */
  effect: string
}

/** Measured use the rules may weigh (sustained figures from the engine, not configuration). */
export interface TuningUsage {
  hosts: Record<string, { cpuLoad?: number; memUsedMiB?: number }>
  vms: Record<string, { cpuCores?: number; diskIops?: number; diskBps?: number }>
}

export interface TuningOptions {
  /** Guest memory allocated / host RAM at or above which memory counts as (nearly) overcommitted. */
  ksmCommitRatio: number
  /** A VM this large (MiB) benefits from huge pages. */
  largeVmMiB: number
  /** vCPUs from which a VM is worth keeping on one NUMA node. */
  numaMinVcpus: number
  /** Disk operations per second from which a VM's disks deserve their own I/O thread. */
  iothreadMinIops: number
  /** vCPUs per host thread and guest memory per MiB of RAM above which a host is overcommitted. */
  cpuOvercommit: number
  memOvercommit: number
  /** Hosts with ratios of their own (Settings), by host id: these replace the two above. */
  hostRatios?: Record<string, { cpu: number; memory: number }>
  /** Host CPU load (0-1) above which polling halted vCPUs steals time other vCPUs want. */
  busyHostCpuLoad: number
}

export const defaultTuningOptions: TuningOptions = {
  ksmCommitRatio: 0.8,
  largeVmMiB: 16 * 1024,
  numaMinVcpus: 4,
  iothreadMinIops: 500,
  cpuOvercommit: 4,
  memOvercommit: 1,
  busyHostCpuLoad: 0.8,
}

export interface TuningInput {
  facts: ClusterFacts
  usage: TuningUsage
  options: TuningOptions
}

export interface TuningRule {
  id: string
  /** Pure: the same facts give the same advice; no advice without evidence. */
  evaluate(input: TuningInput): TuningAdvice[]
}

/** Running guests of a host, in a stable order. */
export function guestsOf(facts: ClusterFacts, hostId: string): VmFacts[] {
  return Object.values(facts.vms)
    .filter((v) => v.hostId === hostId && v.running)
    .sort((a, b) => a.vmId.localeCompare(b.vmId))
}

export function hostsOf(facts: ClusterFacts): HostFacts[] {
  return Object.values(facts.hosts).sort((a, b) => a.hostId.localeCompare(b.hostId))
}

export function runningVms(facts: ClusterFacts): VmFacts[] {
  return Object.values(facts.vms)
    .filter((v) => v.running && facts.hosts[v.hostId] !== undefined)
    .sort((a, b) => a.vmId.localeCompare(b.vmId))
}

export const gib = (mib: number) => `${(mib / 1024).toFixed(1)} GiB`
export const pct = (x: number) => `${(x * 100).toFixed(0)} %`

/** Numeric compare of dotted versions ('7.2.22' >= '6.0'). */
export function versionAtLeast(version: string | undefined, min: string): boolean {
  if (!version) return false
  const a = version.split('.').map((x) => Number.parseInt(x, 10) || 0)
  const b = min.split('.').map((x) => Number.parseInt(x, 10) || 0)
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    if (d !== 0) return d > 0
  }
  return true
}
