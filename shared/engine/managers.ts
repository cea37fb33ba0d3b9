import { msg } from '../i18n'
import type { MessageRef, Recommendation } from '../model/recommendation'
import type { Snapshot } from '../model/snapshot'
import { MANAGER_NAMES, type Vm, type VmManager } from '../model/vm'
import type { PlacementRules } from './placement-rules'

/** VMs balancing leaves where they are: the admin's exclusions and every VM another manager owns. */
export function externallyManaged(snapshot: Pick<Snapshot, 'vms'>, rules: Pick<PlacementRules, 'externallyManaged'>): Set<string> {
  return new Set([...rules.externallyManaged, ...snapshot.vms.filter((v) => v.managedBy).map((v) => v.id)])
}

/** Why VirtPilot only advises on this VM: who owns it and what said so. */
export function managedReason(vm: Pick<Vm, 'name'>, m: VmManager): { reason: string; reasonRef: MessageRef } {
  const manager = MANAGER_NAMES[m.manager]
  const params = { vm: vm.name, manager, ref: m.ref, source: m.source }
  return {
    reason: `${vm.name} is managed by ${manager} (${m.ref}, read from ${m.source}${m.detail ? `; ${m.detail}` : ''}): VirtPilot does not move or resize it, so this is advice only. Make the change through ${manager}.`,
    reasonRef: m.detail ? msg('engine.managed.reasonDetail', { ...params, detail: m.detail }) : msg('engine.managed.reason', params),
  }
}

/**
 * Marks recommendations that touch a VM another manager owns as advice: they keep their actions
 * (what to set) but carry the reason, and no plan takes them (validatePlan refuses the actions).
 */
export function markManaged(recommendations: readonly Recommendation[], snapshot: Pick<Snapshot, 'vms'>): Recommendation[] {
  const managed = new Map(snapshot.vms.filter((v) => v.managedBy).map((v) => [v.id, v]))
  if (managed.size === 0) return [...recommendations]
  return recommendations.map((r) => {
    const vmId = r.target.type === 'vm' && managed.has(r.target.id) ? r.target.id : r.actions.map((a) => ('vm' in a.action ? a.action.vm : undefined)).find((id) => id !== undefined && managed.has(id))
    const vm = vmId !== undefined ? managed.get(vmId) : undefined
    return vm ? { ...r, managedBy: { manager: vm.managedBy!.manager, ...managedReason(vm, vm.managedBy!) } } : r
  })
}
