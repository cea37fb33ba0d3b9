import type { HostSums } from './ledger'
import { growShareBuffers, shareResource, type ShareBuffers } from './share'
import { DEFAULT_SHARES, type ReplayState } from './state'
import type { VmTable } from './vm-table'

/**
 * Step 7: demand, entitlements and unmet demand of step s on each powered host, into the ledger;
 * true when some host is short (its VMs want more than it has).
 */
export function accountStep(st: ReplayState, s: number): boolean {
  const L = st.ledger
  const { hosts } = st
  collectDemand(st, s)
  let cpuGranted = 0
  let memGranted = 0
  let cpuCapacity = 0
  let memCapacity = 0
  let cpuDemandPowered = 0
  let activeHosts = 0
  let short = false
  for (let h = 0; h < hosts.length; h++) {
    const host = hosts[h]!
    // powered(host), written out: this runs hosts x steps times.
    if (!host.present || host.failed || host.asleep) continue
    activeHosts++
    cpuCapacity += host.cpuCores
    memCapacity += host.memMiB
    if (accountHost(st, h, s)) short = true
    cpuDemandPowered += L.host.cappedCpu
    cpuGranted += L.host.usedCpu
    memGranted += L.host.usedMem
  }
  L.activeHostSteps += activeHosts
  L.clusterCpu[s] = cpuCapacity > 0 ? (100 * cpuGranted) / cpuCapacity : 0
  L.clusterMem[s] = memCapacity > 0 ? (100 * memGranted) / memCapacity : 0
  L.clusterCpuDemand[s] = cpuCapacity > 0 ? (100 * cpuDemandPowered) / cpuCapacity : 0
  L.activeHostsAt[s] = activeHosts
  L.unmetVmsAt[s] = L.unmetNow
  return short
}

/**
 * Each running VM's demand at step s (into vms.demandCpu / demandMem); a down VM's demand is all
 * unmet; the others are listed per host (ledger.members) in index order.
 */
function collectDemand(st: ReplayState, s: number): void {
  const L = st.ledger
  const { rowsCpu, rowsMem, W, colOf, constCpu, constMem, alive, hostOf, demandCpu, demandMem, nAlive } = st.vms
  const { members, memberN } = L
  // The running sums continue from the ledger, in the same order as ever.
  let { vmSteps, downSteps, unmetAnySteps, unmetCpuSteps, unmetMemSteps, cpuDemandSum, cpuUnmetSum } = L
  let unmetNow = 0
  memberN.fill(0)
  const row = s * W
  for (let a = 0; a < nAlive; a++) {
    const i = alive[a]!
    const col = colOf[i]!
    const c = col >= 0 ? rowsCpu[row + col]! : constCpu[i]!
    const m = col >= 0 ? rowsMem[row + col]! : constMem[i]!
    demandCpu[i] = c
    demandMem[i] = m
    vmSteps++
    cpuDemandSum += c
    const h = hostOf[i]!
    if (h < 0) {
      downSteps++
      cpuUnmetSum += c
      if (c > tolerance(c) || m > tolerance(m)) {
        unmetAnySteps++
        unmetNow++
        if (c > tolerance(c)) unmetCpuSteps++
        if (m > tolerance(m)) unmetMemSteps++
      }
      continue
    }
    const k = memberN[h]!
    if (k === members[h]!.length) {
      const grown = new Int32Array(2 * k)
      grown.set(members[h]!)
      members[h] = grown
    }
    members[h]![k] = i
    memberN[h] = k + 1
  }
  L.vmSteps = vmSteps
  L.downSteps = downSteps
  L.unmetAnySteps = unmetAnySteps
  L.unmetCpuSteps = unmetCpuSteps
  L.unmetMemSteps = unmetMemSteps
  L.cpuDemandSum = cpuDemandSum
  L.cpuUnmetSum = cpuUnmetSum
  L.unmetNow = unmetNow
}

/**
 * One powered host at step s: each VM's entitlement (closed form without contention, the shared
 * entitlement model with it), what it ran, its unmet demand; the host's utilization, recent load
 * and overcommit. Leaves the host's sums in ledger.host; true when the host is short.
 */
function accountHost(st: ReplayState, h: number, s: number): boolean {
  const L = st.ledger
  const { strategy } = st
  const host = st.hosts[h]!
  const { vcpusOf, memOf, cpuResOf, cpuLimOf, memResOf, memLimOf, demandCpu, demandMem } = st.vms
  const list = L.members[h]!
  const n = L.memberN[h]!
  const hybrid = strategy === 'hybrid'
  const t = sumHost(st.vms, list, n, hybrid, L.host)
  const cpuFast = strategy === 'static' || (strategy === 'dynamic' ? t.cappedCpu <= host.cpuCores : t.baseCpu <= host.cpuCores && t.ceilCpu <= host.cpuCores - t.baseCpu)
  const memFast = strategy === 'static' || (strategy === 'dynamic' ? t.cappedMem <= host.memMiB : t.baseMem <= host.memMiB && t.ceilMem <= host.memMiB - t.baseMem)
  const cpuScale = strategy === 'static' && t.allocCpu > host.cpuCores ? host.cpuCores / t.allocCpu : 1
  const memScale = strategy === 'static' && t.allocMem > host.memMiB ? host.memMiB / t.allocMem : 1
  // Under contention the engine's entitlement model shares the host (fills the buffers).
  if (!cpuFast) shareResource(strategy, host.cpuCores, (L.cpuBuf = fillBuffers(st.vms, L.cpuBuf, list, n, true)))
  if (!memFast) shareResource(strategy, host.memMiB, (L.memBuf = fillBuffers(st.vms, L.memBuf, list, n, false)))
  const short = t.cappedCpu > host.cpuCores * (1 + 1e-9) || t.cappedMem > host.memMiB * (1 + 1e-9)
  let { unmetAnySteps, unmetCpuSteps, unmetMemSteps, aboveAllocSteps, cpuUnmetSum, unmetNow } = L
  // What the host actually runs: each VM's entitlement, but no more than it wants.
  let usedCpu = 0
  let usedMem = 0
  const cpuEnt = L.cpuBuf.entitlement
  const memEnt = L.memBuf.entitlement
  for (let k = 0; k < n; k++) {
    const i = list[k]!
    const vcpus = vcpusOf[i]!
    const mem = memOf[i]!
    const c = demandCpu[i]!
    const m = demandMem[i]!
    const cc = Math.min(c, vcpus)
    const cm = Math.min(m, mem)
    const entCpu = !cpuFast
      ? cpuEnt[k]!
      : strategy === 'static'
        ? vcpus * cpuScale
        : hybrid
          ? Math.max(Math.min(cpuResOf[i]!, cc), Math.min(cc, cpuLimOf[i]!))
          : cc
    const entMem = !memFast
      ? memEnt[k]!
      : strategy === 'static'
        ? mem * memScale
        : hybrid
          ? Math.max(Math.min(memResOf[i]!, cm), Math.min(cm, memLimOf[i]!))
          : cm
    usedCpu += c < entCpu ? c : entCpu
    usedMem += m < entMem ? m : entMem
    const cpuShort = c - entCpu > 1e-6 * (c > 1 ? c : 1)
    const memShort = m - entMem > 1e-6 * (m > 1 ? m : 1)
    if (c > entCpu) cpuUnmetSum += c - entCpu
    if (cpuShort || memShort) {
      unmetAnySteps++
      unmetNow++
      if (cpuShort) unmetCpuSteps++
      if (memShort) unmetMemSteps++
      if (c > vcpus + tolerance(c) || m > mem + tolerance(m)) aboveAllocSteps++
    }
  }
  L.unmetAnySteps = unmetAnySteps
  L.unmetCpuSteps = unmetCpuSteps
  L.unmetMemSteps = unmetMemSteps
  L.aboveAllocSteps = aboveAllocSteps
  L.cpuUnmetSum = cpuUnmetSum
  L.unmetNow = unmetNow
  t.usedCpu = usedCpu
  t.usedMem = usedMem
  L.cpuUtil[L.utilN] = usedCpu / host.cpuCores
  L.memUtil[L.utilN] = usedMem / host.memMiB
  L.utilN++
  // Sustained-load trigger of the balancer: each host's recent demand load.
  if (L.window > 0) L.hostLoadRing[h * L.window + (s % L.window)] = Math.max(t.cappedCpu / host.cpuCores, t.cappedMem / host.memMiB)
  const overcommit = t.allocMem / host.memMiB
  if (overcommit > L.peakMemOvercommit) L.peakMemOvercommit = overcommit
  return short
}

/** Sums for the closed-form (no contention) case of each strategy, over the n VMs of `list`, into `t`. */
function sumHost(vms: VmTable, list: Int32Array, n: number, hybrid: boolean, t: HostSums): HostSums {
  const { vcpusOf, memOf, cpuResOf, cpuLimOf, memResOf, memLimOf, demandCpu, demandMem } = vms
  let allocCpu = 0
  let allocMem = 0
  let cappedCpu = 0
  let cappedMem = 0
  let baseCpu = 0
  let baseMem = 0
  let ceilCpu = 0
  let ceilMem = 0
  for (let k = 0; k < n; k++) {
    const i = list[k]!
    const vcpus = vcpusOf[i]!
    const mem = memOf[i]!
    const cc = Math.min(demandCpu[i]!, vcpus)
    const cm = Math.min(demandMem[i]!, mem)
    allocCpu += vcpus
    allocMem += mem
    cappedCpu += cc
    cappedMem += cm
    if (hybrid) {
      const bc = Math.min(cpuResOf[i]!, cc)
      const bm = Math.min(memResOf[i]!, cm)
      baseCpu += bc
      baseMem += bm
      ceilCpu += Math.max(0, Math.min(cc, cpuLimOf[i]!) - bc)
      ceilMem += Math.max(0, Math.min(cm, memLimOf[i]!) - bm)
    }
  }
  t.allocCpu = allocCpu
  t.allocMem = allocMem
  t.cappedCpu = cappedCpu
  t.cappedMem = cappedMem
  t.baseCpu = baseCpu
  t.baseMem = baseMem
  t.ceilCpu = ceilCpu
  t.ceilMem = ceilMem
  return t
}

/** The share buffers (grown if needed) filled with the n VMs of `list`, CPU or memory. */
function fillBuffers(vms: VmTable, buffers: ShareBuffers, list: Int32Array, n: number, cpu: boolean): ShareBuffers {
  const b = growShareBuffers(buffers, n)
  const demand = cpu ? vms.demandCpu : vms.demandMem
  b.n = n
  for (let k = 0; k < n; k++) {
    const i = list[k]!
    b.demand[k] = demand[i]!
    b.allocation[k] = cpu ? vms.vcpusOf[i]! : vms.memOf[i]!
    b.reservation[k] = cpu ? vms.cpuResOf[i]! : vms.memResOf[i]!
    b.limit[k] = cpu ? vms.cpuLimOf[i]! : vms.memLimOf[i]!
    b.shares[k] = cpu ? vms.sharesOf[i]! : DEFAULT_SHARES
  }
  return b
}

/** Below this a shortfall is rounding, not contention. */
function tolerance(demand: number): number {
  return 1e-6 * Math.max(1, demand)
}
