import type { MessageRef } from '../../model/message'
import type { CopyNeed, DiskCopies, PlacementProblem, PlacementVm } from '../placement'
import { disksOf, planMigrationStorage, storageFit, type StorageContext, type StoragePlan } from './migration'

/**
 * Storage in the placement problem: each VM may go only where its disks can follow (the
 * destination reaches them, or has a pool with room for a copy), a copy adds its time to the
 * move's cost, and copies into one pool must fit together (poolFree). Placement weighs every
 * (VM, host) pair without words; `plan` makes (once) the worded plan of the moves recommended.
 */
export function withStorage(problem: PlacementProblem, ctx: StorageContext | undefined): { problem: PlacementProblem; plan: (vmId: string, to: string) => StoragePlan | undefined } {
  if (!ctx) return { problem, plan: () => undefined }
  const plans = new Map<string, StoragePlan | undefined>()
  const home = new Map(problem.vms.map((v) => [v.id, v.hostId]))
  const plan = (vmId: string, to: string) => {
    const key = `${vmId}\u0000${to}`
    if (!plans.has(key)) plans.set(key, planMigrationStorage(vmId, home.get(vmId) ?? '', to, ctx))
    return plans.get(key)
  }
  const poolFree: Record<string, number> = {}
  const table = new CopyTable(problem.hosts.map((h) => h.id), problem.vms.length)
  const vms = problem.vms.map((vm): PlacementVm => {
    const here = ctx.storage[vm.hostId]
    if (!here || disksOf(here, vm.id).length === 0) return vm
    const row = table.addRow()
    const storageRefusals: Record<string, MessageRef> = {}
    problem.hosts.forEach((h, i) => {
      table.startPair()
      if (h.id === vm.hostId) return
      const p = storageFit(vm.id, vm.hostId, h.id, ctx)
      if (!p) return
      if (!p.ok) {
        storageRefusals[h.id] = p.reasonRef
        return
      }
      table.set(row, i, p.copySeconds, p.needs)
      for (const n of p.needs) poolFree[n.pool] = n.free
    })
    const refused = Object.keys(storageRefusals)
    // Storage narrows where it may go; its own host always stays allowed.
    const allowed = refused.length > 0 ? (vm.allowedHosts ?? problem.hosts.map((h) => h.id)).filter((id) => !(id in storageRefusals)) : vm.allowedHosts
    return { ...vm, allowedHosts: allowed, copies: new CopyRow(table, row), storageRefusals, storageHome: vm.hostId }
  })
  table.end()
  return { problem: { ...problem, vms, poolFree }, plan }
}

const NONE: readonly CopyNeed[] = Object.freeze([])

/**
 * Every VM's copies to every host in typed arrays by (row, host): seconds, and the needs of pair
 * i at [needStart[i], needStart[i + 1]) with their pool keys interned. About 24 MB at 200 x 5,000.
 */
class CopyTable {
  private readonly hostIndex: Map<string, number>
  private readonly seconds: Float64Array
  private readonly needStart: Int32Array
  private needPool: number[] | Int32Array = []
  private needBytes: number[] | Float64Array = []
  private readonly poolKeys: string[] = []
  private readonly poolIndex = new Map<string, number>()
  private rows = 0
  private pairs = 0

  constructor(hostIds: readonly string[], maxRows: number) {
    this.hostIndex = new Map(hostIds.map((id, i) => [id, i]))
    this.seconds = new Float64Array(hostIds.length * maxRows)
    this.needStart = new Int32Array(hostIds.length * maxRows + 1)
  }

  addRow(): number {
    return this.rows++
  }

  /** The next (row, host) pair begins: its needs start where the previous pair's end. */
  startPair() {
    this.needStart[this.pairs++] = this.needPool.length
  }

  set(row: number, host: number, seconds: number, needs: readonly CopyNeed[]) {
    // As the former records: a copy that takes no time (or none measurable) counts 0 seconds.
    if (seconds > 0) this.seconds[row * this.hostIndex.size + host] = seconds
    for (const n of needs) {
      let k = this.poolIndex.get(n.pool)
      if (k === undefined) {
        k = this.poolKeys.push(n.pool) - 1
        this.poolIndex.set(n.pool, k)
      }
      ;(this.needPool as number[]).push(k)
      ;(this.needBytes as number[]).push(n.bytes)
    }
  }

  end() {
    this.needStart[this.pairs] = this.needPool.length
    this.needPool = Int32Array.from(this.needPool)
    this.needBytes = Float64Array.from(this.needBytes)
  }

  secondsTo(row: number, hostId: string): number {
    const h = this.hostIndex.get(hostId)
    return h === undefined ? 0 : this.seconds[row * this.hostIndex.size + h]!
  }

  needsTo(row: number, hostId: string): readonly CopyNeed[] {
    const h = this.hostIndex.get(hostId)
    if (h === undefined) return NONE
    const i = row * this.hostIndex.size + h
    const from = this.needStart[i]!, to = this.needStart[i + 1]!
    if (from === to) return NONE
    const out: CopyNeed[] = []
    for (let k = from; k < to; k++) out.push({ pool: this.poolKeys[this.needPool[k]!]!, bytes: this.needBytes[k]! })
    return out
  }
}

class CopyRow implements DiskCopies {
  constructor(private readonly table: CopyTable, private readonly row: number) {}
  seconds(hostId: string): number {
    return this.table.secondsTo(this.row, hostId)
  }
  needs(hostId: string): readonly CopyNeed[] {
    return this.table.needsTo(this.row, hostId)
  }
}
