import type { MessageRef } from '../../model/message'
import type { PlacementProblem, PlacementVm } from '../placement'
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
  const vms = problem.vms.map((vm): PlacementVm => {
    const here = ctx.storage[vm.hostId]
    if (!here || disksOf(here, vm.id).length === 0) return vm
    const copySeconds: Record<string, number> = {}
    const copyNeeds: Record<string, { pool: string; bytes: number }[]> = {}
    const storageRefusals: Record<string, MessageRef> = {}
    for (const h of problem.hosts) {
      if (h.id === vm.hostId) continue
      const p = storageFit(vm.id, vm.hostId, h.id, ctx)
      if (!p) continue
      if (!p.ok) {
        storageRefusals[h.id] = p.reasonRef
        continue
      }
      if (p.copySeconds > 0) copySeconds[h.id] = p.copySeconds
      if (p.needs.length > 0) copyNeeds[h.id] = p.needs
      for (const n of p.needs) poolFree[n.pool] = n.free
    }
    const refused = Object.keys(storageRefusals)
    // Storage narrows where it may go; its own host always stays allowed.
    const allowed = refused.length > 0 ? (vm.allowedHosts ?? problem.hosts.map((h) => h.id)).filter((id) => !(id in storageRefusals)) : vm.allowedHosts
    return { ...vm, allowedHosts: allowed, copySeconds, copyNeeds, storageRefusals, storageHome: vm.hostId }
  })
  return { problem: { ...problem, vms, poolFree }, plan }
}
