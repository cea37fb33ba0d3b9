import type { CopyNeed, PlacementProblem, PlacementVm } from '../placement'
import type { HostRt, ReplayState } from './state'
import { selectPercentile } from './stats'

/** A VM does not go back to a host it left this recently. */
const COOLDOWN_MINUTES = 6 * 60
const EMPTY_IDS: string[] = []

/** Which hosts and VMs take part in a balancing model; the VMs' claims are in state.claims. */
export interface Claims {
  hostMap: number[]
  vmMap: number[]
  step: number
}

/**
 * The numbers of the balancing model at `step`: the hosts `only` admits, the running VMs on them,
 * and each VM's claims: its allocation under static, else the demand percentile over the last
 * `span` steps (up to the window), capped by allocation and limit. No objects yet.
 */
export function computeClaims(st: ReplayState, step: number, only: (h: HostRt) => boolean, span: number): Claims {
  const { hosts, vms, claims, window } = st
  const { localOf, claimCpu, claimMem, claimUsedMem, recentCpu, recentMem } = claims
  const { alive, hostOf, vcpusOf, memOf, colOf, constCpu, constMem, cpuLimOf, memLimOf, demandCpu, demandMem } = vms
  const hostMap: number[] = []
  for (let h = 0; h < hosts.length; h++) {
    if (only(hosts[h]!)) {
      localOf[h] = hostMap.length
      hostMap.push(h)
    } else localOf[h] = -1
  }
  const vmMap: number[] = []
  const filled = st.needHistory ? Math.min(window, step) : 0
  const isStatic = st.strategy === 'static'
  // Demand percentile over the last n steps (a constant demand is its own percentile).
  const n = filled > 0 ? Math.min(span, step, window) : 0
  if (n > 0) {
    if (!isStatic) gatherRecent(vms.rowsCpu, vms.W, recentCpu, step, n)
    gatherRecent(vms.rowsMem, vms.W, recentMem, step, n)
  }
  for (let a = 0; a < vms.nAlive; a++) {
    const i = alive[a]!
    const h = hostOf[i]!
    if (h < 0 || localOf[h]! < 0) continue
    const vcpus = vcpusOf[i]!
    const mem = memOf[i]!
    // Static claims allocations: no need to look at demand.
    const col = colOf[i]!
    const cpuDemand = isStatic ? vcpus : n > 0 ? (col >= 0 ? recentPercentile(st, recentCpu, col, n) : constCpu[i]!) : demandCpu[i]!
    const memDemand = n > 0 ? (col >= 0 ? recentPercentile(st, recentMem, col, n) : constMem[i]!) : demandMem[i]!
    vmMap.push(i)
    claimCpu[i] = isStatic ? vcpus : Math.min(cpuDemand, vcpus, cpuLimOf[i]!)
    claimMem[i] = isStatic ? mem : Math.min(memDemand, mem, memLimOf[i]!)
    claimUsedMem[i] = Math.min(memDemand, mem)
  }
  return { hostMap, vmMap, step }
}

/** The placement problem for the claims; `pinned(i)` marks VMs the optional phase leaves alone. */
export function buildProblem(st: ReplayState, c: Claims, treatAsMaintenance: (h: HostRt) => boolean, pinned: ((i: number) => boolean) | null): PlacementProblem {
  const { hosts, vms, stepMinutes } = st
  const { hostMap, vmMap, step } = c
  const { claimCpu, claimMem, claimUsedMem } = st.claims
  const pvms: PlacementVm[] = new Array<PlacementVm>(vmMap.length)
  for (let k = 0; k < vmMap.length; k++) {
    const i = vmMap[k]!
    const v = vms.rt[i]!
    pvms[k] = {
      id: v.id,
      hostId: hosts[vms.hostOf[i]!]!.id,
      cpuClaim: claimCpu[i]!,
      memClaim: claimMem[i]!,
      vcpus: vms.vcpusOf[i]!,
      memoryMiB: vms.memOf[i]!,
      memUsedMiB: claimUsedMem[i]!,
      memDirtyMiBps: 0,
      movable: pinned ? !pinned(i) : true,
      allowedHosts: v.allowed ? allowedIdsOf(st, i) : null,
      cooldownHosts: v.lastMoveFrom >= 0 && (step - v.lastMoveStep) * stepMinutes < COOLDOWN_MINUTES ? [hosts[v.lastMoveFrom]!.id] : EMPTY_IDS,
    }
  }
  const poolFree = withDiskRoom(st, hostMap, vmMap, pvms)
  const { affinity, antiAffinity } = st.scenario.rules
  const present = affinity.length + antiAffinity.length > 0 ? new Set(pvms.map((v) => v.id)) : null
  const groups = (gs: string[][]) => (gs.length === 0 || !present ? [] : gs.map((g) => g.filter((id) => present.has(id))).filter((g) => g.length > 1))
  return {
    hosts: hostMap.map((h) => {
      const host = hosts[h]!
      return { id: host.id, cpuCores: host.cpuCores, memMiB: host.memMiB, vcpuLimit: st.vcpuLimit(host), memAllocLimitMiB: st.memLimit(host), maintenance: treatAsMaintenance(host) }
    }),
    vms: pvms,
    affinity: groups(affinity),
    antiAffinity: groups(antiAffinity),
    cpuWeight: 0.5,
    memWeight: 0.5,
    ...(poolFree ? { poolFree } : {}),
  }
}

/**
 * Disk in the balancing model, where hosts have storage: a VM moving to such a host needs room
 * for the disk it holds there (the engine's storage constraint: copies into one host add up).
 * Returns the free room per host, or undefined when no host of the model has storage.
 */
function withDiskRoom(st: ReplayState, hostMap: readonly number[], vmMap: readonly number[], pvms: PlacementVm[]): Record<string, number> | undefined {
  const { hosts, vms } = st
  const withDisk = hostMap.filter((h) => hosts[h]!.diskGiB !== undefined)
  if (withDisk.length === 0) return undefined
  const poolFree: Record<string, number> = {}
  const held = new Map<number, number>()
  for (let a = 0; a < vms.nAlive; a++) {
    const i = vms.alive[a]!
    if (vms.hostOf[i]! >= 0) held.set(vms.hostOf[i]!, (held.get(vms.hostOf[i]!) ?? 0) + vms.diskOf[i]!)
  }
  for (const h of withDisk) poolFree[diskPool(hosts[h]!.id)] = hosts[h]!.diskGiB! - (held.get(h) ?? 0)
  for (let k = 0; k < vmMap.length; k++) {
    const disk = vms.diskOf[vmMap[k]!]!
    if (disk <= 0) continue
    const home = vms.hostOf[vmMap[k]!]!
    const needs = new Map<string, CopyNeed[]>()
    for (const h of withDisk) if (h !== home) needs.set(hosts[h]!.id, [{ pool: diskPool(hosts[h]!.id), bytes: disk }])
    pvms[k] = { ...pvms[k]!, copies: { seconds: () => 0, needs: (id) => needs.get(id) ?? [] } }
  }
  return poolFree
}

const diskPool = (hostId: string) => `${hostId}/disk`

/** Host ids VM i may run on (pinning), computed once per VM. */
function allowedIdsOf(st: ReplayState, i: number): string[] | null {
  let ids = st.claims.allowedIds.get(i)
  if (ids === undefined) {
    const a = st.vms.rt[i]!.allowed
    ids = a ? a.map((h) => st.hosts[h]!.id) : null
    st.claims.allowedIds.set(i, ids)
  }
  return ids
}

/** The last n steps before `step` of the W-column step-major rows, column-major into `out`. */
export function gatherRecent(rows: Float64Array, W: number, out: Float64Array, step: number, n: number): void {
  for (let k = 0; k < n; k++) {
    const row = (step - 1 - k) * W
    for (let col = 0; col < W; col++) out[col * n + k] = rows[row + col]!
  }
}

/** The balancing percentile of column col's last n steps. */
function recentPercentile(st: ReplayState, recent: Float64Array, col: number, n: number): number {
  const { scratch } = st.claims
  for (let k = 0; k < n; k++) scratch[k] = recent[col * n + k]!
  return selectPercentile(scratch, n, st.policy.balance.demandPercentile)
}
