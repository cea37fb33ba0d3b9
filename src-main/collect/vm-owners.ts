import type { Vm } from '../../shared/model'
import type { Inventory } from '../hosts/adapter'

/**
 * Which managed host a VM belongs to. A VM's id is its libvirt UUID, the same on every host, so a
 * hostile or misconfigured host could report another host's VM: its samples would merge into that
 * VM's history and skew advice for a VM it does not run. The host that reported a VM first keeps
 * it while it keeps reporting it (or until `ttlMs` after it last did, should it go silent); another
 * host reporting the same UUID meanwhile has that VM left out, as a problem shown for that host.
 * When the owner stops listing it (a migration), the hosts that were refused look again at once.
 */
export class VmOwners {
  private readonly owners = new Map<string, { hostId: string; seenAt: number }>()
  /** VM id -> hosts that reported it while another host owned it. */
  private readonly refused = new Map<string, Set<string>>()

  constructor(
    private readonly ttlMs: number,
    private readonly onReleased: (hostIds: string[]) => void,
  ) {}

  /** A host's fresh inventory, without the VMs another host owns; those come back as duplicates. */
  admit(hostId: string, inventory: Inventory, now: number): { inventory: Inventory; duplicates: { vm: Vm; owner: string }[] } {
    this.releaseMissing(hostId, new Set(inventory.vms.map((v) => v.id)))
    const duplicates: { vm: Vm; owner: string }[] = []
    const vms = inventory.vms.filter((vm) => {
      const owner = this.owners.get(vm.id)
      if (owner && owner.hostId !== hostId && now - owner.seenAt < this.ttlMs) {
        duplicates.push({ vm, owner: owner.hostId })
        this.refused.set(vm.id, (this.refused.get(vm.id) ?? new Set()).add(hostId))
        return false
      }
      this.owners.set(vm.id, { hostId, seenAt: now })
      this.refused.get(vm.id)?.delete(hostId)
      return true
    })
    return { inventory: { ...inventory, vms }, duplicates }
  }

  /** The host is gone (removed by the admin): its VMs are free for others. */
  release(hostId: string): void {
    this.releaseMissing(hostId, new Set())
  }

  private releaseMissing(hostId: string, still: ReadonlySet<string>): void {
    const waiting = new Set<string>()
    for (const [vmId, owner] of this.owners) {
      if (owner.hostId !== hostId || still.has(vmId)) continue
      this.owners.delete(vmId)
      for (const other of this.refused.get(vmId) ?? []) waiting.add(other)
      this.refused.delete(vmId)
    }
    if (waiting.size > 0) this.onReleased([...waiting])
  }
}
