import { balanceGreedy } from '../balance'
import { buildProblem, computeClaims } from './claims'
import { powered, type ReplayState } from './state'
import { selectPercentile } from './stats'

const MIGRATION_BANDWIDTH_MIBPS = 1000
const MAX_MIGRATION_SECONDS = 300

/**
 * Step 6's balancing: at its interval when some host's load is sustained above the threshold, or
 * right away when a woken host waits for load (then with at least 8 migrations even when
 * balancing is off).
 */
export function balancingPass(st: ReplayState, s: number): void {
  const { balance } = st.policy
  if (balance.enabled && ((s > 0 && s % st.balanceEvery === 0 && sustainedHot(st, s)) || st.balanceDue)) {
    runBalancer(st, s, balance.maxMigrations)
    st.balanceDue = false
  } else if (st.balanceDue) {
    runBalancer(st, s, Math.max(balance.maxMigrations, 8))
    st.balanceDue = false
  }
}

/** The demand-percentile of a host's load over the last window of steps is above the threshold. */
function sustainedHot(st: ReplayState, step: number): boolean {
  const { window, hosts } = st
  const { scratch } = st.claims
  const { hostLoadRing } = st.ledger
  const filled = Math.min(window, step)
  if (filled === 0) return false
  for (let h = 0; h < hosts.length; h++) {
    if (!powered(hosts[h]!)) continue
    scratch.set(hostLoadRing.subarray(h * window, h * window + filled))
    if (selectPercentile(scratch, filled, st.policy.balance.demandPercentile) > st.policy.balance.thresholdLoad) return true
  }
  return false
}

/**
 * Balancer pass; with `maxMigrations` 0 only the mandatory moves (evacuations, rule fixes) run.
 * Optional passes run only when some host's sustained load is above the policy's threshold,
 * and only VMs on hosts above the average load are candidates (moving load off hot hosts).
 */
export function runBalancer(st: ReplayState, step: number, maxMigrations: number): void {
  const claims = computeClaims(st, step, powered, st.balanceEvery)
  const { hostMap, vmMap } = claims
  if (vmMap.length === 0 || hostMap.length === 0) return
  let pinned: ((i: number) => boolean) | null = null
  if (maxMigrations > 0) {
    const average = averageLoadIfHot(st, hostMap, vmMap)
    if (average === null) return
    const { hosts } = st
    const { localOf, hostLoad } = st.claims
    const hostOf = st.vms.hostOf
    // Only load on hosts above the average moves: far fewer candidates, the same useful moves.
    pinned = (i) => {
      const l = localOf[hostOf[i]!]!
      return !hosts[hostMap[l]!]!.maintenance && hostLoad[l]! <= average
    }
  }
  const problem = buildProblem(st, claims, (h) => h.maintenance, pinned)
  const result = balanceGreedy(problem, {
    minGain: st.policy.balance.minGain,
    maxMigrations,
    migrationBandwidthMiBps: MIGRATION_BANDWIDTH_MIBPS,
    maxMigrationSeconds: MAX_MIGRATION_SECONDS,
  })
  applyMoves(st, step, result.moves)
}

/**
 * Per-host load of the model (the larger of its CPU and memory claims over capacity, summed in VM
 * order) into claims.hostLoad; the average over hosts not in maintenance, or null when no host is
 * above the threshold and none is in maintenance (nothing to do).
 */
function averageLoadIfHot(st: ReplayState, hostMap: number[], vmMap: number[]): number | null {
  const { hosts } = st
  const { localOf, hostCpuSum, hostMemSum, hostLoad, claimCpu, claimMem } = st.claims
  const hostOf = st.vms.hostOf
  hostCpuSum.fill(0, 0, hostMap.length)
  hostMemSum.fill(0, 0, hostMap.length)
  let mandatoryPending = false
  for (const i of vmMap) {
    const l = localOf[hostOf[i]!]!
    hostCpuSum[l] = hostCpuSum[l]! + claimCpu[i]!
    hostMemSum[l] = hostMemSum[l]! + claimMem[i]!
    if (hosts[hostMap[l]!]!.maintenance) mandatoryPending = true
  }
  let hottest = 0
  let sum = 0
  let count = 0
  for (let l = 0; l < hostMap.length; l++) {
    const host = hosts[hostMap[l]!]!
    if (host.maintenance) {
      hostLoad[l] = -1
      continue
    }
    const load = Math.max(hostCpuSum[l]! / host.cpuCores, hostMemSum[l]! / host.memMiB)
    hostLoad[l] = load
    if (load > hottest) hottest = load
    sum += load
    count++
  }
  if (hottest <= st.policy.balance.thresholdLoad && !mandatoryPending) return null
  return sum / Math.max(1, count)
}

/** Moves VMs as planned (a VM already there is left alone); each counts as a migration and starts its cooldown. */
export function applyMoves(st: ReplayState, step: number, moves: readonly { vmId: string; to: string }[]): void {
  const { vms } = st
  for (const m of moves) {
    const i = vms.indexById.get(m.vmId)!
    const v = vms.rt[i]!
    const to = st.hostIndex.get(m.to)!
    if (vms.hostOf[i] === to) continue
    v.lastMoveFrom = vms.hostOf[i]!
    v.lastMoveStep = step
    vms.hostOf[i] = to
    st.migrations++
    st.queue.dirty = true
  }
}

/** Live-migrates what fits off host h (maintenance or removal); returns the VMs left on it. */
export function evacuate(st: ReplayState, step: number, h: number): number {
  runBalancer(st, step, 0)
  return st.vms.countOn(h)
}
