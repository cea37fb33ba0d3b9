import type { PreparedScenario } from './prepare'

/** What the replay keeps per VM besides the numbers the hot loops read from typed arrays. */
export interface VmRt {
  id: string
  priority: number
  allowed: number[] | null
  /** Requests: the step after their last; workload VMs: Infinity. */
  endStep: number
  downSince: number
  lastMoveFrom: number
  lastMoveStep: number
}

/** A VM's shares, reservations and limits (Infinity: no limit). */
export interface VmControls {
  shares: number
  cpuRes: number
  cpuLim: number
  memRes: number
  memLim: number
}

/**
 * Every VM and started request of a replay, its numbers in flat arrays with room for every request
 * that may start, so nothing grows mid-run: the step loop touches them hosts x VMs x steps times.
 * Index i is a VM for the whole replay; `alive` lists the running ones.
 */
export class VmTable {
  readonly rt: VmRt[] = []
  readonly indexById = new Map<string, number>()
  /** Host index, -1 while down. */
  readonly hostOf: Int32Array
  readonly vcpusOf: Float64Array
  readonly memOf: Float64Array
  readonly sharesOf: Float64Array
  readonly cpuResOf: Float64Array
  readonly cpuLimOf: Float64Array
  readonly memResOf: Float64Array
  readonly memLimOf: Float64Array
  /**
   * Demand that varies comes from the prepared step-major rows (column colOf[i], W per row);
   * constant VMs and requests (colOf -1) have constCpu / constMem.
   */
  readonly W: number
  readonly rowsCpu: Float64Array
  readonly rowsMem: Float64Array
  readonly colOf: Int32Array
  readonly constCpu: Float64Array
  readonly constMem: Float64Array
  /** Demand of each VM at the current step (raw: may exceed its allocation), written by the step's accounting. */
  readonly demandCpu: Float64Array
  readonly demandMem: Float64Array
  /** 0 once a job has ended. */
  readonly activeOf: Uint8Array
  /** Indices of the running VMs in increasing order: every sum runs in this order. */
  readonly alive: Int32Array
  nAlive = 0

  constructor(cap: number, demand: PreparedScenario['demand']) {
    this.hostOf = new Int32Array(cap)
    this.vcpusOf = new Float64Array(cap)
    this.memOf = new Float64Array(cap)
    this.sharesOf = new Float64Array(cap)
    this.cpuResOf = new Float64Array(cap)
    this.cpuLimOf = new Float64Array(cap)
    this.memResOf = new Float64Array(cap)
    this.memLimOf = new Float64Array(cap)
    this.W = demand.columns
    this.rowsCpu = demand.cpu
    this.rowsMem = demand.mem
    this.colOf = new Int32Array(cap).fill(-1)
    this.colOf.set(demand.column)
    this.constCpu = new Float64Array(cap)
    this.constMem = new Float64Array(cap)
    this.demandCpu = new Float64Array(cap)
    this.demandMem = new Float64Array(cap)
    this.activeOf = new Uint8Array(cap)
    this.alive = new Int32Array(cap)
  }

  /** Adds a running VM on `host` (-1: down) with constant demand cpuConst / memConst unless its column varies; returns its index. */
  add(v: VmRt, host: number, vcpus: number, memoryMiB: number, c: VmControls, cpuConst: number, memConst: number): number {
    const i = this.rt.length
    this.rt.push(v)
    this.indexById.set(v.id, i)
    this.hostOf[i] = host
    this.vcpusOf[i] = vcpus
    this.memOf[i] = memoryMiB
    this.sharesOf[i] = c.shares
    this.cpuResOf[i] = c.cpuRes
    this.cpuLimOf[i] = c.cpuLim
    this.memResOf[i] = c.memRes
    this.memLimOf[i] = c.memLim
    this.constCpu[i] = cpuConst
    this.constMem[i] = memConst
    this.activeOf[i] = 1
    this.alive[this.nAlive++] = i
    return i
  }

  /** Running VMs on host h. */
  countOn(h: number): number {
    let n = 0
    for (let a = 0; a < this.nAlive; a++) if (this.hostOf[this.alive[a]!] === h) n++
    return n
  }

  /** Drops the VMs no longer active from `alive`, keeping the order. */
  compactAlive(): void {
    let w = 0
    for (let a = 0; a < this.nAlive; a++) if (this.activeOf[this.alive[a]!] === 1) this.alive[w++] = this.alive[a]!
    this.nAlive = w
  }
}
