import { english, msg } from '../../i18n'
import type { ClusterFacts, HostFacts, VmFacts } from '../../model/facts'
import type { MessageRef, Recommendation } from '../../model/recommendation'
import type { HostStorage, StoragePool } from '../../model/storage'
import type { PoolForecast } from '../storage/forecast'
import type { MeasuredWindow } from './measured'

/**
 * One fact a rule read, with its value and unit, shown to the admin as the reason: in English, and
 * as messages where they are words (a path or a kernel name has none: it is said as it is).
 */
export interface Evidence {
  /** Where it came from, in admin words (`/sys/kernel/mm/ksm/run`, `disk vda bus`, ...). */
  fact: string
  factRef?: MessageRef
  value: string | number
  /** A value that is a word ('none', 'present'); numbers and the host's own values have none. */
  valueRef?: MessageRef
  unit?: string
  unitRef?: MessageRef
}

/** A fact in admin words: its English beside its message, and the same for a value or unit that is a word. */
export function evidence(ref: MessageRef, value: string | number | MessageRef, unit?: string | MessageRef): Evidence {
  return {
    fact: english(ref),
    factRef: ref,
    ...(typeof value === 'object' ? { value: english(value), valueRef: value } : { value }),
    ...(unit === undefined ? {} : typeof unit === 'object' ? { unit: english(unit), unitRef: unit } : { unit }),
  }
}

/** A rule's finding: a Recommendation without id/kind, plus the rule and the facts it read. */
export type TuningAdvice = Omit<Recommendation, 'id' | 'kind'> & {
  rule: string
  evidence: Evidence[]
  /** The expected effect, in one sentence with its numbers. */
  effect: string
  effectRef?: MessageRef
}

/** Measured use the rules may weigh (sustained figures from the engine, not configuration). */
export interface TuningUsage {
  hosts: Record<string, { cpuLoad?: number; memUsedMiB?: number }>
  vms: Record<string, { cpuCores?: number; diskIops?: number; diskBps?: number; measured?: MeasuredWindow }>
  /** Per pool (`hostId/poolId`): its days-to-full forecast from stored history (null: not enough yet). */
  pools?: Record<string, { forecast: PoolForecast | null }>
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
  /** A pool this full (0-1), or full within this many days, gets capacity advice. */
  poolFullShare: number
  poolFullDays: number
  /** Volumes promised above this share of a pool's capacity (thin provisioning) get advice. */
  poolOvercommit: number
  /** Milliseconds per request, with the device busy this share of the time (0-100), that count as I/O contention. */
  poolLatencyMs: number
  poolBusyPct: number
  /** Measured CPU (cores) below which a change that only saves host CPU is not worth advising. */
  minSavedCores: number
  /** Network traffic (bytes/s, in + out) below which a NIC counts as idle over the window. */
  idleNetBps: number
  /** CPU ready (% of its vCPUs) from which confining a VM to fewer host CPUs is a risk. */
  waitingReadyPct: number
}

export const defaultTuningOptions: TuningOptions = {
  ksmCommitRatio: 0.8,
  largeVmMiB: 16 * 1024,
  numaMinVcpus: 4,
  iothreadMinIops: 500,
  cpuOvercommit: 4,
  memOvercommit: 1,
  busyHostCpuLoad: 0.8,
  poolFullShare: 0.85,
  poolFullDays: 30,
  poolOvercommit: 1,
  poolLatencyMs: 20,
  poolBusyPct: 60,
  minSavedCores: 0.02,
  idleNetBps: 125_000,
  waitingReadyPct: 10,
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

const byHost = new WeakMap<ClusterFacts['vms'], { all: Map<string, VmFacts[]>; running: Map<string, VmFacts[]> }>()

/** The VMs of each host, indexed once per facts: every host rule asks for every host. */
function vmsByHost(facts: ClusterFacts): { all: Map<string, VmFacts[]>; running: Map<string, VmFacts[]> } {
  let index = byHost.get(facts.vms)
  if (!index) {
    const group = (vms: VmFacts[]) => {
      const out = new Map<string, VmFacts[]>()
      for (const v of vms) {
        const list = out.get(v.hostId)
        if (list) list.push(v)
        else out.set(v.hostId, [v])
      }
      return out
    }
    const all = Object.values(facts.vms)
    index = { all: group(all), running: group(all.filter((v) => v.running).sort((x, y) => x.vmId.localeCompare(y.vmId))) }
    byHost.set(facts.vms, index)
  }
  return index
}

/** Running guests of a host, in a stable order. */
export function guestsOf(facts: ClusterFacts, hostId: string): readonly VmFacts[] {
  return vmsByHost(facts).running.get(hostId) ?? []
}

/** Every VM defined on a host, running or not, in the order of the facts. */
export function vmsOf(facts: ClusterFacts, hostId: string): readonly VmFacts[] {
  return vmsByHost(facts).all.get(hostId) ?? []
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

/**
 * Active pools of every host whose storage discovery read, in a stable order. A shared pool
 * (same type and source) seen by several hosts is listed once, on the first, with the others.
 */
export function storagePools(facts: ClusterFacts): { host: HostStorage; pool: StoragePool; alsoOn: string[] }[] {
  const out: { host: HostStorage; pool: StoragePool; alsoOn: string[] }[] = []
  const seen = new Map<string, { alsoOn: string[] }>()
  for (const host of Object.values(facts.storage ?? {}).sort((a, b) => a.hostId.localeCompare(b.hostId))) {
    for (const pool of host.pools) {
      if (!pool.active) continue
      const key = pool.sharing === 'shared' && pool.source ? `${pool.type}|${pool.source}` : undefined
      const first = key ? seen.get(key) : undefined
      if (first) {
        first.alsoOn.push(host.hostId)
        continue
      }
      const entry = { host, pool, alsoOn: [] as string[] }
      if (key) seen.set(key, entry)
      out.push(entry)
    }
  }
  return out
}

/** Bytes in GiB (TiB from 1 TiB), one decimal. */
export function sizeText(bytes: number): string {
  return bytes >= 2 ** 40 ? `${(bytes / 2 ** 40).toFixed(1)} TiB` : `${(bytes / 2 ** 30).toFixed(1)} GiB`
}

/** Messages in a list, as one value: "a, b" (the items are names, numbers and short phrases). */
export function listOf(items: readonly MessageRef[]): MessageRef {
  return msg('engine.list', { items: [...items] })
}
