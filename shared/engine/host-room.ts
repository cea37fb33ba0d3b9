import type { PlacementProblem } from './placement'

/**
 * Room under each host's allocation ratios for VMs to grow (rightsizing, contention advice) on
 * top of the balancing plan: the most vCPUs and memory a host carries at any step of the plan
 * (before, after each move) plus growth already granted stays within its limits, so the plan's
 * recommendations fit in whatever order they are applied. A VM that moves needs room on every
 * host it sits on.
 */
export class HostRoom {
  private readonly vcpus = new Map<string, number>()
  private readonly mem = new Map<string, number>()
  private readonly limits = new Map<string, { vcpus: number; mem: number }>()
  private readonly hostsOf = new Map<string, Set<string>>()

  constructor(problem: PlacementProblem, moves: readonly { vmId: string; to: string }[]) {
    const where = new Map(problem.vms.map((vm) => [vm.id, vm.hostId]))
    const size = new Map(problem.vms.map((vm) => [vm.id, vm]))
    const now = new Map<string, { vcpus: number; mem: number }>()
    for (const h of problem.hosts) {
      this.limits.set(h.id, { vcpus: h.vcpuLimit, mem: h.memAllocLimitMiB })
      now.set(h.id, { vcpus: 0, mem: 0 })
    }
    for (const vm of problem.vms) {
      const n = now.get(vm.hostId)
      if (n) { n.vcpus += vm.vcpus; n.mem += vm.memoryMiB }
      this.hostsOf.set(vm.id, new Set([vm.hostId]))
    }
    const record = () => { for (const [h, n] of now) { this.vcpus.set(h, Math.max(this.vcpus.get(h) ?? 0, n.vcpus)); this.mem.set(h, Math.max(this.mem.get(h) ?? 0, n.mem)) } }
    record()
    for (const m of moves) {
      const vm = size.get(m.vmId)
      const from = where.get(m.vmId)
      if (!vm || from === undefined) continue
      const a = now.get(from)
      const b = now.get(m.to)
      if (a) { a.vcpus -= vm.vcpus; a.mem -= vm.memoryMiB }
      if (b) { b.vcpus += vm.vcpus; b.mem += vm.memoryMiB }
      where.set(m.vmId, m.to)
      this.hostsOf.get(m.vmId)!.add(m.to)
      record()
    }
  }

  /** The most vCPUs and MiB a VM may have, given its size now: its size plus the least room on any host it sits on. */
  ceilingFor(vmId: string, vcpus: number, memoryMiB: number): { vcpus: number; memoryMiB: number } {
    let roomV = Infinity
    let roomM = Infinity
    for (const h of this.hostsOf.get(vmId) ?? []) {
      const l = this.limits.get(h)
      if (!l) continue
      roomV = Math.min(roomV, l.vcpus - (this.vcpus.get(h) ?? 0))
      roomM = Math.min(roomM, l.mem - (this.mem.get(h) ?? 0))
    }
    return { vcpus: vcpus + Math.max(0, Math.floor(roomV + 1e-9)), memoryMiB: memoryMiB + Math.max(0, roomM) }
  }

  /** Reserves growth for a VM on every host it sits on. */
  take(vmId: string, vcpus: number, memoryMiB: number): void {
    for (const h of this.hostsOf.get(vmId) ?? []) {
      this.vcpus.set(h, (this.vcpus.get(h) ?? 0) + Math.max(0, vcpus))
      this.mem.set(h, (this.mem.get(h) ?? 0) + Math.max(0, memoryMiB))
    }
  }
}
