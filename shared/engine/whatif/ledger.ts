import { shareBuffers, type ShareBuffers } from './share'

/**
 * What the step accounting adds up over a replay (step 7: demand, entitlements, unmet demand),
 * and its scratch. Counters are in VM-steps; the run's metrics convert them to minutes.
 */
export interface Ledger {
  /** The VMs on each host this step, in index order (grown on demand: hosts x requests can be large). */
  members: Int32Array[]
  memberN: Int32Array
  cpuBuf: ShareBuffers
  memBuf: ShareBuffers
  /** Each host's demand load over the last `window` steps (window 0: not kept). */
  hostLoadRing: Float64Array
  window: number
  vmSteps: number
  downSteps: number
  unmetAnySteps: number
  unmetCpuSteps: number
  unmetMemSteps: number
  aboveAllocSteps: number
  cpuDemandSum: number
  cpuUnmetSum: number
  activeHostSteps: number
  peakMemOvercommit: number
  /** Per powered host and step: what its VMs ran / capacity, utilN values so far. */
  cpuUtil: Float64Array
  memUtil: Float64Array
  utilN: number
  /** Per step, the cluster: granted and demanded CPU, memory (% of powered capacity), powered hosts, VMs short. */
  clusterCpu: Float64Array
  clusterMem: Float64Array
  clusterCpuDemand: Float64Array
  activeHostsAt: Float64Array
  unmetVmsAt: Float64Array
  /** VMs short in the current step. */
  unmetNow: number
  /** One host's sums in the current step (scratch). */
  host: HostSums
}

/** A host's VMs in one step: allocations, demand capped by allocation, hybrid's reserved base and ceiling above it, and what they ran. */
export interface HostSums {
  allocCpu: number
  allocMem: number
  cappedCpu: number
  cappedMem: number
  baseCpu: number
  baseMem: number
  ceilCpu: number
  ceilMem: number
  usedCpu: number
  usedMem: number
}

export function createLedger(hosts: number, steps: number, window: number): Ledger {
  return {
    members: Array.from({ length: hosts }, () => new Int32Array(64)),
    memberN: new Int32Array(hosts),
    cpuBuf: shareBuffers(64),
    memBuf: shareBuffers(64),
    hostLoadRing: new Float64Array(hosts * window),
    window,
    vmSteps: 0,
    downSteps: 0,
    unmetAnySteps: 0,
    unmetCpuSteps: 0,
    unmetMemSteps: 0,
    aboveAllocSteps: 0,
    cpuDemandSum: 0,
    cpuUnmetSum: 0,
    activeHostSteps: 0,
    peakMemOvercommit: 0,
    cpuUtil: new Float64Array(hosts * steps),
    memUtil: new Float64Array(hosts * steps),
    utilN: 0,
    clusterCpu: new Float64Array(steps),
    clusterMem: new Float64Array(steps),
    clusterCpuDemand: new Float64Array(steps),
    activeHostsAt: new Float64Array(steps),
    unmetVmsAt: new Float64Array(steps),
    unmetNow: 0,
    host: { allocCpu: 0, allocMem: 0, cappedCpu: 0, cappedMem: 0, baseCpu: 0, baseMem: 0, ceilCpu: 0, ceilMem: 0, usedCpu: 0, usedMem: 0 },
  }
}
